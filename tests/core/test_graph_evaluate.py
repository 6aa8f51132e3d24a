"""core.graph (the architecture diagram's data) and core.evaluate (judging a network in original units)."""

import numpy as np
import pytest

from core import data, evaluate, graph, network


# ----- graph ---------------------------------------------------------------------------------

@pytest.mark.parametrize("n_inputs, n_hidden, n_outputs", [(2, 3, 1), (1, 1, 1), (2, 32, 1), (4, 5, 3)])
def test_architecture_has_one_edge_per_weight(n_inputs, n_hidden, n_outputs):
    G = graph.architecture(n_inputs, n_hidden, n_outputs)
    assert G.number_of_edges() == (n_inputs + 1) * n_hidden + (n_hidden + 1) * n_outputs
    assert G.number_of_nodes() == (n_inputs + 1) + (n_hidden + 1) + n_outputs
    W_H_edges = [d for _, _, d in G.edges(data=True) if d["matrix"] == "W_H"]
    assert sorted((d["row"], d["col"]) for d in W_H_edges) == [(i, j) for i in range(n_inputs + 1) for j in range(n_hidden)]


def test_edge_names_use_the_notation_and_map_to_code_indices():
    G = graph.architecture(2, 3)
    edge = G.edges[("x", 2), ("h", 1)]
    assert edge["name"] == "W_H[2,1]" and (edge["matrix"], edge["row"], edge["col"]) == ("W_H", 2, 0)
    edge = G.edges[("h", 0), ("o", 1)]
    assert edge["name"] == "W_O[0,1]" and (edge["matrix"], edge["row"], edge["col"]) == ("W_O", 0, 0)
    W_H, W_O = network.init_weights(2, 3, seed=9)
    # Every name addresses the weight the code uses for that connection.
    for _, _, d in G.edges(data=True):
        W = W_H if d["matrix"] == "W_H" else W_O
        i, j = (int(s) for s in d["name"].split("[")[1].rstrip("]").split(","))
        assert d["row"] == i and d["col"] == j - 1 and np.isfinite(W[d["row"], d["col"]])


def test_bias_nodes_have_no_incoming_edges():
    G = graph.architecture(2, 4)
    for node in (("x", 0), ("h", 0)):
        assert G.nodes[node]["bias"] and G.in_degree(node) == 0 and "bias" in G.nodes[node]["label"]
    assert all(G.in_degree(("h", j)) == 3 for j in range(1, 5))


def test_nodes_carry_layers_and_the_names_of_the_columns():
    G = graph.architecture(2, 3, input_names=["Education", "Seniority"], output_names=["Income"])
    assert [G.nodes[("x", i)]["layer"] for i in range(3)] == [0, 0, 0]
    assert G.nodes[("o", 1)]["layer"] == 2
    assert "Education" in G.nodes[("x", 1)]["label"] and "Seniority" in G.nodes[("x", 2)]["label"]
    assert "Income" in G.nodes[("o", 1)]["label"]
    assert graph.sub(12) == "₁₂"


# ----- evaluate ------------------------------------------------------------------------------

def test_rmse_and_r2_on_known_values():
    y, y_hat = np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 2.0, 3.0, 6.0])
    assert evaluate.rmse(y, y_hat) == pytest.approx(1.0)           # sqrt(4 / 4)
    assert evaluate.r2(y, y_hat) == pytest.approx(1 - 4 / 5)      # SS_tot = 2.25+0.25+0.25+2.25
    assert evaluate.r2(y, y) == 1.0 and evaluate.rmse(y, y) == 0.0
    assert evaluate.r2(y, np.full(4, y.mean())) == pytest.approx(0.0)
    assert np.isnan(evaluate.r2([5.0, 5.0], [5.0, 4.0]))             # constant y: undefined


def test_predict_is_forward_on_scaled_inputs_in_original_units(prepared, income):
    W_H, W_O = network.init_weights(2, 3, seed=9)
    X = income[["Education", "Seniority"]].to_numpy()
    expected = network.forward(network.augment(X / prepared.x_scale), W_H, W_O).u_O * prepared.y_scale
    np.testing.assert_allclose(evaluate.predict(prepared, [W_H, W_O], X), expected, rtol=1e-14)
    # Training rows: the same numbers the network produced on X_train_aug.
    train = network.forward(prepared.X_train_aug, W_H, W_O).u_O * prepared.y_scale
    np.testing.assert_allclose(evaluate.predict(prepared, [W_H, W_O], X[prepared.train_rows - 1]), train, rtol=1e-13)


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_surface_spans_the_data_and_equals_forward_on_scaled_inputs(prepared, income, activation):
    W_H, W_O = network.init_weights(2, 4, seed=3)
    s = evaluate.surface(prepared, [W_H, W_O], activation, resolution=25, margin=0.1)
    assert s.x1.shape == (25,) and s.x2.shape == (25,) and s.y_hat.shape == (25, 25)
    lo, hi = income["Education"].min(), income["Education"].max()
    assert s.x1[0] == pytest.approx(lo - 0.1 * (hi - lo)) and s.x1[-1] == pytest.approx(hi + 0.1 * (hi - lo))
    lo, hi = income["Seniority"].min(), income["Seniority"].max()
    assert s.x2[0] == pytest.approx(lo - 0.1 * (hi - lo)) and s.x2[-1] == pytest.approx(hi + 0.1 * (hi - lo))
    for r, c in [(0, 0), (3, 17), (24, 24), (12, 5)]:
        X_aug = np.array([[1.0, s.x1[c] / prepared.x_scale[0], s.x2[r] / prepared.x_scale[1]]])
        expected = network.forward(X_aug, W_H, W_O, activation).u_O[0, 0] * prepared.y_scale[0]
        assert s.y_hat[r, c] == pytest.approx(expected, rel=1e-13)


def test_partial_curve_holds_the_other_feature_at_its_median(prepared, income):
    W_H, W_O = network.init_weights(2, 3, seed=9)
    x, y_hat = evaluate.partial_curve(prepared, [W_H, W_O], column=0, resolution=11)
    assert x.shape == y_hat.shape == (11,)
    median = np.median(income["Seniority"])
    X = np.column_stack([x, np.full(11, median)])
    np.testing.assert_allclose(y_hat, evaluate.predict(prepared, [W_H, W_O], X)[:, 0], rtol=1e-12)


# ----- classification ------------------------------------------------------------------------

def test_predicted_class_is_the_most_probable_one_and_accuracy_counts_matches():
    two = np.array([[0.2], [0.5], [0.51], [0.99]])
    assert evaluate.predicted_class(two).tolist() == [0, 0, 1, 1]        # ŷ > ½ means classes[1]
    three = np.array([[0.2, 0.5, 0.3], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8]])
    assert evaluate.predicted_class(three).tolist() == [1, 0, 2]
    assert evaluate.accuracy(np.array([[1.0], [0.0], [1.0], [1.0]]), two) == pytest.approx(0.75)   # row 1 missed
    assert evaluate.accuracy(np.eye(3)[[1, 0, 0]], three) == pytest.approx(2 / 3)


@pytest.mark.parametrize("name", ["moons", "three"])
def test_predict_and_surface_give_probabilities_for_the_cross_entropy(name):
    df = data.toy(name, 60, 0.1, seed=2)
    p = data.prepare(df, ("x1", "x2"), "label", task="classification")
    weights = network.init_layers(2, (4,), p.n_outputs, seed=3)
    X = df[["x1", "x2"]].to_numpy()
    probs = evaluate.predict(p, weights, X, "tanh", loss="cross_entropy")
    expected = network.forward_pass(network.augment(X / p.x_scale), weights, "tanh", "cross_entropy").y_hat
    np.testing.assert_allclose(probs, expected, rtol=1e-14)
    assert ((probs >= 0) & (probs <= 1)).all()
    s = evaluate.surface(p, weights, "tanh", resolution=9, loss="cross_entropy")
    X_aug = np.array([[1.0, s.x1[4] / p.x_scale[0], s.x2[7] / p.x_scale[1]]])
    assert s.y_hat[7, 4] == pytest.approx(
        network.forward_pass(X_aug, weights, "tanh", "cross_entropy").y_hat[0, 0], rel=1e-13)

"""No hidden layer (``n_hidden=()``): one weight matrix from the inputs to the output, through every
part of the core (docs/core-api.md, "Hidden layers may also be 0").

With the squared loss that network is linear regression, so gradient descent must end where the
normal equations say, a fact independent of any code here.
"""

import numpy as np
import pytest

from core import activations, gradcheck, graph, network, nudge, step, training
from tests import reference as ref
from tests.core.conftest import assert_same_snapshot


def test_init_layers_without_hidden_layers_draws_one_matrix_from_the_seed():
    for seed in (0, 9, 321):
        weights = network.init_layers(2, (), 1, seed)
        assert len(weights) == 1 and weights[0].shape == (3, 1)
        np.testing.assert_array_equal(weights[0], np.random.RandomState(seed).randn(3, 1))
        np.testing.assert_array_equal(weights[0], ref.init(seed, 2, ())[0])
    assert network.init_layers(7, (), 3, 1)[0].shape == (8, 3)


@pytest.mark.parametrize("activation", activations.NAMES)
def test_the_forward_pass_is_x_aug_times_w_whatever_the_activation(rng, activation):
    X_aug = network.augment(rng.normal(size=(6, 3)))
    W = rng.normal(size=(4, 2))
    fwd = network.forward_pass(X_aug, [W], activation)
    assert len(fwd.a) == len(fwd.z) == len(fwd.u) == 1
    np.testing.assert_array_equal(fwd.y_hat, X_aug @ W)


@pytest.mark.parametrize("weight_decay", [0.0, 0.3])
def test_the_one_gradient_is_x_aug_transposed_times_delta_and_matches_the_reference(rng, weight_decay):
    X_aug, y = network.augment(rng.normal(size=(8, 2))), rng.normal(size=(8, 1))
    weights = ref.init(4, 2, ())
    fwd, bwd = network.passes(X_aug, y, weights, "sigmoid", weight_decay)
    expected = ref.batch(X_aug, y, weights, "sigmoid", weight_decay)
    np.testing.assert_allclose(bwd.delta[0], X_aug @ weights[0] - y, rtol=1e-13)
    np.testing.assert_allclose(bwd.dW[0], expected["dW"][0], rtol=1e-12, atol=1e-14)
    num = gradcheck.numerical_gradients(X_aug, y, weights, weight_decay=weight_decay)
    np.testing.assert_allclose(bwd.dW[0], num[0], rtol=1e-6, atol=1e-8)


def test_training_without_a_hidden_layer_is_the_plain_loop(prepared):
    for batch_size, weight_decay in ((None, 0.0), (4, 0.01)):
        h = training.train(prepared, (), 0.05, 30, seed=3, batch_size=batch_size, weight_decay=weight_decay)
        losses, weights, _ = ref.train(prepared.X_train_aug, prepared.y_train, prepared.X_test_aug,
                                       prepared.y_test, ref.init(3, 2, ()), 0.05, 30, "sigmoid", batch_size,
                                       weight_decay, 3)
        np.testing.assert_allclose(h.losses, losses, rtol=1e-10)
        for e in (0, 7, 30):
            np.testing.assert_allclose(h.at(e).weights[0], weights[e][0], rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("weight_decay", [0.0, 0.5])
def test_full_batch_descent_without_a_hidden_layer_ends_at_the_least_squares_solution(prepared, weight_decay):
    # ½ Σ (y − X_aug·w)² + (λ/2) Σ w[1:]²  is smallest where (X_augᵀX_aug + λD) w = X_augᵀy, D = diag(0, 1, 1).
    X, y = prepared.X_train_aug, prepared.y_train
    D = np.diag([0.0, 1.0, 1.0])
    w_star = np.linalg.solve(X.T @ X + weight_decay * D, X.T @ y)
    # Descent converges for η < 2/λ_max(X_augᵀX_aug + λD) (about 0.063 here) at a rate set by λ_min.
    eigen = np.linalg.eigvalsh(X.T @ X + weight_decay * D)
    assert 0.04 < 2 / eigen[-1] and (1 - 0.04 * eigen[0]) ** 5000 < 1e-12
    h = training.train(prepared, (), 0.04, 5000, seed=1, weight_decay=weight_decay, stride=1000)
    np.testing.assert_allclose(h.at(h.last_epoch).weights[0], w_star, rtol=1e-6, atol=1e-8)


def test_a_history_without_hidden_layers_says_so(prepared):
    h = training.train(prepared, (), 0.05, 40, stride=7)
    assert h.hidden == () and h.n_hidden == () and h.shapes == ((3, 1),)
    assert len(h.weights) == 1 and h.weights[0].shape == (len(h.kept_epochs), 3, 1)
    with pytest.raises(AttributeError, match="weights"):
        h.W_H
    snap = h.at(12)
    assert snap.W_H is None and snap.W_O is None and len(snap.weights) == 1
    assert_same_snapshot(snap, training.train(prepared, (), 0.05, 40).at(12))
    assert "N_H=()" in repr(h)


def test_the_settings_accept_no_hidden_layer_but_not_a_layer_of_none():
    assert training.hidden_layers(()) == () and training.hidden_layers([]) == ()
    training.check_settings((), 0.05, 10, "relu")
    for bad in (0, (0,), (3, 0)):
        with pytest.raises(ValueError, match=r"\(\) for no hidden layer"):
            training.hidden_layers(bad)


def test_train_many_without_a_hidden_layer_equals_train_seed_by_seed(prepared):
    ens = training.train_many(prepared, [1, 2], (), 0.05, 25, batch_size=5)
    for s, seed in enumerate((1, 2)):
        h = training.train(prepared, (), 0.05, 25, seed, batch_size=5)
        np.testing.assert_allclose(ens.loss_train[:, s], h.losses[:, 0], rtol=1e-12)


def test_a_step_without_a_hidden_layer_shows_its_one_matrix(prepared):
    weights = network.init_layers(2, (), 1, seed=9)
    s = step.gradient_step(prepared.X_train_aug, prepared.y_train, weights, 0.01)
    assert s.g_primes == [] and len(s.dW_terms) == 1 and len(s.weights_new) == 1
    expected = ref.batch(prepared.X_train_aug, prepared.y_train, weights, "sigmoid")
    np.testing.assert_allclose(s.backward.dW[0], expected["dW"][0], rtol=1e-12)
    np.testing.assert_allclose(s.dW_terms[0].sum(axis=0), s.backward.dW[0], rtol=1e-12)
    assert "hidden=()" in repr(s)
    with pytest.raises(AttributeError, match="per-layer"):
        s.W_H


def test_a_nudge_without_a_hidden_layer_changes_the_loss_by_its_gradient_and_a_square(prepared):
    X, y = prepared.X_train_aug, prepared.y_train
    weights = network.init_layers(2, (), 1, seed=9)
    out = nudge.nudge(X, y, weights, 0, 2, 0, 0.01)
    assert len(out.changes) == 1 and out.changes[0].du is None
    np.testing.assert_allclose(out.changes[0].dz[:, 0], X[:, 2] * 0.01, rtol=1e-12)
    # L is quadratic in the weight: ΔL = ∂L/∂w·Δw + ½ Σ x²·Δw², exactly.
    assert out.dL == pytest.approx(out.gradient * 0.01 + 0.5 * np.sum(X[:, 2] ** 2) * 0.01**2, rel=1e-9)


def test_the_architecture_without_hidden_layers_wires_the_inputs_to_the_outputs():
    G = graph.architecture(3, (), 2)
    assert G.number_of_nodes() == 4 + 2 and G.number_of_edges() == 4 * 2
    assert {d["matrix"] for _, _, d in G.edges(data=True)} == {"W_O"}
    assert G.edges[("x", 0), ("o", 2)]["name"] == "W_O[0,2]"
    assert G.nodes[("o", 1)]["layer"] == 1
    assert graph.matrix_names(0) == ["W_O"] and graph.layer_names(0) == ["O"]

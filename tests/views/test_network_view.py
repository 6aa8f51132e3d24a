"""The Network page's builders, without a browser: which number each edge and node carries."""

import numpy as np
import altair as alt
import pandas as pd
import pytest

from core import activations, data, graph, network, training
from ui.views import network as network_view, numbers, style
from ui.views.network import CHANGE, GRADIENT, SHOW, WEIGHT


@pytest.fixture(scope="module")
def prepared():
    return data.prepare(data.load_income())


def quantities(p, n_hidden=3, epoch=10, act="sigmoid"):
    h = training.train(p, n_hidden=n_hidden, learning_rate=0.05, epochs=20, seed=9, activation=act)
    snap = h.at(epoch)
    fwd, back = network.gradients(p.X_train_aug, p.y_train, snap.W_H, snap.W_O, act)
    return h, snap, fwd, back, network_view.Quantities.of(snap.weights, [back.dW_H, back.dW_O],
                                                          [w[0] for w in h.weights])


def chart_layers(chart: dict) -> tuple[dict, list[pd.DataFrame]]:
    """The spec, checked against the Vega-Lite schema, and each layer's rows (its filter applied)."""
    records = {name: pd.DataFrame(rows).to_dict("records") for name, rows in chart["datasets"].items()}
    alt.LayerChart.from_dict({**chart, "datasets": records}, validate=True)
    frames = []
    for layer in chart["layer"]:
        frame = pd.DataFrame(chart["datasets"][layer["data"]["name"]])
        for step in layer.get("transform", []):
            frame = frame[_vega_filter(frame, step["filter"])]
        frames.append(frame.reset_index(drop=True))
    return chart, frames


def _vega_filter(frame: pd.DataFrame, expression: str):
    """The few filter expressions the diagram uses: ``datum.f == n``, ``datum.f != ''``, ``datum.f > n``,
    ``datum.f < n``, joined by ``&&``."""
    keep = pd.Series(True, index=frame.index)
    for part in expression.split("&&"):
        field, op, value = part.strip().replace("datum.", "").split(" ", 2)
        value = "" if value == "''" else float(value)
        ops = {"==": frame[field] == value, "!=": frame[field] != value}
        if op in (">", "<"):
            ops[op] = frame[field] > value if op == ">" else frame[field] < value
        keep &= ops[op]
    return keep


def edges_of(spec_frames) -> pd.DataFrame:
    _, frames = spec_frames
    return next(f for f in frames if "name" in f.columns)


def test_edge_values_read_each_weight_from_its_array_bias_row_first():
    G = graph.architecture(2, 3, 1)
    W_H = np.arange(9.0).reshape(3, 3)
    W_O = np.arange(4.0).reshape(4, 1) + 100
    values = network_view.edge_values(G, [W_H, W_O])
    assert len(values) == (2 + 1) * 3 + (3 + 1) * 1
    assert values[(("x", 2), ("h", 1))] == W_H[2, 0]          # W_H[2,1]: from x₂ to h₁
    assert values[(("x", 0), ("h", 3))] == W_H[0, 2]          # bias weight of h₃
    assert values[(("h", 0), ("o", 1))] == 100                # output bias, row 0 of W_O
    assert values[(("h", 3), ("o", 1))] == 103


@pytest.mark.parametrize("n_hidden", [1, 3, 32])
@pytest.mark.fast_sample(2)
def test_the_diagram_data_has_one_row_per_weight_with_the_chosen_quantity(prepared, n_hidden):
    h, snap, fwd, back, q = quantities(prepared, n_hidden)
    G = graph.architecture(2, n_hidden, 1, prepared.features, [prepared.target])
    nodes = network_view.node_tooltips(G, prepared.X_train_aug[0], [fwd.z_H[0], fwd.z_O[0]], [fwd.u_H[0], fwd.z_O[0]])
    for show, (M_H, M_O) in zip(SHOW, [(snap.W_H, snap.W_O), (back.dW_H, back.dW_O),
                                       (snap.W_H - h.W_H[0], snap.W_O - h.W_O[0])]):
        spec_frames = chart_layers(network_view.network_chart(G, q, show, nodes, style.NORMAL))
        edges = edges_of(spec_frames).set_index("name")
        assert len(edges) == 3 * n_hidden + (n_hidden + 1)
        assert edges.loc["W_H[2,1]", "value"] == pytest.approx(M_H[2, 0])
        assert edges.loc[f"W_O[{n_hidden},1]", "value"] == pytest.approx(M_O[n_hidden, 0])
        # every tooltip has all three numbers, whatever the lines show
        assert edges.loc["W_H[1,1]", WEIGHT] == pytest.approx(snap.W_H[1, 0])
        assert edges.loc["W_H[1,1]", GRADIENT] == pytest.approx(back.dW_H[1, 0])
        assert edges.loc["W_H[1,1]", CHANGE] == pytest.approx(snap.W_H[1, 0] - h.W_H[0][1, 0])
        assert (edges["sign"] == np.where(edges["value"] < 0, "negative", "positive")).all()
        legend = spec_frames[0]["layer"][0]["encoding"]["color"]["title"]
        assert legend == f"sign of {network_view.TITLES[show]}"


def test_edge_tooltips_name_the_weight_and_its_endpoints(prepared):
    _, _, fwd, _, q = quantities(prepared)
    G = graph.architecture(2, 3, 1, prepared.features, [prepared.target])
    spec_frames = chart_layers(network_view.network_chart(G, q, SHOW[0], {}, style.NORMAL))
    spec, edges = spec_frames[0], edges_of(spec_frames).set_index("name")
    assert (edges.loc["W_H[2,1]", "frm"], edges.loc["W_H[2,1]", "to"]) == ("x₂ Seniority", "h₁")
    titles = [t["title"] for t in spec["layer"][0]["encoding"]["tooltip"]]
    assert titles[:4] == ["weight", "from", "to", WEIGHT] and GRADIENT in titles and CHANGE in titles


def test_node_tooltips_carry_z_and_u_of_the_chosen_sample(prepared):
    _, _, fwd, _, q = quantities(prepared)
    G = graph.architecture(2, 3, 1, prepared.features, [prepared.target])
    n = 4
    nodes = network_view.node_tooltips(G, prepared.X_train_aug[n], [fwd.z_H[n], fwd.z_O[n]], [fwd.u_H[n], fwd.z_O[n]],
                                       prepared.y_train[n])
    assert nodes[("h", 2)] == {"z": f"{fwd.z_H[n, 1]:.6f}", "u": f"{fwd.u_H[n, 1]:.6f}"}
    assert nodes[("x", 1)]["u"] == f"{prepared.X_train_aug[n, 1]:.6f}"
    assert nodes[("x", 0)]["u"] == nodes[("h", 0)]["u"] == "1"
    assert nodes[("o", 1)]["z"] == nodes[("o", 1)]["u"] == f"{fwd.z_O[n, 0]:.6f}"
    assert nodes[("o", 1)]["target y"] == f"{prepared.y_train[n, 0]:.6f}"
    spec, frames = chart_layers(network_view.network_chart(G, q, SHOW[0], nodes, style.NORMAL))
    dots = next(f for f in frames if "kind" in f.columns).set_index("node")
    assert dots.loc["h₂", "z"] == f"{fwd.z_H[n, 1]:.6f}"
    assert {"z", "u"} <= {t["field"] for t in spec["layer"][1]["encoding"]["tooltip"]}


def test_change_since_epoch_zero_is_zero_at_epoch_zero(prepared):
    _, _, _, _, q = quantities(prepared, epoch=0)
    M_H, M_O = q.shown(SHOW[2])
    assert not M_H.any() and not M_O.any()
    assert q.finite()


def test_labels_get_a_white_halo_and_wide_layers_get_thinner_lines(prepared):
    _, _, _, _, q = quantities(prepared, n_hidden=32)
    G = graph.architecture(2, 32, 1, prepared.features, [prepared.target])
    spec, _ = chart_layers(network_view.network_chart(G, q, SHOW[0], {}, style.PROJECTOR))
    texts = [layer["mark"] for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    assert len(texts) == 6 and sum(m.get("stroke") == "white" for m in texts) == 3
    assert spec["layer"][0]["encoding"]["strokeWidth"]["scale"]["range"] == [0.8, 7.0]
    assert spec["config"]["axis"]["labelFontSize"] == style.PROJECTOR.font     # the style is applied
    assert network_view.edge_widths(3, style.NORMAL) is None
    assert network_view.edge_widths(13, style.NORMAL) == (0.4, 4.5)


def test_shapes_table_fills_in_the_sizes():
    rows = {code: shape for code, _, _, shape in network_view.shapes_rows(15, 2, 5, 1)}
    assert (rows["X_aug"], rows["W_H"], rows["W_O"]) == ("(15, 3)", "(3, 5)", "(6, 1)")
    assert rows["z_H, u_H"] == "(15, 5)" and rows["delta_O, delta_H"] == "(15, 1), (15, 5)"
    assert rows["dW_O, dW_H"] == "(6, 1), (3, 5)"
    md = network_view.shapes_markdown(24, 2, 32, 1)
    assert "N = 24 training samples" in md and "| (24, 3) |" in md and "| (3, 32) |" in md


@pytest.mark.parametrize("act", activations.NAMES)
def test_forward_equations_show_the_shapes_and_the_chosen_activation(act):
    lines = network_view.forward_latex(act, 15, 2, 5, 1)
    text = "\n".join(lines)
    assert activations.get(act).latex in text and rf"\text{{({act})}}" in text
    assert r"\underbrace{z_{H}}_{15\times5}" in text and r"\underbrace{W_{H}}_{3\times5}" in text
    assert r"\underbrace{W_{O}}_{6\times1}" in text and r"_{15\times6}" in text
    assert "[" not in text.replace(r"[\,\mathbf{1}", "")         # no numpy-style indexing


def test_huge_numbers_switch_to_scientific_notation():
    assert numbers.fixed(0.5) == "0.500000"
    assert numbers.fixed(72.0789, 2) == "72.08"
    assert numbers.fixed(-5.84e151) == "-5.8400e+151"


def test_overflowed_numbers_are_drawn_as_zero_never_as_inf_or_nan():
    W = (np.array([[1.0, np.inf]]), np.array([[np.nan], [2.0]]))
    q = network_view.Quantities(W, W, W)
    assert not q.finite()
    clean = q.drawable()
    assert clean.finite() and clean.W[0].tolist() == [[1.0, 0.0]] and clean.dW[1].tolist() == [[0.0], [2.0]]

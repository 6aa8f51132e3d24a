"""Deeper networks, mini-batches and weight decay on every page (AppTest), with the numbers a student
reads derived from tests/reference.py and docs/core-api.md's batch order, not from the app."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pytest

from core import data
from tests import reference as ref
from tests.app.helpers import PAGES, component_data, no_exception, open_app, texts
from tests.app.test_training_page import download, media  # noqa: F401  (media is a fixture)

LAYERS = {"hidden": "8,4", "batch": "5", "l2": "0.01"}
WIDE = {"hidden": "32,32,32"}


@pytest.fixture(scope="module")
def p():
    return data.prepare(data.load_income())


def first_batch(n_rows: int, size: int, seed: int) -> np.ndarray:
    """docs/core-api.md: rng = default_rng(seed) once; epoch 0 visits rng.permutation(N) in chunks."""
    return np.random.default_rng(seed).permutation(n_rows)[:size]


@pytest.mark.parametrize("query", [LAYERS, WIDE], ids=["8,4 batch 5 l2 0.01", "32,32,32"])
@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.fast_sample(3)
def test_every_page_opens_at_depth(page, query):
    at = open_app(page, query)
    no_exception(at)
    # 3 × 32 sigmoid units at the lecture's η diverge (a loss summed over rows, wide layers): said, not hidden
    assert not [w.value for w in at.warning if "link" in w.value], [w.value for w in at.warning]
    assert at.sidebar.text_input(key="hidden").value == query["hidden"]


@pytest.mark.parametrize("query, depth", [(LAYERS, 2), (WIDE, 3)])
def test_the_network_diagram_draws_every_layer_with_its_bias_node(query, depth):
    at = open_app("network", query)
    [chart] = at.get("vega_lite_chart")
    nodes = next(pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in chart.proto.datasets
                 if d.name == "nodes")
    assert sorted(nodes.layer.unique()) == list(range(depth + 2))          # inputs, hidden layers, ŷ
    widths = [int(w) for w in query["hidden"].split(",")]
    for k, width in enumerate(widths, start=1):
        layer = nodes[nodes.layer == k]
        assert len(layer) == width + 1 and (layer.kind == "bias").sum() == 1
    captions = [c.value for c in at.caption]
    names = [f"W_H{k}" for k in range(1, depth + 1)] + ["W_O"]
    assert all(any(c.startswith(f"{name} (") and " at epoch 0" in c for c in captions) for name in names)   # a table per layer


def test_backprop_shows_each_hidden_layers_delta_from_the_one_above(p):
    at = open_app("backprop", {**LAYERS, "step": "4"})
    page = texts(at)
    assert page.count(r"\delta^{\text{this}}_{n,j} &= g'") == 1          # the general rule, once
    latex = [l.value for l in at.latex]
    top, bottom = [i for i, tex in enumerate(latex) if r"\delta^{H2}_{" in tex and "&=" in tex], \
        [i for i, tex in enumerate(latex) if r"\delta^{H1}_{" in tex and "&=" in tex]
    assert top and bottom and top[0] < bottom[0]                            # from the top down
    assert any(r"\delta^{H2}_{1,1}" in tex and r"\delta^{H1}_{1,1}" not in tex for tex in latex)
    assert "δ_H2 → δ_H1" in page.replace("δ_O → ", "")


def test_a_mini_batch_step_is_the_first_batch_of_the_epoch_with_its_rows_and_its_loss(p):
    at = open_app("backprop", {**LAYERS, "step": "2"})
    no_exception(at)
    rows = first_batch(len(p.y_train), 5, 321)
    labels = ", ".join(str(r) for r in p.train_rows[rows])
    assert f"epoch 0 makes 3 updates. This step is the first, on the 5 training rows of batch 1 — data rows {labels}." \
        in texts(at)
    weights = ref.init(321, 2, (8, 4))
    loss = ref.loss(p.X_train_aug[rows], p.y_train[rows], weights, "sigmoid")
    assert f"Loss L on batch 1 of 3 at epoch 0: **{loss:.8f}**" in texts(at)
    penalty = ref.penalty(weights, 0.01)
    assert any(m.label.startswith("What this step lowers") and m.value == f"{loss + penalty:.8f}" for m in at.metric)


def test_weight_decay_appears_in_the_gradients_and_the_update():
    at = open_app("backprop", {**LAYERS, "step": "5"})
    page = texts(at)
    assert r"\frac{\partial J}{\partial w} = \frac{\partial L}{\partial w} + \lambda\, w" in page
    assert "Weight decay's term λ·W_H1 (3, 8) (bias row: 0)" in page
    at = open_app("backprop", {**LAYERS, "step": "6"})
    assert r"W \leftarrow W - \eta\,\frac{\partial J}{\partial W}" in texts(at)


def test_the_weights_download_holds_every_layer(media):
    at = open_app("training", {**LAYERS, "epoch": "0"})
    doc = json.loads(download(media, at, "Weights at epoch 0"))
    expected = ref.init(321, 2, (8, 4))
    assert [k for k in doc if k.startswith("W_")] == ["W_H1", "W_H2", "W_O"]
    for name, W in zip(("W_H1", "W_H2", "W_O"), expected):
        np.testing.assert_array_equal(np.array(doc[name]), W)
    assert doc["settings"]["hidden"] == [8, 4] and doc["settings"]["batch_size"] == 5


@pytest.mark.parametrize("bad, notice", [
    ({"hidden": "0,4"}, "`hidden=0,4` is not allowed"),
    ({"hidden": "40"}, "`hidden=40` is not allowed"),
    ({"hidden": "1,2,3,4"}, "`hidden=1,2,3,4` is not allowed"),
    ({"batch": "0"}, "`batch=0` is not allowed"),
    ({"l2": "-1"}, "`l2=-1` is not allowed"),
])
@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.fast_sample(3)
def test_bad_layer_batch_and_decay_values_fall_back_with_the_usual_notice(page, bad, notice):
    at = open_app(page, bad)
    no_exception(at)
    [box] = at.warning
    assert notice in box.value
    assert at.sidebar.text_input(key="hidden").value == "3"
    assert at.sidebar.number_input(key="batch").value is None
    assert at.sidebar.select_slider(key="l2").value == 0.0


def test_the_seed_comparison_and_the_learned_function_work_at_depth():
    at = open_app("training", LAYERS)
    at.toggle(key="seeds").set_value(True).run()
    no_exception(at)
    assert {"band", "finals"} <= {d.name for c in at.get("vega_lite_chart") for d in c.proto.datasets}
    (run,) = [d["run"] for d in component_data(at, "run")]
    assert run["shapes"] == [[3, 8], [9, 4], [5, 1]] and run["learned"]["kind"] == "surface"

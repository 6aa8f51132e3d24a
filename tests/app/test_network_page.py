"""The Network page under AppTest: the diagram's data is the cached history at the chosen epoch."""

import json
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from core import activations, data, network, training
from tests.app.helpers import no_exception, open_app, texts
from ui.serve import cache as compute
from ui.state.params import Settings


def history(**settings) -> training.History:
    s = Settings(**settings)
    p = data.prepare(data.load_income(), test_size=s.test, split_seed=s.split)
    return training.train(p, n_hidden=s.hidden, learning_rate=s.eta, epochs=s.epochs, seed=s.seed,
                           activation=s.activation, stride=compute.stride_for(s.epochs)), p


def diagram(at) -> tuple[dict, dict[str, pd.DataFrame]]:
    """The network chart's spec and its datasets (name → frame), as the browser receives them."""
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1
    proto = charts[0].proto
    frames = {d.name: pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in proto.datasets}
    return json.loads(proto.spec), frames


def edges(at) -> pd.DataFrame:
    spec, frames = diagram(at)
    return frames[spec["layer"][0]["data"]["name"]].set_index("name")


def nodes(at) -> pd.DataFrame:
    spec, frames = diagram(at)
    return frames[spec["layer"][1]["data"]["name"]].set_index("node")


def expected_edges(W_H, W_O) -> dict[str, float]:
    out = {f"W_H[{i},{j + 1}]": W_H[i, j] for i in range(W_H.shape[0]) for j in range(W_H.shape[1])}
    out.update({f"W_O[{j},1]": W_O[j, 0] for j in range(W_O.shape[0])})
    return out


@pytest.mark.parametrize("act", activations.NAMES)
@pytest.mark.parametrize("hidden", [1, 3, 32])
@pytest.mark.fast_sample(4)
def test_edges_are_the_histories_weights_at_the_chosen_epoch(hidden, act):
    at = open_app("network", {"hidden": str(hidden), "act": act, "epoch": "500"})
    no_exception(at)
    h, _ = history(hidden=hidden, activation=act)
    epoch = 500 if h.last_epoch >= 500 else 0     # 32 tanh units diverge at epoch 113: link refused
    snap = h.at(epoch)
    e = edges(at)
    assert len(e) == (2 + 1) * hidden + (hidden + 1) * 1
    want = expected_edges(snap.W_H, snap.W_O)
    assert set(e.index) == set(want)
    assert e["value"].to_numpy() == pytest.approx([want[k] for k in e.index], abs=1e-12)
    assert at.slider(key="epoch").value == epoch
    assert (h.diverged_at is None) == (not at.warning)
    assert activations.get(act).latex in texts(at)
    assert f"({15}, {hidden})" in texts(at)


def test_gradients_and_change_since_epoch_zero_are_computed_at_that_epoch():
    h, p = history()
    snap = h.at(250)
    _, back = network.gradients(p.X_train_aug, p.y_train, snap.W_H, snap.W_O, "sigmoid")
    at = open_app("network", {"epoch": "250", "show": "gradients"})
    no_exception(at)
    e = edges(at)
    grads = expected_edges(back.dW_H, back.dW_O)
    assert e["value"].to_numpy() == pytest.approx([grads[k] for k in e.index], abs=1e-12)
    assert e["gradient ∂L/∂W"].to_numpy() == pytest.approx(e["value"].to_numpy())
    assert "∂L/∂W_H (3, 3) at epoch 250" in texts(at)
    assert "against" in texts(at)                     # which way descent moves a weight
    at.segmented_control(key="show").set_value("change since epoch 0").run()
    change = expected_edges(snap.W_H - h.W_H[0], snap.W_O - h.W_O[0])
    assert edges(at)["value"].to_numpy() == pytest.approx([change[k] for k in edges(at).index], abs=1e-12)
    at.slider(key="epoch").set_value(0).run()
    assert not edges(at)["value"].any()
    assert "nothing has changed yet" in texts(at)


def test_tables_show_the_numbers_drawn_and_the_loss_at_that_epoch():
    at = open_app("network", {"epoch": "1000", "seed": "9"})
    h, _ = history(seed=9)
    snap = h.at(1000)
    assert at.dataframe[0].value.to_numpy() == pytest.approx(snap.W_H)
    assert at.dataframe[1].value.to_numpy() == pytest.approx(snap.W_O)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Epoch (of 1,000)"] == "1,000"
    assert metrics["Training loss L"] == f"{h.losses[1000, 0]:.6g}"
    assert metrics["Test loss"] == f"{h.losses[1000, 1]:.6g}"


def test_node_tooltips_show_z_and_u_of_the_chosen_sample():
    h, p = history()
    snap = h.at(100)
    fwd = network.forward(p.X_train_aug, snap.W_H, snap.W_O)
    at = open_app("network", {"epoch": "100", "sample": "7"})
    no_exception(at)
    n = nodes(at)
    assert n.loc["h₂", "z"] == f"{fwd.z_H[6, 1]:.6f}" and n.loc["h₂", "u"] == f"{fwd.u_H[6, 1]:.6f}"
    assert n.loc["ŷ Income", "u"] == f"{fwd.z_O[6, 0]:.6f}"
    assert n.loc["x₁ Education", "u"] == f"{p.X_train_aug[6, 1]:.6f}"
    assert f"data row {p.train_rows[6]}" in texts(at)
    assert at.dataframe[2].value.to_numpy() == pytest.approx(np.vstack([fwd.z_H[6], fwd.u_H[6]]))
    assert f"ŷ = z_O = **{fwd.z_O[6, 0]:.6f}**" in texts(at)


def test_shapes_table_for_five_hidden_units():
    at = open_app("network", {"hidden": "5"})
    no_exception(at)
    table = next(m.value for m in at.markdown if "| code |" in m.value)
    rows = {line.split("|")[1].strip(" `"): line.split("|")[4].strip()
            for line in table.splitlines() if line.startswith("| `")}
    assert (rows["X_aug"], rows["W_H"], rows["W_O"]) == ("(15, 3)", "(3, 5)", "(6, 1)")
    assert rows["z_H, u_H"] == "(15, 5)"
    assert "N = 15 training samples, N_I = 2 inputs, N_H = 5 hidden units" in table
    assert r"\underbrace{z_{H}}_{15\times5}" in texts(at)


def test_the_shapes_follow_the_test_fraction_and_the_sample_stays_in_range():
    at = open_app("network", {"sample": "15"})
    assert at.number_input(key="sample").value == 15
    at.sidebar.select_slider(key="test").set_value(0.8).run()       # 6 training rows left
    no_exception(at)
    assert at.number_input(key="sample").value == 6
    assert "(6, 3)" in texts(at) and "N = 6 training samples" in texts(at)


@pytest.mark.parametrize("query,shown", [({"show": "colours"}, "show=colours"),
                                         ({"sample": "99"}, "sample=99"),
                                         ({"sample": "abc"}, "sample=abc")])
def test_a_bad_link_value_falls_back_with_a_one_line_notice(query, shown):
    at = open_app("network", query)
    no_exception(at)
    notice = " ".join(w.value for w in at.warning)
    assert shown in notice and ("using weights" in notice or "using 1" in notice)
    assert len(edges(at)) == 13


def test_a_diverged_run_stops_at_the_last_finite_epoch_and_draws_only_finite_numbers():
    at = open_app("network", {"lr": "5", "epoch": "81"})
    no_exception(at)
    assert "diverged at epoch 82" in texts(at) and "epoch 81" in texts(at)
    e = edges(at)
    assert np.isfinite(e["value"]).all() and np.isfinite(e["gradient ∂L/∂W"]).all()
    assert "e+" in texts(at)                               # the huge prediction in scientific notation
    assert not re.search(r"\d{20}", texts(at))             # and no 150-digit number
    for show in ("gradients", "change since epoch 0"):
        at.segmented_control(key="show").set_value(show).run()
        no_exception(at)
        assert np.isfinite(edges(at)["value"]).all()

"""ui.views.nudge: the chain the Backprop page writes for a nudged weight — each change the one
before it times its local slope, with the numbers of the chosen sample — and the diagram's lit paths."""

import numpy as np
import pytest

from core import data, network, nudge, step
from ui.views import nudge as view
from ui.views.step_model import Context


@pytest.fixture(scope="module")
def p():
    return data.prepare(data.load_income())


def context(p, hidden, n=1, j=1, activation="sigmoid"):
    weights = network.init_layers(p.n_inputs, hidden, 1, seed=9)
    s = step.gradient_step(p.X_train_aug, p.y_train, weights, 0.01, activation, 0.0)
    return Context(s, n, j, 0, list(p.train_rows))


def number(text: str) -> float:
    return float(text.replace("−", "-"))


def test_each_link_is_the_one_before_times_its_slope(p):
    ctx = context(p, (3,), n=2, j=1)
    X, y, W = ctx.step.X_aug, ctx.step.y, ctx.step.weights
    out = [nudge.nudge(X, y, W, 0, 1, 0, 0.1 / k) for k in view.SHRINK]
    v = view.build(out, ctx)
    fwd = network.forward_pass(X, W)
    g_prime = fwd.u[0] * (1 - fwd.u[0])                         # sigmoid's slope, written out here
    dz = X[1, 1] * 0.1
    du = g_prime[1, 0] * dz
    dy = W[1][1, 0] * du
    dl = (fwd.u[1][1, 0] - y[1, 0]) * dy
    chained = [number(row[1]) for row in v.links]
    assert chained[:4] == [pytest.approx(x, rel=1e-4) for x in (dz, du, dy, dl)]
    assert number(v.links[-1][1]) == pytest.approx(out[0].gradient * 0.1, rel=1e-4)
    assert [row[0] for row in v.links] == ["Δz of h₁, sample 2", "Δu of h₁, sample 2", "Δŷ of sample 2",
                                           "Δℓ of sample 2 ≈ (ŷ − y)·Δŷ", "ΔL, every sample"]
    assert "x_{2,1}" in v.chain[1] and "g'(z^{H}_{2,1})" in v.chain[2]


@pytest.mark.parametrize("layer, row, col", [(0, 2, 1), (0, 0, 2), (1, 1, 0)])
def test_the_relative_difference_falls_at_least_tenfold_with_each_tenfold_smaller_nudge(p, layer, row, col):
    ctx = context(p, (3,))
    out = [nudge.nudge(ctx.step.X_aug, ctx.step.y, ctx.step.weights, layer, row, col, 0.1 / k) for k in view.SHRINK]
    rel = [float(r[-1]) for r in view.build(out, ctx).shrinking]
    assert rel[1] <= rel[0] / 8 and rel[2] <= rel[1] / 8, rel


def test_a_weight_of_the_first_of_two_layers_sums_every_path_and_lights_them(p):
    ctx = context(p, (4, 3), j=2)
    out = [nudge.nudge(ctx.step.X_aug, ctx.step.y, ctx.step.weights, 0, 1, 0, 0.1 / k) for k in view.SHRINK]
    v = view.build(out, ctx)
    assert any(r"\sum_{j}" not in line and "w^{H2}_{1,2}" in line for line in v.chain)   # one path into h₂,₂
    assert any(r"\sum_{j}" in line and "(every path: 3 units)" in line for line in v.chain)    # three into ŷ
    _, _, nodes, edges, text, edge_text = v.diagram
    assert len(edges) == 1 + 3 + 3 and dict(edge_text)
    assert sum(1 for _, t in text if t.startswith("Δ")) == 3                  # h₁,₁, h₂,₂ and ŷ
    assert len(v.units) == 4 + 3 + 1


def test_the_output_bias_moves_every_prediction_by_the_nudge(p):
    ctx = context(p, (3,))
    out = [nudge.nudge(ctx.step.X_aug, ctx.step.y, ctx.step.weights, 1, 0, 0, -0.05 / k) for k in view.SHRINK]
    v = view.build(out, ctx)
    assert number(v.links[0][1]) == pytest.approx(-0.05) and number(v.links[0][2]) == pytest.approx(-0.05)
    assert view.spell(-0.05) == "−0.05" and view.spell(0.1) == "+0.1"

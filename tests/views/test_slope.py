"""The gradient, pictured (ui.views.slope): the tangent's slope is backprop's entry, the plotted curve's
own centred difference agrees with it to 1e-6, and the arrow ends where one step of this weight alone
lands — each checked against the independent forward pass of tests/reference.py, for every activation,
depth, epoch, and on uploaded data."""

from __future__ import annotations

import io

import numpy as np
import pytest

from core import data, network, step, training
from tests import reference as ref
from ui.views import slope, style


def with_value(weights, k, i, c, value):
    out = [W.copy() for W in weights]
    out[k][i, c] = value
    return out


def upload():
    rng = np.random.default_rng(5)
    x1, x2, x3 = rng.uniform(1, 9, 40), rng.uniform(-3, 3, 40), rng.uniform(0, 100, 40)
    csv = "a,b,c,target\n" + "\n".join(f"{u},{v},{w},{u * v + w / 10}" for u, v, w in zip(x1, x2, x3))
    return data.prepare(data.read_table(io.BytesIO(csv.encode())), ("a", "b", "c"), "target")


CASES = [("bundled", (3,), "sigmoid", 0.01, 0, 9), ("bundled", (3,), "tanh", 0.05, 200, 321),
         ("bundled", (3,), "relu", 0.05, 40, 321), ("bundled", (8, 4), "sigmoid", 0.05, 100, 321),
         ("bundled", (4, 3, 2), "tanh", 0.01, 7, 3), ("upload", (5,), "sigmoid", 0.02, 30, 1)]


@pytest.mark.parametrize("source, hidden, activation, eta, epoch, seed", CASES)
@pytest.mark.parametrize("decay", [0.0, 0.01])
def test_tangent_centred_difference_and_step_agree_with_an_independent_forward_pass(source, hidden, activation,
                                                                                  eta, epoch, seed, decay):
    p = data.prepare(data.load_income()) if source == "bundled" else upload()
    h = training.train(p, n_hidden=hidden, learning_rate=eta, epochs=max(epoch, 1), seed=seed,
                       activation=activation, weight_decay=decay)
    weights = list(h.at(epoch).weights)
    s = step.gradient_step(p.X_train_aug, p.y_train, weights, eta, activation, decay)
    _, back = network.passes(p.X_train_aug, p.y_train, weights, activation, decay)
    names = slope.weight_names(s)

    def J(l, i, c, value):                  # the objective with one weight changed, by tests/reference.py
        return ref.objective(p.X_train_aug, p.y_train, with_value(weights, l, i, c, value), activation, decay)

    for name in (names[0], names[1], names[len(names) // 2], names[-1]):          # biases, inputs, the output
        pic = slope.picture(s, name)
        k, i, c = slope.locate(s, name)
        assert pic.slope == back.dW[k][i, c]                                        # backprop's entry
        w, eps = weights[k][i, c], 1e-6
        centred = (J(k, i, c, w + eps) - J(k, i, c, w - eps)) / (2 * eps)
        assert pic.numerical == pytest.approx(centred, rel=1e-6, abs=1e-8)
        assert pic.slope == pytest.approx(centred, rel=1e-6, abs=1e-7)             # the tangent is the curve's slope
        w_next = w - eta * back.dW[k][i, c]
        assert pic.w_next == pytest.approx(w_next, rel=1e-15)
        assert pic.J_next == pytest.approx(J(k, i, c, w_next), rel=1e-12)
        mid = len(pic.curve) // 2
        assert pic.curve.weight[mid] == pytest.approx(w) and pic.curve.J[mid] == pytest.approx(pic.J, rel=1e-12)
        assert pic.curve.weight.min() <= min(w, w_next) and max(w, w_next) <= pic.curve.weight.max()


def test_the_chart_draws_the_curve_both_slopes_and_the_step():
    p = data.prepare(data.load_income())
    weights = network.init_layers(2, (3,), 1, 9)
    s = step.gradient_step(p.X_train_aug, p.y_train, weights, 0.01)
    pic = slope.picture(s, "W_H[1,1]")
    spec = slope.chart(pic, False, style.PROJECTOR)
    assert set(spec["datasets"]) == {"curve", "tangents", "step", "points"}
    tangents = spec["datasets"]["tangents"]
    assert set(tangents.line) == {"tangent: backprop's slope", "centred difference's slope"}
    for _, line in tangents.groupby("line"):
        rise = np.diff(line.J.to_numpy())[0] / np.diff(line.weight.to_numpy())[0]
        assert rise == pytest.approx(pic.slope, rel=1e-6)
    assert spec["config"]["axis"]["labelFontSize"] == style.PROJECTOR.font


def test_a_weight_that_is_not_there_is_refused():
    p = data.prepare(data.load_income())
    s = step.gradient_step(p.X_train_aug, p.y_train, network.init_layers(2, (3,), 1, 9), 0.01)
    for bad in ("W_H[9,1]", "W_H[1,0]", "W_X[1,1]", "nonsense"):
        with pytest.raises(ValueError):
            slope.locate(s, bad)

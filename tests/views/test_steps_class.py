"""Backprop step by step for classification, without a browser: the output step derives δ_O = ŷ − y
with the chosen sample's numbers, computed here again by a plain loop; the loss is the
cross-entropy; nothing of the regression lesson is said."""

import math

import numpy as np
import pytest

from core import network, step as core_step
from ui.state import toy
from ui.state.params import ETA_CHOICES
from ui.views import numbers, step_model, steps_class


def context(dataset="moons", hidden=(3,), n=5, j=2, seed=9, act="sigmoid"):
    p = toy.prepared(dataset, 60, 0.1, 0, (), 42, 0.5)
    weights = network.init_layers(p.n_inputs, hidden, p.n_outputs, seed)
    s = core_step.gradient_step(p.X_train_aug, p.y_train, weights, 0.05, act, 0.0, "cross_entropy")
    return p, weights, step_model.Context(s, n, j, 0, list(p.train_rows), eta_choices=ETA_CHOICES)


def by_hand(x, weights, act="sigmoid"):
    """z_O and ŷ for one row, a plain loop over units (no matrix product)."""
    g = {"sigmoid": lambda z: 1 / (1 + math.exp(-z)), "tanh": math.tanh}[act]
    a = list(x)
    for k, W in enumerate(weights):
        z = [W[0][c] + sum(a[r] * W[r + 1][c] for r in range(len(a))) for c in range(len(W[0]))]
        a = [g(v) for v in z] if k < len(weights) - 1 else z
    if len(a) == 1:
        return a, [1 / (1 + math.exp(-a[0]))]
    top = max(a)
    e = [math.exp(v - top) for v in a]
    return a, [v / sum(e) for v in e]


def everything(view) -> str:
    return "\n".join([view.why, *view.general, view.focus, *view.substituted, *(n.text for n in view.notes),
                      *(t.caption for t in view.tables), *(c for t in view.tables for c in t.cols)])


@pytest.mark.parametrize("hidden", [(3,), (), (4, 2)])
def test_the_output_step_derives_delta_o_as_y_hat_minus_y_with_the_samples_own_numbers(hidden):
    p, weights, ctx = context(hidden=hidden)
    r = ctx.n - 1
    _, [y_hat] = by_hand(p.X_train_aug[r, 1:], [w.tolist() for w in weights])
    y = float(p.y_train[r, 0])
    view = steps_class.build(3, ctx)
    num, par = ctx.digits.latex, ctx.digits.paren
    last = view.substituted[-1]
    assert rf"\hat y_{{{ctx.n}}} - y_{{{ctx.n}}} = {par(y_hat)} - {par(y)} = {num(y_hat - y)}" in last
    slope = y_hat * (1 - y_hat)
    assert f"{num(slope)}" in view.substituted[1] and f"{num((y_hat - y) / slope)}" in view.substituted[0]
    assert np.isclose(ctx.step.delta_O[r, 0], y_hat - y, rtol=1e-12)
    [contrast] = [note.text for note in view.notes]
    assert "squared loss" in contrast and "σ′" in contrast and "saturates" in contrast
    assert numbers.plain(y_hat - y, 4) in contrast and numbers.plain((y_hat - y) * slope, 4) in contrast
    assert r"\hat y - y" in view.headline


def test_with_three_classes_delta_o_is_the_row_of_probabilities_minus_the_one_hot_class():
    p, weights, ctx = context("three", hidden=(4,), n=3)
    r = ctx.n - 1
    _, y_hat = by_hand(p.X_train_aug[r, 1:], [w.tolist() for w in weights])
    y = p.y_train[r]
    view = steps_class.build(3, ctx)
    num = ctx.digits.latex
    assert ", ".join(num(a - b) for a, b in zip(y_hat, y)).replace(", ", r",\ ") in view.substituted[-1]
    assert "softmax" in view.why and view.tables[0].cols == ["δ_O₁", "δ_O₂", "δ_O₃"]


def test_the_loss_step_is_the_cross_entropy_of_each_rows_own_class():
    p, weights, ctx = context()
    r = ctx.n - 1
    _, [y_hat] = by_hand(p.X_train_aug[r, 1:], [w.tolist() for w in weights])
    y = float(p.y_train[r, 0])
    own = y_hat if y == 1 else 1 - y_hat
    view = steps_class.build(2, ctx)
    assert view.metrics[0].label.startswith("Cross-entropy L")
    assert math.isclose(ctx.step.losses[r], -math.log(own), rel_tol=1e-9)
    assert view.substituted[0].endswith(ctx.digits.latex(-math.log(own)))
    total = sum(-math.log(a if t == 1 else 1 - a) for a, t in
                ((by_hand(x[1:], [w.tolist() for w in weights])[1][0], float(t[0])) for x, t in zip(p.X_train_aug, p.y_train)))
    assert math.isclose(ctx.step.loss, total, rel_tol=1e-9) and "cross-entropy" in view.why


@pytest.mark.parametrize("number", range(1, 7))
@pytest.mark.parametrize("hidden", [(3,), ()])
def test_no_step_says_anything_of_the_regression_lesson(number, hidden):
    _, _, ctx = context(hidden=hidden)
    said = everything(steps_class.build(number, ctx))
    for word in ("½", "linear output", "Income", "R²", "RMSE", r"\tfrac{1}{2}"):
        assert word not in said, (number, word)


def test_the_forward_step_ends_in_the_sigmoid_of_z_o():
    p, weights, ctx = context()
    r = ctx.n - 1
    z, [y_hat] = by_hand(p.X_train_aug[r, 1:], [w.tolist() for w in weights])
    view = steps_class.build(1, ctx)
    assert view.substituted[-1].endswith(ctx.digits.latex(y_hat)) and r"\sigma" in view.substituted[-1]
    assert ctx.digits.paren(z[0]) in view.substituted[-1]


def test_without_a_hidden_layer_step_4_says_there_is_nothing_to_pass_back():
    _, _, ctx = context(hidden=())
    view = steps_class.build(4, ctx)
    assert "no hidden layer" in view.why and not view.tables

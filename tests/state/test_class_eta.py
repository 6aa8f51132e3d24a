"""Classification's default learning rate: the loss falls from the very first step.

A student's first look at training should not be the loss going up. Each first step here is taken by
``tests/reference.py`` (one sample at a time, nothing from ``core.network``), on the toy data the
sidebar's defaults and presets draw.
"""

import numpy as np
import pytest

from core import data, training
from core.toy import TOY_SETS
from tests import reference
from ui.state.params import CLASS_PRESETS, DEFAULTS, default
from ui.views import derived

CLASS_ETA = default("eta", "classification")


def toy_rows(dataset=DEFAULTS.dataset, points=DEFAULTS.points, noise=DEFAULTS.noise, inputs=()):
    """The training rows the app trains on for these toy settings (split and seed as in the defaults)."""
    table = derived.with_derived(data.toy(dataset, points, noise, DEFAULTS.dseed), inputs)
    p = data.prepare(table, derived.columns(inputs), derived.LABEL, DEFAULTS.test, DEFAULTS.split,
                     task="classification")
    return p.X_train_aug, p.y_train


def losses_of_steps(X, Y, hidden, eta, steps, act="sigmoid"):
    """The summed cross-entropy before each of ``steps`` full-batch steps and after the last."""
    W = reference.init(DEFAULTS.seed, X.shape[1] - 1, hidden, Y.shape[1])
    out = []
    for _ in range(steps):
        b = reference.batch(X, Y, W, act, kind="cross_entropy")
        out.append(b["loss"])
        W = [w - eta * g for w, g in zip(W, b["dW"])]
    return out + [reference.loss(X, Y, W, act, "cross_entropy")]


def test_the_regression_default_is_unchanged_and_classification_has_its_own():
    assert DEFAULTS.eta == default("eta", "regression") == 0.05
    assert CLASS_ETA == 0.02


def test_at_the_classification_defaults_the_first_step_lowers_the_loss_where_the_regression_eta_raised_it():
    X, Y = toy_rows()
    before, after = losses_of_steps(X, Y, DEFAULTS.hidden, CLASS_ETA, 1)
    assert after < before
    before, worse = losses_of_steps(X, Y, DEFAULTS.hidden, 0.05, 1)
    assert worse > before                          # the reason for a default of its own
    assert (round(before, 2), round(worse, 2)) == (82.78, 99.54)


@pytest.mark.parametrize("dataset", TOY_SETS)
def test_on_every_toy_set_the_first_steps_at_the_default_eta_each_lower_the_loss(dataset):
    L = losses_of_steps(*toy_rows(dataset), DEFAULTS.hidden, CLASS_ETA, 3)
    assert all(b > a for a, b in zip(L[1:], L)), L


@pytest.mark.parametrize("name", list(CLASS_PRESETS))
def test_each_classification_preset_lowers_the_loss_with_its_first_step(name):
    v = {"points": DEFAULTS.points, "noise": DEFAULTS.noise, "inputs": (), "activation": "sigmoid", **CLASS_PRESETS[name]}
    X, Y = toy_rows(v["dataset"], v["points"], v["noise"], v["inputs"])
    before, after = losses_of_steps(X, Y, v["hidden"], v["eta"], 1, v["activation"])
    assert after < before


@pytest.mark.parametrize("dataset,least", [("moons", 0.95), ("circle", 0.95), ("xor", 0.95), ("gauss", 0.98),
                                           ("three", 0.95)])
def test_a_thousand_epochs_at_the_default_eta_classify_the_training_rows(dataset, least):
    df = data.toy(dataset, DEFAULTS.points, DEFAULTS.noise, DEFAULTS.dseed)
    p = data.prepare(df, ("x1", "x2"), "label", DEFAULTS.test, DEFAULTS.split, task="classification")
    h = training.train(p, DEFAULTS.hidden, CLASS_ETA, DEFAULTS.epochs, DEFAULTS.seed, loss="cross_entropy")
    y_hat = h.at(h.last_epoch).y_hat_train
    right = (y_hat[:, 0] > 0.5) == (p.y_train[:, 0] == 1) if y_hat.shape[1] == 1 else \
        y_hat.argmax(axis=1) == p.y_train.argmax(axis=1)
    assert h.diverged_at is None and right.mean() >= least

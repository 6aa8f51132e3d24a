"""core.diagnose: the instabilities named on the Training page, each on a setting that shows it, with the
trigger checked against the History's own losses and the independent forward pass of tests/reference.py."""

import numpy as np
import pytest

from core import data, diagnose, training
from tests import reference as ref


@pytest.fixture(scope="module")
def p():
    return data.prepare(data.load_income())


def run(p, hidden, seed, activation="sigmoid", eta=0.05):
    return training.train(p, n_hidden=hidden, learning_rate=eta, epochs=1000, seed=seed, activation=activation)


def kinds(findings):
    return [f.kind for f in findings]


def test_the_lecture_run_goes_through_nothing(p):
    assert diagnose.instabilities(run(p, 3, 321), p) == []


def test_32_hidden_units_at_the_lecture_eta_jump_about_70_times_at_the_first_step(p):
    h = run(p, 32, 321)
    L = h.losses[:, 0]
    [jump] = [f for f in diagnose.instabilities(h, p) if f.kind == "jump"]
    assert jump.values["first_ratio"] == pytest.approx(L[1] / L[0]) and 60 < L[1] / L[0] < 80
    assert jump.epoch == int(np.argmax(L[1:11])) + 1 and L[jump.epoch] >= 2 * L[0]


def test_5_sigmoid_units_from_seed_9_spike_near_epoch_410_after_a_calm_stretch(p):
    h = run(p, 5, 9)
    L = h.losses[:, 0]
    [spike] = [f for f in diagnose.instabilities(h, p) if f.kind == "spike"]
    peak = spike.values["peak_epoch"]
    assert 390 <= peak <= 420 and L[peak] > 2 * L[:spike.epoch + 1].min()
    calm = L[spike.epoch - diagnose.CALM:spike.epoch + 1]
    assert np.max(np.abs(np.diff(calm) / calm[:-1])) <= diagnose.STEADY         # steady before the rise
    assert spike.values["recovered"] and L[peak:].min() < 1.5 * L[spike.epoch]


def test_relu_units_that_output_0_for_every_row_are_reported_dead(p):
    h = run(p, 5, 0, "relu")
    W_H, W_O = h.at(h.last_epoch).weights
    u = ref.batch(p.X_train_aug, p.y_train, [W_H, W_O], "relu")["u"][0]       # the hidden layer's outputs
    dead_here = [j + 1 for j in range(u.shape[1]) if np.all(u[:, j] == 0)]
    [dead] = [f for f in diagnose.instabilities(h, p) if f.kind == "dead"]
    assert dead.values["units"] == dead_here and dead_here


def test_saturated_sigmoid_units_have_an_almost_flat_slope_for_every_row(p):
    h = run(p, 32, 321)
    weights = list(h.at(h.last_epoch).weights)
    with np.errstate(over="ignore"):                                           # exp(-z) of a saturated unit
        u = ref.batch(p.X_train_aug, p.y_train, weights, "sigmoid")["u"][0]
    flat = [j + 1 for j in range(u.shape[1]) if np.all(u[:, j] * (1 - u[:, j]) < diagnose.FLAT * 0.25)]
    [sat] = [f for f in diagnose.instabilities(h, p) if f.kind == "saturated"]
    assert sat.values["units"] == flat and len(flat) > 10


def test_a_short_or_empty_history_finds_nothing_and_never_raises(p):
    assert diagnose.jump(np.array([1.0])) is None and diagnose.spike(np.array([1.0, 0.5])) is None
    h = training.train(p, n_hidden=3, learning_rate=0.05, epochs=1, seed=321)
    assert diagnose.instabilities(h, p) == []

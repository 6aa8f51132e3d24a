"""core.training with the cross-entropy loss (docs/core-api.md, classification).

Whole runs are compared with the plain loop of tests/reference.py; the rest checks what a
classification History holds (probabilities, the cross-entropy of every row), that the defaults
learn the two moons, that a huge η keeps every kept number finite, and train_many.
"""

import functools
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import data, network, training
from tests import reference as ref

SETTINGS = settings(deadline=None, database=None, max_examples=30,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
CE = "cross_entropy"


@functools.lru_cache(maxsize=None)
def _toy(name, n=200, noise=0.1, seed=0):
    return data.prepare(data.toy(name, n, noise, seed), ("x1", "x2"), "label", task="classification")


def _accuracy(y, y_hat):
    """Share of rows whose most probable class is the target's (ŷ > ½ means class 1 for one output)."""
    if y.shape[1] == 1:
        return float(np.mean((y_hat[:, 0] > 0.5) == (y[:, 0] == 1.0)))
    return float(np.mean(y_hat.argmax(axis=1) == y.argmax(axis=1)))


# ----- whole runs against the plain loop ---------------------------------------------------------

@pytest.mark.parametrize("name, hidden, batch_size, weight_decay, activation", [
    ("moons", (), None, 0.0, "sigmoid"),
    ("moons", (3,), None, 0.0, "sigmoid"),
    ("circle", (4, 3), 4, 0.01, "tanh"),
    ("xor", (3, 4, 2), 1, 0.0, "relu"),
    ("three", (), 5, 0.02, "sigmoid"),
    ("three", (5,), None, 0.0, "tanh"),
    ("three", (4, 3), 3, 0.01, "relu"),
])
def test_a_whole_run_matches_the_plain_loop(name, hidden, batch_size, weight_decay, activation):
    p, epochs, eta, seed = _toy(name, 30), 25, 0.1, 7
    h = training.train(p, hidden, eta, epochs, seed, activation, batch_size, weight_decay, CE)
    losses, weights, batches = ref.train(p.X_train_aug, p.y_train, p.X_test_aug, p.y_test,
                                         ref.init(seed, 2, hidden, p.n_outputs), eta, epochs, activation,
                                         batch_size, weight_decay, seed, kind="cross_entropy")
    assert h.diverged_at is None and h.loss_kind == CE
    np.testing.assert_allclose(h.losses, losses, rtol=1e-9)
    for e in (0, 1, 13, epochs):
        for W, E in zip(h.at(e).weights, weights[e]):
            np.testing.assert_allclose(W, E, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(h.at(e).y_hat_train, ref.predict(p.X_train_aug, weights[e], activation, CE),
                                   rtol=1e-9, atol=1e-12)
    for e in (0, epochs - 1):
        assert [list(b) for b in h.batches(e)] == [list(b) for b in batches[e]]


# ----- what a classification History holds --------------------------------------------------------

@pytest.mark.parametrize("name", ["moons", "three"])
def test_the_history_keeps_probabilities_and_the_cross_entropy_of_every_row(name):
    p = _toy(name)
    h = training.train(p, (4,), 0.05, 60, loss=CE, stride=7)
    assert h.loss_kind == CE and "cross_entropy" in repr(h)
    for e in (0, 13, 60):
        snap = h.at(e)
        fwd_train = network.forward_pass(p.X_train_aug, snap.weights, "sigmoid", CE)
        fwd_test = network.forward_pass(p.X_test_aug, snap.weights, "sigmoid", CE)
        np.testing.assert_array_equal(snap.y_hat_train, fwd_train.y_hat)      # ŷ, not z_O
        np.testing.assert_allclose(snap.y_hat_test, fwd_test.y_hat, rtol=1e-15, atol=1e-300)
        assert ((snap.y_hat_train >= 0) & (snap.y_hat_train <= 1)).all()
        if p.n_outputs > 1:
            np.testing.assert_allclose(snap.y_hat_train.sum(axis=1), 1.0, rtol=1e-14)
        assert snap.loss_train == pytest.approx(network.loss(p.y_train, None, CE, z_O=fwd_train.z[-1]), rel=1e-12)
        assert snap.loss_test == pytest.approx(network.loss(p.y_test, None, CE, z_O=fwd_test.z[-1]), rel=1e-12)
        assert snap.loss_train == pytest.approx(ref.loss(p.X_train_aug, p.y_train, list(snap.weights), "sigmoid", CE),
                                                rel=1e-12)
    kept = h.kept_predictions()
    np.testing.assert_array_equal(kept.train[1], h.at(int(kept.epochs[1])).y_hat_train)


def test_the_first_loss_of_an_untrained_network_is_about_log_2_per_row_for_small_weights():
    # With every weight near 0, σ(z_O) ≈ ½ for every row: L ≈ N·log 2 (a fact of the formula).
    p = _toy("moons")
    h = training.train(p, (), 0.05, 1, loss=CE)
    tiny = [1e-9 * W for W in h.at(0).weights]
    z = network.forward_pass(p.X_train_aug, tiny, "sigmoid", CE).z[-1]
    assert network.loss(p.y_train, None, CE, z_O=z) == pytest.approx(100 * math.log(2), rel=1e-6)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_the_classification_defaults_learn_the_two_moons(activation):
    # Two moons, 200 points, 3 hidden units, 1,000 epochs, η = 0.05: the network learns to tell them apart.
    p = _toy("moons")
    h = training.train(p, 3, 0.05, 1000, activation=activation, loss=CE)
    final = h.at(h.last_epoch)
    assert h.diverged_at is None and h.losses[-1, 0] < h.losses[0, 0] / 3
    assert _accuracy(p.y_train, final.y_hat_train) >= 0.9            # chance is 0.5
    assert _accuracy(p.y_test, final.y_hat_test) >= 0.85
    assert _accuracy(p.y_train, h.at(0).y_hat_train) < 0.9           # it was learned, not given


def test_softmax_learns_three_classes_and_a_linear_model_the_circle_from_squares():
    three = _toy("three")
    h = training.train(three, 4, 0.05, 1000, loss=CE)
    assert _accuracy(three.y_train, h.at(h.last_epoch).y_hat_train) >= 0.9      # chance is ⅓
    # No hidden layer cannot cut a disc from a ring in x1, x2; given x1², x2² it can.
    df = data.toy("circle", 200, 0.05, seed=0)
    df = df.assign(**{"x1²": df["x1"] ** 2, "x2²": df["x2"] ** 2})
    plain = data.prepare(df, ("x1", "x2"), "label", task="classification")
    squares = data.prepare(df, ("x1", "x2", "x1²", "x2²"), "label", task="classification")
    flat = training.train(plain, (), 0.05, 1000, loss=CE)
    curved = training.train(squares, (), 0.05, 1000, loss=CE)
    assert _accuracy(plain.y_train, flat.at(1000).y_hat_train) < 0.75
    assert _accuracy(squares.y_train, curved.at(1000).y_hat_train) >= 0.95


def test_seven_derived_inputs_train():
    df = data.toy("spiral", 100, 0.05, seed=1)
    x1, x2 = df["x1"], df["x2"]
    df = df.assign(**{"x1²": x1**2, "x2²": x2**2, "x1x2": x1 * x2, "sin x1": np.sin(x1), "sin x2": np.sin(x2)})
    p = data.prepare(df, ("x1", "x2", "x1²", "x2²", "x1x2", "sin x1", "sin x2"), "label", task="classification")
    h = training.train(p, (8, 8), 0.05, 50, loss=CE, batch_size=10)
    assert h.shapes[0] == (8, 8) and h.diverged_at is None and h.losses[-1, 0] < h.losses[0, 0]


# ----- a huge step: finite losses where the plain formula would say inf ------------------------------

def test_saturated_predictions_keep_a_finite_loss():
    p = _toy("moons")
    h = training.train(p, 3, 3.0, 300, loss=CE)          # η far too large: predictions saturate
    assert h.diverged_at is None and np.isfinite(h.losses).all()
    # Some row is predicted with certainty against its target: −log ŷ as written would be inf.
    certain_and_wrong = [e for e in range(0, 301, 10)
                         if np.any((h.at(e).y_hat_train == 1.0) & (p.y_train == 0.0))
                         or np.any((h.at(e).y_hat_train == 0.0) & (p.y_train == 1.0))]
    assert certain_and_wrong
    e = certain_and_wrong[-1]
    with np.errstate(divide="ignore"):
        assert network.loss(p.y_train, h.at(e).y_hat_train, CE) == math.inf
    assert math.isfinite(h.losses[e, 0]) and h.losses[e, 0] > 10


@SETTINGS
@given(name=st.sampled_from(["moons", "three"]), hidden=st.sampled_from([(), (3,), (8, 4), (32, 32, 32)]),
       activation=st.sampled_from(["sigmoid", "tanh", "relu"]), eta=st.sampled_from([10.0, 1e3, 1e8]),
       batch_size=st.sampled_from([None, 1, 7]), weight_decay=st.sampled_from([0.0, 1.0]),
       stride=st.sampled_from([1, 7]))
def test_nothing_kept_in_a_classification_history_is_ever_inf_or_nan(name, hidden, activation, eta, batch_size,
                                                                     weight_decay, stride):
    p = _toy(name, 40)
    h = training.train(p, hidden, eta, 60, 3, activation, batch_size, weight_decay, CE, stride=stride)
    kept = h.kept_predictions()
    arrays = [h.losses, kept.train, kept.test, *h.weights]
    if h.last_epoch >= 0:
        last = h.at(h.last_epoch)
        arrays += [last.y_hat_train, last.y_hat_test, *last.weights]
    assert all(np.isfinite(a).all() for a in arrays)
    if h.diverged_at is not None:
        assert h.losses.shape == (h.diverged_at, 2)


# ----- train_many, settings ------------------------------------------------------------------------

@pytest.mark.parametrize("name, hidden, batch_size, weight_decay", [
    ("moons", (3,), None, 0.0), ("three", (4, 2), 4, 0.01), ("moons", (), 1, 0.0),
])
def test_train_many_equals_train_seed_by_seed(name, hidden, batch_size, weight_decay):
    p, seeds = _toy(name, 40), [321, 0, 9]
    ens = training.train_many(p, seeds, hidden, 0.1, 60, "tanh", batch_size, weight_decay, CE)
    for s, seed in enumerate(seeds):
        h = training.train(p, hidden, 0.1, 60, seed, "tanh", batch_size, weight_decay, CE)
        np.testing.assert_allclose(ens.loss_train[:, s], h.losses[:, 0], rtol=1e-11)
        np.testing.assert_allclose(ens.final_loss_test[s], h.losses[-1, 1], rtol=1e-11)


def test_the_squared_loss_stays_the_default(prepared, default_history):
    assert default_history.loss_kind == "squared"
    h = training.train(prepared, loss="squared")
    np.testing.assert_array_equal(h.losses, default_history.losses)
    np.testing.assert_array_equal(h.y_hat_train, default_history.y_hat_train)


def test_a_classification_run_can_use_the_squared_loss_too():
    # ŷ = z_O against 0/1 targets: allowed, a linear-output network fitted to class labels.
    h = training.train(_toy("moons", 40), 3, 0.05, 20, loss="squared")
    assert h.loss_kind == "squared" and h.diverged_at is None


def test_an_unknown_loss_names_the_choices(prepared):
    for call in (training.train, lambda p, **kw: training.train_many(p, [1], **kw)):
        with pytest.raises(ValueError, match="choose one of squared, cross_entropy"):
            call(prepared, epochs=2, loss="hinge")


def test_the_cross_entropy_refuses_targets_that_are_not_classes(income):
    df = income.assign(Change=income["Income"] - income["Income"].mean())     # negative targets
    p = data.prepare(df, ("Education", "Seniority"), "Change")
    with pytest.raises(ValueError, match="targets from 0 to 1"):
        training.train(p, epochs=2, loss=CE)
    three = _toy("three", 30)
    doubled = data.Prepared(three.X_train_aug, three.X_test_aug, 0.5 * three.y_train, 0.5 * three.y_test,
                            three.x_scale, three.y_scale, three.features, three.target, three.train_rows,
                            three.test_rows, task="classification", classes=three.classes)
    with pytest.raises(ValueError, match="one-hot"):
        training.train_many(doubled, [1], epochs=2, loss=CE)

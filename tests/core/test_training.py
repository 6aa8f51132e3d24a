"""core.training: the History contract of docs/core-api.md, strided histories, divergence and train_many."""

import dataclasses
import warnings

import numpy as np
import pytest

from core import activations, network, training
from tests.core.conftest import assert_same_snapshot

ETA = 0.05


# ----- the History contract -------------------------------------------------------------------

def test_history_has_the_contract_shapes(default_history, prepared):
    h = default_history
    E, N = 1000, prepared.X_train_aug.shape[0]
    assert h.n_epochs == E and h.diverged_at is None and h.last_epoch == E
    assert h.loss_train.shape == (E,) and h.loss_test.shape == (E,)
    assert h.y_hat_train.shape == (E, N, 1)
    assert h.y_hat_test.shape == (E, prepared.X_test_aug.shape[0], 1)
    assert h.W_H.shape == (E + 1, 3, 3) and h.W_O.shape == (E + 1, 4, 1)
    assert h.losses.shape == (E + 1, 2)
    assert np.isfinite(h.losses).all() and np.isfinite(h.W_H).all()


def test_history_starts_from_init_weights_and_its_first_loss_is_the_initial_loss(default_history, prepared):
    W_H, W_O = network.init_weights(2, 3, seed=321)
    np.testing.assert_array_equal(default_history.W_H[0], W_H)
    np.testing.assert_array_equal(default_history.W_O[0], W_O)
    fwd = network.forward(prepared.X_train_aug, W_H, W_O)
    np.testing.assert_allclose(default_history.loss_train[0], network.loss(prepared.y_train, fwd.u_O), rtol=1e-13)


def test_each_recorded_step_is_one_gradient_descent_update_of_backward(default_history, prepared):
    h, X, y = default_history, prepared.X_train_aug, prepared.y_train
    for e in range(h.n_epochs):
        fwd = network.forward(X, h.W_H[e], h.W_O[e])
        bwd = network.backward(X, y, h.W_H[e], h.W_O[e], fwd)
        np.testing.assert_allclose(h.W_H[e + 1], h.W_H[e] - ETA * bwd.dW_H, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(h.W_O[e + 1], h.W_O[e] - ETA * bwd.dW_O, rtol=1e-12, atol=1e-14)


def test_recorded_losses_and_predictions_belong_to_the_weights_before_the_update(default_history, prepared):
    h = default_history
    for e in list(range(0, h.n_epochs, 37)) + [h.n_epochs - 1]:
        train = network.forward(prepared.X_train_aug, h.W_H[e], h.W_O[e]).u_O
        test = network.forward(prepared.X_test_aug, h.W_H[e], h.W_O[e]).u_O
        np.testing.assert_allclose(h.y_hat_train[e], train, rtol=1e-12)
        np.testing.assert_allclose(h.y_hat_test[e], test, rtol=1e-12)
        np.testing.assert_allclose(h.loss_train[e], network.loss(prepared.y_train, train), rtol=1e-12)
        np.testing.assert_allclose(h.loss_test[e], network.loss(prepared.y_test, test), rtol=1e-12)
    final = network.forward(prepared.X_train_aug, h.W_H[-1], h.W_O[-1]).u_O
    np.testing.assert_allclose(h.losses[-1, 0], network.loss(prepared.y_train, final), rtol=1e-12)


def test_the_loss_goes_down_over_the_default_run(default_history):
    assert default_history.losses[-1, 0] < default_history.loss_train[0] / 100


def test_at_every_epoch_returns_the_recorded_arrays(default_history):
    h = default_history
    for e in range(h.last_epoch + 1):
        s = h.at(e)
        assert s.epoch == e
        np.testing.assert_array_equal(s.W_H, h.W_H[e])
        np.testing.assert_array_equal(s.W_O, h.W_O[e])
        assert s.loss_train == h.losses[e, 0] and s.loss_test == h.losses[e, 1]
        if e < h.n_epochs:
            np.testing.assert_array_equal(s.y_hat_train, h.y_hat_train[e])
            np.testing.assert_array_equal(s.y_hat_test, h.y_hat_test[e])


def test_at_returns_copies_that_cannot_corrupt_the_history(default_history):
    s = default_history.at(5)
    s.W_H[:] = 0
    assert default_history.at(5).W_H.any()


@pytest.mark.parametrize("epoch", [-1, 1001, 10**9])
def test_at_outside_the_run_raises_a_value_error_naming_the_range(default_history, epoch):
    with pytest.raises(ValueError, match="from 0 to 1000"):
        default_history.at(epoch)


def test_strided_history_is_much_smaller_and_replays_the_same_epochs_bit_for_bit(prepared, default_history):
    h20 = training.train(prepared, stride=20)
    assert h20.nbytes() < default_history.nbytes() / 10
    np.testing.assert_array_equal(h20.losses, default_history.losses)
    assert list(h20.kept_epochs[:3]) == [0, 20, 40] and h20.kept_epochs[-1] == 1000
    for e in (0, 1, 19, 20, 21, 555, 999, 1000):
        assert_same_snapshot(h20.at(e), default_history.at(e))


def test_strided_history_keeps_the_final_weights_when_epochs_is_not_a_multiple(prepared):
    h = training.train(prepared, epochs=47, stride=10)
    full = training.train(prepared, epochs=47)
    assert list(h.kept_epochs) == [0, 10, 20, 30, 40, 47]
    np.testing.assert_array_equal(h.W_H[-1], full.W_H[-1])
    np.testing.assert_array_equal(h.at(47).W_O, full.W_O[47])


def test_history_repr_names_the_settings_and_the_losses(default_history):
    text = repr(default_history)
    assert "E=1000" in text and "N_H=3" in text and "sigmoid" in text and "3.11572" in text


def test_maximum_settings_with_the_apps_stride_stay_small(prepared):
    h = training.train(prepared, n_hidden=32, epochs=20_000, stride=20)
    assert h.n_epochs == 20_000 and h.loss_train.shape == (20_000,)
    assert h.nbytes() < 5 * 2**20
    assert h.at(12_345).W_H.shape == (3, 32)


def test_train_does_not_touch_numpys_global_random_state(prepared):
    before = np.random.get_state()[1].copy()
    training.train(prepared, epochs=3, seed=5)
    assert np.array_equal(np.random.get_state()[1], before)


# ----- divergence --------------------------------------------------------------------------------

def _train_quietly(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="warn"):
            return training.train(*args, **kwargs)


@pytest.mark.parametrize("activation", activations.NAMES)
@pytest.mark.parametrize("eta", [5.0, 10.0])
@pytest.mark.parametrize("stride", [1, 20])
def test_a_large_learning_rate_stops_at_divergence_without_warnings(prepared, activation, eta, stride):
    h = _train_quietly(prepared, learning_rate=eta, epochs=2000, activation=activation, stride=stride)
    assert h.diverged_at is not None and 0 < h.diverged_at < 2000
    E = h.diverged_at
    assert h.n_epochs == E and h.last_epoch == E - 1
    assert h.loss_train.shape == (E,) and h.loss_test.shape == (E,) and h.losses.shape == (E, 2)
    # docs/core-api.md: the weights keep E+1 entries, the last being those training ended with (the
    # diverging epoch's: finite, only the squared loss overflowed).
    assert h.kept_epochs[-1] == E and h.W_H.shape[0] == len(h.kept_epochs)
    if stride == 1:
        assert h.W_H.shape[0] == h.W_O.shape[0] == E + 1
    kept = h.kept_predictions()
    for a in (h.losses, h.W_H, h.W_O, h.y_hat_train, h.y_hat_test, kept.train, kept.test):
        assert np.isfinite(a).all()
    assert kept.epochs[-1] <= E - 1 and len(kept.train) == len(kept.epochs) == (h.kept_epochs <= E - 1).sum()
    last = h.at(E - 1)
    assert np.isfinite(last.W_H).all() and np.isfinite(last.loss_train)
    # The next step really is not finite: the weights at E−1, stepped once, give a non-finite loss.
    with np.errstate(all="ignore"):
        fwd = network.forward(prepared.X_train_aug, last.W_H, last.W_O, activation)
        bwd = network.backward(prepared.X_train_aug, prepared.y_train, last.W_H, last.W_O, fwd, activation)
        nxt = network.forward(prepared.X_train_aug, last.W_H - eta * bwd.dW_H, last.W_O - eta * bwd.dW_O, activation)
        assert not np.isfinite(network.loss(prepared.y_train, nxt.u_O))


def test_strided_and_full_histories_agree_up_to_divergence(prepared):
    full = _train_quietly(prepared, learning_rate=10.0)
    strided = _train_quietly(prepared, learning_rate=10.0, stride=20)
    assert full.diverged_at == strided.diverged_at
    np.testing.assert_array_equal(full.losses, strided.losses)
    for e in range(full.last_epoch + 1):
        assert_same_snapshot(full.at(e), strided.at(e))


def test_a_modest_learning_rate_does_not_diverge(prepared):
    assert _train_quietly(prepared, learning_rate=0.05, epochs=2000, activation="tanh").diverged_at is None


def test_non_finite_initial_loss_diverges_at_zero_without_raising(prepared):
    # Not reachable through prepare() (it scales to |y| ≤ 1); a hand-made Prepared must not crash.
    huge = dataclasses.replace(prepared, y_train=prepared.y_train * 1e200)
    h = _train_quietly(huge, epochs=10)
    assert h.diverged_at == 0 and h.n_epochs == 0 and h.loss_train.shape == (0,)
    assert "diverged at 0" in repr(h)


def test_train_many_marks_diverging_seeds_without_warnings(prepared):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ens = training.train_many(prepared, [321, 1, 2], learning_rate=10.0, epochs=300)
    for s, seed in enumerate([321, 1, 2]):
        single = training.train(prepared, seed=seed, learning_rate=10.0, epochs=300)
        assert ens.diverged_at[s] == single.diverged_at
        assert np.isnan(ens.loss_train[single.diverged_at:, s]).all()
        np.testing.assert_allclose(ens.loss_train[: single.diverged_at, s], single.loss_train, rtol=1e-12)
    assert np.isnan(ens.final_loss_test).all()


# ----- train_many --------------------------------------------------------------------------------

def test_train_many_matches_train_seed_by_seed(prepared):
    seeds = [321, 0, 9, 2**32 - 1]
    ens = training.train_many(prepared, seeds, epochs=300, activation="tanh", n_hidden=4, learning_rate=0.02)
    assert ens.loss_train.shape == (301, 4) and ens.final_loss_test.shape == (4,)
    np.testing.assert_array_equal(ens.seeds, seeds)
    np.testing.assert_array_equal(ens.diverged_at, [-1, -1, -1, -1])
    for s, seed in enumerate(seeds):
        h = training.train(prepared, seed=seed, epochs=300, activation="tanh", n_hidden=4, learning_rate=0.02)
        np.testing.assert_allclose(ens.loss_train[:, s], h.losses[:, 0], rtol=1e-12)
        np.testing.assert_allclose(ens.final_loss_test[s], h.losses[-1, 1], rtol=1e-12)


def test_train_many_at_defaults_reproduces_the_default_run(prepared, default_history):
    ens = training.train_many(prepared, [5, 321])
    np.testing.assert_allclose(ens.loss_train[:, 1], default_history.losses[:, 0], rtol=1e-12)
    np.testing.assert_allclose(ens.final_loss_test[1], default_history.losses[-1, 1], rtol=1e-12)


def test_train_many_rejects_bad_settings_like_train(prepared):
    with pytest.raises(ValueError, match="sigmoid, tanh, relu"):
        training.train_many(prepared, [1, 2], activation="softmax")
    with pytest.raises(ValueError, match="1 to 32"):
        training.train_many(prepared, [1, 2], n_hidden=0)


# ----- divergence at exactly the last epoch -------------------------------------------------------

@pytest.fixture(scope="module")
def lecture_divergence_epoch(prepared):
    """The first epoch whose training loss is not finite at η = 5, seed 321, from the plain lecture loop."""
    from tests.core.test_reference_numbers import lecture_init, lecture_train
    with np.errstate(all="ignore"):
        losses = lecture_train(prepared, lecture_init(321), eta=5.0, epochs=200)
    finite = np.isfinite(losses[:, 0])
    d = int(np.argmin(finite))
    assert not finite[d] and finite[:d].all() and np.isfinite(losses[:d]).all()
    return d


@pytest.mark.parametrize("offset", [-1, 0, 1])
@pytest.mark.parametrize("stride", [1, 20])
def test_divergence_is_reported_for_every_number_of_epochs_and_nothing_kept_is_infinite(
        prepared, lecture_divergence_epoch, offset, stride):
    d = lecture_divergence_epoch
    assert d == 82                                   # what the pages say for ?lr=5
    h = _train_quietly(prepared, learning_rate=5.0, epochs=d + offset, stride=stride)
    if offset < 0:
        assert h.diverged_at is None and h.n_epochs == h.last_epoch == d - 1
    else:
        assert h.diverged_at == d and h.n_epochs == d and h.last_epoch == d - 1
        assert h.kept_epochs[-1] == d               # the weights training ended with (finite)
    assert h.losses.shape == (h.last_epoch + 1, 2)
    kept = h.kept_predictions()
    last = h.at(h.last_epoch)
    for a in (h.losses, h.loss_train, h.loss_test, h.W_H, h.W_O, h.y_hat_train, h.y_hat_test, kept.train,
              kept.test, last.W_H, last.W_O, last.y_hat_train, last.y_hat_test):
        assert np.isfinite(a).all()
    assert kept.epochs[-1] == d - 1
    full = _train_quietly(prepared, learning_rate=5.0, epochs=1000)
    np.testing.assert_array_equal(h.losses, full.losses[: h.last_epoch + 1])

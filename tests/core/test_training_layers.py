"""core.training with deeper networks, mini-batches and weight decay (docs/core-api.md, deeper networks).

Whole runs are compared with the plain loop of tests/reference.py; the rest checks the
History contract, bit-for-bit replay, the batches helper and train_many at any setting.
"""

import functools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import data, network, step, training
from tests import reference as ref
from tests.core.conftest import assert_same_snapshot

SETTINGS = settings(deadline=None, database=None, max_examples=40,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
N = 15   # training rows of the bundled data


@functools.lru_cache(maxsize=None)
def _prepared():
    return data.prepare(data.load_income())


def _finite_everywhere(h):
    kept = h.kept_predictions()
    arrays = [h.losses, h.loss_train, h.loss_test, h.y_hat_train, h.y_hat_test, kept.train, kept.test,
              *h.weights]
    last = h.at(h.last_epoch) if h.last_epoch >= 0 else None
    if last is not None:
        arrays += [last.y_hat_train, last.y_hat_test, *last.weights]
    return all(np.isfinite(a).all() for a in arrays)


# ----- whole runs against the plain loop ---------------------------------------------------------

@pytest.mark.parametrize("hidden, batch_size, weight_decay, activation", [
    ((4, 3), None, 0.0, "sigmoid"),
    ((4, 3), 4, 0.0, "tanh"),
    ((4, 3), None, 0.01, "relu"),
    ((3, 4, 2), 1, 0.02, "sigmoid"),
    ((3, 4, 2), 6, 0.0, "relu"),
    ((5,), 2, 0.05, "tanh"),
])
def test_a_whole_run_matches_the_plain_loop(prepared, hidden, batch_size, weight_decay, activation):
    p, epochs, eta, seed = prepared, 40, 0.05, 7
    h = training.train(p, hidden, eta, epochs, seed, activation, batch_size, weight_decay)
    losses, weights, batches = ref.train(p.X_train_aug, p.y_train, p.X_test_aug, p.y_test,
                                         ref.init(seed, 2, hidden), eta, epochs, activation, batch_size,
                                         weight_decay, seed)
    assert h.diverged_at is None and h.hidden == hidden
    np.testing.assert_allclose(h.losses, losses, rtol=1e-9)
    for e in (0, 1, 17, epochs):
        for W, E in zip(h.at(e).weights, weights[e]):
            np.testing.assert_allclose(W, E, rtol=1e-9, atol=1e-12)
    for e in (0, 1, epochs - 1):
        assert [list(b) for b in h.batches(e)] == [list(b) for b in batches[e]]
        assert [list(b) for b in training.epoch_batches(e, N, batch_size, seed)] == [list(b) for b in batches[e]]


def test_a_run_lowers_the_loss_at_depth_three_with_mini_batches_and_decay(prepared):
    h = training.train(prepared, (8, 8, 8), 0.05, 1000, batch_size=5, weight_decay=0.001)
    assert h.losses[-1, 0] < h.losses[0, 0] / 10


def test_each_epoch_of_a_mini_batch_run_is_the_steps_the_backprop_page_shows(prepared):
    # The page walks through gradient_step on the epoch's batches; chained, they land on the next epoch.
    p = prepared
    h = training.train(p, (4, 3), 0.1, 30, seed=2, batch_size=4, weight_decay=0.01, stride=7)
    for e in (0, 5, 29):
        weights = list(h.at(e).weights)
        for rows in h.batches(e):
            weights = step.gradient_step(p.X_train_aug[rows], p.y_train[rows], weights, 0.1, "sigmoid",
                                         0.01).weights_new
        for W, E in zip(weights, h.at(e + 1).weights):
            np.testing.assert_allclose(W, E, rtol=1e-12, atol=1e-15)


# ----- the History of a deeper network ------------------------------------------------------------

def test_history_has_one_weight_array_per_layer_and_names_its_settings(prepared):
    h = training.train(prepared, (8, 4), epochs=50, batch_size=5, weight_decay=0.01)
    assert h.hidden == (8, 4) and h.n_hidden == (8, 4)
    assert h.batch_size == 5 and h.weight_decay == 0.01
    assert [W.shape for W in h.weights] == [(51, 3, 8), (51, 9, 4), (51, 5, 1)]
    np.testing.assert_array_equal(h.weights[1][0], network.init_layers(2, (8, 4), 1, 321)[1])
    snap = h.at(20)
    assert snap.W_H is None and snap.W_O is None and len(snap.weights) == 3
    with pytest.raises(AttributeError, match="weights"):
        h.W_H
    assert "N_H=(8, 4)" in repr(h) and "batch=5" in repr(h) and "weight_decay=0.01" in repr(h)


def test_one_hidden_layer_history_keeps_the_lecture_names(default_history):
    h = default_history
    assert h.hidden == (3,) and h.n_hidden == 3 and h.batch_size is None and h.weight_decay == 0.0
    W_H, W_O = h.weights
    np.testing.assert_array_equal(h.W_H, W_H)
    np.testing.assert_array_equal(h.W_O, W_O)
    snap = h.at(10)
    np.testing.assert_array_equal(snap.W_H, snap.weights[0])
    np.testing.assert_array_equal(snap.W_O, snap.weights[1])


def test_an_int_and_a_one_tuple_train_the_same_network(prepared, default_history):
    h = training.train(prepared, (3,))
    np.testing.assert_array_equal(h.losses, default_history.losses)
    np.testing.assert_array_equal(h.W_H, default_history.W_H)


@SETTINGS
@given(batch_size=st.sampled_from([N, N + 1, 100, 10**9]), hidden=st.sampled_from([3, (3,), (4, 2), (2, 3, 2)]),
       weight_decay=st.sampled_from([0.0, 0.01]), epochs=st.integers(1, 30))
def test_a_batch_of_every_row_or_more_is_full_batch_bit_for_bit(batch_size, hidden, weight_decay, epochs):
    p = _prepared()
    full = training.train(p, hidden, 0.1, epochs, weight_decay=weight_decay)
    batched = training.train(p, hidden, 0.1, epochs, weight_decay=weight_decay, batch_size=batch_size)
    assert batched.batch_size is None
    np.testing.assert_array_equal(batched.losses, full.losses)
    for a, b in zip(batched.weights, full.weights):
        np.testing.assert_array_equal(a, b)
    assert [list(b) for b in batched.batches(0)] == [list(range(N))]


@SETTINGS
@given(hidden=st.sampled_from([(3,), (4, 2), (2, 3, 2)]), batch_size=st.sampled_from([None, 1, 4, 7]),
       weight_decay=st.sampled_from([0.0, 0.05]), eta=st.sampled_from([0.05, 8.0]),
       stride=st.integers(2, 9), data_=st.data())
def test_a_strided_history_replays_any_epoch_bit_for_bit_with_batches_and_decay(hidden, batch_size,
                                                                                 weight_decay, eta, stride, data_):
    p = _prepared()
    kwargs = dict(n_hidden=hidden, learning_rate=eta, epochs=40, batch_size=batch_size, weight_decay=weight_decay)
    full, strided = training.train(p, **kwargs), training.train(p, **kwargs, stride=stride)
    assert strided.diverged_at == full.diverged_at
    np.testing.assert_array_equal(strided.losses, full.losses)
    drawn = data_.draw(st.lists(st.integers(0, full.last_epoch), min_size=1, max_size=4), label="epochs")
    for e in drawn + [full.last_epoch]:
        assert_same_snapshot(strided.at(e), full.at(e))
        assert [list(b) for b in strided.batches(e)] == [list(b) for b in full.batches(e)]


# ----- which rows form a batch ---------------------------------------------------------------------

@SETTINGS
@given(n_rows=st.integers(1, 40), batch_size=st.integers(1, 45), epoch=st.integers(0, 30),
       seed=st.integers(0, 2**32 - 1))
def test_epoch_batches_cut_the_epochs_permutation_into_consecutive_chunks(n_rows, batch_size, epoch, seed):
    batches = training.epoch_batches(epoch, n_rows, batch_size, seed)
    assert sorted(np.concatenate(batches)) == list(range(n_rows))
    if batch_size >= n_rows:
        assert len(batches) == 1 and list(batches[0]) == list(range(n_rows))
        return
    rng = np.random.default_rng(seed)
    order = [rng.permutation(n_rows) for _ in range(epoch + 1)][-1]
    assert list(np.concatenate(batches)) == list(order)
    assert [len(b) for b in batches[:-1]] == [batch_size] * (len(batches) - 1)
    assert 1 <= len(batches[-1]) <= batch_size


def test_history_batches_equal_the_helper_at_every_epoch(prepared):
    h = training.train(prepared, (3,), 0.05, 60, seed=11, batch_size=4, stride=25)
    for e in range(h.last_epoch + 1):
        assert [list(b) for b in h.batches(e)] == [list(b) for b in training.epoch_batches(e, N, 4, 11)]
    with pytest.raises(ValueError, match="from 0 to 60"):
        h.batches(61)


# ----- settings -------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, words", [
    (dict(n_hidden=(0, 4)), "1 to 32"), (dict(n_hidden=40), "1 to 32"), (dict(n_hidden=(1, 2, 3, 4)), "1 to 3"),
    (dict(n_hidden=(3, 4, 5, 6)), "up to 3"), (dict(n_hidden="3"), "1 to 32"), (dict(n_hidden=(2.5,)), "1 to 32"),
    (dict(n_hidden=True), "1 to 32"), (dict(n_hidden=[[1, 2], 3]), "1 to 32"), (dict(batch_size=0), "batch_size"), (dict(batch_size=-3), "batch_size"),
    (dict(batch_size=2.5), "batch_size"), (dict(batch_size=True), "batch_size"), (dict(batch_size="4"), "batch_size"),
    (dict(weight_decay=-1), "weight_decay"), (dict(weight_decay=float("nan")), "weight_decay"),
    (dict(weight_decay=float("inf")), "weight_decay"), (dict(weight_decay="0.1"), "weight_decay"),
])
def test_bad_settings_raise_a_value_error_naming_the_allowed_values(prepared, kwargs, words):
    with pytest.raises(ValueError, match=words):
        training.train(prepared, epochs=2, **kwargs)
    with pytest.raises(ValueError, match=words):
        training.train_many(prepared, [1, 2], epochs=2, **kwargs)


def test_allowed_settings_pass_the_check():
    for n_hidden in (1, 32, (32, 32, 32), [8, 4], np.int64(3), (np.int64(2), 5)):
        training.check_settings(n_hidden, 0.05, 10, "relu", batch_size=1, weight_decay=0.0)
    assert training.hidden_layers([8, 4]) == (8, 4) and training.hidden_layers(3) == (3,)
    assert training.MAX_LAYERS == 3 and training.MAX_HIDDEN == 32


# ----- train_many ------------------------------------------------------------------------------------

@pytest.mark.parametrize("hidden, batch_size, weight_decay, eta", [
    ((4, 2), None, 0.0, 0.05), ((4, 2), 4, 0.01, 0.05), ((2, 3, 2), 1, 0.0, 0.1), ((3,), 6, 0.0, 9.0),
])
def test_train_many_equals_train_seed_by_seed_at_any_setting(prepared, hidden, batch_size, weight_decay, eta):
    seeds = [321, 0, 9, 2**32 - 1]
    ens = training.train_many(prepared, seeds, hidden, eta, 120, "tanh", batch_size, weight_decay)
    assert ens.loss_train.shape == (121, 4)
    for s, seed in enumerate(seeds):
        h = training.train(prepared, hidden, eta, 120, seed, "tanh", batch_size, weight_decay)
        assert ens.diverged_at[s] == (-1 if h.diverged_at is None else h.diverged_at)
        E = h.last_epoch + 1
        np.testing.assert_allclose(ens.loss_train[:E, s], h.losses[:, 0], rtol=1e-11)
        assert np.isnan(ens.loss_train[E:, s]).all()
        if h.diverged_at is None:
            np.testing.assert_allclose(ens.final_loss_test[s], h.losses[-1, 1], rtol=1e-11)
        else:
            assert np.isnan(ens.final_loss_test[s])


# ----- divergence -------------------------------------------------------------------------------------

@SETTINGS
@given(hidden=st.sampled_from([(3,), (8, 4), (32, 32, 32), (2, 2)]), activation=st.sampled_from(["sigmoid", "tanh", "relu"]),
       eta=st.sampled_from([2.0, 10.0, 100.0]), batch_size=st.sampled_from([None, 1, 5]),
       weight_decay=st.sampled_from([0.0, 0.5]), stride=st.sampled_from([1, 7]))
def test_nothing_kept_in_a_history_is_ever_inf_or_nan(hidden, activation, eta, batch_size, weight_decay, stride):
    h = training.train(_prepared(), hidden, eta, 150, 3, activation, batch_size, weight_decay, stride=stride)
    assert _finite_everywhere(h)
    if h.diverged_at is not None:
        d = h.diverged_at
        assert h.n_epochs == d and h.last_epoch == d - 1 and h.losses.shape == (d, 2)
        assert h.kept_epochs[-1] in (d - 1, d) and len(h.weights[0]) == len(h.kept_epochs)

"""Properties that hold for every setting, checked with hypothesis."""

import functools

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import activations, data, network, training
from tests.core.conftest import assert_same_snapshot

# No example database: nothing is written into the working tree; failures print their example.
SETTINGS = settings(deadline=None, database=None, max_examples=100,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

act = st.sampled_from(activations.NAMES)
hidden = st.integers(1, training.MAX_HIDDEN)
seeds = st.integers(0, 2**32 - 1)


@functools.lru_cache(maxsize=None)
def _prepared():
    return data.prepare(data.load_income())


@functools.lru_cache(maxsize=64)
def _history(activation, n_hidden, eta, stride, epochs=300):
    return training.train(_prepared(), n_hidden=n_hidden, learning_rate=eta, epochs=epochs,
                          activation=activation, stride=stride)


@SETTINGS
@given(n=st.integers(1, 20), n_inputs=st.integers(1, 4), n_hidden=hidden, n_outputs=st.integers(1, 3),
       activation=act, seed=seeds)
def test_forward_and_backward_have_the_shapes_of_the_variables_table(n, n_inputs, n_hidden, n_outputs, activation, seed):
    rng = np.random.default_rng(seed)
    X_aug = network.augment(rng.normal(size=(n, n_inputs)))
    y = rng.normal(size=(n, n_outputs))
    W_H, W_O = network.init_weights(n_inputs, n_hidden, n_outputs, seed=seed)
    assert W_H.shape == (n_inputs + 1, n_hidden) and W_O.shape == (n_hidden + 1, n_outputs)
    fwd = network.forward(X_aug, W_H, W_O, activation)
    assert fwd.z_H.shape == fwd.u_H.shape == (n, n_hidden)
    assert fwd.z_O.shape == fwd.u_O.shape == (n, n_outputs)
    bwd = network.backward(X_aug, y, W_H, W_O, fwd, activation)
    assert bwd.delta_O.shape == (n, n_outputs) and bwd.delta_H.shape == (n, n_hidden)
    assert bwd.dW_H.shape == W_H.shape and bwd.dW_O.shape == W_O.shape
    assert np.isfinite(bwd.dW_H).all() and np.isfinite(bwd.dW_O).all()


@SETTINGS
@given(n_hidden=hidden, activation=act, epochs=st.integers(1, 40), stride=st.integers(1, 12), seed=seeds)
def test_history_has_the_contract_shapes_for_any_setting(n_hidden, activation, epochs, stride, seed):
    p = _prepared()
    h = training.train(p, n_hidden=n_hidden, learning_rate=0.01, epochs=epochs, seed=seed,
                       activation=activation, stride=stride)
    E, N = epochs, p.X_train_aug.shape[0]
    assert h.diverged_at is None and h.n_epochs == E
    assert h.loss_train.shape == h.loss_test.shape == (E,) and h.losses.shape == (E + 1, 2)
    kept = list(range(0, E + 1, stride)) + ([E] if E % stride else [])
    assert list(h.kept_epochs) == kept
    assert h.W_H.shape == (len(kept), 3, n_hidden) and h.W_O.shape == (len(kept), n_hidden + 1, 1)
    assert h.y_hat_train.shape == (len([k for k in kept if k < E]), N, 1)
    if stride == 1:
        assert h.W_H.shape[0] == E + 1 and h.y_hat_train.shape == (E, N, 1)
    final = h.at(E)
    assert final.W_H.shape == (3, n_hidden) and final.y_hat_train.shape == (N, 1)
    assert np.isfinite(final.W_H).all() and np.isfinite(h.losses).all()


@SETTINGS
@given(activation=st.sampled_from(["sigmoid", "tanh"]), n_hidden=st.sampled_from([1, 3, 8]),
       eta=st.sampled_from([0.05, 10.0]), stride=st.integers(2, 50), data_=st.data())
def test_strided_history_replays_any_epoch_bit_for_bit(activation, n_hidden, eta, stride, data_):
    full = _history(activation, n_hidden, eta, 1)
    strided = _history(activation, n_hidden, eta, stride)
    assert strided.diverged_at == full.diverged_at
    assert strided.nbytes() < full.nbytes()
    drawn = data_.draw(st.lists(st.integers(0, full.last_epoch), min_size=1, max_size=5), label="epochs")
    for e in drawn + [full.last_epoch]:       # the final weights are where a stride bug hides
        a, b = strided.at(e), full.at(e)
        assert a.epoch == b.epoch == e
        assert_same_snapshot(a, b)


@settings(SETTINGS, max_examples=300)
@given(seed=seeds, n_hidden=st.integers(1, 8))
def test_a_tiny_step_never_increases_the_loss(seed, n_hidden):
    h = training.train(_prepared(), n_hidden=n_hidden, learning_rate=1e-4, epochs=1, seed=seed)
    assert h.losses[1, 0] <= h.losses[0, 0] + 1e-12


@SETTINGS
@given(seed=seeds, n_hidden=st.integers(1, 8), activation=act, stride=st.sampled_from([1, 3]))
def test_training_is_deterministic_per_seed(seed, n_hidden, activation, stride):
    kwargs = dict(n_hidden=n_hidden, learning_rate=0.05, epochs=25, seed=seed, activation=activation, stride=stride)
    a, b = training.train(_prepared(), **kwargs), training.train(_prepared(), **kwargs)
    for name in ("losses", "W_H", "W_O", "kept_epochs", "y_hat_train", "y_hat_test"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert a.diverged_at == b.diverged_at


@settings(SETTINGS, max_examples=400)
@given(raw=st.one_of(
    st.binary(max_size=400),
    st.lists(st.sampled_from(list(b'0123456789,;\t|\n\r" .-eEnaNIf\x00\xff')), max_size=300).map(bytes),
))
def test_read_table_on_arbitrary_bytes_either_reads_a_table_or_raises_data_error(raw):
    try:
        df = data.read_table(raw)
    except data.DataError as exc:
        assert str(exc)
        return
    assert isinstance(df, pd.DataFrame) and len(df) >= data.MIN_ROWS and df.shape[1] >= 2


_cell = st.sampled_from(["1", "2", "0", "-3.5", "7", "1e308", "1e400", "", " ", "nan", "NA", "inf",
                         "-inf", "abc", '"4"', "TRUE", "1,5"])
_name = st.sampled_from(["Education", "Seniority", "Income", "x", "", " y "])


@settings(SETTINGS, max_examples=250)
@given(k=st.integers(1, 4), data_=st.data(), sep=st.sampled_from([",", ";", "\t"]),
       newline=st.sampled_from(["\n", "\r\n", "\r"]), drop=st.booleans())
def test_csv_like_tables_either_prepare_to_finite_arrays_or_raise_data_error(k, data_, sep, newline, drop):
    header = data_.draw(st.lists(_name, min_size=k, max_size=k), label="header")
    rows = data_.draw(st.lists(st.lists(_cell, min_size=k, max_size=k), max_size=12), label="rows")
    raw = newline.join(sep.join(r) for r in [header] + rows).encode() + newline.encode()
    try:
        df = data.read_table(raw)
        columns = list(df.columns)
        p = data.prepare(df, features=columns[:-1], target=columns[-1], drop_incomplete=drop)
    except data.DataError as exc:
        assert str(exc)
        return
    for a in (p.X_train_aug, p.X_test_aug, p.y_train, p.y_test, p.x_scale, p.y_scale):
        assert np.isfinite(a).all()
    assert (p.x_scale > 0).all() and (p.y_scale > 0).all()
    assert np.abs(p.X_train_aug).max() == 1.0 and np.abs(p.y_train).max() == 1.0

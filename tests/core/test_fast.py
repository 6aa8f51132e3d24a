"""core.fast runs core.network's passes in preallocated buffers: bit for bit the readable arithmetic.

The Backprop page shows ``network.forward_pass`` and ``backward_pass``; training runs ``fast``'s
copies of them. Every number must be the same to the last bit, or a page's step would not land on
the history's next epoch.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import activations, data, fast, network, step, training

SETTINGS = settings(deadline=None, database=None, max_examples=60,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def _case(seed, n, hidden, n_inputs=2, n_outputs=1, loss="squared"):
    r = np.random.default_rng(seed)
    X_aug, y = network.augment(r.normal(size=(n, n_inputs))), r.normal(size=(n, n_outputs))
    if loss == "cross_entropy":      # 0/1 targets for one output, one-hot rows for several
        y = (y > 0).astype(float) if n_outputs == 1 else np.eye(n_outputs)[r.integers(0, n_outputs, n)]
    return X_aug, y, network.init_layers(n_inputs, hidden, n_outputs, seed)


def _fast_passes(ws, X_aug, y, weights, activation, weight_decay):
    with np.errstate(all="ignore"):
        fwd = fast.forward_into(ws, X_aug, weights, activation)
        bwd = fast.backward_into(ws, y, weights, activation, weight_decay)
    return fwd, bwd


def _assert_same_bits(readable, buffered):
    (f, b), (ff, fb) = readable, buffered
    for name, x, y in [("z", f.z, ff.z), ("u", f.u, ff.u), ("delta", b.delta, fb.delta), ("dW", b.dW, fb.dW)]:
        assert len(x) == len(y)
        for l, (want, got) in enumerate(zip(x, y)):
            np.testing.assert_array_equal(got, want, err_msg=f"{name}[{l}]")
    for l in range(1, len(f.a)):
        np.testing.assert_array_equal(ff.a[l], f.a[l], err_msg=f"a[{l}]")


@SETTINGS
@given(n=st.integers(1, 40), hidden=st.lists(st.integers(1, 32), min_size=0, max_size=3).map(tuple),
       n_outputs=st.integers(1, 3), activation=st.sampled_from(activations.NAMES),
       weight_decay=st.sampled_from([0.0, 0.01, 0.3]), loss=st.sampled_from(network.LOSSES),
       seed=st.integers(0, 2**32 - 1))
def test_a_workspace_gives_the_readable_passes_bit_for_bit(n, hidden, n_outputs, activation, weight_decay, loss,
                                                           seed):
    X_aug, y, weights = _case(seed, n, hidden, n_outputs=n_outputs, loss=loss)
    ws = fast.Workspace(n, [W.shape for W in weights], loss=loss)
    _assert_same_bits(network.passes(X_aug, y, weights, activation, weight_decay, loss),
                      _fast_passes(ws, X_aug, y, weights, activation, weight_decay))
    np.testing.assert_array_equal(ws.dW_flat, np.concatenate([g.ravel() for g in ws.dW]))


@SETTINGS
@given(n=st.integers(1, 40), hidden=st.lists(st.integers(1, 8), min_size=0, max_size=3).map(tuple),
       n_outputs=st.integers(1, 10), activation=st.sampled_from(activations.NAMES),
       scale=st.sampled_from([1.0, 30.0, 1000.0]), seed=st.integers(0, 2**32 - 1))
def test_the_cross_entropy_output_in_buffers_is_the_readable_one_even_when_saturated(n, hidden, n_outputs,
                                                                                     activation, scale, seed):
    # Large weights drive σ and softmax to exactly 0 and 1: still the same bits, and never nan.
    X_aug, y, weights = _case(seed, n, hidden, n_outputs=n_outputs, loss="cross_entropy")
    weights = [scale * W for W in weights]
    ws = fast.Workspace(n, [W.shape for W in weights], loss="cross_entropy")
    readable = network.passes(X_aug, y, weights, activation, 0.0, "cross_entropy")
    _assert_same_bits(readable, _fast_passes(ws, X_aug, y, weights, activation, 0.0))
    assert np.isfinite(readable[0].y_hat).all() and (readable[0].y_hat >= 0).all() and (readable[0].y_hat <= 1).all()


@pytest.mark.parametrize("loss, n_outputs", [("squared", 1), ("cross_entropy", 1), ("cross_entropy", 3)])
@pytest.mark.parametrize("hidden", [(), (4,), (4, 3), (3, 5, 2)])
def test_the_head_of_a_workspace_is_the_readable_pass_of_the_first_rows(hidden, loss, n_outputs):
    X_aug, y, weights = _case(7, 9, hidden, n_outputs=n_outputs, loss=loss)
    ws = fast.Workspace(9, [W.shape for W in weights], loss=loss)
    _fast_passes(ws, X_aug, y, weights, "sigmoid", 0.01)
    head = ws.head(4)
    _assert_same_bits(network.passes(X_aug[:4], y[:4], weights, "sigmoid", 0.0, loss),
                      _fast_passes(head, X_aug[:4], y[:4], weights, "sigmoid", 0.0))


@pytest.mark.parametrize("loss, n_outputs", [("squared", 1), ("cross_entropy", 1), ("cross_entropy", 4)])
@pytest.mark.parametrize("hidden", [(), (4,), (4, 3), (3, 5, 2)])
def test_weights_with_a_leading_seed_axis_give_each_seeds_readable_pass(hidden, loss, n_outputs):
    X_aug, y, _ = _case(3, 7, hidden, n_outputs=n_outputs, loss=loss)
    stacks = [network.init_layers(2, hidden, n_outputs, s) for s in (1, 2, 3)]
    weights = [np.stack(ws) for ws in zip(*stacks)]
    ws = fast.Workspace(7, [W.shape[-2:] for W in weights], lead=(3,), loss=loss)
    fwd, bwd = _fast_passes(ws, X_aug, y, weights, "tanh", 0.1)
    for s, single in enumerate(stacks):
        f, b = network.passes(X_aug, y, single, "tanh", 0.1, loss)
        np.testing.assert_allclose(fwd.u[-1][s], f.u[-1], rtol=1e-13, atol=1e-15)
        for l in range(len(single)):
            np.testing.assert_allclose(fwd.z[l][s], f.z[l], rtol=1e-13, atol=1e-15)
            np.testing.assert_allclose(bwd.delta[l][s], b.delta[l], rtol=1e-13, atol=1e-15)
            np.testing.assert_allclose(bwd.dW[l][s], b.dW[l], rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("hidden, batch_size, weight_decay, activation",
                         [((3,), None, 0.0, "sigmoid"), ((8, 4), 5, 0.01, "tanh"), ((4, 3, 2), 1, 0.0, "relu")])
def test_training_takes_the_readable_step_bit_for_bit(prepared, hidden, batch_size, weight_decay, activation):
    # Every update of the training loop is one gradient_step (readable passes) on that update's batch.
    p, eta = prepared, 0.05
    h = training.train(p, hidden, eta, 12, seed=4, activation=activation, batch_size=batch_size,
                       weight_decay=weight_decay)
    weights = list(h.at(0).weights)
    for e in range(12):
        for rows in h.batches(e):
            weights = step.gradient_step(p.X_train_aug[rows], p.y_train[rows], weights, eta, activation,
                                         weight_decay).weights_new
        for W, E in zip(weights, h.at(e + 1).weights):
            np.testing.assert_array_equal(W, E)
        np.testing.assert_array_equal(network.forward_pass(p.X_train_aug, weights, activation).y_hat,
                                      h.at(e + 1).y_hat_train)


@pytest.mark.parametrize("name, hidden, batch_size, weight_decay, activation", [
    ("moons", (), None, 0.0, "sigmoid"), ("moons", (3,), 7, 0.01, "tanh"), ("moons", (4, 3), 1, 0.0, "relu"),
    ("moons", (3, 4, 2), None, 0.05, "sigmoid"), ("three", (), 3, 0.0, "tanh"), ("three", (5,), None, 0.0, "relu"),
    ("three", (4, 3), 6, 0.02, "sigmoid"), ("three", (3, 4, 2), 1, 0.01, "tanh"),
])
def test_cross_entropy_training_takes_the_readable_step_bit_for_bit(name, hidden, batch_size, weight_decay,
                                                                    activation):
    # Binary (σ) and softmax outputs, depth 0–3, every activation, batches and decay: each update
    # of the loop is gradient_step's, and every kept prediction is the readable forward pass's ŷ.
    p = data.prepare(data.toy(name, 30, 0.1, seed=1), ("x1", "x2"), "label", task="classification")
    eta = 0.2
    h = training.train(p, hidden, eta, 8, seed=4, activation=activation, batch_size=batch_size,
                       weight_decay=weight_decay, loss="cross_entropy")
    weights = list(h.at(0).weights)
    for e in range(8):
        for rows in h.batches(e):
            weights = step.gradient_step(p.X_train_aug[rows], p.y_train[rows], weights, eta, activation,
                                         weight_decay, loss="cross_entropy").weights_new
        for W, E in zip(weights, h.at(e + 1).weights):
            np.testing.assert_array_equal(W, E)
        np.testing.assert_array_equal(network.forward_pass(p.X_train_aug, weights, activation, "cross_entropy").y_hat,
                                      h.at(e + 1).y_hat_train)

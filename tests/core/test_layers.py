"""Deeper networks and weight decay (core.network, core.step, core.gradcheck) against tests/reference.py.

The reference works one sample at a time and sums afterwards; core works on whole batches. They
must agree on every layer's z, u, δ and gradient, on one update, and with centred differences.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import activations, gradcheck, network, step
from tests import reference as ref

SETTINGS = settings(deadline=None, database=None, max_examples=60,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
DEPTHS = [(), (4,), (4, 3), (3, 5, 2)]     # () : no hidden layer, one matrix
hidden_st = st.lists(st.integers(1, 6), min_size=1, max_size=3).map(tuple)


def _case(rng, hidden, n=7, n_inputs=2, n_outputs=1, seed=3):
    X_aug = network.augment(rng.normal(size=(n, n_inputs)))
    y = rng.normal(size=(n, n_outputs))
    return X_aug, y, ref.init(seed, n_inputs, hidden, n_outputs)


# ----- initial weights --------------------------------------------------------------------------

@pytest.mark.parametrize("hidden", DEPTHS + [(32, 32, 32)])
@pytest.mark.parametrize("seed", [0, 9, 321, 2**32 - 1])
def test_init_layers_draws_each_layer_in_order_from_the_seeded_sequence(hidden, seed):
    before = np.random.get_state()[1].copy()
    weights = network.init_layers(2, hidden, 1, seed)
    assert np.array_equal(np.random.get_state()[1], before)     # numpy's global state untouched
    expected = ref.init(seed, 2, hidden, 1)
    assert [W.shape for W in weights] == [W.shape for W in expected]
    for W, E in zip(weights, expected):
        np.testing.assert_array_equal(W, E)


@SETTINGS
@given(n=st.integers(1, 32), n_inputs=st.integers(1, 4), n_outputs=st.integers(1, 3),
       seed=st.integers(0, 2**32 - 1))
def test_init_layers_with_one_hidden_layer_is_init_weights(n, n_inputs, n_outputs, seed):
    W_H, W_O = network.init_weights(n_inputs, n, n_outputs, seed)
    layers = network.init_layers(n_inputs, (n,), n_outputs, seed)
    assert len(layers) == 2
    np.testing.assert_array_equal(layers[0], W_H)
    np.testing.assert_array_equal(layers[1], W_O)


@pytest.mark.parametrize("hidden", [(0,), (3, 0), (2.5,), ("3",), 3, None])
def test_init_layers_rejects_bad_widths_with_a_sentence(hidden):
    with pytest.raises(ValueError, match="hidden"):
        network.init_layers(2, hidden)


# ----- forward and backward against the per-sample reference -----------------------------------

@pytest.mark.parametrize("activation", activations.NAMES)
@pytest.mark.parametrize("hidden", DEPTHS)
@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
def test_every_layer_matches_the_per_sample_reference(rng, activation, hidden, weight_decay):
    X_aug, y, weights = _case(rng, hidden, n_outputs=2)
    fwd, bwd = network.passes(X_aug, y, weights, activation, weight_decay)
    expected = ref.batch(X_aug, y, weights, activation, weight_decay)
    assert len(fwd.z) == len(bwd.delta) == len(bwd.dW) == len(weights)
    for k in range(len(weights)):
        np.testing.assert_allclose(fwd.z[k], expected["z"][k], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(fwd.u[k], expected["u"][k], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(bwd.delta[k], expected["delta"][k], rtol=1e-11, atol=1e-14)
        np.testing.assert_allclose(bwd.dW[k], expected["dW"][k], rtol=1e-11, atol=1e-13)
        assert bwd.dW[k].shape == weights[k].shape
    # a[k] is the layer's input with the bias node first: X_aug, then [1, u[k−1]].
    np.testing.assert_array_equal(fwd.a[0], X_aug)
    for k in range(1, len(weights)):
        np.testing.assert_array_equal(fwd.a[k], network.augment(fwd.u[k - 1]))
    np.testing.assert_array_equal(fwd.y_hat, fwd.z[-1])
    assert network.loss(y, fwd.y_hat) == pytest.approx(expected["loss"], rel=1e-12)
    assert network.penalty(weights, weight_decay) == pytest.approx(expected["penalty"], rel=1e-12)


@pytest.mark.parametrize("activation", activations.NAMES)
@pytest.mark.parametrize("hidden", [(), (4, 3), (3, 5, 2)])
@pytest.mark.parametrize("weight_decay", [0.0, 0.05])
def test_every_gradient_matches_centred_differences_on_the_income_data(prepared, activation, hidden,
                                                                       weight_decay):
    weights = network.init_layers(2, hidden, 1, seed=5)
    X, y = prepared.X_train_aug, prepared.y_train
    fwd, bwd = network.passes(X, y, weights, activation, weight_decay)
    num = gradcheck.numerical_gradients(X, y, weights, activation, weight_decay)
    for z in fwd.z[:-1]:       # a ReLU kink within ε would make centred differences wrong, not backward
        assert np.abs(z).min() > 1e-4
    for k, (a, n) in enumerate(zip(bwd.dW, num)):
        assert np.linalg.norm(a - n) / (np.linalg.norm(a) + np.linalg.norm(n)) < 1e-7, f"layer {k}"
        np.testing.assert_allclose(a, n, rtol=1e-5, atol=1e-8)
    # The reference, too, agrees with centred differences: it is not wrong in the same way.
    for r, n in zip(ref.batch(X, y, weights, activation, weight_decay)["dW"], num):
        np.testing.assert_allclose(r, n, rtol=1e-5, atol=1e-8)


def test_weight_decay_adds_lambda_w_to_every_layer_except_the_bias_rows(rng):
    X_aug, y, weights = _case(rng, (3, 2))
    plain = [dW.copy() for dW in network.passes(X_aug, y, weights, "tanh")[1].dW]
    decayed = network.passes(X_aug, y, weights, "tanh", weight_decay=0.25)[1].dW
    for W, a, b in zip(weights, plain, decayed):
        np.testing.assert_array_equal(b[0], a[0])
        np.testing.assert_allclose(b[1:] - a[1:], 0.25 * W[1:], rtol=1e-12, atol=1e-15)


def test_a_wrong_layer_fails_the_gradient_check(prepared):
    weights = network.init_layers(2, (3, 3), 1, seed=2)
    X, y = prepared.X_train_aug, prepared.y_train
    _, bwd = network.passes(X, y, weights)
    num = gradcheck.numerical_gradients(X, y, weights)
    assert gradcheck.relative_error(-bwd.dW[1], num[1]).min() > 0.99


# ----- one code path: the lecture's names are the general passes --------------------------------

@SETTINGS
@given(n=st.integers(1, 12), n_hidden=st.integers(1, 32), n_outputs=st.integers(1, 3),
       activation=st.sampled_from(activations.NAMES), seed=st.integers(0, 2**32 - 1))
def test_the_one_hidden_layer_functions_are_the_general_passes(n, n_hidden, n_outputs, activation, seed):
    r = np.random.default_rng(seed)
    X_aug, y = network.augment(r.normal(size=(n, 2))), r.normal(size=(n, n_outputs))
    W_H, W_O = network.init_weights(2, n_hidden, n_outputs, seed)
    fwd, bwd = network.gradients(X_aug, y, W_H, W_O, activation)
    gen_fwd, gen_bwd = network.passes(X_aug, y, [W_H, W_O], activation)
    for a, b in [(fwd.z_H, gen_fwd.z[0]), (fwd.u_H, gen_fwd.u[0]), (fwd.z_O, gen_fwd.z[1]),
                 (fwd.u_O, gen_fwd.y_hat), (bwd.delta_H, gen_bwd.delta[0]), (bwd.delta_O, gen_bwd.delta[1]),
                 (bwd.dW_H, gen_bwd.dW[0]), (bwd.dW_O, gen_bwd.dW[1])]:
        np.testing.assert_array_equal(a, b)


# ----- one step ---------------------------------------------------------------------------------

@pytest.mark.parametrize("hidden", DEPTHS)
@pytest.mark.parametrize("weight_decay", [0.0, 0.2])
def test_one_step_at_any_depth_matches_the_reference_and_shows_each_term(rng, hidden, weight_decay):
    X_aug, y, weights = _case(rng, hidden, n=5)
    eta = 0.03
    s = step.gradient_step(X_aug, y, weights, eta, "sigmoid", weight_decay)
    expected = ref.batch(X_aug, y, weights, "sigmoid", weight_decay)
    L = len(weights)
    assert len(s.g_primes) == L - 1 and len(s.dW_terms) == len(s.dW_decay) == len(s.weights_new) == L
    assert s.loss == pytest.approx(expected["loss"], rel=1e-12)
    assert s.penalty == pytest.approx(expected["penalty"], rel=1e-12, abs=0)
    assert s.objective == pytest.approx(expected["loss"] + expected["penalty"], rel=1e-12)
    assert s.losses.shape == (5,) and s.losses.sum() == pytest.approx(s.loss, rel=1e-12)
    for k in range(L):
        assert s.dW_terms[k].shape == (5,) + weights[k].shape
        np.testing.assert_allclose(s.dW_terms[k], expected["terms"][k], rtol=1e-11, atol=1e-14)
        np.testing.assert_allclose(s.dW_decay[k], expected["decay"][k], rtol=1e-15)
        np.testing.assert_allclose(s.dW_terms[k].sum(axis=0) + s.dW_decay[k], s.backward.dW[k], rtol=1e-12,
                                   atol=1e-14)
        np.testing.assert_allclose(s.weights_new[k], weights[k] - eta * expected["dW"][k], rtol=1e-12,
                                   atol=1e-14)
    for k in range(L - 1):
        g = ref.activation("sigmoid")[1]
        np.testing.assert_allclose(s.g_primes[k], g(expected["z"][k]), rtol=1e-12)
    new = [W - eta * g for W, g in zip(weights, expected["dW"])]
    assert s.loss_after == pytest.approx(ref.loss(X_aug, y, new, "sigmoid"), rel=1e-12)
    assert s.objective_after == pytest.approx(s.loss_after + ref.batch(X_aug, y, new, "sigmoid", weight_decay)["penalty"],
                                              rel=1e-12)
    if weight_decay == 0.0:
        assert not any(d.any() for d in s.dW_decay) and s.penalty == 0.0


def test_a_small_step_lowers_the_objective_by_about_eta_times_the_squared_gradient(rng):
    X_aug, y, weights = _case(rng, (4, 3))
    s = step.gradient_step(X_aug, y, weights, 1e-6, "tanh", weight_decay=0.3)
    assert s.objective_after - s.objective == pytest.approx(s.predicted_change, rel=1e-3)


def test_the_lecture_names_of_a_step_belong_to_one_hidden_layer(rng):
    X_aug, y, weights = _case(rng, (4,))
    s = step.gradient_step(X_aug, y, weights, 0.1)
    old = step.one_step(X_aug, y, *weights, 0.1)
    np.testing.assert_array_equal(s.W_H_new, old.W_H_new)
    np.testing.assert_array_equal(s.fwd.u_H, s.forward.u[0])
    np.testing.assert_array_equal(s.bwd.dW_O, s.backward.dW[1])
    np.testing.assert_array_equal(s.g_prime, s.g_primes[0])
    np.testing.assert_array_equal(s.dW_H_terms, s.dW_terms[0])
    deep = step.gradient_step(*_case(rng, (4, 3)), 0.1)
    for name in ("W_H", "W_O", "fwd", "bwd", "g_prime", "dW_H_terms", "W_O_new"):
        with pytest.raises(AttributeError, match="per-layer"):
            getattr(deep, name)
    assert "hidden=(4, 3)" in repr(deep)


def test_largest_lowering_eta_looks_at_the_objective_with_decay(prepared):
    weights = network.init_layers(2, (3, 3), 1, seed=321)
    s = step.gradient_step(prepared.X_train_aug, prepared.y_train, weights, 20.0, "sigmoid", 0.01)
    eta = step.largest_lowering_eta(s, (0.001, 0.01, 0.1, 1.0))
    assert eta is not None
    after = step.objective_after(s.X_aug, s.y, weights, s.backward.dW, eta, "sigmoid", 0.01)
    assert after < s.objective

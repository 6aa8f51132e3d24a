"""The cross-entropy loss in the readable network (core.network, core.gradcheck): the output
σ(z_O) or softmax(z_O), the loss computed stably from z_O, and δ_O = ŷ − y.

Every number is checked against tests/reference.py, which works one sample at a time and reaches
δ_O through the chain rule (the loss's slope times the output's Jacobian), and against centred
differences of the objective. Hand-worked values pin the stable loss where the plain formula
would take log(0) or overflow.
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import activations, gradcheck, network
from tests import reference as ref

SETTINGS = settings(deadline=None, database=None, max_examples=60,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
DEPTHS = [(), (4,), (4, 3), (3, 5, 2)]
CE = "cross_entropy"


def _targets(r, n, n_outputs):
    """0/1 targets for one output, one-hot rows for several."""
    if n_outputs == 1:
        return r.integers(0, 2, size=(n, 1)).astype(float)
    return np.eye(n_outputs)[r.integers(0, n_outputs, size=n)]


def _case(seed, n, hidden, n_outputs, n_inputs=2):
    r = np.random.default_rng(seed)
    X_aug = network.augment(r.normal(size=(n, n_inputs)))
    return X_aug, _targets(r, n, n_outputs), ref.init(seed % 1000, n_inputs, hidden, n_outputs)


def _norm_error(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)


def test_the_two_losses_are_named_and_another_name_is_refused():
    assert network.LOSSES == ("squared", "cross_entropy")
    X_aug, y, weights = _case(0, 4, (3,), 1)
    for call in (lambda: network.forward_pass(X_aug, weights, "sigmoid", "hinge"),
                 lambda: network.loss(y, y, "hinge"),
                 lambda: network.objective(X_aug, y, weights, loss="log"),
                 lambda: gradcheck.numerical_gradients(X_aug, y, weights, loss="mse")):
        with pytest.raises(ValueError, match="choose one of squared, cross_entropy"):
            call()


# ----- the output ---------------------------------------------------------------------------------

def test_the_output_is_sigmoid_for_one_unit_and_softmax_for_several():
    z = np.array([[0.0], [2.0], [-1.0]])
    np.testing.assert_allclose(network.output(z, CE), 1 / (1 + np.exp(-z)), rtol=1e-15)
    z3 = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    e = np.exp(z3)
    np.testing.assert_allclose(network.output(z3, CE), e / e.sum(axis=1, keepdims=True), rtol=1e-15)
    assert network.output(z3, "squared") is z3                 # the lecture's linear output: ŷ = z_O
    np.testing.assert_array_equal(network.output([[0.0, 0.0]], CE), [[0.5, 0.5]])   # a plain list will do


def test_the_output_never_overflows_into_nan():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(network.output(np.array([[1000.0], [-1000.0]]), CE), [[1.0], [0.0]])
        y_hat = network.output(np.array([[1000.0, 0.0, -1000.0], [-800.0, -800.0, -800.0]]), CE)
    np.testing.assert_allclose(y_hat, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-15)


@pytest.mark.parametrize("hidden", DEPTHS)
@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("activation", activations.NAMES)
def test_the_forward_pass_matches_the_per_sample_reference(hidden, n_outputs, activation):
    X_aug, y, weights = _case(1, 9, hidden, n_outputs)
    fwd = network.forward_pass(X_aug, weights, activation, CE)
    np.testing.assert_allclose(fwd.y_hat, ref.predict(X_aug, weights, activation, CE), rtol=1e-13, atol=1e-16)
    assert fwd.u[-1] is fwd.y_hat and fwd.z[-1].shape == fwd.y_hat.shape == (9, n_outputs)
    if n_outputs > 1:
        np.testing.assert_allclose(fwd.y_hat.sum(axis=1), 1.0, rtol=1e-15)


# ----- the loss -----------------------------------------------------------------------------------

def test_hand_worked_cross_entropies():
    # σ(0) = ½ whatever the target: −log ½ = log 2 per sample.
    assert network.loss([[1.0], [0.0]], None, CE, z_O=np.zeros((2, 1))) == pytest.approx(2 * math.log(2), rel=1e-15)
    # softmax of equal scores is ⅓ each: log 3 per sample.
    assert network.loss(np.eye(3), None, CE, z_O=np.zeros((3, 3))) == pytest.approx(3 * math.log(3), rel=1e-15)
    # z = log 3 gives σ = ¾: −log ¾ for target 1, −log ¼ for target 0.
    z = np.full((2, 1), math.log(3))
    assert network.loss([[1.0], [0.0]], None, CE, z_O=z) == pytest.approx(-math.log(0.75) - math.log(0.25), rel=1e-14)


def test_the_loss_from_z_o_is_finite_where_the_plain_formula_takes_log_of_zero():
    # σ(±1000) rounds to exactly 1 or 0; −log σ(z) = log(1 + e^−z) is still about 0 or |z|.
    z = np.array([[1000.0], [1000.0], [-1000.0], [-1000.0], [40.0]])
    y = np.array([[1.0], [0.0], [1.0], [0.0], [1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        L = network.loss(y, network.output(z, CE), CE, z_O=z)
        assert L == pytest.approx(1000.0 + 1000.0 + math.log1p(math.exp(-40.0)), rel=1e-15)
        soft = np.array([[1000.0, 0.0, -1000.0]])
        assert network.loss([[0.0, 0.0, 1.0]], None, CE, z_O=soft) == pytest.approx(2000.0, rel=1e-15)
        assert network.loss([[1.0, 0.0, 0.0]], None, CE, z_O=soft) == pytest.approx(0.0, abs=1e-300)
        assert network.loss([[1.0, 0.0, 0.0]], None, CE, z_O=np.array([[-1e6, -1e6, -1e6]])) == pytest.approx(math.log(3))


def test_the_loss_of_a_non_finite_z_o_is_not_finite_and_raises_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for z in ([[np.inf]], [[np.nan]], [[np.inf, 0.0]], [[np.nan, 1.0]]):
            z = np.array(z)
            y = np.zeros_like(z)
            y[0, -1] = 1.0
            assert not math.isfinite(network.loss(y, None, CE, z_O=z))


@pytest.mark.parametrize("n_outputs", [1, 2, 4])
def test_the_loss_from_y_hat_alone_is_the_formula_as_written(n_outputs):
    X_aug, y, weights = _case(5, 11, (3,), n_outputs)
    fwd = network.forward_pass(X_aug, weights, "tanh", CE)
    expected = ref.loss(X_aug, y, weights, "tanh", "cross_entropy")
    assert network.loss(y, fwd.y_hat, CE, z_O=fwd.z[-1]) == pytest.approx(expected, rel=1e-13)
    assert network.loss(y, fwd.y_hat, CE) == pytest.approx(expected, rel=1e-13)


def test_the_squared_loss_ignores_z_o_and_keeps_its_numbers(prepared):
    W_H, W_O = network.init_weights(2, 3, seed=9)
    y_hat = network.forward(prepared.X_train_aug, W_H, W_O).u_O
    assert network.loss(prepared.y_train, y_hat) == network.loss(prepared.y_train, y_hat, "squared", z_O=y_hat + 1)
    assert network.loss(prepared.y_train, y_hat) == pytest.approx(3.52260967, abs=1e-8)


# ----- the backward pass --------------------------------------------------------------------------

@pytest.mark.parametrize("hidden", DEPTHS)
@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("activation", activations.NAMES)
@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
def test_every_layer_matches_the_chain_rule_of_the_reference(hidden, n_outputs, activation, weight_decay):
    X_aug, y, weights = _case(2, 8, hidden, n_outputs)
    fwd, bwd = network.passes(X_aug, y, weights, activation, weight_decay, CE)
    expected = ref.batch(X_aug, y, weights, activation, weight_decay, "cross_entropy")
    np.testing.assert_array_equal(bwd.delta[-1], fwd.y_hat - y)             # δ_O = ŷ − y, as written
    for k in range(len(weights)):
        np.testing.assert_allclose(fwd.z[k], expected["z"][k], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(fwd.u[k], expected["u"][k], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(bwd.delta[k], expected["delta"][k], rtol=1e-9, atol=1e-13)
        np.testing.assert_allclose(bwd.dW[k], expected["dW"][k], rtol=1e-9, atol=1e-13)
    assert network.objective(X_aug, y, weights, activation, weight_decay, CE) == pytest.approx(
        expected["loss"] + expected["penalty"], rel=1e-12)


@pytest.mark.parametrize("hidden", DEPTHS)
@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("activation", activations.NAMES)
@pytest.mark.parametrize("weight_decay", [0.0, 0.05])
def test_every_gradient_matches_centred_differences_of_the_cross_entropy(prepared, hidden, n_outputs,
                                                                          activation, weight_decay):
    r = np.random.default_rng(8)
    X = prepared.X_train_aug
    y = _targets(r, len(X), n_outputs)
    weights = network.init_layers(2, hidden, n_outputs, seed=5)
    fwd, bwd = network.passes(X, y, weights, activation, weight_decay, CE)
    num = gradcheck.numerical_gradients(X, y, weights, activation, weight_decay, loss=CE)
    for z in fwd.z[:-1]:       # a ReLU kink within ε would make centred differences wrong, not backward
        assert np.abs(z).min() > 1e-4
    # Centred differences carry a rounding error of about 1e-16·|J|/ε ≈ 1e-9 here: a layer whose
    # gradient is that small (sigmoid, three layers down) is judged by the absolute difference.
    for k, (a, n) in enumerate(zip(bwd.dW, num)):
        assert _norm_error(a, n) < 1e-7 or np.abs(a - n).max() < 1e-8, f"layer {k}"
        np.testing.assert_allclose(a, n, rtol=1e-5, atol=1e-8)


@SETTINGS
@given(n=st.integers(1, 40), hidden=st.lists(st.integers(1, 6), min_size=0, max_size=3).map(tuple),
       n_outputs=st.integers(1, 4), activation=st.sampled_from(["sigmoid", "tanh"]),
       weight_decay=st.sampled_from([0.0, 0.01, 0.5]), seed=st.integers(0, 2**32 - 1))
def test_for_any_network_and_batch_the_gradient_is_the_slope_of_the_objective(n, hidden, n_outputs, activation,
                                                                               weight_decay, seed):
    X_aug, y, weights = _case(seed, n, hidden, n_outputs)
    _, bwd = network.passes(X_aug, y, weights, activation, weight_decay, CE)
    num = gradcheck.numerical_gradients(X_aug, y, weights, activation, weight_decay, eps=1e-5, loss=CE)
    for a, b in zip(bwd.dW, num):
        assert _norm_error(a, b) < 1e-6 or np.abs(a - b).max() < 1e-8


def test_the_gradient_check_catches_a_delta_without_the_output(prepared):
    # δ_O = z_O − y (the squared loss's delta, forgetting σ) is not the cross-entropy's gradient.
    weights = network.init_layers(2, (3,), 1, seed=9)
    X, y = prepared.X_train_aug, (prepared.y_train > 0.5).astype(float)
    fwd = network.forward_pass(X, weights, "sigmoid", "squared")
    wrong = network.backward_pass(y, weights, fwd)
    num = gradcheck.numerical_gradients(X, y, weights, loss=CE)
    assert _norm_error(wrong.dW[-1], num[-1]) > 0.1


def test_the_lecture_names_take_the_loss_too():
    X_aug, y, (W_H, W_O) = _case(3, 6, (4,), 3)
    fwd, bwd = network.gradients(X_aug, y, W_H, W_O, "relu", loss=CE)
    np.testing.assert_array_equal(fwd.u_O, network.output(fwd.z_O, CE))
    np.testing.assert_array_equal(bwd.delta_O, fwd.u_O - y)
    num = gradcheck.numerical_gradient(X_aug, y, W_H, W_O, "relu", loss=CE)
    np.testing.assert_allclose(bwd.dW_O, num.dW_O, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(bwd.dW_H, num.dW_H, rtol=1e-5, atol=1e-8)

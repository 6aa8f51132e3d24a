"""Forward, loss and backward of core.network, and the activation value/derivative pairs."""

import numpy as np
import pytest

from core import activations, network
from tests import reference as ref


def test_forward_follows_the_equations_with_the_bias_in_row_zero(rng):
    X_aug = np.hstack([np.ones((5, 1)), rng.normal(size=(5, 2))])
    W_H, W_O = rng.normal(size=(3, 4)), rng.normal(size=(5, 1))
    fwd = network.forward(X_aug, W_H, W_O, "tanh")
    expected = ref.batch(X_aug, np.zeros((5, 1)), [W_H, W_O], "tanh")
    np.testing.assert_allclose(fwd.z_H, expected["z"][0], rtol=1e-14)
    np.testing.assert_allclose(fwd.u_H, expected["u"][0], rtol=1e-14)
    np.testing.assert_allclose(fwd.z_O, expected["z"][1], rtol=1e-13)
    np.testing.assert_array_equal(fwd.u_O, fwd.z_O)   # linear output


def test_output_bias_weight_shifts_every_prediction_by_the_same_amount(rng):
    X_aug = np.hstack([np.ones((6, 1)), rng.normal(size=(6, 2))])
    W_H, W_O = network.init_weights(2, 3, seed=1)
    shifted = W_O.copy()
    shifted[0] += 2.5
    diff = network.forward(X_aug, W_H, shifted).u_O - network.forward(X_aug, W_H, W_O).u_O
    np.testing.assert_allclose(diff, 2.5, rtol=1e-12)


def test_loss_is_half_the_sum_of_squares_not_the_mean():
    assert network.loss(np.array([[1.0], [2.0], [3.0]]), np.array([[0.0], [2.0], [5.0]])) == 0.5 * (1 + 0 + 4)


def test_backward_deltas_follow_the_equations(rng):
    X_aug = np.hstack([np.ones((7, 1)), rng.normal(size=(7, 2))])
    y = rng.normal(size=(7, 1))
    W_H, W_O = rng.normal(size=(3, 2)), rng.normal(size=(3, 1))
    fwd = network.forward(X_aug, W_H, W_O)
    bwd = network.backward(X_aug, y, W_H, W_O, fwd)
    np.testing.assert_allclose(bwd.delta_O, fwd.z_O - y, rtol=1e-14)
    _, g_prime = ref.activation("sigmoid")
    np.testing.assert_allclose(bwd.delta_H, g_prime(fwd.z_H) * (bwd.delta_O @ W_O[1:].T), rtol=1e-12)
    np.testing.assert_allclose(bwd.dW_O[0], bwd.delta_O.sum(axis=0), rtol=1e-12)   # bias row first
    np.testing.assert_allclose(bwd.dW_H, X_aug.T @ bwd.delta_H, rtol=1e-12)


def test_output_bias_weight_passes_no_error_back(rng):
    X_aug = np.hstack([np.ones((4, 1)), rng.normal(size=(4, 2))])
    y = rng.normal(size=(4, 1))
    W_H, W_O = rng.normal(size=(3, 2)), rng.normal(size=(3, 1))
    other = W_O.copy()
    other[0] = 100.0
    # δ_H depends on W_O only through W_O[1:] (δ_O itself changes, so compare with δ_O fixed).
    fwd = network.forward(X_aug, W_H, W_O)
    a = network.backward(X_aug, y, W_H, W_O, fwd).delta_H
    b = network.backward(X_aug, y, W_H, other, fwd).delta_H
    np.testing.assert_array_equal(a, b)


def test_gradients_returns_the_same_forward_and_backward_as_the_separate_calls(rng):
    X_aug = np.hstack([np.ones((4, 1)), rng.normal(size=(4, 2))])
    y = rng.normal(size=(4, 1))
    W_H, W_O = network.init_weights(2, 5, seed=4)
    fwd, bwd = network.gradients(X_aug, y, W_H, W_O, "relu")
    fwd2 = network.forward(X_aug, W_H, W_O, "relu")
    bwd2 = network.backward(X_aug, y, W_H, W_O, fwd2, "relu")
    for a, b in zip(fwd + bwd, fwd2 + bwd2):
        np.testing.assert_array_equal(a, b)


def test_augment_prepends_a_column_of_ones():
    np.testing.assert_array_equal(network.augment([[2.0, 3.0], [4.0, 5.0]]), [[1, 2, 3], [1, 4, 5]])


@pytest.mark.parametrize("name, value, derivative", [
    ("sigmoid", lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
    ("tanh", np.tanh, lambda z: 1 / np.cosh(z) ** 2),
    ("relu", lambda z: np.where(z > 0, z, 0.0), lambda z: np.where(z > 0, 1.0, 0.0)),
])
def test_activation_pairs_compute_value_and_derivative(name, value, derivative):
    z = np.array([-30.0, -2.0, -0.5, 0.0, 0.3, 1.0, 4.0, 30.0])
    g = activations.get(name)
    u = g.value(z)
    np.testing.assert_allclose(u, value(z), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(g.der(z, u), derivative(z), rtol=1e-9, atol=1e-12)


def test_activation_out_buffers_give_the_same_numbers_as_fresh_arrays(rng):
    z = rng.normal(size=(5, 3))
    for g in activations.ACTIVATIONS.values():
        u = g.value(z)
        out_u, out_d = np.empty_like(z), np.empty_like(z)
        np.testing.assert_array_equal(g.value(z, out=out_u), u)
        np.testing.assert_array_equal(out_u, u)
        np.testing.assert_array_equal(g.der(z, u, out=out_d), g.der(z, u))
        np.testing.assert_array_equal(out_d, g.der(z, u))


def test_relu_derivative_at_zero_is_zero():
    g = activations.get("relu")
    z = np.array([-1.0, 0.0, -0.0, 1e-300])
    np.testing.assert_array_equal(g.der(z, g.value(z)), [0.0, 0.0, 0.0, 1.0])
    out = np.full(4, 7.0)     # the in-place form training uses
    np.testing.assert_array_equal(g.der(z, g.value(z), out=out), [0.0, 0.0, 0.0, 1.0])


def test_sigmoid_does_not_warn_for_very_negative_inputs():
    import warnings
    g = activations.get("sigmoid")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = network.forward(np.array([[1.0, -1000.0]]), np.array([[0.0], [1.0]]), np.array([[0.0], [1.0]]))
    assert out.u_H[0, 0] == 0.0 and g.value(np.array([1000.0]))[0] == 1.0


def test_activation_names_are_sigmoid_tanh_relu_and_carry_latex():
    assert activations.NAMES == ("sigmoid", "tanh", "relu")
    for g in activations.ACTIVATIONS.values():
        assert "g(z)" in g.latex and "g'(z)" in g.der_latex

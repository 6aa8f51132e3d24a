"""Analytic gradients (core.network.backward) agree with centred differences."""

import numpy as np
import pytest

from core import activations, gradcheck, network


def _relative_errors(X_aug, y, W_H, W_O, activation):
    fwd = network.forward(X_aug, W_H, W_O, activation)
    bwd = network.backward(X_aug, y, W_H, W_O, fwd, activation)
    num = gradcheck.numerical_gradient(X_aug, y, W_H, W_O, activation)
    return (gradcheck.relative_error(bwd.dW_H, num.dW_H).max(),
            gradcheck.relative_error(bwd.dW_O, num.dW_O).max(), fwd)


@pytest.mark.parametrize("activation", activations.NAMES)
@pytest.mark.parametrize("n_hidden", [1, 2, 3, 8, 32])
@pytest.mark.parametrize("seed", [0, 321])
def test_backward_matches_numerical_gradient_on_the_income_data(prepared, activation, n_hidden, seed):
    W_H, W_O = network.init_weights(2, n_hidden, seed=seed)
    err_H, err_O, fwd = _relative_errors(prepared.X_train_aug, prepared.y_train, W_H, W_O, activation)
    # A kink of ReLU within ε of a pre-activation would make centred differences wrong, not backward.
    assert np.abs(fwd.z_H).min() > 1e-4
    assert err_H < 1e-6, f"∂L/∂W_H relative error {err_H:.2e}"
    assert err_O < 1e-6, f"∂L/∂W_O relative error {err_O:.2e}"


@pytest.mark.parametrize("activation", activations.NAMES)
def test_backward_matches_numerical_gradient_with_several_outputs(rng, activation):
    X_aug = np.hstack([np.ones((9, 1)), rng.normal(size=(9, 4))])
    y = rng.normal(size=(9, 2))
    W_H, W_O = network.init_weights(4, 6, n_outputs=2, seed=7)
    fwd = network.forward(X_aug, W_H, W_O, activation)
    bwd = network.backward(X_aug, y, W_H, W_O, fwd, activation)
    num = gradcheck.numerical_gradient(X_aug, y, W_H, W_O, activation)
    # Random data has gradient entries near 0, where centred differences' ~1e-9 noise dominates an
    # elementwise ratio; compare whole matrices instead (the cs231n form ‖a−n‖ / (‖a‖+‖n‖)).
    for a, n in ((bwd.dW_H, num.dW_H), (bwd.dW_O, num.dW_O)):
        assert np.linalg.norm(a - n) / (np.linalg.norm(a) + np.linalg.norm(n)) < 1e-6
        np.testing.assert_allclose(a, n, rtol=1e-5, atol=1e-7)


def test_numerical_gradient_of_a_known_function():
    # One sample, one linear-ish unit: L = ½(w_O1·σ(w_H)+w_O0 − y)², checked by hand.
    X_aug, y = np.array([[1.0]]), np.array([[2.0]])
    W_H, W_O = np.array([[0.0]]), np.array([[0.5], [3.0]])
    num = gradcheck.numerical_gradient(X_aug, y, W_H, W_O)
    r = 0.5 + 3.0 * 0.5 - 2.0   # ŷ − y with σ(0) = ½
    np.testing.assert_allclose(num.dW_O[:, 0], [r, r * 0.5], rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(num.dW_H[0, 0], r * 3.0 * 0.25, rtol=1e-8, atol=1e-12)


def test_numerical_gradient_leaves_the_weights_unchanged(prepared):
    W_H, W_O = network.init_weights(2, 3, seed=9)
    before = W_H.copy(), W_O.copy()
    gradcheck.numerical_gradient(prepared.X_train_aug, prepared.y_train, W_H, W_O)
    np.testing.assert_array_equal(W_H, before[0])
    np.testing.assert_array_equal(W_O, before[1])


def test_relative_error_is_zero_when_equal_and_one_when_opposite():
    np.testing.assert_array_equal(gradcheck.relative_error([1.0, -2.0, 0.0], [1.0, -2.0, 0.0]), [0, 0, 0])
    np.testing.assert_array_equal(gradcheck.relative_error([3.0], [-3.0]), [1.0])
    np.testing.assert_allclose(gradcheck.relative_error([1.0], [1.1]), [0.1 / 2.1])


def test_a_wrong_backward_fails_the_check(prepared):
    # The check must be able to fail: a sign slip in δ_H is caught.
    W_H, W_O = network.init_weights(2, 3, seed=9)
    fwd = network.forward(prepared.X_train_aug, W_H, W_O)
    bwd = network.backward(prepared.X_train_aug, prepared.y_train, W_H, W_O, fwd)
    num = gradcheck.numerical_gradient(prepared.X_train_aug, prepared.y_train, W_H, W_O)
    assert gradcheck.relative_error(-bwd.dW_H, num.dW_H).min() > 0.99

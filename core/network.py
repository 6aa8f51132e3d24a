"""A one-hidden-layer network: forward pass, loss and backward pass, in the notation on screen.

Shapes (N samples, N_I inputs, N_H hidden units, N_O outputs):

    X_aug (N, N_I+1)   y (N, N_O)   W_H (N_I+1, N_H)   W_O (N_H+1, N_O)
    z_H, u_H (N, N_H)  z_O, u_O (N, N_O)

Bias convention: a bias is an extra node whose output is always 1. It is column 0 of ``X_aug`` and
of ``[1, u_H]``, so row 0 of ``W_H`` and of ``W_O`` holds the bias weights. Hidden unit j of the
maths is column j-1 of ``z_H``; input x_i is column i of ``X_aug``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from core import activations


class Forward(NamedTuple):
    """Values of one forward pass: ``z_H``, ``u_H`` (N, N_H); ``z_O``, ``u_O`` (N, N_O)."""

    z_H: np.ndarray
    u_H: np.ndarray
    z_O: np.ndarray
    u_O: np.ndarray


class Backward(NamedTuple):
    """Deltas ∂L/∂z (``delta_O`` (N, N_O), ``delta_H`` (N, N_H)) and gradients shaped like W."""

    delta_O: np.ndarray
    delta_H: np.ndarray
    dW_O: np.ndarray
    dW_H: np.ndarray


def augment(A: np.ndarray) -> np.ndarray:
    """``[1, A]``: prepend the bias node's constant output as column 0. (N, k) -> (N, k+1)."""
    A = np.asarray(A, dtype=float)
    return np.hstack([np.ones((A.shape[0], 1)), A])


def is_whole(value, low: int, high: int | None = None) -> bool:
    """True if ``value`` is a whole number (not a bool) with ``low ≤ value ≤ high``; never raises."""
    try:
        whole = not isinstance(value, bool) and int(value) == value
    except (TypeError, ValueError, OverflowError):   # None, "3", nan, inf
        return False
    return whole and low <= value and (high is None or value <= high)


def init_weights(n_inputs: int, n_hidden: int, n_outputs: int = 1, seed: int = 321):
    """Standard-normal initial weights ``(W_H, W_O)``, drawn W_H first as in the lecture demo.

    ``np.random.RandomState(seed)`` gives the same draws as ``np.random.seed(seed)`` followed by
    ``np.random.randn`` without touching numpy's global state.
    """
    for name, value, low in (("n_inputs", n_inputs, 1), ("n_hidden", n_hidden, 1),
                             ("n_outputs", n_outputs, 1)):
        if not is_whole(value, low):
            raise ValueError(f"{name} must be a whole number ≥ {low}, got {value!r}.")
    if not is_whole(seed, 0, 2**32 - 1):
        raise ValueError(f"seed must be a whole number from 0 to 2**32 - 1, got {seed!r}.")
    rng = np.random.RandomState(int(seed))
    W_H = rng.randn(int(n_inputs) + 1, int(n_hidden))
    W_O = rng.randn(int(n_hidden) + 1, int(n_outputs))
    return W_H, W_O


def forward(X_aug, W_H, W_O, activation: str = "sigmoid") -> Forward:
    """``z_H = X_aug·W_H``, ``u_H = g(z_H)``, ``z_O = [1, u_H]·W_O``, ``u_O = z_O`` (linear output)."""
    g = activations.get(activation)
    with np.errstate(all="ignore"):
        z_H = X_aug @ W_H
        u_H = g.value(z_H)
        z_O = W_O[0] + u_H @ W_O[1:]   # [1, u_H]·W_O without building [1, u_H]
    return Forward(z_H, u_H, z_O, z_O)


def loss(y, y_hat) -> float:
    """``L = ½ Σ_n (y_n − ŷ_n)²``, a sum over samples (and outputs), not a mean."""
    with np.errstate(all="ignore"):
        r = np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float)
        return 0.5 * float(np.sum(r * r))


def backward(X_aug, y, W_H, W_O, fwd: Forward, activation: str = "sigmoid") -> Backward:
    """Deltas and gradients of ``L`` for the batch ``X_aug``, given its forward pass ``fwd``.

    ``delta_O = −(y − z_O)``; ``delta_H = g'(z_H) ⊙ (delta_O · W_O[1:]ᵀ)`` — row 0 of W_O belongs to
    the bias node, which has no inputs, so it passes no error back; ``dW_O = [1, u_H]ᵀ·delta_O``
    (bias row first, as in the forward pass); ``dW_H = X_augᵀ·delta_H``.
    """
    g = activations.get(activation)
    with np.errstate(all="ignore"):
        delta_O = -(y - fwd.z_O)
        delta_H = g.der(fwd.z_H, fwd.u_H) * (delta_O @ W_O[1:].T)
        dW_O = augment(fwd.u_H).T @ delta_O
        dW_H = X_aug.T @ delta_H
    return Backward(delta_O, delta_H, dW_O, dW_H)


def gradients(X_aug, y, W_H, W_O, activation: str = "sigmoid") -> tuple[Forward, Backward]:
    """Forward and backward pass in one call, for pages that show both."""
    fwd = forward(X_aug, W_H, W_O, activation)
    return fwd, backward(X_aug, y, W_H, W_O, fwd, activation)

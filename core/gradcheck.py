"""Numerical gradients by centred differences, to check the analytic backward pass."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from core import network


class Gradients(NamedTuple):
    """Gradients shaped like the weights they belong to."""

    dW_H: np.ndarray
    dW_O: np.ndarray


def numerical_gradients(X_aug, y, weights, activation: str = "sigmoid", weight_decay: float = 0.0,
                        eps: float = 1e-6, only=None, loss: str = "squared") -> list[np.ndarray]:
    """``∂J/∂w ≈ (J(w + ε) − J(w − ε)) / 2ε`` for every weight of every layer, one at a time.

    J is ``network.objective``, what a step lowers: the loss (``½ Σ (y − ŷ)²``, or the
    cross-entropy for ``loss="cross_entropy"``) plus ``(λ/2) Σ w²`` over non-bias weights, from the
    forward pass alone, never the backward pass. ``only``: a set of (layer, row, col) to compute
    (two forward passes each); the rest are NaN.
    """
    network.check_loss(loss)

    def J():
        return network.objective(X_aug, y, weights, activation, weight_decay, loss)

    weights = [np.array(W, dtype=float) for W in weights]
    grads = []
    for l, W in enumerate(weights):
        dW = np.zeros_like(W) if only is None else np.full_like(W, np.nan)
        for idx in np.ndindex(W.shape):
            if only is not None and (l, *idx) not in only:
                continue
            saved = W[idx]
            W[idx] = saved + eps
            plus = J()
            W[idx] = saved - eps
            minus = J()
            W[idx] = saved
            dW[idx] = (plus - minus) / (2 * eps)
        grads.append(dW)
    return grads


def numerical_gradient(X_aug, y, W_H, W_O, activation: str = "sigmoid", eps: float = 1e-6,
                       loss: str = "squared") -> Gradients:
    """``numerical_gradients`` for the lecture's one hidden layer (no decay): ``.dW_H``, ``.dW_O``."""
    return Gradients(*numerical_gradients(X_aug, y, [W_H, W_O], activation, 0.0, eps, loss=loss))


def relative_error(analytic, numerical, floor: float = 1e-12) -> np.ndarray:
    """Elementwise ``|a − n| / max(|a| + |n|, floor)``: 0 when equal, 1 when opposite or unrelated."""
    a = np.asarray(analytic, dtype=float)
    n = np.asarray(numerical, dtype=float)
    return np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), floor)


def misordered_output_gradient(u_H, delta_O) -> np.ndarray:
    """The lecture demo's published mistake: ``[u_H, 1]ᵀ·delta_O``, the bias column stacked *last*.

    The forward pass puts the bias first (``[1, u_H]``), so this puts the bias gradient in the last
    row and shifts every other row up by one. Kept so a page can show a gradient check catching it.
    """
    u = np.asarray(u_H, dtype=float)
    return np.hstack([u, np.ones((u.shape[0], 1))]).T @ delta_O

"""Numerical gradients by centred differences, to check the analytic backward pass."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from core import network


class Gradients(NamedTuple):
    """Gradients shaped like the weights they belong to."""

    dW_H: np.ndarray
    dW_O: np.ndarray


def numerical_gradient(X_aug, y, W_H, W_O, activation: str = "sigmoid", eps: float = 1e-6) -> Gradients:
    """``∂L/∂w ≈ (L(w + ε) − L(w − ε)) / 2ε`` for every weight, one at a time (2 passes per weight)."""

    def L(A, B):
        return network.loss(y, network.forward(X_aug, A, B, activation).u_O)

    W_H = np.array(W_H, dtype=float)
    W_O = np.array(W_O, dtype=float)
    grads = []
    for W in (W_H, W_O):
        dW = np.zeros_like(W)
        for idx in np.ndindex(W.shape):
            saved = W[idx]
            W[idx] = saved + eps
            plus = L(W_H, W_O)
            W[idx] = saved - eps
            minus = L(W_H, W_O)
            W[idx] = saved
            dW[idx] = (plus - minus) / (2 * eps)
        grads.append(dW)
    return Gradients(*grads)


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

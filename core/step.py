"""One full-batch gradient-descent step with every intermediate value, for showing it number by number.

``network.gradients`` gives the matrices; this adds what a walk-through needs beside them: each
sample's share of the loss and of every gradient (the gradients are sums of per-sample terms),
g'(z_H), the updated weights and the loss they give.
"""

from __future__ import annotations

import math
from typing import NamedTuple, Sequence

import numpy as np

from core import activations, network


class Step(NamedTuple):
    """One step ``W ← W − η·∂L/∂W`` from the weights ``W_H``, ``W_O``, with everything in between.

    Shapes (N samples, N_I inputs, N_H hidden units, N_O outputs): ``losses`` (N,) each sample's
    ½ Σ_k (y − ŷ)²; ``g_prime`` (N, N_H) g'(z_H); ``dW_O_terms`` (N, N_H+1, N_O) and
    ``dW_H_terms`` (N, N_I+1, N_H) each sample's term of the gradients (they sum to ``bwd.dW_O``
    and ``bwd.dW_H``); ``W_H_new``, ``W_O_new`` the weights after the step and ``loss_after`` the
    loss they give (inf or nan when the step overflows).
    """

    X_aug: np.ndarray
    y: np.ndarray
    W_H: np.ndarray
    W_O: np.ndarray
    eta: float
    activation: str
    fwd: network.Forward
    bwd: network.Backward
    loss: float
    losses: np.ndarray
    g_prime: np.ndarray
    dW_O_terms: np.ndarray
    dW_H_terms: np.ndarray
    W_H_new: np.ndarray
    W_O_new: np.ndarray
    loss_after: float

    @property
    def change(self) -> float:
        """``loss_after − loss``: negative when the step lowered the loss."""
        return self.loss_after - self.loss

    @property
    def gradient_norm2(self) -> float:
        """``‖∂L/∂W‖²`` over every weight of both layers."""
        with np.errstate(all="ignore"):
            return float(np.sum(self.bwd.dW_H ** 2) + np.sum(self.bwd.dW_O ** 2))

    @property
    def predicted_change(self) -> float:
        """The change a small step would make, from the slope alone: ``−η·‖∂L/∂W‖²``."""
        return -self.eta * self.gradient_norm2

    def __repr__(self) -> str:
        return (f"Step(N_H={self.W_H.shape[1]}, eta={self.eta}, {self.activation}, "
                f"loss {self.loss:.8g} → {self.loss_after:.8g})")


def sample_losses(y, y_hat) -> np.ndarray:
    """Each sample's share ``½ Σ_k (y_nk − ŷ_nk)²`` (N,); they sum to ``network.loss``."""
    with np.errstate(all="ignore"):
        r = np.asarray(y, dtype=float) - np.asarray(y_hat, dtype=float)
        return 0.5 * np.sum(r * r, axis=1)


def output_gradient_terms(u_H, delta_O) -> np.ndarray:
    """Sample n's term ``[1, u_H[n]]ᵀ·δ_O[n]`` of ``∂L/∂W_O``, for every n: (N, N_H+1, N_O)."""
    with np.errstate(all="ignore"):
        return network.augment(u_H)[:, :, None] * np.asarray(delta_O, dtype=float)[:, None, :]


def hidden_gradient_terms(X_aug, delta_H) -> np.ndarray:
    """Sample n's term ``X_aug[n]ᵀ·δ_H[n]`` of ``∂L/∂W_H``, for every n: (N, N_I+1, N_H)."""
    with np.errstate(all="ignore"):
        return np.asarray(X_aug, dtype=float)[:, :, None] * np.asarray(delta_H, dtype=float)[:, None, :]


def loss_after_step(X_aug, y, W_H, W_O, dW_H, dW_O, eta: float, activation: str = "sigmoid") -> float:
    """The loss after ``W ← W − η·dW`` with the gradient given (right or wrong)."""
    with np.errstate(all="ignore"):
        W_H_new = W_H - eta * dW_H
        W_O_new = W_O - eta * dW_O
        return network.loss(y, network.forward(X_aug, W_H_new, W_O_new, activation).u_O)


def one_step(X_aug, y, W_H, W_O, eta: float, activation: str = "sigmoid") -> Step:
    """Forward pass, loss, deltas, gradients and update for the batch ``X_aug`` (N, N_I+1), ``y`` (N, N_O)."""
    X_aug = np.asarray(X_aug, dtype=float)
    y = np.asarray(y, dtype=float)
    W_H = np.array(W_H, dtype=float)
    W_O = np.array(W_O, dtype=float)
    fwd, bwd = network.gradients(X_aug, y, W_H, W_O, activation)
    with np.errstate(all="ignore"):
        g_prime = activations.get(activation).der(fwd.z_H, fwd.u_H)
        W_H_new = W_H - eta * bwd.dW_H
        W_O_new = W_O - eta * bwd.dW_O
    after = network.loss(y, network.forward(X_aug, W_H_new, W_O_new, activation).u_O)
    return Step(X_aug, y, W_H, W_O, float(eta), activation, fwd, bwd, network.loss(y, fwd.u_O),
                sample_losses(y, fwd.u_O), g_prime, output_gradient_terms(fwd.u_H, bwd.delta_O),
                hidden_gradient_terms(X_aug, bwd.delta_H), W_H_new, W_O_new, after)


def largest_lowering_eta(step: Step, candidates: Sequence[float]) -> float | None:
    """The largest η of ``candidates`` below ``step.eta`` whose step along this gradient lowers the loss."""
    for eta in sorted((c for c in candidates if c < step.eta), reverse=True):
        after = loss_after_step(step.X_aug, step.y, step.W_H, step.W_O, step.bwd.dW_H, step.bwd.dW_O,
                                eta, step.activation)
        if math.isfinite(after) and after < step.loss:
            return float(eta)
    return None

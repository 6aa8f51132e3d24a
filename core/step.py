"""One gradient-descent step with every intermediate value, for showing it number by number.

``network.passes`` gives the matrices; this adds what a walk-through needs beside them: each
sample's share of the loss and of every gradient (the data gradients are sums of per-sample
terms), g'(z) of every hidden layer, weight decay's term, the updated weights and the loss they give.
With ``loss="cross_entropy"`` ŷ is a probability (σ or softmax of z_O) and δ_O = ŷ − y.
"""

from __future__ import annotations

import math
from typing import NamedTuple, Sequence

import numpy as np

from core import activations, network


class Step(NamedTuple):
    """One step ``W ← W − η·∂/∂W`` from ``weights`` on the batch ``X_aug``, ``y``, with everything in between.

    Per layer l (N batch rows, shapes as in ``core.network``): ``forward`` (a, z, u) and
    ``backward`` (delta, dW) are the two passes; ``g_primes[l]`` (N, n_l) is g'(z[l]) of hidden
    layer l; ``dW_terms[l]`` (N, rows, cols) sample n's term ``a[l][n]ᵀ·delta[l][n]`` — they sum to
    the data gradient — and ``dW_decay[l]`` weight decay's term ``λ·W_l`` (bias row 0); ``dW`` is
    their sum. ``loss`` is the batch's ½ Σ (y − ŷ)², or its cross-entropy (``loss_kind``, computed
    from z_O), ``losses`` (N,) each sample's share, and ``penalty`` (λ/2) Σ w² (non-bias), the
    objective being their sum; ``loss_after`` and ``penalty_after`` the same for ``weights_new``
    (inf or nan when the step overflows). ``y_hat`` (N, N_O) is ŷ — for the cross-entropy the
    probabilities σ(z_O) (of classes[1]) or softmax(z_O) (one column per class) — ``z_O`` the
    output layer's z, and ``delta_O`` = ŷ − y for either loss.

    With one hidden layer the lecture's names work too: ``W_H``, ``W_O``, ``fwd``, ``bwd``,
    ``g_prime``, ``dW_H_terms``, ``dW_O_terms``, ``W_H_new``, ``W_O_new``.
    """

    X_aug: np.ndarray
    y: np.ndarray
    weights: list
    eta: float
    activation: str
    weight_decay: float
    forward: network.ForwardPass
    backward: network.BackwardPass
    loss: float
    penalty: float
    losses: np.ndarray
    g_primes: list
    dW_terms: list
    dW_decay: list
    weights_new: list
    loss_after: float
    penalty_after: float
    loss_kind: str = "squared"

    @property
    def y_hat(self) -> np.ndarray:
        """ŷ = u_O (N, N_O): z_O itself for the squared loss, probabilities for the cross-entropy."""
        return self.forward.u[-1]

    @property
    def z_O(self) -> np.ndarray:
        return self.forward.z[-1]

    @property
    def delta_O(self) -> np.ndarray:
        """δ_O = ∂L/∂z_O = ŷ − y (N, N_O), for either loss."""
        return self.backward.delta[-1]

    @property
    def objective(self) -> float:
        """What the step lowers: ``loss + penalty``."""
        return self.loss + self.penalty

    @property
    def objective_after(self) -> float:
        return self.loss_after + self.penalty_after

    @property
    def change(self) -> float:
        """``loss_after − loss``: negative when the step lowered the loss."""
        return self.loss_after - self.loss

    @property
    def gradient_norm2(self) -> float:
        """``‖∂/∂W‖²`` over every weight of every layer."""
        with np.errstate(all="ignore"):
            return float(sum(np.sum(dW ** 2) for dW in self.backward.dW))

    @property
    def predicted_change(self) -> float:
        """The change of the objective a small step would make, from the slope alone: ``−η·‖∂/∂W‖²``."""
        return -self.eta * self.gradient_norm2

    # ----- one hidden layer, in the lecture's names ----------------------------------------------

    def _pair(self, layers):
        if len(self.weights) != 2:
            raise AttributeError(f"this name belongs to one hidden layer; the network has "
                                 f"{len(self.weights) - 1}: use the per-layer lists.")
        return layers

    # Entry 0 (the hidden layer) or 1 (the output layer) of a per-layer list, in the lecture's names.
    W_H = property(lambda self: self._pair(self.weights)[0])
    W_O = property(lambda self: self._pair(self.weights)[1])
    W_H_new = property(lambda self: self._pair(self.weights_new)[0])
    W_O_new = property(lambda self: self._pair(self.weights_new)[1])
    g_prime = property(lambda self: self._pair(self.g_primes)[0])
    dW_H_terms = property(lambda self: self._pair(self.dW_terms)[0])
    dW_O_terms = property(lambda self: self._pair(self.dW_terms)[1])

    @property
    def fwd(self) -> network.Forward:
        (z_H, z_O), (u_H, u_O) = self._pair(self.forward.z), self.forward.u
        return network.Forward(z_H, u_H, z_O, u_O)

    @property
    def bwd(self) -> network.Backward:
        (delta_H, delta_O), (dW_H, dW_O) = self._pair(self.backward.delta), self.backward.dW
        return network.Backward(delta_O, delta_H, dW_O, dW_H)

    def __repr__(self) -> str:
        hidden = ", ".join(str(W.shape[1]) for W in self.weights[:-1])
        extra = (f", weight_decay={self.weight_decay}" if self.weight_decay else "") + \
                (f", {self.loss_kind}" if self.loss_kind != "squared" else "")
        return (f"Step(N={len(self.y)}, hidden=({hidden}), eta={self.eta}, {self.activation}{extra}, "
                f"loss {self.loss:.8g} → {self.loss_after:.8g})")


def sample_losses(y, y_hat, loss: str = "squared", z_O=None) -> np.ndarray:
    """Each sample's share of the loss (N,); they sum to ``network.loss``.

    Squared: ``½ Σ_k (y_nk − ŷ_nk)²``. Cross-entropy: ``−Σ_k y_nk log ŷ_nk``, computed stably from
    ``z_O`` (``network.sample_cross_entropy``), which must be given.
    """
    if network.check_loss(loss) == "cross_entropy":
        if z_O is None:
            raise ValueError("Each sample's cross-entropy is computed from z_O (ŷ alone may have rounded to "
                             "0 or 1); pass z_O.")
        return network.sample_cross_entropy(y, z_O)
    with np.errstate(all="ignore"):
        r = np.asarray(y, dtype=float) - np.asarray(y_hat, dtype=float)
        return 0.5 * np.sum(r * r, axis=1)


def gradient_terms(a, delta) -> np.ndarray:
    """Sample n's term ``a[n]ᵀ·δ[n]`` of ``a ᵀ·δ``, for every n: (N, rows, cols)."""
    with np.errstate(all="ignore"):
        return np.asarray(a, dtype=float)[:, :, None] * np.asarray(delta, dtype=float)[:, None, :]


def decay_terms(weights, weight_decay: float) -> list[np.ndarray]:
    """Weight decay's part of each gradient: ``λ·W_k`` with the bias row 0 (biases are not decayed)."""
    terms = []
    with np.errstate(all="ignore"):
        for W in weights:
            term = np.zeros_like(W, dtype=float)
            np.multiply(W[1:], weight_decay, out=term[1:])
            terms.append(term)
    return terms


def objective_after(X_aug, y, weights, dW, eta: float, activation: str = "sigmoid",
                    weight_decay: float = 0.0, loss: str = "squared") -> float:
    """Loss plus penalty after ``W ← W − η·dW`` with the gradient given (right or wrong)."""
    with np.errstate(all="ignore"):
        new = [W - eta * g for W, g in zip(weights, dW)]
    return network.objective(X_aug, y, new, activation, weight_decay, loss)


def loss_after_step(X_aug, y, W_H, W_O, dW_H, dW_O, eta: float, activation: str = "sigmoid",
                    loss: str = "squared") -> float:
    """The loss after ``W ← W − η·dW`` with the gradient given (right or wrong), one hidden layer."""
    return objective_after(X_aug, y, [W_H, W_O], [dW_H, dW_O], eta, activation, loss=loss)


def gradient_step(X_aug, y, weights: Sequence[np.ndarray], eta: float, activation: str = "sigmoid",
                  weight_decay: float = 0.0, loss: str = "squared") -> Step:
    """Forward pass, loss, deltas, gradients and update for the batch ``X_aug`` (N, N_I+1), ``y`` (N, N_O).

    The passes of ``core.network``, whose arithmetic training runs bit for bit (``core.fast``), so a
    step from a history's snapshot on that epoch's batch lands on the history's next weights.
    ``loss``: "squared" (linear output) or "cross_entropy" (σ or softmax output), as in training.
    """
    X_aug = np.asarray(X_aug, dtype=float)
    y = np.asarray(y, dtype=float)
    weights = [np.array(W, dtype=float) for W in weights]
    g = activations.get(activation)
    fwd, bwd = network.passes(X_aug, y, weights, activation, weight_decay, loss)
    with np.errstate(all="ignore"):
        g_primes = [g.der(z, u) for z, u in zip(fwd.z[:-1], fwd.u[:-1])]
        new = [W - eta * dW for W, dW in zip(weights, bwd.dW)]
    after = network.forward_pass(X_aug, new, activation, loss)
    return Step(X_aug, y, weights, float(eta), activation, float(weight_decay), fwd, bwd,
                network.loss(y, fwd.y_hat, loss, z_O=fwd.z[-1]), network.penalty(weights, weight_decay),
                sample_losses(y, fwd.y_hat, loss, z_O=fwd.z[-1]), g_primes,
                [gradient_terms(a, delta) for a, delta in zip(fwd.a, bwd.delta)],
                decay_terms(weights, weight_decay), new, network.loss(y, after.y_hat, loss, z_O=after.z[-1]),
                network.penalty(new, weight_decay), loss)


def one_step(X_aug, y, W_H, W_O, eta: float, activation: str = "sigmoid", loss: str = "squared") -> Step:
    """``gradient_step`` for the lecture's one hidden layer: weights ``W_H``, ``W_O``, no decay."""
    return gradient_step(X_aug, y, [W_H, W_O], eta, activation, loss=loss)


def largest_lowering_eta(step: Step, candidates: Sequence[float]) -> float | None:
    """The largest η of ``candidates`` below ``step.eta`` whose step along this gradient lowers the objective."""
    for eta in sorted((c for c in candidates if c < step.eta), reverse=True):
        after = objective_after(step.X_aug, step.y, step.weights, step.backward.dW, eta, step.activation,
                                step.weight_decay, step.loss_kind)
        if math.isfinite(after) and after < step.objective:
            return float(eta)
    return None

"""A fully connected network: forward pass, loss and backward pass, written as the lecture's equations.

The lecture's network has one hidden layer (N samples, N_I inputs, N_H hidden units, N_O outputs):

    forward    z_H = X_aug·W_H        u_H = g(z_H)        z_O = [1, u_H]·W_O        ŷ = u_O = z_O
    loss       L = ½ Σ_n (y_n − ŷ_n)²
    backward   δ_O = −(y − z_O)       δ_H = g′(z_H) ⊙ (δ_O·W_O[1:]ᵀ)
               ∂L/∂W_O = [1, u_H]ᵀ·δ_O                ∂L/∂W_H = X_augᵀ·δ_H

    X_aug (N, N_I+1)   W_H (N_I+1, N_H)   z_H, u_H, δ_H (N, N_H)   W_O (N_H+1, N_O)   z_O, δ_O (N, N_O)

For classification (``loss="cross_entropy"``) only the output and the loss change, and δ_O keeps
its form:

    output     ŷ = σ(z_O) (one output: the probability of class 1), or ŷ_k = softmax(z_O)_k (K outputs)
    loss       L = −Σ_n Σ_k y_nk log ŷ_nk        (one output: L = −Σ_n [y log ŷ + (1 − y) log(1 − ŷ)])
    backward   δ_O = ŷ − y                       (the rest as above)

Bias convention: a bias is an extra node whose output is always 1. It is column 0 of ``X_aug`` and
of ``[1, u_H]``, so row 0 of every weight matrix holds the bias weights. Unit j of the maths is
column j−1 of ``z_H``; input x_i is column i of ``X_aug``.

``forward_pass`` and ``backward_pass`` run these equations for any number of hidden layers: the
weights are a list ``weights[l]``, l = 0 … L−1, first hidden layer first and the output layer last
(``W_H, W_O = weights`` for the lecture's network), and so are each layer's input ``a[l]`` (X_aug,
then [1, u[l−1]]), ``z[l]``, ``u[l]``, ``delta[l]`` and ``dW[l]``. ``forward``, ``backward`` and
``gradients`` give the same numbers in the lecture's names. Training runs the very same arithmetic
in preallocated buffers (``core.fast``), checked bit for bit against this file.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

from core import activations


class ForwardPass(NamedTuple):
    """Per layer l: its input ``a[l]`` (X_aug, then [1, u[l−1]]), ``z[l] = a[l]·W_l`` and ``u[l]``.

    Hidden layers have ``u[l] = g(z[l])``; the output ``u[-1] = ŷ = output(z[-1], loss)``: linear
    (``z[-1]`` itself) for the squared loss, σ or softmax for the cross-entropy.
    """

    a: list
    z: list
    u: list

    @property
    def y_hat(self) -> np.ndarray:
        return self.u[-1]


class BackwardPass(NamedTuple):
    """Per layer l: ``delta[l] = ∂L/∂z[l]`` (N, n_l) and ``dW[l]``, the gradient for ``weights[l]``."""

    delta: list
    dW: list


class Forward(NamedTuple):
    """One hidden layer's forward pass: ``z_H``, ``u_H`` (N, N_H); ``z_O``, ``u_O`` (N, N_O)."""

    z_H: np.ndarray
    u_H: np.ndarray
    z_O: np.ndarray
    u_O: np.ndarray


class Backward(NamedTuple):
    """One hidden layer's deltas ∂L/∂z (``delta_O`` (N, N_O), ``delta_H`` (N, N_H)) and gradients."""

    delta_O: np.ndarray
    delta_H: np.ndarray
    dW_O: np.ndarray
    dW_H: np.ndarray


def augment(A: np.ndarray) -> np.ndarray:
    """``[1, A]``: prepend the bias node's constant output as column 0. (N, k) -> (N, k+1)."""
    A = np.asarray(A, dtype=float)
    return np.hstack([np.ones((A.shape[0], 1)), A])


# ----- initial weights ----------------------------------------------------------------------------

def is_whole(value, low: int, high: int | None = None) -> bool:
    """True if ``value`` is a whole number (not a bool) with ``low ≤ value ≤ high``; never raises."""
    try:
        whole = not isinstance(value, bool) and int(value) == value
    except (TypeError, ValueError, OverflowError):   # None, "3", nan, inf
        return False
    return whole and low <= value and (high is None or value <= high)


def widths(n_hidden) -> tuple:
    """Hidden layer widths as a tuple, as given (not checked): 3 -> (3,), (8, 4) or [8, 4] -> (8, 4)."""
    return tuple(n_hidden) if isinstance(n_hidden, (tuple, list, np.ndarray)) else (n_hidden,)


def layer_shapes(n_inputs: int, hidden: Sequence[int], n_outputs: int = 1) -> list[tuple[int, int]]:
    """``(1 + fan-in, units)`` of every weight matrix, first hidden layer first, output last."""
    sizes = [int(n_inputs), *map(int, hidden), int(n_outputs)]
    return [(1 + fan_in, units) for fan_in, units in zip(sizes[:-1], sizes[1:])]


def init_layers(n_inputs: int, hidden: Sequence[int] = (3,), n_outputs: int = 1,
                seed: int = 321) -> list[np.ndarray]:
    """Standard-normal initial weights, one matrix per layer, drawn in order (output layer last).

    ``np.random.RandomState(seed)`` gives the same draws as ``np.random.seed(seed)`` followed by
    ``np.random.randn`` without touching numpy's global state. ``hidden=(n,)`` gives exactly
    ``init_weights(n_inputs, n)``; ``hidden=()`` one matrix straight from the inputs to the outputs.
    """
    try:
        hidden = tuple(hidden)
    except TypeError:
        raise ValueError(f"hidden must be a sequence of layer widths, got {hidden!r}.") from None
    for name, value in (("n_inputs", n_inputs), ("n_outputs", n_outputs)):
        if not is_whole(value, 1):
            raise ValueError(f"{name} must be a whole number ≥ 1, got {value!r}.")
    if not all(is_whole(n, 1) for n in hidden):
        raise ValueError(f"hidden must hold one whole number ≥ 1 per hidden layer (() for none), got {hidden!r}.")
    if not is_whole(seed, 0, 2**32 - 1):
        raise ValueError(f"seed must be a whole number from 0 to 2**32 - 1, got {seed!r}.")
    rng = np.random.RandomState(int(seed))
    return [rng.randn(rows, cols) for rows, cols in layer_shapes(n_inputs, hidden, n_outputs)]


def init_weights(n_inputs: int, n_hidden: int, n_outputs: int = 1, seed: int = 321):
    """The lecture's ``(W_H, W_O)``: ``init_layers`` with one hidden layer of ``n_hidden`` units."""
    if not is_whole(n_hidden, 1):
        raise ValueError(f"n_hidden must be a whole number ≥ 1, got {n_hidden!r}.")
    W_H, W_O = init_layers(n_inputs, (n_hidden,), n_outputs, seed)
    return W_H, W_O


# ----- the output layer and the loss that goes with it --------------------------------------------

LOSSES = ("squared", "cross_entropy")


def check_loss(loss: str) -> str:
    """``loss`` if it names one of ``LOSSES``; a ValueError naming the choices otherwise."""
    if not isinstance(loss, str) or loss not in LOSSES:
        raise ValueError(f"Unknown loss {loss!r}; choose one of {', '.join(LOSSES)}.")
    return loss


def output(z_O, loss: str = "squared") -> np.ndarray:
    """``ŷ = u_O`` from the output layer's ``z_O`` (N, N_O): the output that goes with the loss.

    - "squared": linear, ``ŷ = z_O`` (the lecture's network; z_O itself is returned);
    - "cross_entropy", one output: ``ŷ = σ(z_O) = 1 / (1 + e^−z_O)``, the probability of class 1;
    - "cross_entropy", K outputs: ``ŷ_k = softmax(z_O)_k = e^{z_k} / Σ_j e^{z_j}``, one probability
      per class (computed as e^{z_k − m} / Σ_j e^{z_j − m} with m = max_j z_j: the same ratios, and
      no e^{z} overflows).

    Each pairing of output and loss gives the same output delta, ``δ_O = ŷ − y`` (``backward_pass``).
    """
    check_loss(loss)
    if loss == "squared":
        return z_O
    z_O = np.asarray(z_O, dtype=float)
    with np.errstate(all="ignore"):
        if z_O.shape[-1] == 1:
            return activations.get("sigmoid").value(z_O)             # σ(z_O)
        e = np.exp(z_O - z_O.max(axis=-1, keepdims=True))           # e^{z_k − m}
        return e / e.sum(axis=-1, keepdims=True)                    # softmax(z_O)


# ----- the passes, any number of hidden layers ----------------------------------------------------

def forward_pass(X_aug, weights: Sequence[np.ndarray], activation: str = "sigmoid",
                 loss: str = "squared") -> ForwardPass:
    """``z[l] = a[l]·W_l`` layer by layer, from ``a[0] = X_aug``.

    Hidden layers: ``u[l] = g(z[l])`` and ``a[l+1] = [1, u[l]]``. Output layer: ``ŷ = output(z[-1], loss)``,
    linear (``ŷ = z[-1]``) for the squared loss, σ or softmax for the cross-entropy. ``X_aug``
    (N, N_I+1); ``weights`` as ``init_layers`` makes them (one matrix: no hidden layer). Overflow
    (a diverging run) gives inf or nan, without a warning.
    """
    g = activations.get(activation)
    check_loss(loss)
    a, z, u = [np.asarray(X_aug, dtype=float)], [], []
    with np.errstate(all="ignore"):
        for W in weights[:-1]:                 # the hidden layers
            z.append(a[-1] @ W)                # z_H = X_aug·W_H
            u.append(g.value(z[-1]))           # u_H = g(z_H)
            a.append(augment(u[-1]))           # [1, u_H]: the next layer's input, bias node first
        z.append(a[-1] @ weights[-1])          # z_O = [1, u_H]·W_O
        u.append(output(z[-1], loss))          # ŷ = u_O = z_O (squared), σ(z_O) or softmax(z_O) (cross-entropy)
    return ForwardPass(a, z, u)


def backward_pass(y, weights: Sequence[np.ndarray], fwd: ForwardPass, activation: str = "sigmoid",
                  weight_decay: float = 0.0) -> BackwardPass:
    """Deltas and gradients of ``L + (λ/2) Σ w²`` (non-bias weights), from the output down.

    Each step undoes one step of ``forward_pass``:

    - output: ``delta[-1] = ŷ − y``. For ``½ Σ (y − ŷ)²`` with ŷ = z[-1] that is −(y − ŷ). For the
      cross-entropy it is the loss's slope times the output's: with ŷ = σ(z),
      ∂L/∂ŷ = (ŷ − y) / (ŷ(1 − ŷ)) and ∂ŷ/∂z = ŷ(1 − ŷ); with ŷ = softmax(z),
      Σ_j (−y_j/ŷ_j)·ŷ_j(1[j = k] − ŷ_k) = ŷ_k Σ_j y_j − y_k = ŷ_k − y_k (one-hot y sums to 1).
      So ``fwd`` must come from ``forward_pass`` with the same loss;
    - ``z[l] = a[l]·W_l``: ``dW[l] = a[l]ᵀ·delta[l]`` (+ ``λ·W_l`` on rows 1: — bias rows are
      not decayed), and ``a[l]`` receives ``delta[l]·W_lᵀ``; its column 0 is the bias node,
      which has no inputs, so only ``delta[l]·W_l[1:]ᵀ`` travels on (row 0 passes nothing back);
    - ``u[l−1] = g(z[l−1])``: ``delta[l−1] = g'(z[l−1]) ⊙ (delta[l]·W_l[1:]ᵀ)``.

    ``y`` (N, N_O); ``fwd`` the forward pass of the same rows and weights.
    """
    g = activations.get(activation)
    a, z, u = fwd
    delta, dW = [None] * len(weights), [None] * len(weights)
    with np.errstate(all="ignore"):
        delta[-1] = u[-1] - y                            # δ_O = ŷ − y  (= −(y − z_O) for the linear output)
        for l in range(len(weights) - 1, -1, -1):
            dW[l] = a[l].T @ delta[l]                    # ∂L/∂W_O = [1, u_H]ᵀ·δ_O,  ∂L/∂W_H = X_augᵀ·δ_H
            if l > 0:                                    # δ_H = g′(z_H) ⊙ (δ_O·W_O[1:]ᵀ)
                delta[l - 1] = g.der(z[l - 1], u[l - 1]) * (delta[l] @ weights[l][1:].T)
        if weight_decay:
            for W, grad in zip(weights, dW):
                grad[1:] += weight_decay * W[1:]         # ∂J/∂w = ∂L/∂w + λ·w; bias rows are not decayed
    return BackwardPass(delta, dW)


def passes(X_aug, y, weights, activation: str = "sigmoid", weight_decay: float = 0.0,
           loss: str = "squared") -> tuple[ForwardPass, BackwardPass]:
    """Forward and backward pass in one call, for pages that show both."""
    fwd = forward_pass(X_aug, weights, activation, loss)
    return fwd, backward_pass(y, weights, fwd, activation, weight_decay)


# ----- what gradient descent lowers ---------------------------------------------------------------

def squared_error(y, y_hat) -> float:
    """``L = ½ Σ_n (y_n − ŷ_n)²``, a sum over samples (and outputs), not a mean."""
    with np.errstate(all="ignore"):
        r = np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float)
        return 0.5 * float(np.sum(r * r))


def sample_cross_entropy(y, z_O) -> np.ndarray:
    """Each sample's cross-entropy (N,), computed from ``z_O`` so that no log(0) and no overflow occur.

    With one output, log σ(z) = −log(1 + e^−z) and log(1 − σ(z)) = −log(1 + e^z), so
    ``−[y log ŷ + (1 − y) log(1 − ŷ)] = y·log(1 + e^−z) + (1 − y)·log(1 + e^z)``, where
    ``np.logaddexp(0, z) = log(1 + e^z)`` is exact for any z (about z for large z, e^z for very negative z).
    With K outputs, ``log ŷ_k = z_k − log Σ_j e^{z_j}`` and ``log Σ_j e^{z_j} = m + log Σ_j e^{z_j − m}``
    (m = max_j z_j, so every e^{…} ≤ 1), so ``−Σ_k y_k log ŷ_k = −Σ_k y_k (z_k − log Σ_j e^{z_j})``.
    A z_O that is not finite (a diverged run) gives inf or nan, without a warning.
    """
    y, z = np.asarray(y, dtype=float), np.asarray(z_O, dtype=float)
    with np.errstate(all="ignore"):
        if z.shape[-1] == 1:
            return np.sum(y * np.logaddexp(0.0, -z) + (1.0 - y) * np.logaddexp(0.0, z), axis=-1)
        m = z.max(axis=-1, keepdims=True)
        log_sum = m + np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True))   # log Σ_j e^{z_j}
        return -np.sum(y * (z - log_sum), axis=-1)


def cross_entropy(y, z_O) -> float:
    """``L = −Σ_n Σ_k y_nk log ŷ_nk`` (one output: ``−Σ_n [y log ŷ + (1 − y) log(1 − ŷ)]``), a sum
    over samples, computed stably from ``z_O`` (``sample_cross_entropy``)."""
    with np.errstate(all="ignore"):
        return float(np.sum(sample_cross_entropy(y, z_O)))


def loss(y, y_hat, loss: str = "squared", z_O=None) -> float:
    """The loss of predictions ``y_hat`` for targets ``y`` (N, N_O): a sum over samples, not a mean.

    - "squared": ``L = ½ Σ_n (y_n − ŷ_n)²`` (``squared_error``; z_O is not needed).
    - "cross_entropy": ``L = −Σ_n Σ_k y_nk log ŷ_nk``. Given ``z_O`` (what ŷ was made from) it is
      computed from z_O, stably (``cross_entropy``); training and the step page do so. From ŷ alone
      it is the formula as written (0·log 0 taken as 0), which is inf once ŷ has rounded to
      exactly 0 or 1 against its target.
    """
    check_loss(loss)
    if loss == "squared":
        return squared_error(y, y_hat)
    if z_O is not None:
        return cross_entropy(y, z_O)
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    with np.errstate(all="ignore"):
        if y_hat.shape[-1] == 1:
            y, y_hat = np.concatenate([y, 1 - y], axis=-1), np.concatenate([y_hat, 1 - y_hat], axis=-1)
        return -float(np.sum(np.where(y != 0, y * np.log(y_hat), 0.0)))


def penalty(weights: Sequence[np.ndarray], weight_decay: float) -> float:
    """Weight decay's share of the objective: ``(λ/2) Σ w²`` over every non-bias weight of one network."""
    if not weight_decay:
        return 0.0
    with np.errstate(all="ignore"):
        return 0.5 * weight_decay * float(sum(np.sum(W[1:] * W[1:]) for W in weights))


def objective(X_aug, y, weights: Sequence[np.ndarray], activation: str = "sigmoid",
              weight_decay: float = 0.0, loss: str = "squared") -> float:
    """``J = L + (λ/2) Σ w²`` (non-bias weights): what a step of gradient descent lowers.

    L is ``½ Σ_n (y_n − ŷ_n)²`` or the cross-entropy (from z_O, stably). With no weight decay J is
    the loss L. Computed from the forward pass alone, never the backward.
    """
    fwd = forward_pass(X_aug, weights, activation, loss)
    L = cross_entropy(y, fwd.z[-1]) if loss == "cross_entropy" else squared_error(y, fwd.y_hat)
    return L + penalty(weights, weight_decay)


# ----- the lecture's one hidden layer: W_H, W_O ---------------------------------------------------

def forward(X_aug, W_H, W_O, activation: str = "sigmoid", loss: str = "squared") -> Forward:
    """``z_H = X_aug·W_H``, ``u_H = g(z_H)``, ``z_O = [1, u_H]·W_O``, ``u_O = z_O`` (linear output;
    σ(z_O) or softmax(z_O) for the cross-entropy)."""
    _, (z_H, z_O), (u_H, u_O) = forward_pass(X_aug, [W_H, W_O], activation, loss)
    return Forward(z_H, u_H, z_O, u_O)


def backward(X_aug, y, W_H, W_O, fwd: Forward, activation: str = "sigmoid") -> Backward:
    """``delta_O = u_O − y`` (= −(y − z_O) for the linear output), ``delta_H = g'(z_H) ⊙ (delta_O·W_O[1:]ᵀ)``,
    ``dW_O = [1, u_H]ᵀ·delta_O`` (bias row first, as in the forward pass), ``dW_H = X_augᵀ·delta_H``:
    ``backward_pass`` at L = 2."""
    layers = ForwardPass([np.asarray(X_aug, dtype=float), augment(fwd.u_H)], [fwd.z_H, fwd.z_O],
                         [fwd.u_H, fwd.u_O])
    (delta_H, delta_O), (dW_H, dW_O) = backward_pass(y, [W_H, W_O], layers, activation)
    return Backward(delta_O, delta_H, dW_O, dW_H)


def gradients(X_aug, y, W_H, W_O, activation: str = "sigmoid",
              loss: str = "squared") -> tuple[Forward, Backward]:
    """Forward and backward pass in one call, for pages that show both."""
    fwd = forward(X_aug, W_H, W_O, activation, loss)
    return fwd, backward(X_aug, y, W_H, W_O, fwd, activation)

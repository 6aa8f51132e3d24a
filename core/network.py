"""A fully connected network: forward pass, loss and backward pass, written as the lecture's equations.

The lecture's network has one hidden layer (N samples, N_I inputs, N_H hidden units, N_O outputs):

    forward    z_H = X_aug·W_H        u_H = g(z_H)        z_O = [1, u_H]·W_O        ŷ = u_O = z_O
    loss       L = ½ Σ_n (y_n − ŷ_n)²
    backward   δ_O = −(y − z_O)       δ_H = g′(z_H) ⊙ (δ_O·W_O[1:]ᵀ)
               ∂L/∂W_O = [1, u_H]ᵀ·δ_O                ∂L/∂W_H = X_augᵀ·δ_H

    X_aug (N, N_I+1)   W_H (N_I+1, N_H)   z_H, u_H, δ_H (N, N_H)   W_O (N_H+1, N_O)   z_O, δ_O (N, N_O)

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

    Hidden layers have ``u[l] = g(z[l])``; the output is linear, ``u[-1] = z[-1] = ŷ``.
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


# ----- the passes, any number of hidden layers ----------------------------------------------------

def forward_pass(X_aug, weights: Sequence[np.ndarray], activation: str = "sigmoid") -> ForwardPass:
    """``z[l] = a[l]·W_l`` layer by layer, from ``a[0] = X_aug``.

    Hidden layers: ``u[l] = g(z[l])`` and ``a[l+1] = [1, u[l]]``. Output layer: linear, ``ŷ = z[-1]``.
    ``X_aug`` (N, N_I+1); ``weights`` as ``init_layers`` makes them. Overflow (a diverging run)
    gives inf or nan, without a warning.
    """
    g = activations.get(activation)
    a, z, u = [np.asarray(X_aug, dtype=float)], [], []
    with np.errstate(all="ignore"):
        for W in weights[:-1]:                 # the hidden layers
            z.append(a[-1] @ W)                # z_H = X_aug·W_H
            u.append(g.value(z[-1]))           # u_H = g(z_H)
            a.append(augment(u[-1]))           # [1, u_H]: the next layer's input, bias node first
        z.append(a[-1] @ weights[-1])          # z_O = [1, u_H]·W_O
        u.append(z[-1])                        # ŷ = u_O = z_O: the output is linear
    return ForwardPass(a, z, u)


def backward_pass(y, weights: Sequence[np.ndarray], fwd: ForwardPass, activation: str = "sigmoid",
                  weight_decay: float = 0.0) -> BackwardPass:
    """Deltas and gradients of ``½ Σ_n (y − ŷ)² + (λ/2) Σ w²`` (non-bias weights), from the output down.

    Each step undoes one step of ``forward_pass``:

    - output ``ŷ = z[-1]`` (linear): ``delta[-1] = −(y − ŷ)``;
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
        delta[-1] = z[-1] - y                            # δ_O = −(y − z_O)
        for l in range(len(weights) - 1, -1, -1):
            dW[l] = a[l].T @ delta[l]                    # ∂L/∂W_O = [1, u_H]ᵀ·δ_O,  ∂L/∂W_H = X_augᵀ·δ_H
            if l > 0:                                    # δ_H = g′(z_H) ⊙ (δ_O·W_O[1:]ᵀ)
                delta[l - 1] = g.der(z[l - 1], u[l - 1]) * (delta[l] @ weights[l][1:].T)
        if weight_decay:
            for W, grad in zip(weights, dW):
                grad[1:] += weight_decay * W[1:]         # ∂J/∂w = ∂L/∂w + λ·w; bias rows are not decayed
    return BackwardPass(delta, dW)


def passes(X_aug, y, weights, activation: str = "sigmoid",
           weight_decay: float = 0.0) -> tuple[ForwardPass, BackwardPass]:
    """Forward and backward pass in one call, for pages that show both."""
    fwd = forward_pass(X_aug, weights, activation)
    return fwd, backward_pass(y, weights, fwd, activation, weight_decay)


# ----- what gradient descent lowers ---------------------------------------------------------------

def loss(y, y_hat) -> float:
    """``L = ½ Σ_n (y_n − ŷ_n)²``, a sum over samples (and outputs), not a mean."""
    with np.errstate(all="ignore"):
        r = np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float)
        return 0.5 * float(np.sum(r * r))


def penalty(weights: Sequence[np.ndarray], weight_decay: float) -> float:
    """Weight decay's share of the objective: ``(λ/2) Σ w²`` over every non-bias weight of one network."""
    if not weight_decay:
        return 0.0
    with np.errstate(all="ignore"):
        return 0.5 * weight_decay * float(sum(np.sum(W[1:] * W[1:]) for W in weights))


def objective(X_aug, y, weights: Sequence[np.ndarray], activation: str = "sigmoid",
              weight_decay: float = 0.0) -> float:
    """``J = ½ Σ_n (y_n − ŷ_n)² + (λ/2) Σ w²`` (non-bias weights): what a step of gradient descent lowers.

    With no weight decay J is the loss L. Computed from the forward pass alone, never the backward.
    """
    return loss(y, forward_pass(X_aug, weights, activation).y_hat) + penalty(weights, weight_decay)


# ----- the lecture's one hidden layer: W_H, W_O ---------------------------------------------------

def forward(X_aug, W_H, W_O, activation: str = "sigmoid") -> Forward:
    """``z_H = X_aug·W_H``, ``u_H = g(z_H)``, ``z_O = [1, u_H]·W_O``, ``u_O = z_O`` (linear output)."""
    _, (z_H, z_O), (u_H, u_O) = forward_pass(X_aug, [W_H, W_O], activation)
    return Forward(z_H, u_H, z_O, u_O)


def backward(X_aug, y, W_H, W_O, fwd: Forward, activation: str = "sigmoid") -> Backward:
    """``delta_O = −(y − z_O)``, ``delta_H = g'(z_H) ⊙ (delta_O·W_O[1:]ᵀ)``, ``dW_O = [1, u_H]ᵀ·delta_O``
    (bias row first, as in the forward pass), ``dW_H = X_augᵀ·delta_H``: ``backward_pass`` at L = 2."""
    layers = ForwardPass([np.asarray(X_aug, dtype=float), augment(fwd.u_H)], [fwd.z_H, fwd.z_O],
                         [fwd.u_H, fwd.u_O])
    (delta_H, delta_O), (dW_H, dW_O) = backward_pass(y, [W_H, W_O], layers, activation)
    return Backward(delta_O, delta_H, dW_O, dW_H)


def gradients(X_aug, y, W_H, W_O, activation: str = "sigmoid") -> tuple[Forward, Backward]:
    """Forward and backward pass in one call, for pages that show both."""
    fwd = forward(X_aug, W_H, W_O, activation)
    return fwd, backward(X_aug, y, W_H, W_O, fwd, activation)

"""A fully connected network: forward pass, loss and backward pass, in the notation on screen.

Layer k (k = 0 … L−1) is fed by the weight matrix ``weights[k]``; the last layer is the output.
Shapes (N samples, n_k units in layer k, N_I inputs, N_O outputs):

    X_aug (N, N_I+1)   y (N, N_O)   weights[k] (1 + n_{k−1}, n_k), with n_{−1} = N_I
    a[k] (N, 1 + n_{k−1})   z[k], u[k], delta[k] (N, n_k)   dW[k] shaped like weights[k]

Bias convention: a bias is an extra node whose output is always 1. It is column 0 of ``X_aug`` and
of every ``a[k] = [1, u[k−1]]``, so row 0 of every weight matrix holds the bias weights. Unit j of
the maths is column j−1 of ``z[k]``; input x_i is column i of ``X_aug``.

With one hidden layer the lecture's names apply: ``W_H, W_O = weights``, ``z_H, z_O = z``,
``delta_H, delta_O = delta``; ``forward``, ``backward`` and ``gradients`` speak that language and
run the general passes below. There is one backward pass: the training loop calls
``backward_pass`` too, with a ``Workspace`` so that it allocates nothing.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

from core import activations

class ForwardPass(NamedTuple):
    """Per layer k: its input ``a[k]`` (X_aug, then [1, u[k−1]]), ``z[k] = a[k]·W_k`` and ``u[k]``.

    Hidden layers have ``u[k] = g(z[k])``; the output is linear, ``u[-1] = z[-1] = ŷ``.
    """

    a: list
    z: list
    u: list

    @property
    def y_hat(self) -> np.ndarray:
        return self.u[-1]


class BackwardPass(NamedTuple):
    """Per layer k: ``delta[k] = ∂L/∂z[k]`` (N, n_k) and ``dW[k]``, the gradient for ``weights[k]``."""

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


def is_whole(value, low: int, high: int | None = None) -> bool:
    """True if ``value`` is a whole number (not a bool) with ``low ≤ value ≤ high``; never raises."""
    try:
        whole = not isinstance(value, bool) and int(value) == value
    except (TypeError, ValueError, OverflowError):   # None, "3", nan, inf
        return False
    return whole and low <= value and (high is None or value <= high)


def layer_shapes(n_inputs: int, hidden: Sequence[int], n_outputs: int = 1) -> list[tuple[int, int]]:
    """``(1 + fan-in, units)`` of every weight matrix, first hidden layer first, output last."""
    widths = [int(n_inputs), *map(int, hidden), int(n_outputs)]
    return [(1 + fan_in, units) for fan_in, units in zip(widths[:-1], widths[1:])]


def init_layers(n_inputs: int, hidden: Sequence[int] = (3,), n_outputs: int = 1,
                seed: int = 321) -> list[np.ndarray]:
    """Standard-normal initial weights, one matrix per layer, drawn in order (output layer last).

    ``np.random.RandomState(seed)`` gives the same draws as ``np.random.seed(seed)`` followed by
    ``np.random.randn`` without touching numpy's global state. ``hidden=(n,)`` gives exactly
    ``init_weights(n_inputs, n)``.
    """
    try:
        hidden = tuple(hidden)
    except TypeError:
        raise ValueError(f"hidden must be a sequence of layer widths, got {hidden!r}.") from None
    for name, value in (("n_inputs", n_inputs), ("n_outputs", n_outputs)):
        if not is_whole(value, 1):
            raise ValueError(f"{name} must be a whole number ≥ 1, got {value!r}.")
    if not hidden or not all(is_whole(n, 1) for n in hidden):
        raise ValueError(f"hidden must hold one whole number ≥ 1 per hidden layer, got {hidden!r}.")
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


class Workspace:
    """Buffers for ``forward_pass`` and ``backward_pass`` over ``n_rows`` rows, allocated once.

    Given a workspace, the two passes write into it instead of allocating, and what they return
    are views of its buffers, overwritten by the next call. The caller then owns floating-point
    error handling (the training loop silences overflow once, around its whole loop). ``lead`` is
    an optional leading axis on weights and buffers: several networks (seeds) at once.
    All gradients sit in one flat vector ``dW_flat`` (``dW[k]`` are views of it), so an update
    of every layer is one array operation.
    """

    def __init__(self, n_rows: int, shapes: Sequence[tuple[int, int]], lead: tuple = ()):
        shapes = [(int(r), int(c)) for r, c in shapes]
        self.shapes, self.lead = shapes, tuple(lead)
        self.mm = np.matmul if self.lead else np.dot    # np.dot: least overhead on plain matrices
        rows = self.lead + (int(n_rows),)
        # a[k] = [1, u[k−1]]: column 0 is the bias node's 1, written once; u is copied in beside it.
        # (u gets its own buffer: numpy's elementwise loops are several times slower writing into
        # the strided columns 1: than into a plain array.)
        self.a = [None] + [np.ones(rows + (units + 1,)) for _, units in shapes[:-1]]
        self.z = [np.empty(rows + (units,)) for _, units in shapes]
        self.a_units = [None] + [a[..., 1:] for a in self.a[1:]]
        # With one row those columns are contiguous after all: u can live there (no copy).
        self.u_apart = [not view.flags.c_contiguous for view in self.a_units[1:]]
        self.u = [np.empty(rows + (units,)) if apart else view
                  for apart, view, (_, units) in zip(self.u_apart, self.a_units[1:], shapes)]
        self.u.append(self.z[-1])
        self.delta = [np.empty(rows + (units,)) for _, units in shapes]
        self.back = [np.empty(rows + (units,)) for _, units in shapes[:-1]]   # δ[k+1]·W_{k+1}[1:]ᵀ
        self.decay = [np.empty(self.lead + (r - 1, c)) for r, c in shapes]   # λ·W_k[1:]
        self.dW_flat = np.empty(self.lead + (sum(r * c for r, c in shapes),))
        self.dW = split_flat(self.dW_flat, shapes)
        self._link()

    @classmethod
    def like(cls, X_aug, weights) -> "Workspace":
        """A workspace for ``X_aug``'s rows and these weights (their leading axis, if any, included)."""
        return cls(np.shape(X_aug)[-2], [w.shape[-2:] for w in weights], np.shape(weights[0])[:-2])

    def head(self, n: int) -> "Workspace":
        """The same buffers restricted to the first ``n`` rows (gradients shared): a smaller batch,
        or the training rows of a forward pass that also ran the test rows."""
        view = object.__new__(Workspace)
        view.__dict__.update(self.__dict__)
        rows = lambda arrays: [None if x is None else x[..., :n, :] for x in arrays]
        view.a, view.z, view.u, view.delta, view.back = (rows(self.a), rows(self.z), rows(self.u[:-1]),
                                                         rows(self.delta), rows(self.back))
        view.u.append(view.z[-1])
        view._link()
        return view

    def _link(self):
        self.forward = ForwardPass(self.a, self.z, self.u)
        self.backward = BackwardPass(self.delta, self.dW)
        # Views made once, so the passes below do no indexing of their own.
        self.a_T = [None] + [a.mT for a in self.a[1:]]
        self.a_units = [None] + [a[..., 1:] for a in self.a[1:]]


def split_flat(flat: np.ndarray, shapes: Sequence[tuple[int, int]]) -> list[np.ndarray]:
    """Views of consecutive stretches of ``flat`` (…, P) as matrices (…, rows, cols), one per shape."""
    lead, out, start = flat.shape[:-1], [], 0
    for r, c in shapes:
        out.append(flat[..., start:start + r * c].reshape(lead + (r, c)))
        start += r * c
    return out


def forward_pass(X_aug, weights: Sequence[np.ndarray], activation: str = "sigmoid",
                 ws: Workspace | None = None) -> ForwardPass:
    """``z[k] = a[k]·W_k`` layer by layer, from ``a[0] = X_aug``.

    Hidden layers: ``u[k] = g(z[k])`` and ``a[k+1] = [1, u[k]]``. Output layer: linear, ``ŷ = z[-1]``.
    ``X_aug`` (N, N_I+1); ``weights`` as ``init_layers`` makes them.
    """
    if ws is None:
        X_aug = np.asarray(X_aug, dtype=float)
        with np.errstate(all="ignore"):
            return forward_pass(X_aug, weights, activation, Workspace.like(X_aug, weights))
    g = activations.get(activation)
    a, z, u, mm = ws.a, ws.z, ws.u, ws.mm
    a[0] = X_aug
    for k in range(len(weights) - 1):
        mm(a[k], weights[k], out=z[k])                         # z[k] = a[k]·W_k
        g.value(z[k], out=u[k])                                # u[k] = g(z[k])
        if ws.u_apart[k]:
            ws.a_units[k + 1][...] = u[k]                      # a[k+1] = [1, u[k]]
    mm(a[-1], weights[-1], out=z[-1])                          # ŷ = z[-1], linear
    return ws.forward


def backward_pass(y, weights: Sequence[np.ndarray], fwd: ForwardPass, activation: str = "sigmoid",
                  weight_decay: float = 0.0, ws: Workspace | None = None) -> BackwardPass:
    """Deltas and gradients of ``½ Σ_n (y − ŷ)² + (λ/2) Σ w²`` (non-bias weights), from the output down.

    Each step undoes one step of ``forward_pass``:

    - output ``ŷ = z[-1]`` (linear): ``delta[-1] = −(y − ŷ)``;
    - ``z[k] = a[k]·W_k``: ``dW[k] = a[k]ᵀ·delta[k]`` (+ ``λ·W_k`` on rows 1: — bias rows are
      not decayed), and ``a[k]`` receives ``delta[k]·W_kᵀ``; its column 0 is the bias node,
      which has no inputs, so only ``delta[k]·W_k[1:]ᵀ`` travels on (row 0 passes nothing back);
    - ``u[k−1] = g(z[k−1])``: ``delta[k−1] = g'(z[k−1]) ⊙ (delta[k]·W_k[1:]ᵀ)``.

    ``y`` (N, N_O); ``fwd`` the forward pass of the same rows and weights.
    """
    if ws is None:
        with np.errstate(all="ignore"):
            return backward_pass(y, weights, fwd, activation, weight_decay, Workspace.like(fwd.a[0], weights))
    g = activations.get(activation)
    a, z, u = fwd
    delta, back, dW, mm = ws.delta, ws.back, ws.dW, ws.mm
    a_T = ws.a_T if a is ws.a else [None] + [x.mT for x in a[1:]]
    # Output arrays go positionally to ufuncs (faster than out=, which matters in training).
    np.subtract(u[-1], y, delta[-1])                           # ŷ = z[-1]: delta[-1] = ŷ − y
    for k in range(len(weights) - 1, 0, -1):
        mm(a_T[k], delta[k], out=dW[k])                        # z[k] = a[k]·W_k: dW[k] = a[k]ᵀ·delta[k]
        mm(delta[k], weights[k][..., 1:, :].mT, out=back[k - 1])   # … and delta[k]·W_k[1:]ᵀ goes down
        g.der(z[k - 1], u[k - 1], delta[k - 1])                # u[k−1] = g(z[k−1]): × g'(z[k−1])
        np.multiply(delta[k - 1], back[k - 1], delta[k - 1])
    mm(a[0].mT, delta[0], out=dW[0])                           # z[0] = X_aug·W_0: dW[0] = X_augᵀ·delta[0]
    if weight_decay:
        for W, grad, decay in zip(weights, dW, ws.decay):
            np.multiply(W[..., 1:, :], weight_decay, out=decay)
            grad[..., 1:, :] += decay
    return ws.backward


def passes(X_aug, y, weights, activation: str = "sigmoid",
           weight_decay: float = 0.0) -> tuple[ForwardPass, BackwardPass]:
    """Forward and backward pass in one call, for pages that show both."""
    fwd = forward_pass(X_aug, weights, activation)
    return fwd, backward_pass(y, weights, fwd, activation, weight_decay)


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


# ----- the lecture's one hidden layer: W_H, W_O ---------------------------------------------------

def forward(X_aug, W_H, W_O, activation: str = "sigmoid") -> Forward:
    """``z_H = X_aug·W_H``, ``u_H = g(z_H)``, ``z_O = [1, u_H]·W_O``, ``u_O = z_O`` (linear output)."""
    _, (z_H, z_O), (u_H, u_O) = forward_pass(X_aug, [W_H, W_O], activation)
    return Forward(z_H, u_H, z_O, u_O)


def backward(X_aug, y, W_H, W_O, fwd: Forward, activation: str = "sigmoid") -> Backward:
    """``delta_O = −(y − z_O)``, ``delta_H = g'(z_H) ⊙ (delta_O·W_O[1:]ᵀ)``, ``dW_O = [1, u_H]ᵀ·delta_O``
    (bias row first, as in the forward pass), ``dW_H = X_augᵀ·delta_H``: ``backward_pass`` at L = 2."""
    layers = ForwardPass([X_aug, augment(fwd.u_H)], [fwd.z_H, fwd.z_O], [fwd.u_H, fwd.u_O])
    (delta_H, delta_O), (dW_H, dW_O) = backward_pass(y, [W_H, W_O], layers, activation)
    return Backward(delta_O, delta_H, dW_O, dW_H)


def gradients(X_aug, y, W_H, W_O, activation: str = "sigmoid") -> tuple[Forward, Backward]:
    """Forward and backward pass in one call, for pages that show both."""
    fwd = forward(X_aug, W_H, W_O, activation)
    return fwd, backward(X_aug, y, W_H, W_O, fwd, activation)

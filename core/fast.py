"""The passes of ``core.network`` in preallocated buffers: the same arithmetic, for the training loop.

Training makes hundreds of thousands of updates on tiny arrays, where allocating each result costs
more than computing it. A ``Workspace`` holds every buffer of both passes, allocated once;
``forward_into`` and ``backward_into`` run ``network.forward_pass`` and ``network.backward_pass``
operation for operation, writing into it. ``tests/core/test_fast.py`` checks them bit for bit
against the readable passes. Nothing here is part of the lesson: read ``core/network.py`` instead.

Indices as in ``core.network``: layer l = 0 … L−1, output last. Every buffer may have a leading
axis ``lead`` (several networks, one per seed, at once). A workspace is made for one loss: with
the squared loss the output ŷ is z[-1] itself, with the cross-entropy it has a buffer of its own.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from core import activations, network
from core.network import BackwardPass, ForwardPass

_SIGMOID = activations.get("sigmoid")


class Workspace:
    """Buffers for ``forward_into`` and ``backward_into`` over ``n_rows`` rows, allocated once.

    What the two passes return are views of these buffers, overwritten by the next call. The caller
    owns floating-point error handling (the training loop silences overflow once, around its whole
    loop). All gradients sit in one flat vector ``dW_flat`` (``dW[l]`` are views of it), so an
    update of every layer is one array operation.
    """

    def __init__(self, n_rows: int, shapes: Sequence[tuple[int, int]], lead: tuple = (), loss: str = "squared"):
        shapes = [(int(r), int(c)) for r, c in shapes]
        self.shapes, self.lead, self.loss = shapes, tuple(lead), network.check_loss(loss)
        self.mm = np.matmul if self.lead else np.dot    # np.dot: least overhead on plain matrices
        rows = self.lead + (int(n_rows),)
        # a[l] = [1, u[l−1]]: column 0 is the bias node's 1, written once; u is copied in beside it.
        # (u gets its own buffer: numpy's elementwise loops are several times slower writing into
        # the strided columns 1: than into a plain array.)
        self.a = [None] + [np.ones(rows + (units + 1,)) for _, units in shapes[:-1]]
        self.z = [np.empty(rows + (units,)) for _, units in shapes]
        self.a_units = [None] + [a[..., 1:] for a in self.a[1:]]
        # With one row those columns are contiguous after all: u can live there (no copy).
        self.u_apart = [not view.flags.c_contiguous for view in self.a_units[1:]]
        self.u = [np.empty(rows + (units,)) if apart else view
                  for apart, view, (_, units) in zip(self.u_apart, self.a_units[1:], shapes)]
        n_outputs = shapes[-1][1]
        # ŷ: z[-1] itself for the squared loss; for the cross-entropy σ(z[-1]) or softmax(z[-1]),
        # the softmax with each row's max and sum beside it.
        self.u.append(self.z[-1] if self.loss == "squared" else np.empty(rows + (n_outputs,)))
        self.row_max, self.row_sum = np.empty(rows + (1,)), np.empty(rows + (1,))
        self.delta = [np.empty(rows + (units,)) for _, units in shapes]
        self.back = [np.empty(rows + (units,)) for _, units in shapes[:-1]]   # δ[l+1]·W_{l+1}[1:]ᵀ
        self.decay = [np.empty(self.lead + (r - 1, c)) for r, c in shapes]   # λ·W_l[1:]
        self.dW_flat = np.empty(self.lead + (sum(r * c for r, c in shapes),))
        self.dW = split_flat(self.dW_flat, shapes)
        self._link()

    def head(self, n: int) -> "Workspace":
        """The same buffers restricted to the first ``n`` rows (gradients shared): a smaller batch,
        or the training rows of a forward pass that also ran the test rows."""
        view = object.__new__(Workspace)
        view.__dict__.update(self.__dict__)
        rows = lambda arrays: [None if x is None else x[..., :n, :] for x in arrays]
        view.a, view.z, view.u, view.delta, view.back = (rows(self.a), rows(self.z), rows(self.u[:-1]),
                                                         rows(self.delta), rows(self.back))
        view.u.append(view.z[-1] if self.loss == "squared" else self.u[-1][..., :n, :])
        view.row_max, view.row_sum = self.row_max[..., :n, :], self.row_sum[..., :n, :]
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


def forward_into(ws: Workspace, X_aug, weights: Sequence[np.ndarray], activation: str = "sigmoid") -> ForwardPass:
    """``network.forward_pass`` in ``ws``'s buffers (``ws.forward``, overwritten by the next call)."""
    g = activations.get(activation)
    a, z, u, mm = ws.a, ws.z, ws.u, ws.mm
    a[0] = X_aug
    for l in range(len(weights) - 1):
        mm(a[l], weights[l], out=z[l])                         # z[l] = a[l]·W_l
        g.value(z[l], out=u[l])                                # u[l] = g(z[l])
        if ws.u_apart[l]:
            ws.a_units[l + 1][...] = u[l]                      # a[l+1] = [1, u[l]]
    mm(a[-1], weights[-1], out=z[-1])                          # z[-1] = a[-1]·W_{-1}
    if ws.loss == "cross_entropy":
        output_into(ws)                                        # ŷ = σ(z[-1]) or softmax(z[-1])
    return ws.forward                                          # (squared: ŷ = z[-1], linear)


def output_into(ws: Workspace) -> np.ndarray:
    """``network.output(z[-1], "cross_entropy")`` into ``ws.u[-1]``: σ for one output, softmax for several."""
    z, y_hat = ws.z[-1], ws.u[-1]
    if z.shape[-1] == 1:
        return _SIGMOID.value(z, y_hat)                        # σ(z) = 1 / (1 + e^−z)
    np.max(z, axis=-1, keepdims=True, out=ws.row_max)          # m = max_k z_k
    np.subtract(z, ws.row_max, y_hat)
    np.exp(y_hat, y_hat)                                       # e^{z_k − m}
    np.sum(y_hat, axis=-1, keepdims=True, out=ws.row_sum)
    return np.divide(y_hat, ws.row_sum, y_hat)                 # e^{z_k − m} / Σ_j e^{z_j − m}


def backward_into(ws: Workspace, y, weights: Sequence[np.ndarray], activation: str = "sigmoid",
                  weight_decay: float = 0.0) -> BackwardPass:
    """``network.backward_pass`` of ``ws``'s last forward pass, in its buffers (``ws.backward``)."""
    g = activations.get(activation)
    a, z, u = ws.forward
    delta, back, dW, mm, a_T = ws.delta, ws.back, ws.dW, ws.mm, ws.a_T
    # Output arrays go positionally to ufuncs (faster than out=, which matters in training).
    np.subtract(u[-1], y, delta[-1])                           # delta[-1] = ŷ − y, for either loss
    for l in range(len(weights) - 1, 0, -1):
        mm(a_T[l], delta[l], out=dW[l])                        # z[l] = a[l]·W_l: dW[l] = a[l]ᵀ·delta[l]
        mm(delta[l], weights[l][..., 1:, :].mT, out=back[l - 1])   # … and delta[l]·W_l[1:]ᵀ goes down
        g.der(z[l - 1], u[l - 1], delta[l - 1])                # u[l−1] = g(z[l−1]): × g'(z[l−1])
        np.multiply(delta[l - 1], back[l - 1], delta[l - 1])
    mm(a[0].mT, delta[0], out=dW[0])                           # z[0] = X_aug·W_0: dW[0] = X_augᵀ·delta[0]
    if weight_decay:
        for W, grad, decay in zip(weights, dW, ws.decay):
            np.multiply(W[..., 1:, :], weight_decay, out=decay)
            grad[..., 1:, :] += decay
    return ws.backward

"""The chain rule, felt: nudge one weight and follow its change to the loss, layer by layer.

Pick one weight w = W_l[r, c] — layer l's matrix (``weights[l]``), row r (row 0 is the bias, fed by
the constant 1), column c (the unit it feeds) — and a nudge Δw. The change of everything downstream
can be had two ways:

- **measured**: run the network forward again with w + Δw and subtract. No derivative is involved.
- **chained**: start where the weight acts, Δz_l[:, c] = a_l[:, r]·Δw (a_l is the layer's input:
  X_aug, or [1, u_{l−1}]), and multiply by each local slope on the way to the loss: through a hidden
  unit Δu = g′(z)·Δz; along the edges into the next layer Δz_{l+1} = Δu_l·W_{l+1}[1:], which adds
  up every path into each unit; at the end ΔL = Σ_n (ŷ_n − y_n)·Δz_O,n. (With the squared loss
  ŷ = z_O, so that is Σ (ŷ − y)·Δŷ. With the cross-entropy ŷ − y is ∂L/∂z_O itself: the output's
  slope, σ′ or the softmax's, is already folded into it, so the chain goes from Δz_O straight to ΔL.)

The chained ΔL is ∂L/∂w·Δw exactly — the gradient backprop computes, times the nudge. The measured
changes differ from the chained ones by terms of order Δw², so their relative difference shrinks in
proportion to Δw: halve the nudge and the difference halves. That is what the chain rule says.
The loss is the lecture's L = ½ Σ (y − ŷ)², or the cross-entropy (``loss="cross_entropy"``),
without weight decay's term.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

from core import activations, network


class Change(NamedTuple):
    """What the nudge did to one layer downstream of it (N rows, n units): ``dz`` and, for a hidden
    layer, ``du`` as measured; ``dz_chained``, ``du_chained`` by the chain rule; ``slope`` = g′(z),
    the local slope from z to u (None for the output layer, whose z_O leads straight to L). ``kinked``: where the
    nudge moved z across a point where g′ jumps (ReLU at 0) — there the slope holds on one side
    only, and measured and chained part by more than Δw² (None for the output layer)."""

    layer: int
    dz: np.ndarray
    dz_chained: np.ndarray
    du: np.ndarray | None
    du_chained: np.ndarray | None
    slope: np.ndarray | None
    kinked: np.ndarray | None


class Nudge(NamedTuple):
    """A nudge of ``weights[layer][row, col]`` by ``delta`` and where it went.

    ``changes``: from the nudged layer to the output, one ``Change`` each. ``residual`` (N, N_O) =
    ŷ − y = δ_O, the loss's slope with respect to each z_O (for the squared loss: each prediction).
    ``dL`` measured, ``dL_chained`` = Σ residual·Δz_O (chained), ``gradient`` = ∂L/∂w from the
    backward pass (so dL_chained = gradient·delta). ``loss_kind``: "squared" or "cross_entropy".
    """

    layer: int
    row: int
    col: int
    delta: float
    w: float
    input: np.ndarray              # a_l[:, row]: what the weight multiplies (1 for a bias)
    changes: list
    residual: np.ndarray
    L: float
    dL: float
    dL_chained: float
    gradient: float
    loss_kind: str = "squared"


def nudge(X_aug, y, weights: Sequence[np.ndarray], layer: int, row: int, col: int, delta: float,
          activation: str = "sigmoid", loss: str = "squared") -> Nudge:
    """Nudge ``weights[layer][row, col]`` by ``delta``: every change downstream, measured and chained."""
    g = activations.get(activation)
    weights = [np.asarray(W, dtype=float) for W in weights]
    y = np.asarray(y, dtype=float)
    before = network.forward_pass(X_aug, weights, activation, loss)
    nudged = [W.copy() for W in weights]
    nudged[layer][row, col] += delta
    after = network.forward_pass(X_aug, nudged, activation, loss)
    last = len(weights) - 1
    changes = []
    with np.errstate(all="ignore"):
        dz = np.zeros_like(before.z[layer])
        dz[:, col] = before.a[layer][:, row] * delta                 # Δz_l = a_l[r]·Δw, unit c only
        for l in range(layer, last + 1):
            if l > layer:
                dz = du @ weights[l][1:]                             # every path into each unit, summed
            if l < last:
                slope = g.der(before.z[l], before.u[l])
                du = slope * dz                                      # Δu = g′(z)·Δz
                kinked = (g.der(after.z[l], after.u[l]) != slope) if activation == "relu" else \
                    np.zeros(dz.shape, dtype=bool)
                changes.append(Change(l, after.z[l] - before.z[l], dz, after.u[l] - before.u[l], du, slope, kinked))
            else:
                changes.append(Change(l, after.z[l] - before.z[l], dz, None, None, None, None))
        residual = before.y_hat - y                                  # ∂L/∂z_O = ŷ − y
        dL_chained = float(np.sum(residual * dz))                    # ΔL = Σ (ŷ − y)·Δz_O
        L = network.loss(y, before.y_hat, loss, z_O=before.z[-1])
        dL = network.loss(y, after.y_hat, loss, z_O=after.z[-1]) - L
    gradient = float(network.backward_pass(y, weights, before, activation).dW[layer][row, col])
    return Nudge(layer, row, col, float(delta), float(weights[layer][row, col]),
                 before.a[layer][:, row].copy(), changes, residual, L, dL, dL_chained, gradient, loss)


def relative_difference(measured, chained) -> float:
    """|measured − chained| / |measured|, over every entry (0 when both are 0)."""
    m, c = np.asarray(measured, dtype=float), np.asarray(chained, dtype=float)
    scale = float(np.max(np.abs(m)))
    return float(np.max(np.abs(m - c)) / scale) if scale > 0 else float(np.max(np.abs(c)) > 0)

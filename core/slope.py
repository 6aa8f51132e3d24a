"""The loss as a function of one weight, all the others held fixed: what a gradient *is*, pictured.

A weight's gradient ∂J/∂w is the slope of this curve where the weight stands now; gradient descent
moves the weight against it, by η times the slope. Plain numpy over ``network.objective``; the
Backprop page draws the curve, the tangent and the step (``ui.views.slope``).
"""

from __future__ import annotations

import numpy as np

from core import network


def objective_along(X_aug, y, weights, layer: int, row: int, col: int, values, activation: str = "sigmoid",
                    weight_decay: float = 0.0, loss: str = "squared") -> np.ndarray:
    """``network.objective`` J with ``weights[layer][row, col]`` set to each of ``values`` (either loss)."""
    trial = [np.array(W, dtype=float) for W in weights]
    out = np.empty(len(values))
    for t, value in enumerate(values):
        trial[layer][row, col] = value
        out[t] = network.objective(X_aug, y, trial, activation, weight_decay, loss)
    return out


def centred_slope(X_aug, y, weights, layer: int, row: int, col: int, activation: str = "sigmoid",
                  weight_decay: float = 0.0, eps: float = 1e-6, loss: str = "squared") -> float:
    """(J(w + ε) − J(w − ε)) / 2ε of this one weight: the curve's own slope, without backprop."""
    w = float(weights[layer][row, col])
    plus, minus = objective_along(X_aug, y, weights, layer, row, col, [w + eps, w - eps], activation, weight_decay,
                                  loss)
    return float((plus - minus) / (2 * eps))

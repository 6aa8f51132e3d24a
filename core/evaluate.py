"""Judging a network in the data's own units: predictions, error measures, a prediction surface.

For classification (``loss="cross_entropy"``) the predictions are probabilities; ``predicted_class``
and ``accuracy`` turn them into classes.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from core import network


def predict(prepared, weights, X_original, activation: str = "sigmoid", loss: str = "squared") -> np.ndarray:
    """Predictions (N, N_O) in the target's units for inputs ``X_original`` (N, N_I) in original units.

    ``weights``: every layer's weight matrix, first hidden layer first (``History.at(e).weights``).
    With the cross-entropy: probabilities (of ``classes[1]``, or one column per class).
    """
    y_hat = network.forward_pass(prepared.scale_X(X_original), list(weights), activation, loss).y_hat
    return prepared.to_original_y(y_hat)


def predicted_class(y_hat) -> np.ndarray:
    """The class index (N,) each row's probabilities (or 0/1 and one-hot targets) point to: for one
    column ŷ > ½ means class 1, for several the column with the largest value (the first on a tie)."""
    y_hat = np.asarray(y_hat, dtype=float)
    if y_hat.shape[1] == 1:
        return (y_hat[:, 0] > 0.5).astype(int)
    return y_hat.argmax(axis=1)


def accuracy(y, y_hat) -> float:
    """The share of rows whose predicted class is their target's class (targets 0/1 or one-hot)."""
    return float(np.mean(predicted_class(y_hat) == predicted_class(y)))


def rmse(y, y_hat) -> float:
    """Root mean squared error, in the units of ``y``."""
    r = np.asarray(y, dtype=float) - np.asarray(y_hat, dtype=float)
    return float(np.sqrt(np.mean(r * r)))


def r2(y, y_hat) -> float:
    """Coefficient of determination 1 − SS_res/SS_tot (1 is perfect; below 0 is worse than the mean)."""
    y = np.asarray(y, dtype=float)
    ss_res = float(np.sum((y - np.asarray(y_hat, dtype=float)) ** 2))
    ss_tot = float(np.sum((y - y.mean(axis=0)) ** 2))
    return 1.0 - ss_res / ss_tot if ss_tot > 0 else float("nan")


class Surface(NamedTuple):
    """Predictions on a grid: ``x1`` (n1,), ``x2`` (n2,) in original units, ``y_hat`` (n2, n1)."""

    x1: np.ndarray
    x2: np.ndarray
    y_hat: np.ndarray


def surface(prepared, weights, activation: str = "sigmoid", columns=(0, 1),
            resolution: int = 40, margin: float = 0.1, others=None, loss: str = "squared") -> Surface:
    """The network's prediction (its first output) over a grid of two features, spanning all rows plus ``margin``.

    Other features (if any) are held at ``others`` (default: their median over all rows).
    With the cross-entropy and two classes that is the probability of ``classes[1]``.
    """
    X_all = prepared.to_original_X(np.vstack([prepared.X_train_aug, prepared.X_test_aug]))
    a, b = columns
    axes = []
    for c in (a, b):
        lo, hi = X_all[:, c].min(), X_all[:, c].max()
        pad = margin * (hi - lo)
        axes.append(np.linspace(lo - pad, hi + pad, resolution))
    g1, g2 = np.meshgrid(axes[0], axes[1])
    fixed = np.median(X_all, axis=0) if others is None else np.asarray(others, dtype=float)
    X = np.tile(fixed, (g1.size, 1))
    X[:, a], X[:, b] = g1.ravel(), g2.ravel()
    y = predict(prepared, weights, X, activation, loss)[:, 0]
    return Surface(axes[0], axes[1], y.reshape(g1.shape))


def partial_curve(prepared, weights, column: int, activation: str = "sigmoid",
                  resolution: int = 100, margin: float = 0.1):
    """Prediction along one feature with the others at their median: ``(x, y_hat)`` in original units."""
    X_all = prepared.to_original_X(np.vstack([prepared.X_train_aug, prepared.X_test_aug]))
    lo, hi = X_all[:, column].min(), X_all[:, column].max()
    pad = margin * (hi - lo)
    x = np.linspace(lo - pad, hi + pad, resolution)
    X = np.tile(np.median(X_all, axis=0), (resolution, 1))
    X[:, column] = x
    return x, predict(prepared, weights, X, activation)[:, 0]

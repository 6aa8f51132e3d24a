"""Activation functions as value/derivative pairs.

Each activation knows its value ``u = g(z)`` and its derivative ``g'(z)``. The derivative takes
both ``z`` and ``u`` because sigmoid and tanh are cheapest written in terms of their own output
(``u(1-u)``, ``1-u²``), while ReLU needs the pre-activation (``g'(0) = 0``).
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np


class Activation(NamedTuple):
    """A named activation: ``value(z, out)`` computes g(z), ``der(z, u, out)`` computes g'(z)."""

    name: str
    value: Callable[..., np.ndarray]
    der: Callable[..., np.ndarray]
    latex: str
    der_latex: str


# Training calls these functions hundreds of thousands of times on tiny arrays, where numpy's
# per-call overhead is the cost: constants are 0-d arrays (converted faster than a float) and the
# output array is passed positionally (faster than out=).
_ONE, _ZERO = np.array(1.0), np.array(0.0)


def _sigmoid(z, out=None):
    out = np.negative(z, out)
    np.exp(out, out)
    np.add(out, _ONE, out)
    return np.reciprocal(out, out)


def _sigmoid_der(z, u, out=None):
    out = np.subtract(_ONE, u, out)
    return np.multiply(out, u, out)


def _tanh(z, out=None):
    return np.tanh(z, out)


def _tanh_der(z, u, out=None):
    out = np.multiply(u, u, out)
    return np.subtract(_ONE, out, out)


def _relu(z, out=None):
    return np.maximum(z, _ZERO, out=out)    # (np.maximum wants out= by keyword)


def _relu_der(z, u, out=None):
    # Strictly positive: the derivative at 0 is taken to be 0.
    if out is None:
        return (z > 0.0).astype(float)
    return np.greater(z, _ZERO, out)      # True/False written as 1.0/0.0


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation(
        "sigmoid", _sigmoid, _sigmoid_der,
        r"g(z) = \frac{1}{1 + e^{-z}}", r"g'(z) = g(z)\,\bigl(1 - g(z)\bigr)",
    ),
    "tanh": Activation(
        "tanh", _tanh, _tanh_der,
        r"g(z) = \tanh z", r"g'(z) = 1 - \tanh^2 z",
    ),
    "relu": Activation(
        "relu", _relu, _relu_der,
        r"g(z) = \max(0, z)", r"g'(z) = \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}",
    ),
}

NAMES: tuple[str, ...] = tuple(ACTIVATIONS)


def get(name: str) -> Activation:
    """The activation called ``name``; a ValueError naming the choices otherwise."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"Unknown activation {name!r}; choose one of {', '.join(NAMES)}."
        ) from None

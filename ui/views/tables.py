"""Matrices as labelled tables: rows and columns named in the notation (pure: frames and labels)."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from core.graph import sub, unit_label


def matrix_frame(A, row_labels: Sequence[str], col_labels: Sequence[str]) -> pd.DataFrame:
    """A 2-D array as a DataFrame with the given labels (rows e.g. samples, columns e.g. units)."""
    A = np.asarray(A, dtype=float)
    if A.ndim == 1:
        A = A[:, None]
    return pd.DataFrame(A, index=list(row_labels), columns=list(col_labels))


def dims(A) -> str:
    """The shape of the variable ``A`` as a caption writes it after the variable's name: "(15, 3)"."""
    shape = np.shape(A)
    return f"({shape[0]}, {shape[1] if len(shape) > 1 else 1})"


def sample_labels(rows) -> list[str]:
    """Row labels for samples, e.g. "n=1 (row 17)": position in the matrix and row of the data."""
    return [f"n={i + 1} (row {r})" for i, r in enumerate(rows)]


def unit_labels(n_hidden: int, bias: bool = False, layer: int = 1, depth: int = 1) -> list[str]:
    """"h₁" … "h_N" (with "h₀ = 1" first when ``bias``); for hidden layer ``layer`` of several, the
    layer's name above: "hᴴ¹₁" … (``core.graph.unit_label``)."""
    return ([f"{unit_label(layer, depth, 0)} = 1"] if bias else []) + [unit_label(layer, depth, j)
                                                                      for j in range(1, n_hidden + 1)]


def input_labels(n_inputs: int) -> list[str]:
    """"x₀ = 1", "x₁", … for the rows of W_H and the columns of X_aug."""
    return ["x₀ = 1"] + [f"x{sub(i)}" for i in range(1, n_inputs + 1)]


def output_labels(n_outputs: int, symbol: str = "y") -> list[str]:
    """Column labels of y (or ŷ): "y" for one output, "y₁" … "y_K" for one-hot classes."""
    return [symbol] if n_outputs == 1 else [f"{symbol}{sub(k)}" for k in range(1, n_outputs + 1)]

"""Derived inputs: extra columns computed from x1 and x2 (x1², x2², x1·x2, sin x1, sin x2).

Pure. A toy data set gets the chosen ones as extra feature columns before ``core.data.prepare``, so
they are split and scaled like any input; the decision boundary computes the same columns on its
grid (``expand``), so the picture is the network's own prediction.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

# link name → (column name, function of x1 and x2), in the order they join the inputs
DERIVED: dict[str, tuple[str, object]] = {
    "x1sq": ("x1²", lambda x1, x2: x1 * x1),
    "x2sq": ("x2²", lambda x1, x2: x2 * x2),
    "x1x2": ("x1·x2", lambda x1, x2: x1 * x2),
    "sinx1": ("sin x1", lambda x1, x2: np.sin(x1)),
    "sinx2": ("sin x2", lambda x1, x2: np.sin(x2)),
}
BASE = ("x1", "x2")
LABEL = "label"


def columns(names: Sequence[str]) -> tuple[str, ...]:
    """The feature columns of a toy set with the derived inputs ``names`` (link names)."""
    return BASE + tuple(DERIVED[n][0] for n in names)


def expand(X: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """(N, 2) inputs x1, x2 → (N, 2 + len(names)) with the derived columns appended, in ``names``' order."""
    X = np.asarray(X, dtype=float)
    x1, x2 = X[:, 0], X[:, 1]
    return np.column_stack([x1, x2] + [DERIVED[n][1](x1, x2) for n in names])


def with_derived(table: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """A toy table (x1, x2, label) with the derived columns inserted before the label."""
    out = table[list(BASE)].copy()
    extra = expand(out.to_numpy(), names)[:, 2:]
    for j, n in enumerate(names):
        out[DERIVED[n][0]] = extra[:, j]
    out[LABEL] = table[LABEL]
    return out

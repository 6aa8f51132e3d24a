"""Download as notebook: the run on screen as a Jupyter notebook that reproduces every number.

``build_notebook(RunSpec(...))`` returns the ``.ipynb`` JSON text. The notebook follows the lecture
(docs/core-api.md): load the data (embedded as CSV text), split and scale, initialise with the seed, the
forward pass, the loss, the deltas and gradients of one step with the page's numbers printed, the
training loop and the loss curve. It imports only numpy, pandas and altair — nothing from this
project — so it runs anywhere.

For classification (``task``) the data are the toy set, drawn by the notebook itself with the app's
generator (``toy``), or the upload; the split is stratified, the output σ or softmax, the loss the
cross-entropy and δ_O = ŷ − y (``notebook_classes``).

The step the notebook walks through is the first update of epoch ``step_epoch`` (the Backprop
page's epoch slider): with step_epoch > 0 a "fast-forward" section first runs that many epochs with
the training loop's own function. With mini-batches, that update uses the first batch of the epoch.
The losses it prints before and after the step are ½ Σ (y − ŷ)² over all training rows, as on the
page.

This module holds the spec and puts the notebook together; ``notebook_cells`` writes sections 0–3
(and the helpers every section uses), ``notebook_step`` sections 3b–9. User text (file names,
column names) enters code cells only as Python literals (``repr``) and Markdown cells only escaped
(``markdown_text``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Sequence

import nbformat
import pandas as pd
from nbformat import v4

from core.toy import TOY_SETS
from ui.views import notebook_classes
from ui.views.notebook_cells import Cells, data, markdown_text, network, split, title
from ui.views.notebook_step import backward, curve, fast_forward, forward, loss, training, update

__all__ = ["ALLOWED_IMPORTS", "RunSpec", "build_notebook", "file_name", "markdown_text", "table_csv"]

ACTIVATIONS = ("sigmoid", "tanh", "relu")
TASKS = ("regression", "classification")
ALLOWED_IMPORTS = ("io", "math", "numpy", "pandas", "altair")


@dataclass(frozen=True)
class RunSpec:
    """Everything that decides the run, as plain values (the app's ``Settings`` plus the data).

    ``data_csv``: None for the bundled Income2, else the table as ``table_csv`` writes it;
    ``data_name``: the upload's file name (shown, never used as a path). ``hidden``: units per
    hidden layer. ``batch_size`` None: every training row in one batch. ``step_epoch``: the epoch
    whose first update the notebook takes by hand (0 = from the initial weights). ``task``
    "classification": the cross-entropy with a σ or softmax output; ``toy`` (classification only):
    the toy set (dataset, points, noise, data seed, derived inputs) the notebook draws, in place of
    ``data_csv``; ``hidden`` may then be () (no hidden layer).
    """

    data_csv: str | None = None
    data_name: str | None = None
    features: tuple[str, ...] = ("Education", "Seniority")
    target: str = "Income"
    test_size: float = 0.5
    split_seed: int = 42
    hidden: tuple[int, ...] = (3,)
    eta: float = 0.05
    epochs: int = 1000
    seed: int = 321
    activation: str = "sigmoid"
    batch_size: int | None = None
    weight_decay: float = 0.0
    drop_incomplete: bool = False
    step_epoch: int = 0
    task: str = "regression"
    toy: tuple | None = None

    def __post_init__(self):
        def put(name, value):
            object.__setattr__(self, name, value)

        for name in ("data_csv", "data_name"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{name} must be text or None, got {type(value).__name__}.")
        features = (self.features,) if isinstance(self.features, str) else tuple(self.features)
        put("features", tuple(str(f) for f in features))
        put("target", str(self.target))
        if not self.features or self.target in self.features:
            raise ValueError("Choose at least one feature, and a target that is not a feature.")
        hidden = tuple(self.hidden) if hasattr(self.hidden, "__iter__") else (self.hidden,)
        put("hidden", tuple(_whole("a hidden layer's width", h, 1) for h in hidden))
        if self.task not in TASKS:
            raise ValueError(f"Unknown task {self.task!r}; choose one of {', '.join(TASKS)}.")
        if not self.hidden and self.task != "classification":
            raise ValueError("hidden must list at least one hidden layer (none is for classification only).")
        if self.toy is not None:
            if self.task != "classification" or self.data_csv is not None:
                raise ValueError("A toy data set is for classification, in place of an uploaded table.")
            name, points, noise, seed, inputs = self.toy
            if name not in TOY_SETS or not set(inputs) <= set(notebook_classes.DERIVED):
                raise ValueError(f"Unknown toy data set {name!r} or derived input in {inputs!r}.")
            put("toy", (name, _whole("points", points, 1), _number("noise", noise, 0.0, 1.0),
                        _whole("data seed", seed, 0, 2**32 - 1), tuple(str(i) for i in inputs)))
        put("split_seed", _whole("split_seed", self.split_seed, 0, 2**32 - 1))
        put("seed", _whole("seed", self.seed, 0, 2**32 - 1))
        put("epochs", _whole("epochs", self.epochs, 1))
        put("step_epoch", _whole("step_epoch", self.step_epoch, 0, self.epochs))
        if self.batch_size is not None:
            put("batch_size", _whole("batch_size", self.batch_size, 1))
        put("test_size", _number("test_size", self.test_size, 0.0, 1.0, open_low=True, open_high=True))
        put("eta", _number("eta", self.eta, 0.0, math.inf, open_low=True))
        put("weight_decay", _number("weight_decay", self.weight_decay, 0.0, math.inf))
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"Unknown activation {self.activation!r}; choose one of {', '.join(ACTIVATIONS)}.")
        put("drop_incomplete", bool(self.drop_incomplete))


def table_csv(table: pd.DataFrame, columns: Sequence[str] | None = None) -> str:
    """``table`` (the DataFrame the app read) as CSV text for ``RunSpec.data_csv``.

    Only ``columns`` (default: all) and the row labels are kept; floats are written to round-trip,
    so the notebook reads back exactly the app's numbers with ``pd.read_csv(..., index_col=0)``.
    """
    part = table if columns is None else table[list(columns)]
    return part.to_csv(index=True, lineterminator="\n")


def file_name(spec: RunSpec) -> str:
    """A download name made of the settings only (never of user text)."""
    layers = "x".join(str(h) for h in spec.hidden) or "0"
    name = f"backprop-{spec.activation}-{layers}-eta{spec.eta:g}-seed{spec.seed}-epochs{spec.epochs}"
    return re.sub(r"[^A-Za-z0-9._-]", "_", name) + ".ipynb"


def build_notebook(spec: RunSpec) -> str:
    """The notebook for ``spec`` as ``.ipynb`` JSON text (nbformat 4), the same bytes for the same spec."""
    cells = Cells(spec)
    ahead = [fast_forward] if cells.epoch else []        # section 3b, only when the step is not epoch 0's
    for section in [title, data, split, network, *ahead, forward, loss, backward, update, training, curve]:
        section(cells)
    nb = v4.new_notebook(cells=cells.out)
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    for i, cell in enumerate(nb.cells):      # stable ids: the same run downloads the same file
        cell.id = f"cell-{i:02d}"
    nbformat.validate(nb)
    return nbformat.writes(nb)


# ---------------------------------------------------------------------------------------------

def _whole(name, value, low, high=None) -> int:
    try:
        ok = not isinstance(value, bool) and int(value) == value
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok or value < low or (high is not None and value > high):
        rule = f"from {low} to {high}" if high is not None else f"≥ {low}"
        raise ValueError(f"{name} must be a whole number {rule}, got {value!r}.")
    return int(value)


def _number(name, value, low, high, open_low=False, open_high=False) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        x = math.nan
    ok = math.isfinite(x) and (x > low if open_low else x >= low) and (x < high if open_high else x <= high)
    if not ok:
        raise ValueError(f"{name} must be a finite number in the allowed range, got {value!r}.")
    return x

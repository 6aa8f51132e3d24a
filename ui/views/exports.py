"""The files a student downloads: the loss history, the weights at an epoch, the predictions."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd

from ui.views.fit_charts import points_frame

# ----------------------------------------------------------------------------- downloads


def history_csv(losses) -> str:
    """``epoch,train_loss,test_loss``: one line per epoch, 0 … last finite epoch."""
    losses = np.asarray(losses, dtype=float)
    frame = pd.DataFrame({"epoch": np.arange(len(losses)), "train_loss": losses[:, 0],
                          "test_loss": losses[:, 1]})
    return frame.to_csv(index=False, float_format="%.10g")


def _numbers(a):
    """Nested lists of floats for JSON, with None for anything not finite."""
    a = np.asarray(a, dtype=float)
    if a.ndim:
        return [_numbers(r) for r in a]
    return float(a) if np.isfinite(a) else None


def weights_json(snap, p, settings: dict) -> str:
    """The weights at one epoch with what is needed to use them (scales, settings, notation)."""
    doc = {
        "epoch": int(snap.epoch),
        "settings": settings,
        "notation": "W_H is (N_I+1, N_H) and W_O is (N_H+1, N_O); row 0 of each holds the bias weights. "
                    "Inputs and target are divided by x_scale and y_scale before use.",
        "features": [str(f) for f in p.features],
        "target": str(p.target),
        "x_scale": _numbers(p.x_scale),
        "y_scale": _numbers(p.y_scale),
        "loss_train": _numbers(snap.loss_train),
        "loss_test": _numbers(snap.loss_test),
        "W_H": _numbers(snap.W_H),
        "W_O": _numbers(snap.W_O),
    }
    return json.dumps(doc, indent=2, allow_nan=False)


def predictions_csv(p, snap) -> str:
    """One line per row at the chosen epoch: split, row, features, true and predicted target, residual."""
    points = points_frame(p, snap)
    columns = [points.split, points.row] + [points[f"x{j + 1}"] for j in range(p.n_inputs)]
    columns += [points["true"], points["predicted"], points["true"] - points["predicted"]]
    names = ["split", "row", *map(str, p.features), str(p.target), f"predicted {p.target}", "residual"]
    # concat with keys keeps the order and allows a user column that is itself called "row".
    frame = pd.concat(columns, axis=1, keys=names)
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, float_format="%.10g")
    return buffer.getvalue()

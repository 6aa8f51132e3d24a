"""The files a student downloads (loss history, weights, predictions), safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets (OWASP "CSV injection"): a student's column named
``=HYPERLINK("http://x", "click")`` would come back as a live link. Such *text* is written with a
leading ``'``, which spreadsheets read as "this is text". Numbers the app computed are left alone,
so -0.5 stays a number; only headers, index labels and text cells are escaped.
"""

from __future__ import annotations

import csv
import io
import json
import numbers

import numpy as np
import pandas as pd

from core import evaluate, graph
from ui.views.vega import SPLITS


def points_frame(p, snap) -> pd.DataFrame:
    """Every row at one epoch in original units: split, row, true and predicted target, x1 … x_NI."""
    X = np.vstack([p.to_original_X(p.X_train_aug), p.to_original_X(p.X_test_aug)])
    true = np.concatenate([p.to_original_y(p.y_train)[:, 0], p.to_original_y(p.y_test)[:, 0]])
    pred = np.concatenate([p.to_original_y(snap.y_hat_train)[:, 0], p.to_original_y(snap.y_hat_test)[:, 0]])
    frame = pd.DataFrame({"split": np.repeat(SPLITS, [len(p.y_train), len(p.y_test)]),
                          "row": np.concatenate([p.train_rows, p.test_rows]), "true": true, "predicted": pred})
    for j in range(X.shape[1]):
        frame[f"x{j + 1}"] = X[:, j]
    return frame


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value):
    """``value`` with a ``'`` in front if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(frame: pd.DataFrame, *, index: bool = False) -> str:
    """``frame`` as CSV text: headers and text cells escaped, numbers written in full (repr)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = [_text(c) for c in frame.columns]
    if index:
        header = [_text(frame.index.name or "")] + header
    writer.writerow(header)
    for label, row in zip(frame.index, frame.itertuples(index=False, name=None)):
        cells = [_cell(v) for v in row]
        writer.writerow([_cell(label)] + cells if index else cells)
    return out.getvalue()


def _text(value) -> str:
    return escape_cell(str(value))


def _cell(value):
    if pd.api.types.is_scalar(value) and pd.isna(value):       # None, NaN, NA, NaT: an empty cell
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, numbers.Number):
        # repr: the shortest text that reads back as the same float (no rounding in the export).
        return repr(float(value)) if isinstance(value, (float, np.floating)) else str(value)
    return _text(value)


# ----------------------------------------------------------------------------- the downloads


def history_csv(losses) -> str:
    """``epoch,train_loss,test_loss``: one line per epoch, 0 … last finite epoch."""
    losses = np.asarray(losses, dtype=float)
    frame = pd.DataFrame({"epoch": np.arange(len(losses)), "train_loss": losses[:, 0],
                          "test_loss": losses[:, 1]})
    return to_csv(frame)


def _numbers(a):
    """Nested lists of floats for JSON, with None for anything not finite."""
    a = np.asarray(a, dtype=float)
    if a.ndim:
        return [_numbers(r) for r in a]
    return float(a) if np.isfinite(a) else None


def weights_json(snap, p, settings: dict) -> str:
    """The weights at one epoch with what is needed to use them (scales, settings, notation).

    One key per layer, named as on screen: W_H and W_O, or W_H1, W_H2, … and W_O.
    """
    names = graph.matrix_names(len(snap.weights) - 1)
    doc = {
        "epoch": int(snap.epoch),
        "settings": {k: (list(v) if isinstance(v, tuple) else v) for k, v in settings.items()},
        "notation": f"{', '.join(names)}: one weight matrix per layer, (1 + inputs of the layer, units); row 0 of "
                    "each holds the bias weights. The hidden layers use the activation, " + (
                        "the output is linear. Inputs and target are divided by x_scale and y_scale before use."
                        if p.task != "classification" else
                        ("the output is the sigmoid of z_O, the probability of classes[1]." if len(p.classes) == 2
                         else "the output is the softmax of z_O, one probability per class of classes.")
                        + " Inputs are divided by x_scale before use; the loss is the cross-entropy."),
        "features": [str(f) for f in p.features],
        "target": str(p.target),
        **({"classes": [c if isinstance(c, (int, float, str)) else str(c) for c in p.classes]} if p.classes else {}),
        "x_scale": _numbers(p.x_scale),
        "y_scale": _numbers(p.y_scale),
        "loss_train": _numbers(snap.loss_train),
        "loss_test": _numbers(snap.loss_test),
        **{name: _numbers(W) for name, W in zip(names, snap.weights)},
    }
    return json.dumps(doc, indent=2, allow_nan=False)


def class_predictions_csv(p, snap) -> str:
    """Classification: one line per row at the chosen epoch: split, row, features, its class, the predicted
    class, and the probability of every class."""
    X = np.vstack([p.to_original_X(p.X_train_aug), p.to_original_X(p.X_test_aug)])
    y = np.vstack([p.y_train, p.y_test])
    y_hat = np.vstack([snap.y_hat_train, snap.y_hat_test])
    probs = np.hstack([1 - y_hat, y_hat]) if y_hat.shape[1] == 1 else y_hat
    names = [str(c) for c in p.classes]
    frame = pd.DataFrame({"split": np.repeat(SPLITS, [len(p.y_train), len(p.y_test)]),
                          "row": np.concatenate([p.train_rows, p.test_rows])})
    columns = [frame.split, frame.row] + [pd.Series(X[:, j]) for j in range(p.n_inputs)]
    columns += [pd.Series([names[k] for k in evaluate.predicted_class(y)]),
                pd.Series([names[k] for k in evaluate.predicted_class(y_hat)])]
    columns += [pd.Series(probs[:, k]) for k in range(len(names))]
    heads = ["split", "row", *map(str, p.features), str(p.target), f"predicted {p.target}",
             *[f"probability of {c}" for c in names]]
    return to_csv(pd.concat(columns, axis=1, keys=heads))


def predictions_csv(p, snap) -> str:
    """One line per row at the chosen epoch: split, row, features, true and predicted target, residual."""
    if p.task == "classification":
        return class_predictions_csv(p, snap)
    points = points_frame(p, snap)
    columns = [points.split, points.row] + [points[f"x{j + 1}"] for j in range(p.n_inputs)]
    columns += [points["true"], points["predicted"], points["true"] - points["predicted"]]
    names = ["split", "row", *map(str, p.features), str(p.target), f"predicted {p.target}", "residual"]
    # concat with keys keeps the order and allows a user column that is itself called "row".
    return to_csv(pd.concat(columns, axis=1, keys=names))

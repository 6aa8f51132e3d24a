"""A training run as the browser draws it: everything the Training page shows at any epoch, once.

The Training page animates in each student's browser (``ui/browser/player.js``): the server builds
this payload once per run, the browser receives it once and draws every frame itself, so a student
pressing Play costs the server nothing. Pure: a History and a Prepared in, a JSON-ready dict out.

What is shipped, and why that much:

- ``frames``: up to ``MAX_FRAMES`` epochs spread over the run (always the first and the last), each
  with its weights (every layer, float32) and the numbers the page prints at that epoch, already
  formatted here — so a frame shows exactly the digits the page shows when paused there. The
  browser computes predictions from the weights (a forward pass of a few hundred points), which is
  far smaller to ship than the predictions themselves.
- ``curve``: both loss curves per row, downsampled to what a chart can show (``ui.views.downsample``).
- ``paths``: each shown training row's prediction over the epochs.
- ``points``: every row (at most ``vega.MAX_POINTS``) in original units with its target, and the
  grid or lines on which the browser draws what the network has learned.

Large arrays travel as base64 of little-endian float32 (``f32``); NaN stays NaN. Column names are
user text: the browser only ever writes them with ``textContent`` or on a canvas.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from typing import Sequence

import numpy as np

from core import evaluate
from ui.views import loss_charts, numbers, vega
from ui.views.downsample import downsample
from ui.views.style import ChartStyle

MAX_FRAMES = 600           # epochs with their own numbers: 20 s of Play at 30 frames a second
WEIGHT_BUDGET = 600_000    # bytes of float32 weights per run; deep networks get fewer frames
GRID = 40                  # cells per side of the learned surface
CURVE_POINTS = 100         # points per line when the network has 1, 3 or 4 inputs
MARGIN = 0.25              # how far the learned picture reaches beyond the rows (share of their range)
SCORES = (("loss", ".6g"), ("loss per row", ".4g"), ("RMSE", ".3f"), ("R²", ".3f"))


F32_MAX = float(np.finfo(np.float32).max)


def f32(values) -> str:
    """A numeric array as base64 of little-endian float32 (what ``Float32Array`` reads).

    Values beyond float32's range (a diverging run's weights) are kept at its largest value; NaN
    stays NaN.
    """
    values = np.clip(np.asarray(values, dtype=float), -F32_MAX, F32_MAX)
    return base64.b64encode(values.astype("<f4").tobytes()).decode("ascii")


def heading(epoch: int, last: int, diverged: bool) -> str:
    """The line above the scores: where in the run this epoch is."""
    where = ("the last finite epoch" if diverged else "the end of training") if epoch == last else \
        f"{epoch / max(last, 1):.0%} of the way"
    return f"At epoch {epoch:,} of {last:,} — {where}"


def score_values(p, y_hat_train, y_hat_test, loss_train, loss_test) -> np.ndarray:
    """(F, 2, 4): per frame and split (training, test) the loss, the loss per row, RMSE and R².

    ``y_hat_*`` (F, N, 1) scaled predictions, ``loss_*`` (F,). RMSE and R² in the target's units,
    reduced along each frame's rows exactly as ``core.evaluate`` reduces one epoch's.
    """
    out = []
    with np.errstate(all="ignore"):
        for y, y_hat, loss in ((p.y_train, y_hat_train, loss_train), (p.y_test, y_hat_test, loss_test)):
            y = p.to_original_y(y)
            F, N = len(loss), len(y)
            r = (y[None] - p.to_original_y(np.asarray(y_hat))).reshape(F, N)
            ss_res = np.sum(r ** 2, axis=1)
            ss_tot = float(np.sum((y - y.mean(axis=0)) ** 2))
            rmse = np.sqrt(np.mean(r * r, axis=1))
            r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else np.full(F, np.nan)
            loss = np.asarray(loss, dtype=float)
            out.append(np.column_stack([loss, loss / max(N, 1), rmse, r2]))
    return np.stack(out, axis=1)


def score_text(values: np.ndarray) -> list[str]:
    """One frame's eight numbers (``score_values``' (2, 4)) as the page prints them."""
    return [numbers.spec(v, fmt) for split in values for v, (_, fmt) in zip(split, SCORES)]


def frame_picks(n_kept: int, limit: int) -> np.ndarray:
    """Indices of at most ``limit`` of ``n_kept`` kept epochs, evenly spread, first and last included."""
    if n_kept <= limit:
        return np.arange(n_kept)
    return np.unique(np.linspace(0, n_kept - 1, limit).round().astype(int))


def max_frames(n_weights: int) -> int:
    """Frames a run of ``n_weights`` weights gets within ``WEIGHT_BUDGET``."""
    return int(max(2, min(MAX_FRAMES, WEIGHT_BUDGET // (4 * max(n_weights, 1)))))


FLAT = 0.1          # predictions whose spread is under a tenth of the targets' are "nearly all alike"
UNFINISHED = 0.01   # a run whose loss still fell by more than this over its last tenth is not finished


def note(p, h, epoch: int, values: np.ndarray, y_hat_train, target: str) -> str:
    """What the numbers at ``epoch`` mean, in plain words ("" when they need none).

    ``values`` (2, 4) is ``score_values``' frame; ``y_hat_train`` (N, 1) the training predictions.
    """
    said = []
    last, diverged = h.last_epoch, h.diverged_at is not None
    if np.nanmin(values[:, 3]) < 0:
        said.append(f"R² below 0: at this epoch the network misses by more than always predicting the average "
                    f"{target} would. Early in training that is usual: the weights are still far from a fit.")
    spread = float(np.std(p.to_original_y(p.y_train)))
    with np.errstate(all="ignore"):
        if spread > 0 and float(np.std(p.to_original_y(y_hat_train))) < FLAT * spread:
            said.append(f"The predictions are nearly all alike here: the network has found the average {target} but "
                        "not yet how it depends on the inputs. The loss often rests on such a plateau before it falls "
                        "again.")
    if epoch == last and diverged:
        said.append(f"Training diverged at epoch {h.diverged_at:,}: from there the numbers were too large for a "
                    f"computer to hold, so every chart ends at epoch {last:,}.")
    elif epoch == last and last >= 20:
        L = h.losses[:, 0]
        k = max(1, last // 10)
        drop = (L[last - k] - L[last]) / L[last - k] if L[last - k] > 0 else 0.0
        if drop > UNFINISHED:
            said.append(f"The run ends with the training loss still falling ({drop:.0%} over its last {k:,} epochs): "
                        "it is not finished. More epochs, or a larger η, would fit further.")
    return " ".join(said)


def one_frame(p, h, epoch: int, target: str = "target") -> dict:
    """The numbers and weights at one exact epoch (a paused page at an epoch between shipped frames)."""
    snap = h.at(epoch)
    values = score_values(p, snap.y_hat_train[None], snap.y_hat_test[None], [snap.loss_train], [snap.loss_test])
    return {"epoch": int(epoch), "head": heading(epoch, h.last_epoch, h.diverged_at is not None),
            "text": score_text(values[0]), "loss": dots(p, snap),
            "note": note(p, h, epoch, values[0], snap.y_hat_train, target),
            "weights": f32(np.concatenate([w.ravel() for w in snap.weights]))}


def dots(p, snap) -> list[float | None]:
    """One epoch's training and test loss as the loss chart's dots: per row, as its axis and curves."""
    per_row = loss_charts.per_row([snap.loss_train, snap.loss_test], (len(p.y_train), len(p.y_test)))
    return [_finite(v) for v in per_row]


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def build(p, h, labels: Sequence[str], target: str, unit: str = "") -> dict:
    """Everything the browser needs to draw the Training page's views at any epoch of ``h``.

    ``labels``: each feature's name with its unit; ``target``: the target's (both user text);
    ``unit``: the target's unit alone, for the caption ("$1000s").
    """
    last, diverged = h.last_epoch, h.diverged_at is not None
    kept = h.kept_predictions()
    n_weights = sum(r * c for r, c in h.shapes)
    pick = frame_picks(len(kept.epochs), max_frames(n_weights))
    epochs = kept.epochs[pick].astype(int)
    W = np.concatenate([w[pick].reshape(len(pick), -1) for w in h.weights], axis=1)
    train, test = kept.train[pick], kept.test[pick]
    if epochs[-1] != last:                          # training diverged between two kept epochs
        snap = h.at(last)
        epochs = np.append(epochs, last)
        W = np.vstack([W, np.concatenate([w.ravel() for w in snap.weights])])
        train, test = np.concatenate([train, snap.y_hat_train[None]]), np.concatenate([test, snap.y_hat_test[None]])
    losses = h.losses[epochs]
    values = score_values(p, train, test, losses[:, 0], losses[:, 1])
    said = [note(p, h, int(e), v, t, target) for e, v, t in zip(epochs, values, train)]
    notes = sorted(set(said) - {""})
    rows = (len(p.y_train), len(p.y_test))
    run = {
        "last": int(last), "diverged": diverged, "activation": h.activation,
        "shapes": [list(map(int, s)) for s in h.shapes],
        "x_scale": [float(v) for v in p.x_scale], "y_scale": float(p.y_scale[0]),
        "rows": list(rows),
        "frames": {"epoch": epochs.tolist(), "weights": f32(W),
                   "head": [heading(int(e), last, diverged) for e in epochs],
                   "text": [score_text(v) for v in values],
                   "note": [notes.index(n) if n else -1 for n in said],
                   "loss": f32(loss_charts.per_row(losses, rows))},
        "curve": _curve(h.losses, rows),
        "notes": notes,
        "labels": {"features": [str(v) for v in labels], "target": str(target), "unit": str(unit)},
    }
    run.update(_paths(p, h, kept))
    run.update(_points(p, h, labels))
    run["id"] = run_id(run)
    return run


def run_id(run: dict) -> str:
    """A short name for a payload, the same for the same content (the browser keeps runs by it)."""
    return hashlib.sha256(json.dumps(run, sort_keys=True).encode()).hexdigest()[:16]


def _curve(losses, rows) -> dict:
    """Both loss curves per row, downsampled; non-positive or non-finite values are NaN (log axis)."""
    per_row = loss_charts.per_row(losses, rows)
    keep = downsample(per_row, 1000)
    shown = np.where(np.isfinite(per_row) & (per_row > 0), per_row, np.nan)[keep]
    return {"epoch": keep.astype(int).tolist(), "train": f32(shown[:, 0]), "test": f32(shown[:, 1]),
            "domain": loss_charts.log_domain(per_row)}


def _paths(p, h, kept) -> dict:
    """Each shown training row's prediction over the epochs (target units), and the axis they share."""
    shown = loss_charts.shown_rows(p.y_train)
    pick = loss_charts.trajectory_epochs(len(kept.epochs))
    y_hat = p.to_original_y(kept.train[pick][:, shown, :])[..., 0]                    # (K, m)
    targets = p.to_original_y(p.y_train)[:, 0]
    domain = vega.income_domain(p.to_original_y(np.vstack([p.y_train, p.y_test])),
                                p.to_original_y(np.concatenate(h.kept_predictions()[1:], axis=1)))
    return {"paths": {"epoch": kept.epochs[pick].astype(int).tolist(), "rows": shown.astype(int).tolist(),
                      "targets": [float(t) for t in targets[shown]], "predicted": f32(y_hat),
                      "target_range": [float(targets.min()), float(targets.max())]},
            "domain": [float(d) for d in domain]}


def _points(p, h, labels) -> dict:
    """The rows (training first) in original units, and where the learned function is drawn."""
    X = np.vstack([p.to_original_X(p.X_train_aug), p.to_original_X(p.X_test_aug)])
    y = np.concatenate([p.to_original_y(p.y_train)[:, 0], p.to_original_y(p.y_test)[:, 0]])
    names = np.concatenate([p.train_rows, p.test_rows]).astype(str)
    n_train = len(p.y_train)
    keep = vega.subsample(len(y))
    points = {"x": f32(X[keep]), "true": f32(y[keep]), "row": names[keep].tolist(),
              "n_train": int(np.sum(keep < n_train)), "n_inputs": int(X.shape[1])}
    final = h.at(h.last_epoch).weights
    if X.shape[1] == 2:
        sfc = evaluate.surface(p, final, h.activation, resolution=GRID, margin=MARGIN)
        train_X = p.to_original_X(p.X_train_aug)
        learned = {"kind": "surface", "x1": [float(v) for v in sfc.x1], "x2": [float(v) for v in sfc.x2],
                   "colour": vega.income_domain(y, sfc.y_hat, reach=0.25, pad=0.0),
                   "box": [float(train_X[:, 0].min()), float(train_X[:, 0].max()),
                           float(train_X[:, 1].min()), float(train_X[:, 1].max())]}
    else:
        medians = np.median(X, axis=0)
        lines = []
        for j in range(X.shape[1]):
            x, y_final = evaluate.partial_curve(p, final, j, h.activation, resolution=CURVE_POINTS, margin=MARGIN)
            lines.append({"x": [float(v) for v in x], "domain": vega.income_domain(y, y_final, reach=0.5)})
        learned = {"kind": "curves", "lines": lines, "medians": [float(v) for v in medians]}
    return {"points": points, "learned": learned}


def look(style: ChartStyle, projector: bool) -> dict:
    """Sizes the browser draws with: fonts, lines and markers of the page's other charts."""
    return {"font": style.font, "title": style.title, "line": style.line, "point": style.point,
            "height": style.height, "projector": bool(projector)}

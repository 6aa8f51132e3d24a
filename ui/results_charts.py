"""Views of one training history: loss curves, predictions over the epochs, the fit, the learned
function, the spread over seeds — and the numbers and files a student reads or downloads.

Pure: a History, a Prepared and arrays in; DataFrames, Vega-Lite specs and strings out. A spec is a
plain dict whose data sit in ``spec["datasets"]`` under fixed names ("loss", "cursor", …), shown
with ``st.vega_lite_chart(spec)``. Plain dicts rather than Altair objects because Altair spends
about a third of a second per chart copying and validating — too slow for Play frames. A chart
that follows the epoch slider keeps the same spec from epoch to epoch (fixed domains, no epoch in a
title) and changes only its small cursor datasets, so while Play runs the browser swaps data in
place instead of redrawing. Field names are fixed ("x1", "predicted", …): column names are user
text and appear only in titles and tooltips, never as Vega field references.
"""

from __future__ import annotations

import copy
import functools
import io
import json

import altair as alt
import numpy as np
import pandas as pd

from core import evaluate
from ui import style as st_style
from ui.downsample import downsample

TRAIN, TEST = "training", "test"
SPLITS = [TRAIN, TEST]
MAX_LINES = 30          # training rows drawn in "predictions over epochs"
MAX_POINTS = 2000       # rows drawn in a scatter plot
LOSS_TITLE = "loss ½·Σ(y − ŷ)², scaled data (log scale)"
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"

_SPLIT_COLOUR = {"domain": SPLITS, "range": [st_style.TRAIN, st_style.TEST]}
_SPLIT_SHAPE = {"domain": SPLITS, "range": [st_style.TRAIN_SHAPE, st_style.TEST_SHAPE]}
_SPLIT_DASH = {"domain": SPLITS, "range": [[1, 0], [8, 4]]}
_VIRIDIS = {"name": st_style.SEQUENTIAL, "extent": [0.0, 0.9]}    # the palest yellow is lost on white


@functools.lru_cache(maxsize=4)
def _config(style: st_style.ChartStyle) -> dict:
    """The shared look (``ChartStyle.apply``) as a Vega-Lite config, worked out once per style."""
    config = style.apply(alt.Chart(pd.DataFrame({"a": [0]})).mark_point()).to_dict()["config"]
    for size in ("continuousWidth", "continuousHeight"):      # Altair's theme; Streamlit sizes charts
        config.get("view", {}).pop(size, None)
    return config


def _spec(layers: list, datasets: dict, style, height: int) -> dict:
    # Canvas, not Streamlit's default SVG for small charts: redrawing a canvas is much cheaper
    # than updating thousands of SVG nodes in every Play frame.
    return {"$schema": SCHEMA, "height": int(height), "layer": layers, "datasets": datasets,
            "config": copy.deepcopy(_config(style)), "usermeta": {"embedOptions": {"renderer": "canvas"}}}


def _q(field: str, title=None, **kw) -> dict:
    enc = {"field": field, "type": "quantitative"}
    if title is not None:
        enc["title"] = title
    return {**enc, **kw}


def _n(field: str, **kw) -> dict:
    return {"field": field, "type": "nominal", **kw}


def _tip(field: str, title: str | None = None, fmt: str | None = None, kind: str = "quantitative") -> dict:
    tip = {"field": field, "type": kind, "title": title or field}
    if fmt:
        tip["format"] = fmt
    return tip


def _legend(style, **kw) -> dict:
    return {"orient": "top", "title": None, "symbolStrokeWidth": style.line, "labelLimit": 400, **kw}


def _gradient(style) -> dict:
    return {"type": "gradient", "orient": "right", "gradientLength": max(120, style.height - 120)}


def _epoch_x(last_epoch: int) -> dict:
    return _q("epoch", "epoch", scale={"domain": [0, max(int(last_epoch), 1)], "nice": False},
              axis={"format": ",d"})


def _cursor(last_epoch: int, style) -> list[dict]:
    """A dotted vertical line at the chosen epoch (dataset "epoch", one row) with its number on top.

    The number sits right of the line in the first three quarters of the run and left of it after,
    so it never leaves the chart; both cases are in the spec, which therefore never changes.
    """
    x = _epoch_x(last_epoch)
    late = f"datum.epoch > {0.75 * max(int(last_epoch), 1)}"
    text = {"type": "text", "baseline": "top", "fontSize": style.font, "fontWeight": "bold",
            "color": st_style.BLACK}
    label = {"x": x, "y": {"value": 2}, "text": {"field": "epoch", "type": "quantitative", "format": ",d"}}
    return [
        {"data": {"name": "epoch"}, "encoding": {"x": x},
         "mark": {"type": "rule", "color": st_style.BLACK, "strokeWidth": max(1.5, style.line / 2),
                  "strokeDash": [2, 3]}},
        {"data": {"name": "epoch"}, "transform": [{"filter": f"!({late})"}],
         "mark": {**text, "align": "left", "dx": 4}, "encoding": label},
        {"data": {"name": "epoch"}, "transform": [{"filter": late}],
         "mark": {**text, "align": "right", "dx": -4}, "encoding": label},
    ]


def epoch_frame(epoch: int) -> pd.DataFrame:
    return pd.DataFrame({"epoch": [int(epoch)]})


def subsample(n: int, limit: int = MAX_POINTS) -> np.ndarray:
    """At most ``limit`` evenly spread indices of ``n`` rows (all of them when n ≤ limit)."""
    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(int))


def income_domain(targets, predictions=(), reach: float = 0.5, pad: float = 0.05) -> list[float]:
    """An axis range for the target: all targets, and predictions up to ``reach`` spans beyond them.

    Predictions of a bad or diverging network can be huge; those stay off the chart (the page
    counts them) instead of squashing the data into a line.
    """
    t = np.asarray(targets, dtype=float).ravel()
    t = t[np.isfinite(t)]
    lo, hi = (float(t.min()), float(t.max())) if t.size else (0.0, 1.0)
    span = hi - lo or max(abs(hi), 1.0)
    v = np.asarray(predictions, dtype=float).ravel()
    v = np.clip(v[np.isfinite(v)], lo - reach * span, hi + reach * span)
    if v.size:
        lo, hi = min(lo, float(v.min())), max(hi, float(v.max()))
    extra = pad * (hi - lo)
    return [lo - extra, hi + extra]


def outside(values, domain) -> int:
    """How many values fall outside ``domain`` (drawn at its edge)."""
    v = np.asarray(values, dtype=float)
    return int(np.sum((v < domain[0]) | (v > domain[1]) | ~np.isfinite(v)))


# ----------------------------------------------------------------------------- numbers


def scores(p, snap) -> pd.DataFrame:
    """Loss (lecture's units: ½·Σ(y − ŷ)² on scaled data), RMSE and R² (target units), per split.

    Just before a divergence the errors can be too large to square: those come out as ±inf.
    """
    rows = {}
    with np.errstate(all="ignore"):
        for split, y, y_hat, loss in ((TRAIN, p.y_train, snap.y_hat_train, snap.loss_train),
                                      (TEST, p.y_test, snap.y_hat_test, snap.loss_test)):
            y, y_hat = p.to_original_y(y), p.to_original_y(y_hat)
            rows[split] = {"loss": loss, "RMSE": evaluate.rmse(y, y_hat), "R²": evaluate.r2(y, y_hat)}
    return pd.DataFrame.from_dict(rows, orient="index")


def fmt(value: float, spec: str) -> str:
    """A number for a student to read: "overflow" (too large to compute) instead of ±inf."""
    value = float(value)
    if np.isfinite(value):
        return format(value, spec)
    return "undefined" if np.isnan(value) else "overflow"


def divergence_message(h, eta: float, smaller: float) -> str:
    """Plain words for a run that blew up: when, why, what to try (Markdown, app-written only)."""
    e = h.diverged_at
    if h.last_epoch < 0 or e == 0:
        when = "The loss is not a finite number even for the initial weights."
    else:
        when = (f"The training loss grew from {h.losses[0, 0]:.4g} at epoch 0 to {h.losses[-1, 0]:.3g} at "
                f"epoch {h.last_epoch:,} and at epoch {e:,} became too large for a computer to hold.")
    return (f"**Training diverged at epoch {e:,}.** {when}\n\n"
            f"**Why:** with η = {eta:g} every update W ← W − η·∂L/∂W jumps past the bottom of the "
            "loss valley and lands higher up the other side, where the slope is steeper, so the next "
            "jump is bigger still — the weights swing further out at every step.\n\n"
            f"**What to try:** a smaller learning rate, e.g. η = {smaller:g} (or the lecture's 0.05). "
            f"The charts below show the finite epochs 0–{max(h.last_epoch, 0):,}.")


def seed_summary(seeds, final_loss_test, seed: int) -> str:
    """The spread of final test losses over seeds in one or two sentences (Markdown)."""
    loss = np.asarray(final_loss_test, dtype=float)
    seeds = np.asarray(seeds)
    ok = np.isfinite(loss)
    n, bad = len(loss), int((~ok).sum())
    if not ok.any():
        return f"All {n} seeds diverged: no final test loss to compare."
    good, order = loss[ok], np.argsort(loss[ok], kind="stable")
    best, worst = seeds[ok][order[0]], seeds[ok][order[-1]]
    text = (f"Final test loss over {ok.sum()} seeds: lowest **{good.min():.4g}** (seed {best}), median "
            f"**{np.median(good):.4g}**, highest **{good.max():.4g}** (seed {worst}) — the worst is "
            f"{good.max() / good.min():.3g}× the best.")
    mine = loss[seeds == seed]
    if len(mine) and np.isfinite(mine[0]):
        rank = int(np.sum(good < mine[0])) + 1
        text += f" This run's seed {seed}: **{mine[0]:.4g}**, rank {rank} of {ok.sum()}."
    if bad:
        text += f" {bad} of {n} seeds diverged and are left out."
    return text


# ----------------------------------------------------------------------------- loss curves


def loss_frame(losses, max_points: int = 1000) -> pd.DataFrame:
    """Train and test loss (epoch, split, loss), downsampled to at most ``max_points`` epochs.

    ``losses`` is (E+1, 2), row e = epoch e. Non-positive or non-finite values are dropped (the
    axis is logarithmic).
    """
    losses = np.asarray(losses, dtype=float)
    keep = downsample(losses, max_points)
    frame = pd.DataFrame({"epoch": np.tile(keep, 2), "split": np.repeat(SPLITS, len(keep)),
                          "loss": np.concatenate([losses[keep, 0], losses[keep, 1]])})
    return frame[np.isfinite(frame.loss) & (frame.loss > 0)].reset_index(drop=True)


def loss_cursor(losses, epoch: int) -> pd.DataFrame:
    """The two losses at ``epoch``."""
    return pd.DataFrame({"epoch": [epoch, epoch], "split": SPLITS, "loss": np.asarray(losses)[epoch]})


def log_domain(values) -> list[float]:
    """A fixed log-scale range holding every positive finite value (so the axis never moves)."""
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v) & (v > 0)]
    if not v.size:
        return [0.1, 10.0]
    lo, hi = float(v.min()), float(v.max())
    return [lo / 1.25, hi * 1.25] if hi > lo else [lo / 2, lo * 2]


def loss_chart(frame: pd.DataFrame, cursor: pd.DataFrame, last_epoch: int, style=st_style.NORMAL) -> dict:
    """Train (solid) and test (dashed) loss against the epoch, log scale, cursor at the chosen epoch.

    Every scale has a fixed domain, so a new cursor does not make Vega re-encode the curves.
    """
    x = _epoch_x(last_epoch)
    y = _q("loss", LOSS_TITLE, scale={"type": "log", "domain": log_domain(frame.loss), "clamp": True})
    tips = [_tip("split", "rows", kind="nominal"), _tip("epoch", fmt=",d"), _tip("loss", fmt=".6g")]
    # Colour, dash and marker all say "training or test": one legend shows all three.
    legend = _legend(style, labelExpr="datum.label == 'test' ? 'test rows (dashed)' : 'training rows (solid)'")
    colour = _n("split", scale=_SPLIT_COLOUR, legend=legend)
    lines = {"data": {"name": "loss"}, "mark": {"type": "line", "strokeWidth": style.line},
             "encoding": {"x": x, "y": y, "tooltip": tips, "color": colour,
                          "strokeDash": _n("split", scale=_SPLIT_DASH, legend=legend)}}
    dots = {"data": {"name": "cursor"},
            "mark": {"type": "point", "filled": True, "size": style.point * 1.5, "stroke": st_style.BLACK,
                     "strokeWidth": 1},
            "encoding": {"x": x, "y": y, "tooltip": tips, "color": colour,
                         "shape": _n("split", scale=_SPLIT_SHAPE, legend=legend)}}
    return _spec([lines, *_cursor(last_epoch, style), dots],
                 {"loss": frame, "cursor": cursor, "epoch": epoch_frame(cursor.epoch.iloc[0])},
                 style, style.height)


# ----------------------------------------------------------------------------- predictions over epochs


def shown_rows(y, limit: int = MAX_LINES) -> np.ndarray:
    """Indices of at most ``limit`` rows spread evenly over the range of ``y`` (all when few)."""
    y = np.asarray(y, dtype=float).ravel()
    if len(y) <= limit:
        return np.arange(len(y))
    order = np.argsort(y, kind="stable")
    return np.sort(order[np.linspace(0, len(y) - 1, limit).round().astype(int)])


TRAJECTORY_POINTS = 240      # per line: smooth curves on a chart a few hundred pixels wide
TRAJECTORY_HEAD = 40         # the first kept epochs, where predictions move fastest, all kept


def trajectory_epochs(n_kept: int, points: int = TRAJECTORY_POINTS, head: int = TRAJECTORY_HEAD) -> np.ndarray:
    """Indices into the kept epochs for the prediction lines: the first ``head``, then evenly spaced."""
    if n_kept <= points:
        return np.arange(n_kept)
    rest = np.linspace(head, n_kept - 1, points - head).round().astype(int)
    return np.unique(np.concatenate([np.arange(head), rest]))


def trajectory_frame(h, p, rows: np.ndarray) -> pd.DataFrame:
    """Each shown training row's prediction (target units) over the epochs: epoch, row, target, predicted.

    At most ``TRAJECTORY_POINTS`` epochs per line: 15 lines of every kept epoch were half a
    megabyte per view, more than the rest of the page together. (Values stay 64-bit: just before a
    divergence predictions reach 1e150, beyond float32.)
    """
    kept = h.kept_predictions()
    pick = trajectory_epochs(len(kept.epochs))
    y_hat = p.to_original_y(kept.train[pick][:, rows, :])[..., 0]          # (K, m)
    target = p.to_original_y(p.y_train[rows])[:, 0]
    K, m = y_hat.shape
    return pd.DataFrame({"epoch": np.repeat(kept.epochs[pick], m).astype(np.int32),
                         "row": np.tile(p.train_rows[rows], K).astype(np.int32),
                         "target": np.tile(target, K), "predicted": y_hat.ravel()})


def target_frame(p, rows: np.ndarray) -> pd.DataFrame:
    """One row per shown training row: its label and target."""
    return pd.DataFrame({"row": p.train_rows[rows], "target": p.to_original_y(p.y_train[rows])[:, 0]})


def trajectory_cursor(p, snap, rows: np.ndarray) -> pd.DataFrame:
    """The shown rows' predictions at the chosen epoch."""
    return pd.DataFrame({"epoch": snap.epoch, "row": p.train_rows[rows],
                         "target": p.to_original_y(p.y_train[rows])[:, 0],
                         "predicted": p.to_original_y(snap.y_hat_train[rows])[:, 0]})


def trajectory_chart(frame: pd.DataFrame, targets: pd.DataFrame, cursor: pd.DataFrame, last_epoch: int,
                     domain, target_title: str, style=st_style.NORMAL) -> dict:
    """Predicted target per training row against the epoch; its target a dashed line of the same colour."""
    x = _epoch_x(last_epoch)
    y = _q("predicted", f"predicted {target_title}", scale={"domain": list(domain), "nice": False})
    # Colour only pairs a line with its dashed target; the y axis gives the value, so no legend.
    t = targets.target.to_numpy(dtype=float)
    t_domain = [float(t.min()), float(t.max())] if len(t) else [0.0, 1.0]
    colour = _q("target", f"target {target_title}", scale={"scheme": _VIRIDIS, "domain": t_domain}, legend=None)
    tips = [_tip("row", kind="nominal"), _tip("target", fmt=".2f")]
    thin = max(1.0, style.line * 0.6)
    goals = {"data": {"name": "targets"}, "mark": {"type": "rule", "strokeDash": [6, 4], "strokeWidth": thin},
             "encoding": {"y": _q("target", scale={"domain": list(domain), "nice": False}), "color": colour,
                          "tooltip": tips}}
    lines = {"data": {"name": "paths"}, "mark": {"type": "line", "strokeWidth": thin, "clip": True},
             "encoding": {"x": x, "y": y, "color": colour, "detail": _n("row")}}
    dots = {"data": {"name": "cursor"},
            "mark": {"type": "point", "filled": True, "size": style.point, "stroke": st_style.BLACK,
                     "strokeWidth": 1, "clip": True},
            "encoding": {"x": x, "y": y, "color": colour, "tooltip": tips + [_tip("predicted", fmt=".2f")]}}
    return _spec([goals, lines, *_cursor(last_epoch, style), dots],
                 {"targets": targets, "paths": frame, "cursor": cursor,
                  "epoch": epoch_frame(cursor.epoch.iloc[0] if len(cursor) else 0)}, style, style.height)


# ----------------------------------------------------------------------------- predicted vs true


def fit_frame(p, snap) -> pd.DataFrame:
    """Every row at the chosen epoch: split, row, true and predicted target (target units)."""
    true = np.concatenate([p.to_original_y(p.y_train)[:, 0], p.to_original_y(p.y_test)[:, 0]])
    pred = np.concatenate([p.to_original_y(snap.y_hat_train)[:, 0], p.to_original_y(snap.y_hat_test)[:, 0]])
    split = np.repeat(SPLITS, [len(p.y_train), len(p.y_test)])
    return pd.DataFrame({"split": split, "row": np.concatenate([p.train_rows, p.test_rows]),
                         "true": true, "predicted": pred})


def _split_points(style, size: float) -> dict:
    return {"type": "point", "filled": True, "size": size, "opacity": 0.85, "stroke": st_style.BLACK,
            "strokeWidth": 0.6}


def fit_chart(frame: pd.DataFrame, domain, target_title: str, style=st_style.NORMAL) -> dict:
    """Predicted against true target for training and test rows, with the dashed line y = x."""
    scale = {"domain": list(domain), "nice": False, "clamp": True}
    x, y = _q("true", f"true {target_title}", scale=scale), _q("predicted", f"predicted {target_title}", scale=scale)
    diagonal = {"data": {"name": "diagonal"}, "encoding": {"x": x, "y": y},
                "mark": {"type": "line", "color": st_style.GREY, "strokeDash": [6, 4],
                         "strokeWidth": max(1.0, style.line * 0.75)}}
    label = {"data": {"name": "diagonal"}, "transform": [{"filter": "datum.true == " + repr(float(domain[1]))}],
             "mark": {"type": "text", "align": "right", "dx": -4, "dy": -6, "baseline": "bottom",
                      "color": st_style.GREY, "fontSize": style.font, "text": "y = x"},
             "encoding": {"x": x, "y": y}}
    points = {"data": {"name": "fit"}, "mark": _split_points(style, style.point * 1.3),
              "encoding": {"x": x, "y": y,
                           "color": _n("split", scale=_SPLIT_COLOUR, legend=_legend(style)),
                           "shape": _n("split", scale=_SPLIT_SHAPE, legend=_legend(style)),
                           "tooltip": [_tip("split", "rows", kind="nominal"), _tip("row", kind="nominal"),
                                       _tip("true", fmt=".2f"), _tip("predicted", fmt=".2f")]}}
    diag = pd.DataFrame({"true": list(map(float, domain)), "predicted": list(map(float, domain))})
    return _spec([diagonal, label, points], {"diagonal": diag, "fit": frame.iloc[subsample(len(frame))]},
                 style, style.height)


# ----------------------------------------------------------------------------- the learned function


def points_frame(p, snap) -> pd.DataFrame:
    """Every row in original units: split, row, x1 … x_NI, true and predicted target."""
    X = np.vstack([p.to_original_X(p.X_train_aug), p.to_original_X(p.X_test_aug)])
    frame = fit_frame(p, snap)
    for j in range(X.shape[1]):
        frame[f"x{j + 1}"] = X[:, j]
    return frame


def surface_frame(sfc: evaluate.Surface, overlap: float = 0.2) -> pd.DataFrame:
    """Grid cells of a prediction surface: x1, x1e, x2, x2e (cell edges) and predicted.

    Each cell reaches ``overlap`` of a step into its right and upper neighbours (not past the
    grid): abutting cells would leave hairline seams where the browser anti-aliases their edges.
    """
    e1, e2 = _edges(sfc.x1), _edges(sfc.x2)
    g1, g2 = np.meshgrid(np.arange(len(sfc.x1)), np.arange(len(sfc.x2)))
    g1, g2 = g1.ravel(), g2.ravel()
    reach1 = np.where(g1 + 1 < len(sfc.x1), overlap * np.diff(e1)[g1], 0.0)
    reach2 = np.where(g2 + 1 < len(sfc.x2), overlap * np.diff(e2)[g2], 0.0)
    return pd.DataFrame({"x1": e1[g1], "x1e": e1[g1 + 1] + reach1, "x2": e2[g2], "x2e": e2[g2 + 1] + reach2,
                         "predicted": np.asarray(sfc.y_hat, dtype=float).ravel()})


def _edges(centres) -> np.ndarray:
    c = np.asarray(centres, dtype=float)
    mid = (c[:-1] + c[1:]) / 2
    return np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]])


def training_box(p, columns=(0, 1)) -> pd.DataFrame:
    """The range of the training rows in two features: outside it the network extrapolates."""
    X = p.to_original_X(p.X_train_aug)
    a, b = columns
    return pd.DataFrame({"x1": [X[:, a].min()], "x1e": [X[:, a].max()], "x2": [X[:, b].min()],
                         "x2e": [X[:, b].max()], "text": ["range of the training rows"]})


def surface_chart(cells: pd.DataFrame, points: pd.DataFrame, box: pd.DataFrame, colour_domain,
                  titles: tuple[str, str, str], style=st_style.NORMAL) -> dict:
    """The prediction over two features as a heatmap; rows on top, filled with their true target.

    Where a marker's fill matches the background the network is right there; the dashed box is
    the range of the training rows, so everything outside it is extrapolation.
    """
    x_title, y_title, z_title = titles
    x = _q("x1", x_title, scale={"domain": [float(cells.x1.min()), float(cells.x1e.max())], "nice": False})
    y = _q("x2", y_title, scale={"domain": [float(cells.x2.min()), float(cells.x2e.max())], "nice": False})
    colours = {"scheme": _VIRIDIS, "domain": list(map(float, colour_domain)), "clamp": True}
    heat = {"data": {"name": "cells"}, "mark": {"type": "rect"},
            "encoding": {"x": x, "x2": {"field": "x1e"}, "y": y, "y2": {"field": "x2e"},
                         "color": _q("predicted", z_title, scale=colours, legend=_gradient(style))}}
    frame = {"data": {"name": "box"},
             "mark": {"type": "rect", "fillOpacity": 0, "stroke": st_style.BLACK,
                      "strokeWidth": max(1.5, style.line * 0.6), "strokeDash": [6, 4]},
             "encoding": {"x": x, "x2": {"field": "x1e"}, "y": y, "y2": {"field": "x2e"}}}
    label = {"data": {"name": "box"},
             "mark": {"type": "text", "align": "left", "baseline": "bottom", "dx": 2, "dy": -3,
                      "fontSize": style.font, "color": st_style.BLACK},
             "encoding": {"x": x, "y": {**y, "field": "x2e"}, "text": _n("text")}}
    dots = {"data": {"name": "points"},
            "mark": {"type": "point", "filled": True, "size": style.point * 1.6, "stroke": "white",
                     "strokeWidth": 1.5, "opacity": 1},
            "encoding": {"x": x, "y": y, "color": _q("true", z_title, scale=colours, legend=_gradient(style)),
                         "shape": _n("split", scale=_SPLIT_SHAPE, legend=_legend(style)),
                         "tooltip": [_tip("split", "rows", kind="nominal"), _tip("row", kind="nominal"),
                                     _tip("x1", x_title, ".3g"), _tip("x2", y_title, ".3g"),
                                     _tip("true", f"true {z_title}", ".2f"),
                                     _tip("predicted", f"predicted {z_title}", ".2f")]}}
    return _spec([heat, frame, label, dots],
                 {"cells": cells, "box": box, "points": points.iloc[subsample(len(points))]},
                 style, style.height + 60)


def curve_chart(x, y_hat, points: pd.DataFrame, column: int, domain, titles: tuple[str, str],
                style=st_style.NORMAL) -> dict:
    """The prediction along one feature (the others at their median) and the rows' true values."""
    x_title, y_title = titles
    sx = {"domain": [float(np.min(x)), float(np.max(x))], "nice": False}
    sy = {"domain": list(map(float, domain)), "nice": False}
    line = {"data": {"name": "curve"},
            "mark": {"type": "line", "color": st_style.BLACK, "strokeWidth": style.line, "clip": True},
            "encoding": {"x": _q("x", x_title, scale=sx), "y": _q("predicted", y_title, scale=sy),
                         "tooltip": [_tip("x", x_title, ".3g"), _tip("predicted", f"predicted {y_title}", ".2f")]}}
    field = f"x{column + 1}"
    dots = {"data": {"name": "points"}, "mark": {**_split_points(style, style.point * 1.3), "clip": True},
            "encoding": {"x": _q(field, x_title, scale=sx), "y": _q("true", y_title, scale=sy),
                         "color": _n("split", scale=_SPLIT_COLOUR, legend=_legend(style)),
                         "shape": _n("split", scale=_SPLIT_SHAPE, legend=_legend(style)),
                         "tooltip": [_tip("split", "rows", kind="nominal"), _tip("row", kind="nominal"),
                                     _tip(field, x_title, ".3g"), _tip("true", f"true {y_title}", ".2f"),
                                     _tip("predicted", f"predicted {y_title}", ".2f")]}}
    curve = pd.DataFrame({"x": np.asarray(x, dtype=float), "predicted": np.asarray(y_hat, dtype=float)})
    return _spec([dots, line], {"curve": curve, "points": points.iloc[subsample(len(points))]},
                 style, style.height)


def learned_function(p, snap, W_final, activation: str, labels: list[str], target_label: str,
                     style=st_style.NORMAL) -> list[dict]:
    """What the network predicts everywhere, chosen by the number of features.

    Two features: a heatmap over the plane. One: the fitted curve. Three or four: the prediction
    along each feature with the others at their median. Colour and axis ranges come from the
    final weights, so they stay put while the epoch changes.
    """
    points = points_frame(p, snap)
    targets = points["true"]
    if p.n_inputs == 2:
        sfc = evaluate.surface(p, snap.W_H, snap.W_O, activation, margin=0.25)
        final = evaluate.surface(p, *W_final, activation, margin=0.25)
        domain = income_domain(targets, final.y_hat, reach=0.25, pad=0.0)
        return [surface_chart(surface_frame(sfc), points, training_box(p), domain,
                              (labels[0], labels[1], target_label), style)]
    charts = []
    for j in range(p.n_inputs):
        x, y_hat = evaluate.partial_curve(p, snap.W_H, snap.W_O, j, activation, margin=0.25)
        _, y_final = evaluate.partial_curve(p, *W_final, j, activation, margin=0.25)
        domain = income_domain(targets, y_final, reach=0.5)
        charts.append(curve_chart(x, y_hat, points, j, domain, (labels[j], target_label), style))
    return charts


# ----------------------------------------------------------------------------- seed sensitivity


def seed_band_frame(loss_train, max_points: int = 1000) -> pd.DataFrame:
    """Per epoch over the seeds still finite: low (min), median and high (max) training loss."""
    L = np.asarray(loss_train, dtype=float)
    L = np.where(np.isfinite(L) & (L > 0), L, np.nan)
    alive = ~np.all(np.isnan(L), axis=1)
    epochs = np.flatnonzero(alive)
    L = L[alive]
    with np.errstate(all="ignore"):
        stats = np.column_stack([np.nanmin(L, axis=1), np.nanmedian(L, axis=1), np.nanmax(L, axis=1)])
    keep = downsample(stats, max_points)
    return pd.DataFrame({"epoch": epochs[keep], "low": stats[keep, 0], "median": stats[keep, 1],
                         "high": stats[keep, 2]})


def this_run_frame(loss_train, max_points: int = 1000) -> pd.DataFrame:
    """One seed's training loss (epoch, loss), finite epochs only, downsampled."""
    L = np.asarray(loss_train, dtype=float)
    ok = np.flatnonzero(np.isfinite(L) & (L > 0))
    keep = ok[downsample(L[ok], max_points)] if len(ok) else ok
    return pd.DataFrame({"epoch": keep, "loss": L[keep]})


def seed_chart(band: pd.DataFrame, this_run: pd.DataFrame, n_seeds: int, style=st_style.NORMAL) -> dict:
    """The range of training-loss curves over the seeds (shaded), their median, and this run's seed."""
    kinds = [f"range of {n_seeds} seeds", "their median", "this run"]
    colour = _n("kind", title=None, scale={"domain": kinds, "range": [st_style.SKY, st_style.BLUE,
                                                                      st_style.VERMILLION]},
                legend=_legend(style))
    x, log = _q("epoch", "epoch", axis={"format": ",d"}), {"type": "log"}
    area = {"data": {"name": "band"}, "mark": {"type": "area", "opacity": 0.45},
            "encoding": {"x": x, "y": _q("low", "training loss (log scale)", scale=log), "y2": {"field": "high"},
                         "color": colour,
                         "tooltip": [_tip("epoch", fmt=",d"), _tip("low", "lowest", ".6g"),
                                     _tip("median", fmt=".6g"), _tip("high", "highest", ".6g")]}}
    median = {"data": {"name": "median"}, "mark": {"type": "line", "strokeWidth": style.line},
              "encoding": {"x": x, "y": _q("median", scale=log), "color": colour}}
    mine = {"data": {"name": "run"}, "mark": {"type": "line", "strokeWidth": style.line, "strokeDash": [8, 4]},
            "encoding": {"x": x, "y": _q("loss", scale=log), "color": colour,
                         "tooltip": [_tip("epoch", fmt=",d"), _tip("loss", fmt=".6g")]}}
    datasets = {"band": band.assign(kind=kinds[0]), "median": band[["epoch", "median"]].assign(kind=kinds[1]),
                "run": this_run.assign(kind=kinds[2])}
    return _spec([area, median, mine], datasets, style, style.height)


def final_losses_frame(seeds, final_loss_test, seed: int) -> pd.DataFrame:
    """One row per seed that did not diverge: seed, final test loss, whether it is this run's seed."""
    seeds = np.asarray(seeds)
    loss = np.asarray(final_loss_test, dtype=float)
    ok = np.isfinite(loss)
    frame = pd.DataFrame({"seed": seeds[ok].astype(str), "loss": loss[ok],
                          "run": np.where(seeds[ok] == seed, "this run", "other seeds")})
    return frame.sort_values("loss", kind="stable").reset_index(drop=True)


def final_losses_chart(frame: pd.DataFrame, style=st_style.NORMAL) -> dict:
    """Each seed's final test loss as a dot, sorted; this run's seed stands out (colour and shape)."""
    runs = ["this run", "other seeds"]
    dots = {"data": {"name": "finals"},
            "mark": {"type": "point", "filled": True, "size": style.point * 1.5, "stroke": st_style.BLACK,
                     "strokeWidth": 0.6},
            "encoding": {"x": _q("loss", "final test loss (scaled data)", scale={"zero": False}),
                         "y": _n("seed", title="seed", sort=None, axis={"labelOverlap": False}),
                         "color": _n("run", scale={"domain": runs, "range": [st_style.VERMILLION, st_style.BLUE]},
                                     legend=_legend(style)),
                         "shape": _n("run", scale={"domain": runs, "range": ["diamond", "circle"]},
                                     legend=_legend(style)),
                         "tooltip": [_tip("seed", kind="nominal"), _tip("loss", "final test loss", ".6g")]}}
    return _spec([dots], {"finals": frame}, style, len(frame) * (style.font + 10) + 4 * style.font + 60)


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

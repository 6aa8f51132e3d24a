"""How good the fit is at one epoch: scores, predicted against true, what the network has learned.

Pure: a Prepared and a Snapshot in; DataFrames and Vega-Lite dicts out (see ``ui.views.vega``).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from core import evaluate
from ui.views import style as st_style
from ui.views import vega
from ui.views.vega import SPLITS, TEST, TRAIN


# ----------------------------------------------------------------------------- numbers


def scores(p, snap) -> pd.DataFrame:
    """Loss (lecture's units: ½·Σ(y − ŷ)² on scaled data), the same per row, RMSE and R² (target
    units), per split.

    Just before a divergence the errors can be too large to square: those come out as ±inf.
    """
    rows = {}
    with np.errstate(all="ignore"):
        for split, y, y_hat, loss in ((TRAIN, p.y_train, snap.y_hat_train, snap.loss_train),
                                      (TEST, p.y_test, snap.y_hat_test, snap.loss_test)):
            y, y_hat = p.to_original_y(y), p.to_original_y(y_hat)
            rows[split] = {"loss": loss, "loss per row": loss / max(len(y), 1), "RMSE": evaluate.rmse(y, y_hat),
                           "R²": evaluate.r2(y, y_hat)}
    return pd.DataFrame.from_dict(rows, orient="index")



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
    x, y = vega.q("true", f"true {target_title}", scale=scale), vega.q("predicted", f"predicted {target_title}", scale=scale)
    diagonal = {"data": {"name": "diagonal"}, "encoding": {"x": x, "y": y},
                "mark": {"type": "line", "color": st_style.GREY, "strokeDash": [6, 4],
                         "strokeWidth": max(1.0, style.line * 0.75)}}
    label = {"data": {"name": "diagonal"}, "transform": [{"filter": "datum.true == " + repr(float(domain[1]))}],
             "mark": {"type": "text", "align": "right", "dx": -4, "dy": -6, "baseline": "bottom",
                      "color": st_style.GREY, "fontSize": style.font, "text": "y = x"},
             "encoding": {"x": x, "y": y}}
    points = {"data": {"name": "fit"}, "mark": _split_points(style, style.point * 1.3),
              "encoding": {"x": x, "y": y,
                           "color": vega.n("split", scale=vega.SPLIT_COLOUR, legend=vega.legend(style)),
                           "shape": vega.n("split", scale=vega.SPLIT_SHAPE, legend=vega.legend(style)),
                           "tooltip": [vega.tip("split", "rows", kind="nominal"), vega.tip("row", kind="nominal"),
                                       vega.tip("true", fmt=".2f"), vega.tip("predicted", fmt=".2f")]}}
    diag = pd.DataFrame({"true": list(map(float, domain)), "predicted": list(map(float, domain))})
    return vega.spec([diagonal, label, points], {"diagonal": diag, "fit": frame.iloc[vega.subsample(len(frame))]},
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
    x = vega.q("x1", x_title, scale={"domain": [float(cells.x1.min()), float(cells.x1e.max())], "nice": False})
    y = vega.q("x2", y_title, scale={"domain": [float(cells.x2.min()), float(cells.x2e.max())], "nice": False})
    colours = {"scheme": vega.VIRIDIS, "domain": list(map(float, colour_domain)), "clamp": True}
    heat = {"data": {"name": "cells"}, "mark": {"type": "rect"},
            "encoding": {"x": x, "x2": {"field": "x1e"}, "y": y, "y2": {"field": "x2e"},
                         "color": vega.q("predicted", z_title, scale=colours, legend=vega.gradient(style))}}
    frame = {"data": {"name": "box"},
             "mark": {"type": "rect", "fillOpacity": 0, "stroke": st_style.BLACK,
                      "strokeWidth": max(1.5, style.line * 0.6), "strokeDash": [6, 4]},
             "encoding": {"x": x, "x2": {"field": "x1e"}, "y": y, "y2": {"field": "x2e"}}}
    label = {"data": {"name": "box"},
             "mark": {"type": "text", "align": "left", "baseline": "bottom", "dx": 2, "dy": -3,
                      "fontSize": style.font, "color": st_style.BLACK},
             "encoding": {"x": x, "y": {**y, "field": "x2e"}, "text": vega.n("text")}}
    dots = {"data": {"name": "points"},
            "mark": {"type": "point", "filled": True, "size": style.point * 1.6, "stroke": "white",
                     "strokeWidth": 1.5, "opacity": 1},
            "encoding": {"x": x, "y": y, "color": vega.q("true", z_title, scale=colours, legend=vega.gradient(style)),
                         "shape": vega.n("split", scale=vega.SPLIT_SHAPE, legend=vega.legend(style)),
                         "tooltip": [vega.tip("split", "rows", kind="nominal"), vega.tip("row", kind="nominal"),
                                     vega.tip("x1", x_title, ".3g"), vega.tip("x2", y_title, ".3g"),
                                     vega.tip("true", f"true {z_title}", ".2f"),
                                     vega.tip("predicted", f"predicted {z_title}", ".2f")]}}
    return vega.spec([heat, frame, label, dots],
                 {"cells": cells, "box": box, "points": points.iloc[vega.subsample(len(points))]},
                 style, style.height + 60)


def curve_chart(x, y_hat, points: pd.DataFrame, column: int, domain, titles: tuple[str, str],
                style=st_style.NORMAL) -> dict:
    """The prediction along one feature (the others at their median) and the rows' true values."""
    x_title, y_title = titles
    sx = {"domain": [float(np.min(x)), float(np.max(x))], "nice": False}
    sy = {"domain": list(map(float, domain)), "nice": False}
    line = {"data": {"name": "curve"},
            "mark": {"type": "line", "color": st_style.BLACK, "strokeWidth": style.line, "clip": True},
            "encoding": {"x": vega.q("x", x_title, scale=sx), "y": vega.q("predicted", y_title, scale=sy),
                         "tooltip": [vega.tip("x", x_title, ".3g"), vega.tip("predicted", f"predicted {y_title}", ".2f")]}}
    field = f"x{column + 1}"
    dots = {"data": {"name": "points"}, "mark": {**_split_points(style, style.point * 1.3), "clip": True},
            "encoding": {"x": vega.q(field, x_title, scale=sx), "y": vega.q("true", y_title, scale=sy),
                         "color": vega.n("split", scale=vega.SPLIT_COLOUR, legend=vega.legend(style)),
                         "shape": vega.n("split", scale=vega.SPLIT_SHAPE, legend=vega.legend(style)),
                         "tooltip": [vega.tip("split", "rows", kind="nominal"), vega.tip("row", kind="nominal"),
                                     vega.tip(field, x_title, ".3g"), vega.tip("true", f"true {y_title}", ".2f"),
                                     vega.tip("predicted", f"predicted {y_title}", ".2f")]}}
    curve = pd.DataFrame({"x": np.asarray(x, dtype=float), "predicted": np.asarray(y_hat, dtype=float)})
    return vega.spec([dots, line], {"curve": curve, "points": points.iloc[vega.subsample(len(points))]},
                 style, style.height)


def learned_function(p, snap, W_final: Sequence, activation: str, labels: list[str], target_label: str,
                     style=st_style.NORMAL) -> list[dict]:
    """What the network predicts everywhere, chosen by the number of features.

    Two features: a heatmap over the plane. One: the fitted curve. Three or four: the prediction
    along each feature with the others at their median. Colour and axis ranges come from the
    final weights, so they stay put while the epoch changes.
    """
    points = points_frame(p, snap)
    targets = points["true"]
    if p.n_inputs == 2:
        sfc = evaluate.surface(p, snap.weights, activation, margin=0.25)
        final = evaluate.surface(p, W_final, activation, margin=0.25)
        domain = vega.income_domain(targets, final.y_hat, reach=0.25, pad=0.0)
        return [surface_chart(surface_frame(sfc), points, training_box(p), domain,
                              (labels[0], labels[1], target_label), style)]
    charts = []
    for j in range(p.n_inputs):
        x, y_hat = evaluate.partial_curve(p, snap.weights, j, activation, margin=0.25)
        _, y_final = evaluate.partial_curve(p, W_final, j, activation, margin=0.25)
        domain = vega.income_domain(targets, y_final, reach=0.5)
        charts.append(curve_chart(x, y_hat, points, j, domain, (labels[j], target_label), style))
    return charts

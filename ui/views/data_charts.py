"""The Data page's pictures and tables: pure functions, data in, chart or frame out.

Column names can be user text (an uploaded CSV), and Vega-Lite treats ``.``, ``[`` and ``:`` in a
field name as syntax. So every chart works on a frame with fixed field names (``row``, ``set``,
``x1`` … ``xk``, ``y``) and puts the user's names only in titles, which Vega-Lite shows literally
once ``safe.chart_text`` has replaced the backslash (tooltip titles end up inside a Vega expression).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from ui.views import style as st_style
from ui.views.safe import chart_text

SETS = ["training", "test"]


def feature_field(i: int) -> str:
    """Field name of feature i (1-based) in ``rows_frame``."""
    return f"x{i}"


def rows_frame(table: pd.DataFrame, features: Sequence[str], target: str,
               train_rows: Sequence, classes: bool = False) -> pd.DataFrame:
    """One row per data row: ``row`` label, ``set`` (training/test), ``x1``…``xk``, ``y`` (a number,
    or with ``classes`` the class as text)."""
    train = set(np.asarray(train_rows).tolist())
    frame = pd.DataFrame({"row": [str(r) for r in table.index],
                          "set": ["training" if r in train else "test" for r in table.index]})
    for i, name in enumerate(features, start=1):
        frame[feature_field(i)] = table[name].to_numpy(dtype=float)
    frame["y"] = [str(v) for v in table[target]] if classes else table[target].to_numpy(dtype=float)
    return frame


def unused_name(name: str, taken) -> str:
    """``name``, or ``name (2)``, ``name (3)``, … : the first that is not among ``taken`` (user columns)."""
    taken = {str(t) for t in taken}
    candidate, copy = name, 1
    while candidate in taken:
        copy += 1
        candidate = f"{name} ({copy})"
    return candidate


def labelled_table(table: pd.DataFrame, columns: Sequence[str], labels: Mapping[str, str],
                   train_rows: Sequence) -> pd.DataFrame:
    """The data as the student reads it: headers with units, and which set each row is in.

    The app's own "set" column gets another name if the student's file has a column called "set".
    """
    train = set(np.asarray(train_rows).tolist())
    shown = table[list(columns)].rename(columns=dict(labels))
    shown.insert(0, unused_name("set", shown.columns), ["training" if r in train else "test" for r in table.index])
    return shown


def summary(table: pd.DataFrame, columns: Sequence[str], labels: Mapping[str, str]) -> pd.DataFrame:
    """Mean, standard deviation, min, median and max (rows) of each column (columns, by label).

    Over the finite values only: blank, NaN and infinite cells of an upload are left out.
    """
    values = table[list(columns)].astype(float).replace([np.inf, -np.inf], np.nan)
    stats = values.agg(["mean", "std", "min", "median", "max"])
    stats.index = ["mean", "standard deviation", "minimum", "median", "maximum"]
    return stats.rename(columns=dict(labels))


def _tooltips(frame: pd.DataFrame, titles: Mapping[str, str]) -> list[alt.Tooltip]:
    # Vega-Lite keeps one tooltip line per title: a column called "set" or "row" must not hide ours.
    shown = [chart_text(titles[c]) for c in frame.columns if c in titles]
    tips = [alt.Tooltip("row:N", title=unused_name("row", shown)), alt.Tooltip("set:N", title=unused_name("set", shown))]
    return tips + [alt.Tooltip(f"{c}:{'N' if frame[c].dtype == object else 'Q'}", title=chart_text(titles[c]),
                               **({} if frame[c].dtype == object else {"format": ".4~f"}))
                   for c in frame.columns if c in titles]


def _encodings(titles: Mapping[str, str], style: st_style.ChartStyle, legends: bool, classes=None):
    if classes is not None:          # a class per colour (colour-blind safe), never the only cue: markers say the set
        color = alt.Color("y:N", title=chart_text(titles["y"]), scale=alt.Scale(
            domain=list(classes), range=list(st_style.CLASS_COLOURS[:len(classes)])),
            legend=alt.Legend(orient="right") if legends else None)
    else:
        color = alt.Color("y:Q", title=chart_text(titles["y"]), scale=alt.Scale(scheme=st_style.SEQUENTIAL),
                          legend=alt.Legend(orient="right", gradientLength=style.height * 0.55, tickCount=5)
                          if legends else None)
    shape = alt.Shape("set:N", title="rows", scale=alt.Scale(
        domain=SETS, range=[st_style.TRAIN_SHAPE, st_style.TEST_SHAPE]),
        legend=alt.Legend(orient="right") if legends else None)
    return color, shape


def _points(frame, x: str, y: str, titles, style, legends: bool, height: int, classes=None):
    color, shape = _encodings(titles, style, legends, classes)
    return alt.Chart(frame).mark_point(filled=True, stroke=st_style.BLACK, strokeWidth=0.8,
                                       opacity=0.95, size=style.point * 2).encode(
        x=alt.X(f"{x}:Q", title=chart_text(titles[x]), scale=alt.Scale(zero=False, padding=12)),
        y=alt.Y(f"{y}:Q", title=chart_text(titles[y]), scale=alt.Scale(zero=False, padding=12)),
        color=color, shape=shape, tooltip=_tooltips(frame, titles),
    ).properties(height=height, width="container")


def feature_scatter(frame: pd.DataFrame, titles: Mapping[str, str],
                    style: st_style.ChartStyle = st_style.NORMAL, classes: Sequence[str] | None = None) -> alt.Chart:
    """The lecture's picture: feature 1 against feature 2, colour = target, marker = training/test.

    ``titles`` maps the fields of ``rows_frame`` (``x1``, ``x2``, ``y``) to axis and legend titles.
    With a single feature it plots the target against it instead. ``classes`` (the class labels as
    text, for classification) colours each class.
    """
    y = feature_field(2) if feature_field(2) in frame else "y"
    return _points(frame, feature_field(1), y, titles, style, legends=True,
                   height=int(style.height * 1.35), classes=classes)


def target_vs_feature(frame: pd.DataFrame, i: int, titles: Mapping[str, str],
                      style: st_style.ChartStyle = st_style.NORMAL, height: int | None = None) -> alt.Chart:
    """The target against feature ``i`` (1-based), same colours and markers as ``feature_scatter``."""
    return _points(frame, feature_field(i), "y", titles, style, legends=False,
                   height=height or int(style.height * 0.62))


def above_one(X_aug: np.ndarray, y: np.ndarray, rows: Sequence, features: Sequence[str],
              target: str) -> pd.DataFrame:
    """Every scaled value whose magnitude exceeds 1: ``row`` label, ``column`` name, ``value``.

    ``X_aug`` (N, N_I+1) with the bias column first, ``y`` (N, N_O). Such values can only occur
    in the test rows, because the scale comes from the training rows.
    """
    values = np.hstack([np.asarray(X_aug, dtype=float)[:, 1:], np.asarray(y, dtype=float)])
    names = list(features) + [target]
    hits = np.argwhere(np.abs(values) > 1)
    return pd.DataFrame({"row": [rows[i] for i, _ in hits], "column": [names[j] for _, j in hits],
                         "value": [values[i, j] for i, j in hits],
                         "position": [(int(i), int(j)) for i, j in hits]},
                        columns=["row", "column", "value", "position"])


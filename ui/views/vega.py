"""Vega-Lite building blocks for the charts the server draws (pure: plain dicts out), and the axis
ranges the browser's Training views share with them.

A spec is a plain dict whose data sit in ``spec["datasets"]`` under fixed names, shown with
``st.vega_lite_chart(spec)``. Plain dicts rather than Altair objects because Altair spends about a
third of a second per chart copying and validating. Field names are fixed ("x1", "loss", …): column
names are user text and appear only in titles and tooltips, never as Vega field references.
"""

from __future__ import annotations

import copy
import functools

import altair as alt
import numpy as np
import pandas as pd

from ui.views import style as st_style
from ui.views.safe import chart_text

TRAIN, TEST = "training", "test"
SPLITS = [TRAIN, TEST]
MAX_POINTS = 2000       # rows drawn in a scatter plot
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"

SPLIT_COLOUR = {"domain": SPLITS, "range": [st_style.TRAIN, st_style.TEST]}
SPLIT_SHAPE = {"domain": SPLITS, "range": [st_style.TRAIN_SHAPE, st_style.TEST_SHAPE]}


@functools.lru_cache(maxsize=4)
def config(style: st_style.ChartStyle) -> dict:
    """The shared look (``ChartStyle.apply``) as a Vega-Lite config, worked out once per style."""
    config = style.apply(alt.Chart(pd.DataFrame({"a": [0]})).mark_point()).to_dict()["config"]
    for size in ("continuousWidth", "continuousHeight"):      # Altair's theme; Streamlit sizes charts
        config.get("view", {}).pop(size, None)
    return config


def spec(layers: list, datasets: dict, style, height: int) -> dict:
    # Canvas, not Streamlit's default SVG for small charts: redrawing a canvas is much cheaper
    # than updating thousands of SVG nodes in every Play frame.
    return {"$schema": SCHEMA, "height": int(height), "layer": layers, "datasets": datasets,
            "config": copy.deepcopy(config(style)), "usermeta": {"embedOptions": {"renderer": "canvas"}}}


def q(field: str, title=None, **kw) -> dict:
    enc = {"field": field, "type": "quantitative"}
    if title is not None:
        enc["title"] = chart_text(title)          # may hold a column name: user text
    return {**enc, **kw}


def n(field: str, **kw) -> dict:
    return {"field": field, "type": "nominal", **kw}


def tip(field: str, title: str | None = None, fmt: str | None = None, kind: str = "quantitative") -> dict:
    tip = {"field": field, "type": kind, "title": chart_text(title or field)}
    if fmt:
        tip["format"] = fmt
    return tip


def legend(style, **kw) -> dict:
    return {"orient": "top", "title": None, "symbolStrokeWidth": style.line, "labelLimit": 400, **kw}


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



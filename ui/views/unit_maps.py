"""What each hidden unit learned: every hidden unit's output u over the input plane, as small heatmaps.

Pure: a Prepared, one epoch's weights and the activation in, a Vega-Lite dict out. The plane is the
Training page's (``ui.views.class_frames``: the first two inputs, derived inputs computed on the
grid), coarser, so that dozens of units stay light; the values are the forward pass's own u.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core import network
from core.graph import unit_label
from ui.views import class_frames, vega
from ui.views import style as st_style

CELLS = 20              # cells per side of each small map (16 for wide networks)
WIDE = 24               # more hidden units than this: coarser maps
SIZE = 118              # pixels per map (CSS), before the projector's scale
DOMAINS = {"sigmoid": [0.0, 1.0], "tanh": [-1.0, 1.0]}       # relu: 0 … the largest output shown


def unit_outputs(p, weights, activation: str, cells: int = CELLS):
    """(x1, x2, u): the plane's axes and every hidden layer's outputs on it, u[l] (n2·n1, width_l)."""
    x1, x2 = class_frames.plane(p, cells)
    X = class_frames.grid_inputs(p, x1, x2)
    fwd = network.forward_pass(p.scale_X(X), list(weights), activation, "cross_entropy")
    return x1, x2, fwd.u[:-1]


def frame(p, weights, activation: str) -> pd.DataFrame:
    """One row per cell of every unit's map: ``unit`` (its name), ``order``, ``x1``, ``x2``, ``u``."""
    hidden = [w.shape[1] for w in weights[:-1]]
    cells = CELLS if sum(hidden) <= WIDE else 16
    x1, x2, outputs = unit_outputs(p, weights, activation, cells)
    g1, g2 = np.meshgrid(x1, x2)
    parts, order = [], 0
    for layer, u in enumerate(outputs, start=1):
        for j in range(u.shape[1]):
            parts.append(pd.DataFrame({"unit": unit_label(layer, len(outputs), j + 1), "order": order,
                                       "x1": g1.ravel(), "x2": g2.ravel(), "u": u[:, j]}))
            order += 1
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["unit", "order", "x1", "x2", "u"])


def chart(table: pd.DataFrame, activation: str, titles: tuple[str, str], style=st_style.NORMAL,
          columns: int = 6) -> dict:
    """Small multiples: one map per hidden unit, in the order of the layers, sharing the colour scale."""
    step1 = float(np.diff(np.unique(table.x1))[:1].sum()) or 1.0
    step2 = float(np.diff(np.unique(table.x2))[:1].sum()) or 1.0
    data = table.assign(x1_end=table.x1 + step1, x2_end=table.x2 + step2)
    domain = DOMAINS.get(activation, [0.0, max(float(data.u.max()), 1e-9)])
    scheme = "blueorange" if activation == "tanh" else st_style.SEQUENTIAL
    size = int(SIZE * style.font / st_style.NORMAL.font)
    return {
        "$schema": vega.SCHEMA, "datasets": {"units": data}, "data": {"name": "units"},
        "facet": {"field": "unit", "type": "nominal", "title": None,
                  "sort": {"field": "order", "op": "min"}, "header": {"labelFontSize": style.font,
                                                                       "labelFontWeight": "bold"}},
        "columns": columns,
        "spec": {"width": size, "height": size, "mark": {"type": "rect"},
                 "encoding": {"x": vega.q("x1", titles[0], axis={"tickCount": 3}),
                              "x2": {"field": "x1_end"},
                              "y": vega.q("x2", titles[1], axis={"tickCount": 3}),
                              "y2": {"field": "x2_end"},
                              "color": vega.q("u", "unit output u", scale={"domain": domain, "scheme": scheme}),
                              "tooltip": [vega.tip("unit", "unit", kind="nominal"), vega.tip("x1", titles[0], ".3g"),
                                          vega.tip("x2", titles[1], ".3g"), vega.tip("u", "u", ".3f")]}},
        "resolve": {"scale": {"color": "shared"}},
        "config": style.apply({})["config"],
    }


def maps(p, weights, activation: str, titles: tuple[str, str], style=st_style.NORMAL) -> dict:
    """``chart`` of ``frame``: the builder the Network page draws (``ui.draw.chart.show_chart``)."""
    return chart(frame(p, list(weights), activation), activation, titles, style)

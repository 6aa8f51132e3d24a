"""The gradient, pictured: the loss as one weight varies (the others fixed), its tangent at the weight's
value with backprop's slope, the centred difference's slope beside it, and the step −η·∂J/∂w as an
arrow to the next value (pure: a ``core.step.Step`` in, frames and a Vega-Lite dict out)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from core import graph, slope
from core.step import Step
from ui.views import style as st_style
from ui.views import vega

POINTS = 121


class Picture(NamedTuple):
    """One weight's slice of the loss: where it stands (``w``, ``J``), backprop's ``slope`` and the
    curve's own centred ``numerical`` slope there, and where one step of η takes it (``w_next``,
    ``J_next``, this weight alone moved). ``curve``: (weight, J) over a range holding both values."""

    name: str
    w: float
    J: float
    slope: float
    numerical: float
    w_next: float
    J_next: float
    curve: pd.DataFrame


def weight_names(step: Step) -> list[str]:
    """Every weight as "W_H[i,j]" (row i, unit j; the code's column j−1), first hidden layer first."""
    names = graph.matrix_names(len(step.weights) - 1)
    return [f"{name}[{i},{j + 1}]" for name, W in zip(names, step.weights)
            for i in range(W.shape[0]) for j in range(W.shape[1])]


def locate(step: Step, name: str) -> tuple[int, int, int]:
    """(layer, row, column in code) of the weight called ``name``; ValueError if there is none."""
    names = graph.matrix_names(len(step.weights) - 1)
    layer_name, _, rest = name.partition("[")
    i, j = (int(v) for v in rest.rstrip("]").split(","))
    l = names.index(layer_name)
    if not (0 <= i < step.weights[l].shape[0] and 1 <= j <= step.weights[l].shape[1]):
        raise ValueError(name)
    return l, i, j - 1


def picture(step: Step, name: str, points: int = POINTS) -> Picture:
    """The slice of the objective through the weight ``name`` at ``step``'s weights."""
    l, i, c = locate(step, name)
    args = (step.X_aug, step.y, step.weights, l, i, c, step.activation, step.weight_decay)
    w = float(step.weights[l][i, c])
    g = float(step.backward.dW[l][i, c])
    w_next = w - step.eta * g
    # Wide enough to hold the step (and show the curve bend a little), narrow enough to see a small step.
    reach = max(2.5 * abs(w_next - w), 0.1) if np.isfinite(w_next) else 0.5
    values = np.linspace(w - reach, w + reach, points)
    J = slope.objective_along(step.X_aug, step.y, step.weights, l, i, c, values, step.activation, step.weight_decay)
    J0, J1 = slope.objective_along(step.X_aug, step.y, step.weights, l, i, c, [w, w_next], step.activation,
                                   step.weight_decay)
    return Picture(name, w, float(J0), g, slope.centred_slope(*args), float(w_next), float(J1),
                   pd.DataFrame({"weight": values, "J": J}))


def chart(pic: Picture, decay: bool = False, style=st_style.NORMAL) -> dict:
    """The curve, the point, the tangent (solid), the centred difference (dashed) and the step's arrow."""
    finite = pic.curve[np.isfinite(pic.curve.J)]
    lo, hi = float(finite.J.min()), float(finite.J.max())
    pad = 0.08 * (hi - lo or 1.0)
    x = vega.q("weight", f"the weight {pic.name} (every other weight fixed)", scale={"domain": [float(finite.weight.min()),
                                                                                  float(finite.weight.max())],
                                                                       "nice": False})
    y = vega.q("J", "J = L + (λ/2)·Σw²" if decay else "loss L = ½·Σ(y − ŷ)²",
               scale={"domain": [lo - pad, hi + pad], "nice": False, "zero": False})
    half = (float(finite.weight.max()) - float(finite.weight.min())) / 4
    span = np.array([pic.w - half, pic.w + half])
    lines = pd.DataFrame({"weight": np.concatenate([span, span]),
                          "J": np.concatenate([pic.J + pic.slope * (span - pic.w), pic.J + pic.numerical * (span - pic.w)]),
                          "line": ["tangent: backprop's slope"] * 2 + ["centred difference's slope"] * 2})
    kinds = ["tangent: backprop's slope", "centred difference's slope"]
    colour = vega.n("line", scale={"domain": kinds, "range": [st_style.VERMILLION, st_style.BLACK]},
                    legend=vega.legend(style))
    layers = [
        {"data": {"name": "curve"}, "mark": {"type": "line", "strokeWidth": style.line, "color": st_style.BLUE, "clip": True},
         "encoding": {"x": x, "y": y, "tooltip": [vega.tip("weight", fmt=".6g"), vega.tip("J", "loss", ".8g")]}},
        {"data": {"name": "tangents"}, "mark": {"type": "line", "strokeWidth": max(1.5, style.line * 0.75), "clip": True},
         "encoding": {"x": x, "y": y, "color": colour,
                      "strokeDash": vega.n("line", scale={"domain": kinds, "range": [[1, 0], [6, 4]]},
                                           legend=vega.legend(style))}},
        {"data": {"name": "step"}, "mark": {"type": "rule", "strokeWidth": max(1.5, style.line * 0.6),
                                            "color": st_style.GREEN, "clip": True},
         "encoding": {"x": {**x, "field": "w"}, "y": {**y, "field": "J"}, "x2": {"field": "w_next"},
                      "y2": {"field": "J_next"}}},
        {"data": {"name": "points"}, "mark": {"type": "point", "filled": True, "size": style.point * 1.6,
                                              "stroke": st_style.BLACK, "clip": True},
         "encoding": {"x": x, "y": y, "shape": vega.n("where", scale={"domain": ["now", "after the step"],
                                                                      "range": ["circle", "diamond"]}, legend=None),
                      "fill": vega.n("where", scale={"domain": ["now", "after the step"],
                                                     "range": [st_style.BLUE, st_style.GREEN]}, legend=None),
                      "tooltip": [vega.tip("where", kind="nominal"), vega.tip("weight", fmt=".8g"),
                                  vega.tip("J", "loss", ".8g")]}},
        *({"data": {"name": "points"}, "transform": [{"filter": f"datum.where == '{where}'"}],
           "mark": {"type": "text", "dy": dy * style.font, "fontSize": style.font, "fontWeight": "bold", "clip": True},
           "encoding": {"x": x, "y": y, "text": vega.n("where")}} for where, dy in (("now", -1), ("after the step", 1.2))),
    ]
    datasets = {"curve": finite, "tangents": lines,
                "step": pd.DataFrame({"w": [pic.w], "J": [pic.J], "w_next": [pic.w_next], "J_next": [pic.J_next]}),
                "points": pd.DataFrame({"weight": [pic.w, pic.w_next], "J": [pic.J, pic.J_next],
                                        "where": ["now", "after the step"]})}
    return vega.spec(layers, datasets, style, style.height)

"""The gradient, pictured: the loss as one weight varies (the others fixed), its tangent at the weight's
value with backprop's slope, the centred difference's slope beside it, and the step −η·∂J/∂w as an
arrow to the next value (pure: a ``core.step.Step`` in, frames and Vega-Lite dicts out).

The window is chosen from the step and the curve. It starts as the step with one step length either
side, and widens (doubling, around the same centre) until the curve leaves its tangent by a visible
share of what the window shows. When that takes many widenings — a small η, whose step is far
shorter than the curve's bend — the picture is two charts: the window where the curve bends, and a
zoom on the step, where the two points stand apart. The y range is always what the window shows.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from core import graph, slope
from core.step import Step
from ui.views import style as st_style
from ui.views import vega

POINTS = 121            # points of a drawn curve
PROBE = 25              # points of a window tried while widening
BEND = 0.2              # the curve must leave its tangent by this share of the window's y range
WIDENINGS = 12          # at most this many doublings of the window
ZOOM = 4                # a bending window up to this many times the step's is drawn alone
PAD = 0.08              # y padding: this share of the window's range, above and below


class Picture(NamedTuple):
    """One weight's slice of the loss: where it stands (``w``, ``J``), backprop's ``slope`` and the
    curve's own centred ``numerical`` slope there, and where one step of η takes it (``w_next``,
    ``J_next``, this weight alone moved). ``curve``: (weight, J) over the window where the curve
    visibly bends, holding both values; ``zoom``: the same over the step and one step length either
    side, when the bending window is too wide to tell the two points apart (else None)."""

    name: str
    w: float
    J: float
    slope: float
    numerical: float
    w_next: float
    J_next: float
    curve: pd.DataFrame
    zoom: pd.DataFrame | None = None


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


def bends(values, J, w: float, J_w: float, g: float) -> bool:
    """Whether the curve (``values``, ``J``) leaves its tangent at ``w`` by at least BEND of its range."""
    J = np.asarray(J, dtype=float)
    if not np.all(np.isfinite(J)):
        return False
    rise = float(J.max() - J.min())
    away = float(np.max(np.abs(J - (J_w + g * (np.asarray(values) - w)))))
    return rise > 0 and away >= BEND * rise


def windows(step: Step, l: int, i: int, c: int, w: float, g: float, w_next: float) -> tuple[tuple, tuple]:
    """(zoom, bending) windows as (low, high): the step with one step length either side, and that
    window widened about its centre until the curve visibly bends (the same window if it already does,
    if the loss does not change along this weight, or if no widening up to 2^WIDENINGS shows a bend)."""
    if not np.isfinite(w_next):
        return (w - 0.5, w + 0.5), (w - 0.5, w + 0.5)
    length = abs(w_next - w)
    if length == 0:                               # no step: a small window around the weight
        length = 0.1 * max(1.0, abs(w))
    centre, half = (w + w_next) / 2, 1.5 * length
    zoom = (centre - half, centre + half)
    J_w = float(slope.objective_along(step.X_aug, step.y, step.weights, l, i, c, [w], step.activation,
                                      step.weight_decay, step.loss_kind)[0])
    for k in range(WIDENINGS + 1):
        values = np.linspace(centre - half * 2 ** k, centre + half * 2 ** k, PROBE)
        J = slope.objective_along(step.X_aug, step.y, step.weights, l, i, c, values, step.activation,
                                  step.weight_decay, step.loss_kind)
        if not np.all(np.isfinite(J)) or np.ptp(J) <= 1e-12 * max(1.0, abs(J_w)):
            break                                 # overflow, or a flat slice: nothing more to see further out
        if bends(values, J, w, J_w, g):
            return zoom, (centre - half * 2 ** k, centre + half * 2 ** k)
    return zoom, zoom


def _curve(step: Step, l: int, i: int, c: int, window: tuple, extra) -> pd.DataFrame:
    """(weight, J) at POINTS values across ``window`` and at ``extra`` (the weight, its next value)."""
    values = np.union1d(np.linspace(*window, POINTS), [v for v in extra if window[0] <= v <= window[1]])
    J = slope.objective_along(step.X_aug, step.y, step.weights, l, i, c, values, step.activation, step.weight_decay,
                                  step.loss_kind)
    return pd.DataFrame({"weight": values, "J": J})


def picture(step: Step, name: str) -> Picture:
    """The slice of the objective through the weight ``name`` at ``step``'s weights."""
    l, i, c = locate(step, name)
    args = (step.X_aug, step.y, step.weights, l, i, c, step.activation, step.weight_decay)
    w = float(step.weights[l][i, c])
    g = float(step.backward.dW[l][i, c])
    w_next = w - step.eta * g
    zoom, wide = windows(step, l, i, c, w, g, w_next)
    J0, J1 = slope.objective_along(step.X_aug, step.y, step.weights, l, i, c, [w, w_next], step.activation,
                                   step.weight_decay, step.loss_kind)
    apart = (wide[1] - wide[0]) > ZOOM * (zoom[1] - zoom[0])
    return Picture(name, w, float(J0), g, slope.centred_slope(*args, loss=step.loss_kind), float(w_next), float(J1),
                   _curve(step, l, i, c, wide, (w, w_next)),
                   _curve(step, l, i, c, zoom, (w, w_next)) if apart else None)


TANGENT, CENTRED = "backprop's tangent", "centred difference"      # short: two legends side by side


def chart(pic: Picture, decay: bool = False, style=st_style.NORMAL, zoomed: bool = False,
          loss: str = "squared") -> dict:
    """One chart of the picture: the curve, the point, the tangent (solid), the centred difference
    (dashed) and the step's arrow, over the bending window — or, ``zoomed``, over the step alone.
    The bending window marks the zoomed one as a grey band when there is one."""
    curve = pic.zoom if zoomed else pic.curve
    finite = curve[np.isfinite(curve.J)].reset_index(drop=True)
    lo, hi = float(finite.J.min()), float(finite.J.max())
    pad = PAD * (hi - lo or max(abs(hi), 1.0))
    left, right = float(finite.weight.min()), float(finite.weight.max())
    x = vega.q("weight", f"the weight {pic.name} (every other weight fixed)",
               scale={"domain": [left, right], "nice": False})
    named = "loss L = ½·Σ(y − ŷ)²" if loss == "squared" else "loss L = −Σ y·log ŷ (cross-entropy)"
    y = vega.q("J", "J = L + (λ/2)·Σw²" if decay else named,
               scale={"domain": [lo - pad, hi + pad], "nice": False, "zero": False})
    span = np.array([left, right])
    lines = pd.DataFrame({"weight": np.concatenate([span, span]),
                          "J": np.concatenate([pic.J + pic.slope * (span - pic.w), pic.J + pic.numerical * (span - pic.w)]),
                          "line": [TANGENT] * 2 + [CENTRED] * 2})
    kinds = [TANGENT, CENTRED]
    legend = vega.legend(style)
    colour = vega.n("line", scale={"domain": kinds, "range": [st_style.VERMILLION, st_style.BLACK]}, legend=legend)
    marked = pic.zoom is not None and not zoomed      # the zoom's band; the two points too close to label both
    labels = (("now", -1),) if marked else (("now", -1), ("after the step", 1.2))
    layers = [
        *([{"data": {"name": "zoom"}, "mark": {"type": "rect", "color": st_style.BLACK, "opacity": 0.15},
            "encoding": {"x": {**x, "field": "lo"}, "x2": {"field": "hi"}}},
           {"data": {"name": "zoom"}, "mark": {"type": "text", "align": "left", "baseline": "top", "dx": 6,
                                                "dy": 4, "fontSize": style.font, "clip": True},
            "encoding": {"x": {**x, "field": "hi"}, "y": {**y, "field": "top"}, "text": vega.n("text")}}]
          if marked else []),
        {"data": {"name": "curve"}, "mark": {"type": "line", "strokeWidth": style.line, "color": st_style.BLUE, "clip": True},
         "encoding": {"x": x, "y": y, "tooltip": [vega.tip("weight", fmt=".6g"), vega.tip("J", "loss", ".8g")]}},
        {"data": {"name": "tangents"}, "mark": {"type": "line", "strokeWidth": max(1.5, style.line * 0.75), "clip": True},
         "encoding": {"x": x, "y": y, "color": colour,
                      "strokeDash": vega.n("line", scale={"domain": kinds, "range": [[1, 0], [6, 4]]},
                                           legend=legend)}},
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
           "encoding": {"x": x, "y": y, "text": vega.n("where")}} for where, dy in labels),
    ]
    datasets = {"curve": finite, "tangents": lines,
                "step": pd.DataFrame({"w": [pic.w], "J": [pic.J], "w_next": [pic.w_next], "J_next": [pic.J_next]}),
                "points": pd.DataFrame({"weight": [pic.w, pic.w_next], "J": [pic.J, pic.J_next],
                                        "where": ["now", "after the step"]})}
    if marked:
        a, b = float(pic.zoom.weight.min()), float(pic.zoom.weight.max())
        datasets["zoom"] = pd.DataFrame({"lo": [a], "hi": [b], "mid": [(a + b) / 2], "top": [hi + pad],
                                         "text": ["the step, zoomed in at right →"]})
    spec = vega.spec(layers, datasets, style, style.height)
    if pic.zoom is not None:
        spec["title"] = {"text": TITLES[zoomed], "anchor": "start", "fontSize": style.font + 2}
    return spec


TITLES = {False: "The curve, wide enough to bend", True: "Zoomed in on the step"}


def caption(pic: Picture, eta: float, target: str, d) -> str:
    """What the picture shows, in words, with its numbers written by ``d`` (``Digits.text``)."""
    lo, hi = float(pic.curve.weight.min()), float(pic.curve.weight.max())
    where = "Left" if pic.zoom is not None else "Blue"
    text = (f"{where}: the {target} as {pic.name} varies from {d(lo)} to {d(hi)}, a window chosen from the step and "
            "widened until the curve visibly bends away from its tangent. Vermilion: the tangent with backprop's "
            f"slope {d(pic.slope)}; dashed black: the slope of the curve itself, ({target}(w + ε) − {target}(w − ε)) / 2ε "
            f"= {d(pic.numerical)} — the two lie on each other. Green arrow: w ← w − η·∂{target}/∂w = {d(pic.w)} − "
            f"{eta:g} × ({d(pic.slope)}) = {d(pic.w_next)}, where the {target} is {d(pic.J_next)} (this weight moved "
            "alone; the real step moves every weight at once).")
    if pic.zoom is not None:
        text += (" Right: the grey band, zoomed in — the step with one step length either side. Over so short a "
                 f"step the curve is almost straight, so the tangent's slope foretells where the {target} lands.")
    return text

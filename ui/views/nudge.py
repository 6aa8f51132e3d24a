"""The chain rule, felt (``core.nudge``) as the Backprop page shows it: equations with the chosen
sample's numbers along the path from the nudged weight to L, a table of every unit it reached, how
far the measured ΔL is from ∂L/∂w·Δw as the nudge shrinks, and the diagram's lit paths.

Pure: nudges and a step's context in; LaTeX, rows and a diagram key out. Notation as in the Symbols
panel: a layer's name as superscript, (sample, unit) as subscript — z^{H}_{n,j}.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

from core import graph, network
from core.nudge import Nudge, relative_difference
from ui.views import step_model
from ui.views.numbers import Digits

DIGITS = Digits(significant=5)   # small changes side by side: significant digits, not eight decimals

NUDGES = (-0.5, -0.2, -0.1, -0.05, -0.01, 0.01, 0.05, 0.1, 0.2, 0.5)
DEFAULT = 0.1
SHRINK = (1, 10, 100)          # the nudge, a tenth of it and a hundredth, side by side


def spell(delta: float) -> str:
    """A nudge as the slider and the link write it: +0.1, −0.05."""
    return f"{delta:+g}".replace("-", "−")


class NudgeView(NamedTuple):
    chain: list[str]              # LaTeX, one line per link of the chain, for sample n
    links: list[list[str]]        # rows: the change, by the chain rule, measured (the same links)
    verdict: str                  # Markdown: ΔL measured against ∂L/∂w·Δw
    shrinking: list[list[str]]    # rows: Δw, measured ΔL, ∂L/∂w·Δw, difference, relative difference
    units: list[list[str]]        # rows: every unit the nudge reached, sample n: measured and chained
    kinks: list[str]              # units pushed across a ReLU kink (the slope holds on one side only)
    diagram: tuple                # step_model.diagram_key's shape


def layer_tex(l: int, depth: int) -> str:
    """Layer ``l`` (0-based index into the weights; the layer it feeds is l + 1) as a superscript."""
    return graph.layer_name(l + 1, depth)


def _value(base: str, l: int, depth: int, n: int, unit: int | None) -> str:
    sub = f"{n}" if unit is None else f"{n},{unit}"
    return rf"{base}^{{{layer_tex(l, depth)}}}_{{{sub}}}"


def weight_tex(l: int, row: int, col: int, depth: int) -> str:
    """``w^{H}_{i,j}``, or ``w^{O}_{j}`` into the single output."""
    last = l == depth
    return rf"w^{{{layer_tex(l, depth)}}}_{{{row}}}" if last else rf"w^{{{layer_tex(l, depth)}}}_{{{row},{col + 1}}}"


def build(nudges: Sequence[Nudge], ctx: step_model.Context) -> NudgeView:
    """``nudges``: the same weight nudged by Δw, Δw/10 and Δw/100 (the first is shown in full)."""
    first = nudges[0]
    d: Digits = DIGITS
    n0, n = ctx.n - 1, ctx.n
    depth = ctx.depth
    l, r, c = first.layer, first.row, first.col
    chain = [rf"\Delta w = {d.latex(first.delta)} \quad \text{{(the nudge of }} {weight_tex(l, r, c, depth)}\text{{)}}"]
    # where the weight acts: z of the unit it feeds moves by what it multiplies, times the nudge
    if l == 0:
        what = r"x_{" + f"{n},{r}" + "}"
    else:
        what = r"1" if r == 0 else _value("u", l - 1, depth, n, r)
    last = depth
    chosen = c                                      # the unit (0-based) followed in each layer
    ce = first.loss_kind != "squared"               # the output is σ or softmax of z_O: the change is z_O's
    many = first.residual.shape[1] > 1
    out_tex = (r"z^{O}_{" + f"{n}" + (",1" if many else "") + "}") if ce else r"\hat y_{" + str(n) + "}"
    out_name = "z_O" if ce else "ŷ"
    kinks, path, prev_du, links = [], [], None, []

    def _plain(which) -> str:
        base, layer, unit = which
        if base == "ŷ":
            return f"Δ{out_name}{'₁' if many else ''} of sample {n}"
        return f"Δ{base} of {graph.unit_label(layer + 1, depth, unit + 1)}, sample {n}"
    for ch in first.changes:
        unit = None if ch.layer == last else chosen + 1
        z = _value("z", ch.layer, depth, n, unit) if ch.layer < last else out_tex
        z_name = ("z", ch.layer, chosen) if ch.layer < last else ("ŷ", ch.layer, 0)
        dz, dz_chained = ch.dz[n0, chosen], ch.dz_chained[n0, chosen]
        path.append((ch.layer, chosen))
        if ch.layer == l:
            line = rf"\Delta {z} = {what}\,\Delta w = {d.paren(first.input[n0])} \times {d.paren(first.delta)}"
        else:
            terms = np.flatnonzero(prev_du[n0])
            w_in = ctx.step.weights[ch.layer][1:, chosen]
            if len(terms) == 1:
                k = int(terms[0])
                line = (rf"\Delta {z} = {weight_tex(ch.layer, k + 1, chosen, depth)}\,\Delta {_value('u', ch.layer - 1, depth, n, k + 1)}"
                        rf" = {d.paren(w_in[k])} \times {d.paren(prev_du[n0, k])}")
            else:
                line = (rf"\Delta {z} = \sum_{{j}} {_w_sum(ch.layer, chosen, depth)}\,\Delta u^{{{layer_tex(ch.layer - 1, depth)}}}_{{{n},j}}"
                        rf" \quad \text{{(every path: {len(terms)} units)}}")
        chain.append(f"{line} = {d.latex(dz_chained)}")
        links.append([_plain(z_name), d.text(dz_chained), d.text(dz)])
        if ch.du is not None:
            u = _value("u", ch.layer, depth, n, chosen + 1)
            chain.append(rf"\Delta {u} = g'({z})\,\Delta {z} = {d.paren(ch.slope[n0, chosen])} \times "
                         rf"{d.paren(dz_chained)} = {d.latex(ch.du_chained[n0, chosen])}")
            links.append([_plain(("u", ch.layer, chosen)), d.text(ch.du_chained[n0, chosen]), d.text(ch.du[n0, chosen])])
            kinks += [graph.unit_label(ch.layer + 1, depth, int(j) + 1) for j in np.flatnonzero(ch.kinked[n0])]
            prev_du = ch.du_chained
            if ch.layer + 1 < last:
                chosen = ctx.unit(ch.layer + 2) - 1     # the page's unit j in the next hidden layer
            else:
                chosen = 0
    y_hat = first.changes[-1]
    if ce:
        links.append(_cross_entropy_link(first, ctx, n0, d))
    else:
        links.append([f"Δℓ of sample {n} ≈ (ŷ − y)·Δŷ", d.text(first.residual[n0, 0] * y_hat.dz_chained[n0, 0]),
                      d.text(0.5 * ((first.residual[n0, 0] + y_hat.dz[n0, 0]) ** 2 - first.residual[n0, 0] ** 2))])
    links.append(["ΔL, every sample", d.text(first.dL_chained), d.text(first.dL)])
    if ce and many:
        chain.append(rf"\Delta \ell_{{{n}}} \approx \sum_k (\hat y_{{{n},k}} - y_{{{n},k}})\,\Delta z^{{O}}_{{{n},k}} = "
                     rf"{d.latex(float(first.residual[n0] @ y_hat.dz_chained[n0]))}")
    else:
        chain.append(rf"\Delta \ell_{{{n}}} \approx (\hat y_{{{n}}} - y_{{{n}}})\,\Delta {out_tex} = "
                     rf"{d.paren(first.residual[n0, 0])} \times {d.paren(y_hat.dz_chained[n0, 0])} = "
                     rf"{d.latex(first.residual[n0, 0] * y_hat.dz_chained[n0, 0])}")
    change = r"\Delta z^{O}_n" if ce else r"\Delta \hat y_n"
    chain.append(rf"\begin{{aligned}}\Delta L &\approx \sum_{{n}} (\hat y_n - y_n)\,{change} = "
                 rf"{d.latex(first.dL_chained)} \\ &= \frac{{\partial L}}{{\partial w}}\,\Delta w = "
                 rf"{d.paren(first.gradient)} \times {d.paren(first.delta)}\end{{aligned}}")
    verdict = (f"Measured by running the network forward again with the nudged weight, L moved by "
               f"**{d.text(first.dL)}**; the chain rule says **{d.text(first.dL_chained)}** — backprop's "
               f"∂L/∂w = {d.text(first.gradient)} times the nudge. They differ by {d.text(first.dL - first.dL_chained)}, "
               "a term of the order of Δw² or smaller: shrink the nudge tenfold and the difference shrinks a hundredfold "
               "or more, so even next to ΔL, which shrinks tenfold, it vanishes (below). To first order, the chain "
               "rule is exact.")
    shrinking = [[d.text(x.delta), d.text(x.dL), d.text(x.dL_chained), d.text(x.dL - x.dL_chained),
                  f"{relative_difference(x.dL, x.dL_chained):.2e}"] for x in nudges]
    units = _unit_rows(first, n0, depth, d)
    return NudgeView(chain, links, verdict, shrinking, units, kinks, _diagram(first, ctx, n0, d, path))


def _cross_entropy_link(first: Nudge, ctx: step_model.Context, n0: int, d: Digits) -> list[str]:
    """Sample n's share of the change for the cross-entropy: chained Σ_k (ŷ − y)·Δz_O, measured from z_O."""
    out = first.changes[-1]
    y, z = ctx.step.y[n0:n0 + 1], ctx.step.z_O[n0:n0 + 1]
    measured = float(network.sample_cross_entropy(y, z + out.dz[n0:n0 + 1])[0] - network.sample_cross_entropy(y, z)[0])
    return [f"Δℓ of sample {n0 + 1} ≈ Σ (ŷ − y)·Δz_O", d.text(float(first.residual[n0] @ out.dz_chained[n0])),
            d.text(measured)]


def _w_sum(layer: int, chosen: int, depth: int) -> str:
    return rf"w^{{{layer_tex(layer, depth)}}}_{{j,{chosen + 1}}}" if layer < depth else \
        rf"w^{{{layer_tex(layer, depth)}}}_{{j}}"


def _unit_rows(first: Nudge, n0: int, depth: int, d: Digits) -> list[list[str]]:
    """Every unit downstream, for sample n: Δz measured and chained, and Δu (hidden units)."""
    rows = []
    for ch in first.changes:
        last = ch.du is None
        for j in range(ch.dz.shape[1]):
            name = "ŷ" if last else graph.unit_label(ch.layer + 1, depth, j + 1)
            rows.append([name, d.text(ch.dz[n0, j]), d.text(ch.dz_chained[n0, j]),
                         "" if last else d.text(ch.slope[n0, j]),
                         "" if last else d.text(ch.du[n0, j]), "" if last else d.text(ch.du_chained[n0, j])])
    return rows


UNIT_COLUMNS = ["unit", "Δz measured", "Δz by the chain rule", "g′(z)", "Δu measured", "Δu by the chain rule"]
SHRINK_COLUMNS = ["Δw", "ΔL measured", "∂L/∂w·Δw", "difference", "relative difference"]
LINK_COLUMNS = ["change", "by the chain rule", "measured (forward again)"]


def _diagram(first: Nudge, ctx: step_model.Context, n0: int, d: Digits, path) -> tuple:
    """The step diagram's key: the nudged weight and every path from it to ŷ lit; the change beside
    each unit the equations follow."""
    depth, l, r, c = ctx.depth, first.layer, first.row, first.col
    start = step_model.node(ctx, l, r)
    fed = step_model.node(ctx, l + 1, c + 1)
    edges, nodes, text = {(start, fed)}, {start, fed}, {}
    frontier = {fed}
    for ch, (_, j) in zip(first.changes, path):
        node = step_model.node(ctx, ch.layer + 1, j + 1)
        text[node] = (f"{'Δz_O' if first.loss_kind != 'squared' else 'Δŷ'} {d.text(ch.dz[n0, j])}" if ch.du is None
                      else f"Δu {d.text(ch.du[n0, j])}")
        if ch.layer + 1 <= depth:
            nxt = {step_model.node(ctx, ch.layer + 2, k + 1) for k in range(step_model.layer_size(ctx, ch.layer + 2))}
            edges |= {(a, b) for a in frontier for b in nxt}
            nodes |= nxt
            frontier = nxt
    values = step_model.weight_values(ctx, ctx.step.weights)
    edge_text = {(start, fed): f"Δw {spell(first.delta)}"}
    return (tuple(sorted(values.items())), "weight", tuple(sorted(nodes)), tuple(sorted(edges)),
            tuple(sorted(text.items())), tuple(sorted(edge_text.items())))

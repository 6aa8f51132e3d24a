"""Drawing "the chain rule, felt" on the Backprop page (``core.nudge`` computes it, ``ui.views.nudge`` says it)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import nudge as core_nudge
from ui.draw import page
from ui.draw.chart import show_chart
from ui.state.params import choice_param
from ui.views import nudge, slope, step_model
from ui.views.style import ChartStyle

PICTURE = 300        # px: the diagram beside the equations


def section(ctx: step_model.Context, default: str, look: ChartStyle, projector: bool) -> None:
    """Pick a weight and a nudge (both bound to the link: ``?nudge_w=``, ``?nudge=``), then the change
    travelling from it to L, measured and by the chain rule, for the page's sample n and units j."""
    st.subheader("The chain rule, felt: nudge a weight", anchor="nudge")
    st.markdown("Nudge one weight by Δw and follow the change forward: each link multiplies the change before "
                "it by a local slope — g′(z) through a unit, the weight w along an edge, ŷ − y at the loss — and "
                "the paths from a weight that feeds several units add up. That product *is* the chain rule; "
                "backprop's ∂L/∂w computes it from the other end.")
    names = slope.weight_names(ctx.step)
    labels = [f"{v:g}" for v in nudge.NUDGES]          # as the link writes them: 0.1, -0.05
    pick, size = st.columns([1, 2], vertical_alignment="bottom")
    name = pick.selectbox("Weight to nudge", names, index=names.index(default) if default in names else 0,
                          key="nudge_w", bind="query-params",
                          help="W_H[i,j] joins node i below (row 0: the bias node) to unit j.")
    delta = size.select_slider("Nudge Δw", nudge.NUDGES, value=nudge.DEFAULT, format_func=lambda v: f"{v:g}",
                               key="nudge", bind="query-params",
                               help="How far to move the weight. Keys: ← → on the slider.")
    page.page_param_notices({"nudge_w": choice_param("nudge_w", names), "nudge": choice_param("nudge", labels)},
                            {"nudge_w": name, "nudge": f"{delta:g}"})
    layer, row, col = slope.locate(ctx.step, name)
    step = ctx.step
    nudges = [core_nudge.nudge(step.X_aug, step.y, step.weights, layer, row, col, delta / k, step.activation,
                               step.loss_kind)
              for k in nudge.SHRINK]
    view = nudge.build(nudges, ctx)
    equations, picture = st.columns([3, 2], gap="medium")
    with equations:
        st.markdown(step_model.focus_line(ctx))
        for tex in view.chain:
            st.latex(tex)
    with picture:
        show_chart(step_model.diagram_chart, view.diagram, ctx.n_inputs, tuple(ctx.widths), look,
                   PICTURE if projector else None, style=look, key="nudge-diagram")
        st.caption("Highlighted: the nudged weight and every path from it to ŷ; beside the units the equations follow, "
                   "the change there. Line width = size of the weight; blue solid = positive, vermilion dashed = "
                   "negative.")
    st.table(_frame(view.links, nudge.LINK_COLUMNS))
    st.markdown(view.verdict)
    if view.kinks:
        st.info(f"ReLU: this nudge pushed {', '.join(view.kinks)} across 0, where its slope jumps from 0 to 1. "
                "The chain rule's slope holds on one side of the kink only, so measured and chained part here; "
                "a smaller nudge that stays on one side agrees again.", icon=":material/call_split:")
    st.table(_frame(view.shrinking, nudge.SHRINK_COLUMNS))
    with st.expander(f"Every unit the nudge reached, for sample n = {ctx.n}"):
        st.table(_frame(view.units, nudge.UNIT_COLUMNS))


def _frame(rows, columns) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns).set_index(columns[0])

"""Drawing one step of the walk-through: its head and diagram, the numbers, the tables."""

from __future__ import annotations

import streamlit as st

from ui.draw.chart import show_chart
from ui.draw.matrix import show_matrix
from ui.views import style as st_style
from ui.views.step_model import COUNT, StepView, Table, diagram_chart, diagram_key, table_rows


def show(view: StepView, projector: bool):
    """One step: title, why and general equations beside the diagram (stacked on a projector,
    where a column is too narrow to read), then the numbers full width.

    Returns the diagram's slot, to be filled by ``show_diagram`` once the rest of the page is
    out: building a new diagram is the slowest part of moving to another step or epoch.
    """
    if projector:
        _show_head(view)
        slot = st.empty()
    else:
        head, picture = st.columns([3, 2], gap="medium")
        with head:
            _show_head(view)
        slot = picture.empty()
    _show_numbers(view, projector)
    return slot


def _show_head(view: StepView) -> None:
    st.subheader(f"Step {view.number} of {COUNT} · {view.title}", anchor=f"step-{view.number}")
    st.markdown(view.why)
    for tex in view.general:
        st.latex(tex)


def show_diagram(slot, view: StepView, n_inputs: int, n_hidden: int, chart_style: st_style.ChartStyle,
                 caption: str) -> None:
    """Fill ``slot`` with the step's diagram (its spec cached on its contents) and caption."""
    with slot.container():
        show_chart(diagram_chart, diagram_key(view), n_inputs, n_hidden, chart_style,
                   style=chart_style, key=f"diagram-{view.number}")
        st.caption(caption)


def _show_numbers(view: StepView, projector: bool) -> None:
    st.markdown(view.focus)
    if view.side and not projector:
        for col, group in zip(st.columns(2), (view.substituted, view.side)):
            for tex in group:
                col.latex(tex)
    else:
        for tex in (*view.substituted, *view.side):
            st.latex(tex)
    if view.metrics:
        for col, m in zip(st.columns(len(view.metrics) + (0 if projector else 1)), view.metrics):
            col.metric(m.label, m.value, m.delta, delta_color="inverse")
    for note in view.notes:
        getattr(st, note.kind)(note.text)
    for row in table_rows(view.tables, capacity=4 if projector else 6):
        widths = [w for _, w in row]
        spare = (4 if projector else 6) - sum(widths)
        for col, (t, _) in zip(st.columns(widths + ([spare] if spare else [])), row):
            with col:
                show_table(t)


def show_table(t: Table, row_px: int = 35) -> None:
    """A table tall enough for 16 rows (N = 15 samples and their Σ); longer ones scroll.

    ``st.dataframe`` draws its rows 35 px tall whatever the page's font size, projector mode too.
    """
    rows = min(len(t.rows), 16)
    show_matrix(t.values, t.rows, t.cols, t.caption, digits=8, height=row_px * (rows + 1) + 3)

"""Drawing one step of the walk-through: its head and diagram, the numbers, the tables.

On a laptop the head (title, why, general equations) sits beside the diagram and the numbers
follow full width. On a projector the point of the step must fit the first screen: the title, the
general equation in one line, then the same equations with the chosen sample's numbers beside a
small diagram; the why, every general equation and the tables follow for those who scroll.
"""

from __future__ import annotations

import streamlit as st

from ui.draw import browser
from ui.draw.chart import show_chart
from ui.draw.matrix import show_matrix
from ui.serve import replay
from ui.state.params import PAGE
from ui.views import style as st_style
from ui.views.numbers import digits_for
from ui.views.step_model import (COUNT, TITLES, Metric, Note, StepView, Table, diagram_chart, diagram_key,
                                 table_rows)


def show(view: StepView, projector: bool):
    """One step. Returns the diagram's slot, to be filled by ``show_diagram`` once the rest of the
    page is out: building a new diagram is the slowest part of moving to another step or epoch."""
    if not projector:      # keyed: a following phone shows the numbers under the heading (following.css)
        with st.container(key=f"step-view-{view.number}"):
            return _step(view, projector)
    return _step(view, projector)


def _step(view: StepView, projector: bool):
    st.subheader(f"Step {view.number} of {COUNT} · {view.title}", anchor=f"step-{view.number}")
    if projector:
        numbers, picture = st.columns([3, 2], gap="medium")
        with numbers:
            st.latex(view.headline)
            _substituted(view, side_by_side=False)
        slot = picture.empty()
        st.markdown(view.why)
        _general(view)
    else:
        head, picture = st.columns([3, 2], gap="medium")
        with head:
            st.markdown(view.why)
            _general(view)
        slot = picture.empty()
        with st.container(key=f"step-numbers-{view.number}"):
            _substituted(view, side_by_side=True)
    _rest(view, projector)
    return slot


def _general(view: StepView) -> None:
    for tex in view.general:
        st.latex(tex)


def _substituted(view: StepView, side_by_side: bool) -> None:
    st.markdown(view.focus)
    if view.side and side_by_side:
        for col, group in zip(st.columns(2), (view.substituted, view.side)):
            for tex in group:
                col.latex(tex)
    else:
        for tex in (*view.substituted, *view.side):
            st.latex(tex)


PROJECTOR_DIAGRAM = 300     # px: beside the equations, inside the first screen


def show_diagram(slot, view: StepView, n_inputs: int, hidden: tuple, chart_style: st_style.ChartStyle,
                 caption: str, projector: bool = False) -> None:
    """Fill ``slot`` with the step's diagram (its spec cached on its contents) and caption."""
    with slot.container():
        show_chart(diagram_chart, diagram_key(view), n_inputs, hidden, chart_style,
                   PROJECTOR_DIAGRAM if projector else None, style=chart_style, key=f"diagram-{view.number}")
        st.caption(caption)


def _rest(view: StepView, projector: bool) -> None:
    """Metrics, notes and every table of the step."""
    _numbers(view.metrics, view.notes, view.tables, projector)


@replay.shared(max_entries=128)
def _numbers(metrics: list[Metric], notes: list[Note], tables: list[Table], projector: bool) -> None:
    """A step's metrics, notes and tables, recorded as one piece: one cache lookup per rerun instead
    of one per table (each costs Streamlit about 0.1 ms)."""
    if metrics:
        row = st.container(horizontal=True)
        for m in metrics:
            row.metric(m.label, m.value, m.delta, delta_color="inverse")
    for note in notes:
        getattr(st, note.kind)(note.text)
    capacity = 4 if projector else 6
    for row in table_rows(tables, capacity=capacity):
        widths = [w for _, w in row]
        spare = capacity - sum(widths)
        for col, (t, _) in zip(st.columns(widths + ([spare] if spare else [])), row):
            with col:
                show_table(t, projector)


def show_table(t: Table, projector: bool, row_px: int = 35) -> None:
    """A step's table. On a laptop tall enough for 16 rows (N = 15 samples and their Σ), longer
    ones scroll; ``st.dataframe`` draws its rows 35 px tall whatever the page's font size."""
    rows = min(len(t.rows), 16)
    show_matrix(t.values, t.rows, t.cols, t.caption, digits_for(projector), projector, t.focus_rows,
                t.focus_cols, height=row_px * (rows + 1) + 3)


# Here, not in the page script: a callback keeps its module's globals alive in the session, and a
# page script's globals are everything its last run computed.
def _move(by: int, scroll: bool = False) -> None:
    st.session_state["step"] = PAGE["step"].clamp(st.session_state.get("step", 1) + by)
    if scroll:                  # pressed under the step: the next step is met at its heading
        browser.ask_scroll()


def step_buttons(where, step_no: int, show_all: bool, keys: tuple[str, str], shortcuts: bool,
                 width: int | str = "stretch") -> None:
    """Previous / Next. Only the top pair has the keyboard shortcuts (← →): one key, one move.
    The pair under the step (no shortcuts) also scrolls up to the new step's heading."""
    first, last = step_no <= 1, step_no >= COUNT
    where[0].button("← Previous", on_click=_move, args=(-1, not shortcuts), disabled=show_all or first,
                    width=width, key=keys[0], shortcut="Left" if shortcuts else None,
                    help=None if first else f"Step {step_no - 1}: {TITLES[step_no - 2]} (key ←)")
    where[1].button("Next →", on_click=_move, args=(1, not shortcuts), disabled=show_all or last,
                    width=width, key=keys[1], shortcut="Right" if shortcuts else None,
                    help=None if last else f"Step {step_no + 1}: {TITLES[step_no]} (key →)")

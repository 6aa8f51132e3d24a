"""Drawing matrices and the data table: the only place a table meets Streamlit."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import streamlit as st

from ui.serve import replay
from ui.views import data_charts
from ui.views.safe import md
from ui.views.numbers import FULL, Digits
from ui.views.tables import matrix_frame

HIGHLIGHT_CSS = "background-color: #F0E442; color: #000000; font-weight: bold"   # Okabe-Ito yellow


FOCUS_CSS = "font-weight: bold; background-color: #FFF1A8; color: #000000"      # the chosen sample / unit
PROJECTOR_ROWS = 20        # a projected table shows at most this many rows, the chosen ones among them


@replay.shared(max_entries=512)
def show_matrix(A, row_labels: Sequence[str], col_labels: Sequence[str], caption: str,
                digits: Digits = FULL, projector: bool = False, focus_rows=(), focus_cols=(),
                highlight=None, height: int | str = "auto") -> None:
    """``A`` as a labelled table with the digits of ``digits`` and ``caption`` under it.

    The caption names the variables the table shows with *their* shapes ("δ_O (15, 1)"): a table
    may add a Σ row or put several variables side by side, so its own shape is not theirs.

    On a laptop a scrollable ``st.dataframe``; in projector mode an HTML ``st.table``, which scales
    with the page's font and never scrolls inside a frame (long tables show their first rows and
    the chosen ones). Rows ``focus_rows`` and columns ``focus_cols`` (the chosen sample and hidden
    unit) are bold on a pale yellow; ``highlight``, a boolean array shaped like ``A``, marks single
    cells in bold on yellow. Labels must be app-written (notation like "n=3 (row 17)", "h₂"); user
    text belongs in cells only. Drawn once per distinct table and replayed (``ui.serve.replay``).
    """
    A = np.asarray(A, dtype=float)
    frame = matrix_frame(A, row_labels, col_labels)
    marks = np.full(frame.shape, "", dtype=object)
    marks[list(focus_rows), :] = FOCUS_CSS
    marks[:, list(focus_cols)] = FOCUS_CSS
    if highlight is not None:
        marks[np.asarray(highlight, dtype=bool).reshape(frame.shape)] = HIGHLIGHT_CSS
    shown = ""
    if projector and len(frame) > PROJECTOR_ROWS:
        keep = sorted(set(range(PROJECTOR_ROWS - 1 - len(focus_rows))) | set(focus_rows) | {len(frame) - 1})
        frame, marks = frame.iloc[keep], marks[keep]
        shown = f" — {len(keep)} of the table's {A.shape[0]} rows shown here, all of them on a laptop"
    styled = frame.style.format(digits.text).apply(lambda _: marks, axis=None)
    if projector:
        st.table(styled, hide_index=False)
    else:
        st.dataframe(styled, height=height, width="stretch")
    st.caption(f"{caption}{shown}")


@replay.shared(max_entries=128)
def show_matrices(tables: Sequence[tuple], digits: Digits = FULL, projector: bool = False) -> None:
    """``show_matrix`` for each ``(A, row_labels, col_labels, caption)``, one under the other,
    recorded as one piece: one cache lookup per rerun instead of one per table (each costs
    Streamlit about 0.1 ms)."""
    for A, row_labels, col_labels, caption in tables:
        show_matrix(A, row_labels, col_labels, caption, digits, projector)


@replay.shared(max_entries=64)
def show_data(table: pd.DataFrame, columns: Sequence[str], labels: dict, train_rows, title: str,
              projector: bool = False, classes: bool = False) -> None:
    """The data as read (headers with units, the set of each row) and its summary statistics.

    Column names may be user text: they appear only as table headers, never as Markdown. In
    projector mode both are HTML tables at the body font (the first rows of a long table).
    """
    shown = data_charts.labelled_table(table, columns, labels, train_rows)
    measured = list(columns[:-1] if classes else columns)      # a class (the last column) is no measurement
    stats = data_charts.summary(table, measured, labels)
    numbers = {labels[c]: "{:.2f}" for c in measured}
    if projector:
        st.table(shown.head(PROJECTOR_ROWS).style.format(numbers), hide_index=False)
        more = f" The first {PROJECTOR_ROWS} of {len(shown):,} rows." if len(shown) > PROJECTOR_ROWS else ""
    else:
        st.dataframe(shown.style.format(numbers), height=min(36 * len(table) + 38, 400), width="stretch")
        more = ""
    st.caption(f"Source: {md(title)}. The *set* column is decided by the split below.{more}")
    st.markdown("**Summary statistics**")
    (st.table if projector else lambda x: st.dataframe(x, width="stretch"))(stats.style.format(numbers))

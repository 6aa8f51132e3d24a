"""Drawing matrices and the data table: the only place a table meets Streamlit."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import streamlit as st

from ui.serve import replay
from ui.views import data_charts
from ui.views.safe import md
from ui.views.tables import matrix_frame

HIGHLIGHT_CSS = "background-color: #F0E442; color: #000000; font-weight: bold"   # Okabe-Ito yellow


@replay.shared(max_entries=512)
def show_matrix(A, row_labels: Sequence[str], col_labels: Sequence[str], caption: str,
                digits: int = 8, height: int | str = "auto", highlight=None,
                number_format: str | None = None) -> None:
    """``A`` as a scrollable table with ``digits`` decimals, its shape appended to the caption.

    Labels must be app-written (notation like "sample 3", "h₂"); user text belongs in the cells of
    ``st.dataframe`` only, which never renders Markdown. ``highlight``, a boolean array shaped
    like ``A``, marks cells with a yellow background and bold digits. ``number_format`` (a
    ``st.column_config.NumberColumn`` format such as "%.6e") replaces the fixed decimals.
    Drawn once per distinct table and replayed after (``ui.replay``): a table is a few kB.
    """
    A = np.asarray(A, dtype=float)
    frame = matrix_frame(A, row_labels, col_labels)
    config = {c: st.column_config.NumberColumn(format=number_format or f"%.{digits}f") for c in frame.columns}
    shown = frame
    if highlight is not None and np.any(highlight):
        mask = np.asarray(highlight, dtype=bool).reshape(frame.shape)
        shown = frame.style.apply(lambda _: np.where(mask, HIGHLIGHT_CSS, ""), axis=None)
    st.dataframe(shown, column_config=config, height=height, width="stretch")
    shape = "×".join(str(n) for n in (A.shape if A.ndim == 2 else (A.shape[0], 1)))
    st.caption(f"{caption} — shape ({shape.replace('×', ', ')})")


@replay.shared(max_entries=64)
def show_data(table: pd.DataFrame, columns: Sequence[str], labels: dict, train_rows, title: str) -> None:
    """The data as read (headers with units, the set of each row) and its summary statistics.

    Column names may be user text: they appear only as ``st.dataframe`` headers, never as Markdown.
    """
    numbers = {labels[c]: st.column_config.NumberColumn(format="%.2f") for c in columns}
    st.dataframe(data_charts.labelled_table(table, columns, labels, train_rows),
                 height=min(36 * len(table) + 38, 400), width="stretch", column_config=numbers)
    st.caption(f"Source: {md(title)}. The *set* column is decided by the split below.")
    st.markdown("**Summary statistics**")
    st.dataframe(data_charts.summary(table, columns, labels), width="stretch", column_config=numbers)

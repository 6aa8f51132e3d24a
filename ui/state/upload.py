"""The sidebar's data choice: the bundled Income2 rows, or a CSV the student uploads.

An upload lives only in this session (``st.session_state``; the bytes are never written to disk
and never enter a cache other sessions could read). A file or a column choice the app cannot use
gets one sentence saying what is wrong and what to do, and the previous data stays in use.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple

import pandas as pd
import streamlit as st

from core import data
from core.data import FEATURES, TARGET
from ui.views import safe

BUNDLED, OWN = "Income2 (bundled)", "Your CSV file"
MAX_FEATURES = 4
_UPLOAD = "_upload"            # the last file that parsed: Upload
_IN_USE = "_data_in_use"       # the last data choice that prepared without error: DataChoice
_FAILED = "_upload_failed"     # (file_id, message) of the last file refused


class Upload(NamedTuple):
    """A parsed upload: ``key`` identifies its content (digest), ``name`` is user text."""

    file_id: str
    key: str
    name: str
    table: pd.DataFrame


class DataChoice(NamedTuple):
    """Which data the app uses: ``data`` is "income" or an upload's key."""

    data: str = "income"
    features: tuple[str, ...] = FEATURES
    target: str = TARGET
    drop: bool = False


INCOME = DataChoice()


def current_upload() -> Upload | None:
    return st.session_state.get(_UPLOAD)


def _store(file) -> Upload | None:
    """Parse a newly uploaded file; on success it replaces the previous upload."""
    failed = st.session_state.get(_FAILED)
    if failed and failed[0] == file.file_id:          # the same rejected file: say it again, don't re-parse
        st.error(failed[1], icon=":material/error:")
        return None
    try:
        table = data.read_table(file.getvalue())
        numeric = data.numeric_columns(table)
        if len(numeric) < 2:
            raise data.DataError(
                f"The file has {len(numeric)} numeric column{'s' if len(numeric) != 1 else ''}; the "
                "network needs at least two (features and a target). Upload a table with numbers in "
                "at least two columns.")
    except data.DataError as exc:
        st.session_state[_FAILED] = (file.file_id, safe.md(str(exc), 600))
        say_error(exc)
        return None
    raw = file.getvalue()
    up = Upload(file.file_id, "upload:" + hashlib.sha256(raw).hexdigest()[:16], file.name, table)
    st.session_state[_UPLOAD] = up
    # A new table: choose its columns afresh (the last numeric column is the usual target).
    st.session_state["target"] = numeric[-1]
    st.session_state["features"] = numeric[:-1][:MAX_FEATURES]
    st.session_state["drop"] = False
    return up


def say_error(exc: Exception) -> None:
    """A DataError's sentence, shown literally (it may quote the user's own column names)."""
    st.error(safe.md(str(exc), 600), icon=":material/error:")


def data_section(box, test: float, split: int) -> DataChoice:
    """Draw the data choice in ``box`` (a sidebar container) and return the choice in use."""
    source = box.radio("Data", (BUNDLED, OWN), key="source", horizontal=True,
                      help="The lecture's 30 people, or a CSV of your own (1–4 feature columns and a target).")
    own = source == OWN
    with box.expander("Your own data", expanded=own):
        # No type= filter: the content decides, so an .xlsx gets a sentence saying how to save it as CSV.
        file = st.file_uploader("CSV file (up to 5 MB, 10,000 rows)", key="upload_file",
                                help="A header row, then one row per example; numbers in the columns you use.")
        up = current_upload()
        if file is not None and (up is None or file.file_id != up.file_id):
            up = _store(file) or up
        choice = _columns(up, test, split) if up is not None else None
    if not own:
        return INCOME
    if choice is None:
        previous = st.session_state.get(_IN_USE, INCOME)
        if previous.data not in ("income", up.key if up else None):
            previous = INCOME
        if up is None:
            box.info("No file uploaded yet: the bundled Income2 data is in use.")
        else:
            kept = "the bundled Income2 data" if previous.data == "income" else "your previous column choice"
            box.warning(f"Until the columns work, the app keeps using {kept}.")
        return previous
    st.session_state[_IN_USE] = choice
    return choice


def _columns(up: Upload, test: float, split: int) -> DataChoice | None:
    """Column pickers for an upload; the choice if it prepares without error, else None."""
    table = up.table
    numeric = data.numeric_columns(table)
    st.caption(f"{len(table):,} rows × {table.shape[1]} columns; {len(numeric)} numeric.")
    st.text(f"File: {up.name[:60]}")
    for key, fallback in (("target", numeric[-1]), ):
        if st.session_state.get(key) not in numeric:
            st.session_state[key] = fallback
    target = st.selectbox("Target (what to predict)", numeric, key="target")
    options = [c for c in numeric if c != target]
    chosen = [c for c in st.session_state.get("features", []) if c in options][:MAX_FEATURES]
    st.session_state["features"] = chosen or options[:1]
    features = st.multiselect("Features (1–4 numeric columns)", options, key="features",
                              max_selections=MAX_FEATURES)
    if not features:
        st.warning("Choose at least one feature column.")
        return None
    drop = st.session_state.get("drop", False)
    try:
        data.prepare(table, features, target, test_size=test, split_seed=split, drop_incomplete=drop)
    except data.IncompleteRowsError as exc:
        say_error(exc)
        st.checkbox(f"Drop those {len(exc.rows)} rows", key="drop")
        return None
    except data.DataError as exc:
        say_error(exc)
        return None
    if drop:
        st.checkbox("Drop rows with missing values", key="drop")
    return DataChoice(up.key, tuple(features), target, bool(drop))

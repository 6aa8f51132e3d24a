"""The shape every page shares: title, one paragraph of why, any notice about the link or the data."""

from __future__ import annotations

import streamlit as st

from ui.serve import cache
from ui.state import sidebar
from ui.state.params import Param, Settings
from ui.views.safe import md


def header(title: str, intro: str) -> Settings:
    """Title and intro of a page; returns the Settings of this run."""
    s = sidebar.current()
    st.title(title)
    st.markdown(intro)
    link_notices(sidebar.pending_notices(s.linked()))
    data_notices(s)
    return s


def data_notices(s: Settings) -> None:
    """Which uploaded data is in use, and whether its size capped the epochs."""
    if s.data == "income":
        return
    ds, p = cache.dataset(s), cache.prepared(s)
    rows = len(p.y_train) + len(p.y_test)
    st.info(f"Your data: {md(ds.title, 60)} — {rows:,} rows, {p.n_inputs} feature"
            f"{'s' if p.n_inputs != 1 else ''} → {md(s.target, 40)}.", icon=":material/upload_file:")
    allowed = cache.epochs_allowed(s)
    if allowed < s.epochs:
        st.info(f"With {rows:,} rows and {s.hidden} hidden units, training runs {allowed:,} epochs instead "
                f"of {s.epochs:,}, so that a run stays within a couple of seconds.", icon=":material/timer:")


def link_notices(notes: list[str]) -> None:
    """All notices about the link in one box, one line each."""
    if notes:
        st.warning("  \n".join(notes), icon=":material/link_off:")


def page_param_notices(params: dict[str, Param], used: dict) -> None:
    """Notices for a page's own link parameters (e.g. ``epoch``, ``step``), shown like the others."""
    link_notices(sidebar.pending_notices(used, params))

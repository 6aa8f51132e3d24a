"""The shape every page shares: title, one paragraph of why, any notice about the link or the data."""

from __future__ import annotations

import streamlit as st

from ui.serve import cache
from ui.state import sidebar
from ui.state import params
from ui.state.params import PAGE, Param, Settings
from ui.views import symbols
from ui.views.safe import md

APP = "Backprop Explainer"
# The pages in lesson order: (file, title). Each page but the last ends with a link to the next.
LESSON = (("app_pages/data.py", "Data"), ("app_pages/network.py", "Network"),
          ("app_pages/backprop.py", "Backprop step by step"), ("app_pages/training.py", "Training & results"))
_CONTROLS = (*PAGE, "show", "weight")   # the pages' own controls (epoch, sample, step, …), not the sidebar's
_SHOWN = "_page_shown"             # the title of the page the last run drew
_KEPT = "_page_controls"           # title → that page's controls when the student left it


def header(title: str, intro: str) -> Settings:
    """Browser title, title and intro of a page; returns the Settings of this run."""
    st.set_page_config(page_title=f"{title} · {APP}")
    own_controls(title)
    s = sidebar.current()
    head, key = st.columns([5, 1], vertical_alignment="bottom")
    head.title(title)
    with key.popover("Symbols", icon=":material/functions:", width="stretch"):
        st.markdown(symbols.markdown())
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
        st.info(f"With {rows:,} rows and hidden layers of {params.spell(s.hidden)} units, training runs {allowed:,} epochs instead "
                f"of {s.epochs:,}, so that a run stays within a couple of seconds.", icon=":material/timer:")


def link_notices(notes: list[str]) -> None:
    """All notices about the link in one box, one line each."""
    if notes:
        st.warning("  \n".join(notes), icon=":material/link_off:")


def page_param_notices(params: dict[str, Param], used: dict) -> None:
    """Notices for a page's own link parameters (e.g. ``epoch``, ``step``), shown like the others."""
    link_notices(sidebar.pending_notices(used, params))


def own_controls(title: str) -> None:
    """Each page keeps its own controls: an epoch picked on Training never moves Backprop's.

    The pages share widget keys (``epoch``, ``sample``, …) and so their link parameters. On
    arriving at a page from another, the controls the last page left behind are put away under
    its title and this page's are brought back, unless the link names them (a deep link, or a
    ``st.page_link`` that carries an epoch on purpose).
    """
    state = st.session_state
    last = state.get(_SHOWN)
    state[_SHOWN] = title
    if last is None or last == title:
        return
    kept = state.setdefault(_KEPT, {})
    kept[last] = {k: state[k] for k in _CONTROLS if k in state}
    linked = set(st.query_params)
    for key in _CONTROLS:
        if key not in linked:
            state.pop(key, None)
    for key, value in kept.get(title, {}).items():
        if key not in linked:
            state[key] = value


def next_page() -> None:
    """The way on through the lesson: a link to the page after this one (none after the last)."""
    title = st.session_state.get(_SHOWN)
    titles = [t for _, t in LESSON]
    if title in titles[:-1]:
        path, after = LESSON[titles.index(title) + 1]
        st.divider()
        st.page_link(path, label=f"Next: {after}", icon=":material/arrow_forward:")

"""The shape every page shares: title, one paragraph of why, any notice about the link."""

from __future__ import annotations

import streamlit as st

from ui import settings as settings_mod
from ui.settings import Settings


def header(title: str, intro: str) -> Settings:
    """Title and intro of a page; returns the Settings of this run."""
    s = settings_mod.current()
    st.title(title)
    st.markdown(intro)
    link_notices(settings_mod.pending_notices(vars_of(s)))
    return s


def link_notices(notes: list[str]) -> None:
    """All notices about the link in one box, one line each."""
    if notes:
        st.warning("  \n".join(notes), icon=":material/link_off:")


def page_param_notices(params: dict, used: dict) -> None:
    """Notices for a page's own link parameters (e.g. ``epoch``, ``step``), shown like the others."""
    link_notices(settings_mod.pending_notices(used, params))


def vars_of(s: Settings) -> dict:
    return {k: getattr(s, k) for k in settings_mod.PARAMS}

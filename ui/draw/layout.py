"""Page layout: projector mode's stylesheet, and columns that stack on a projector."""

from __future__ import annotations

import streamlit as st

_PROJECTOR_CSS = """
<style>
html { font-size: 21px; }
[data-testid="stSidebar"] { min-width: 360px; }
.katex { font-size: 1.3em; }
[data-testid="stMetricValue"] { font-size: 2.4rem; }
[data-testid="stDataFrame"] * { font-size: 1rem; }
#vg-tooltip-element { font-size: 18px; }
#vg-tooltip-element td { padding: 2px 6px; }
</style>
"""


def apply_page_style(projector: bool) -> None:
    """Projector mode: larger base font (everything in rem scales with it) and larger equations."""
    if projector:
        # A fixed, app-written stylesheet: no user-supplied text ever reaches it.
        st.html(_PROJECTOR_CSS)


def side_by_side(spec, projector: bool) -> list:
    """Columns on a laptop (``spec`` as for ``st.columns``); one under the other in projector mode,
    where the page is narrow and the type large."""
    if projector:
        return [st.container() for _ in (range(spec) if isinstance(spec, int) else spec)]
    return st.columns(spec, gap="medium")

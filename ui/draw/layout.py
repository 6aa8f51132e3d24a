"""Page layout: projector mode's stylesheet, and columns that stack on a projector."""

from __future__ import annotations

import streamlit as st

# Projector mode: everything in rem grows with the base font; the page uses the whole width and
# starts right under the toolbar; headings shrink a step so the lesson, not the title, fills the
# first screen; table cells, labels, buttons, captions and inline code are as large as the body text,
# and equations large enough that their subscripts (0.7 of their size) are 20 px or more.
_PROJECTOR_CSS = """
<style>
html { font-size: 21px; }
[data-testid="stSidebar"][data-collapsed="false"] { min-width: 360px; }
[data-testid="stMainBlockContainer"] { padding: 3.2rem 1.2rem 2rem 1.2rem; max-width: 100%; }
[data-testid="stMain"] h1 { font-size: 1.9rem; padding: 0 0 0.3rem 0; }
[data-testid="stMain"] h2 { font-size: 1.5rem; padding: 0.6rem 0 0.2rem 0; }
[data-testid="stMain"] h3 { font-size: 1.35rem; padding: 0.4rem 0 0.2rem 0; }
[data-testid="stMain"] button p, [data-testid="stMain"] kbd, [data-testid="stWidgetLabel"] p,
[data-testid="stMetricLabel"] p, [data-testid="stMain"] summary p, [data-testid="stCaptionContainer"],
html body [data-testid="stMain"] code, [data-testid="stMain"] [data-baseweb="select"] *,
[data-testid="stSliderThumbValue"], [data-testid="stSliderTickBar"] *, [data-testid="stPageLink"] p,
[data-testid="stMain"] input, [data-testid="stMetricDelta"] *, [data-testid="stSelectbox"] [data-baseweb="select"] div
{ font-size: 1rem; }
.katex { font-size: 1.4em; }
[data-testid="stCaptionContainer"] { opacity: 1; color: #4a4a4a; }
.katex-display { margin: 0.35em 0; --bpx-fit-floor: 20.5px; overflow-x: auto; overflow-y: hidden; }
[data-testid="stMetricValue"] { font-size: 2.0rem; }
[data-testid="stTable"] th, [data-testid="stTable"] td { font-size: 1rem; padding: 0.15rem 0.5rem; }
[data-testid="stDataFrame"] * { font-size: 1rem; }
#vg-tooltip-element { font-size: 1rem; }
#vg-tooltip-element td { padding: 2px 6px; }
</style>
"""


# Every mode: the browser helpers (ui/draw/browser.py, the lecturer's controls in ui/draw/classroom.py) draw nothing, so their elements take no room;
# a step's heading scrolled into view stops below Streamlit's top bar (3.75rem).
_PAGE_CSS = """
<style>
.st-key-page-helpers, .st-key-step-scroll, .st-key-class-lead { display: none; }
[data-testid="stMain"] h3[id^="step-"] { scroll-margin-top: 4.5rem; }
</style>
"""


def sidebar_state(query) -> str:
    """The sidebar's state when the page loads: closed for a projector link (``?projector=true``)."""
    return "collapsed" if str(query.get("projector", "")).strip().lower() == "true" else "auto"


# Outside a class, class mode's bar (ui/draw/classroom.py) stays mounted, empty, and takes no room.
_NO_CLASS_CSS = "<style>.st-key-class-mode { display: none; }</style>"


def apply_page_style(projector: bool, in_class: bool = False) -> None:
    """The app's stylesheet; in projector mode also a larger base font (everything in rem scales with
    it) and larger equations."""
    # Fixed, app-written stylesheets: no user-supplied text ever reaches them.
    st.html(_PAGE_CSS + (_PROJECTOR_CSS if projector else "") + ("" if in_class else _NO_CLASS_CSS))


def side_by_side(spec, projector: bool) -> list:
    """Columns on a laptop (``spec`` as for ``st.columns``); one under the other in projector mode,
    where the page is narrow and the type large."""
    if projector:
        return [st.container() for _ in (range(spec) if isinstance(spec, int) else spec)]
    return st.columns(spec, gap="medium")

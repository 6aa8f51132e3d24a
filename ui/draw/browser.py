"""Browser code the pages mount (custom components v2, inline, no iframe; the JavaScript is in
``ui/browser/``): what every page needs (``page.js``) and a scroll to a heading (``scroll.js``).

Neither draws anything: their elements are hidden by the app's stylesheet (``ui.draw.layout``).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

_BROWSER = Path(__file__).resolve().parents[1] / "browser"
PAGE_KEY = "page-helpers"
SCROLL_KEY = "step-scroll"
_ASKED = "_scroll_asked"          # session: a button asked the next run to scroll (set in its callback)
_COUNT = "_scroll_count"          # session: how many scrolls this session has asked for

_page = st.components.v2.component("backprop_page", js=(_BROWSER / "page.js").read_text(encoding="utf-8"))
_scroll = st.components.v2.component("backprop_scroll", js=(_BROWSER / "scroll.js").read_text(encoding="utf-8"))


def page_helpers() -> None:
    """Equations that fit their column, and chart tooltips a tap shows (``page.js``)."""
    _page(key=PAGE_KEY, data={})


def ask_scroll() -> None:
    """From a button's callback: the run it starts brings its heading into view (``scroll_to``)."""
    st.session_state[_ASKED] = True


def scroll_to(anchor: str) -> None:
    """Scroll the heading with id ``anchor`` into view if a callback asked for it before this run;
    otherwise leave the page where it is."""
    count = st.session_state.get(_COUNT, 0)
    if st.session_state.pop(_ASKED, False):
        count = st.session_state[_COUNT] = count + 1
        _scroll(key=SCROLL_KEY, data={"to": anchor, "n": count})
    else:
        _scroll(key=SCROLL_KEY, data={"to": None, "n": count})

"""Browser code the pages mount (custom components v2, inline, no iframe; the JavaScript is in
``ui/browser/``): what every page needs (``page.js``).

It draws nothing: its element is hidden by the app's stylesheet (``ui.draw.layout``).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

_BROWSER = Path(__file__).resolve().parents[1] / "browser"
PAGE_KEY = "page-helpers"

_page = st.components.v2.component("backprop_page", js=(_BROWSER / "page.js").read_text(encoding="utf-8"))


def page_helpers() -> None:
    """Equations that fit their column, and chart tooltips a tap shows (``page.js``)."""
    _page(key=PAGE_KEY, data={})

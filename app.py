"""Backprop Explainer: the router and the shared sidebar.

The sidebar widgets are created here, before the page runs, so they exist on every page and keep
their values when the page changes. Page files live in ``app_pages/`` (not ``pages/``; see README).
"""

import runpy
from pathlib import Path

import streamlit as st

from ui import settings, style

ROOT = Path(__file__).resolve().parent
# A local image: a Material icon as page_icon makes the browser fetch it from fonts.gstatic.com.
st.set_page_config(page_title="Backprop Explainer", page_icon=str(ROOT / "assets" / "icon.png"),
                   layout="wide")
DATA = st.Page("app_pages/data.py", title="Data", icon=":material/table_chart:", url_path="overview",
               default=True)


def _data_at_its_name():
    """``/data`` shows the Data page too (its own address is the app's root, ``/``).

    Not ``st.switch_page``: it clears the query string, which the link-bound settings forbid.
    """
    runpy.run_path(str(ROOT / "app_pages" / "data.py"), run_name="__main__")


PAGES = [
    DATA,
    st.Page("app_pages/network.py", title="Network", icon=":material/hub:", url_path="network"),
    st.Page("app_pages/backprop.py", title="Backprop step by step", icon=":material/calculate:",
            url_path="backprop"),
    st.Page("app_pages/training.py", title="Training & results", icon=":material/monitoring:",
            url_path="training"),
    st.Page(_data_at_its_name, title="Data", url_path="data", visibility="hidden"),
]

page = st.navigation(PAGES, position="sidebar", expanded=True)
current = settings.sidebar()
style.apply_page_style(current.projector)
page.run()

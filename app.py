"""Backprop Explainer: the router and the shared sidebar.

The sidebar widgets are created here, before the page runs, so they exist on every page and keep
their values when the page changes. Page files live in ``app_pages/`` (not ``pages/``; see README).
"""

import streamlit as st

from ui import settings, style

st.set_page_config(page_title="Backprop Explainer", page_icon=":material/school:", layout="wide")

PAGES = [
    st.Page("app_pages/data.py", title="Data", icon=":material/table_chart:", url_path="data", default=True),
    st.Page("app_pages/network.py", title="Network", icon=":material/hub:", url_path="network"),
    st.Page("app_pages/backprop.py", title="Backprop step by step", icon=":material/calculate:",
            url_path="backprop"),
    st.Page("app_pages/training.py", title="Training & results", icon=":material/monitoring:",
            url_path="training"),
]

page = st.navigation(PAGES, position="sidebar", expanded=True)
current = settings.sidebar()
style.apply_page_style(current.projector)
page.run()

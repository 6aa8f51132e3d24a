"""No such page: an address the app does not have, with the way to every page that it does have."""

import streamlit as st

from ui.draw import page
from ui.views.safe import md

st.title("No such page")
st.markdown(f"There is no page **{md(page.missing_address(), 60)}** in {page.APP}. These are its pages, "
            "in lesson order:")
for lesson in page.LESSON:
    st.page_link(lesson.path, label=lesson.title, icon=":material/arrow_forward:")

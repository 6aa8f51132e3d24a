"""Data: what the network is asked to learn."""

import streamlit as st

from ui import compute, page

s = page.header(
    "Data",
    "Thirty people, their years of education, their seniority in months and their income. "
    "The network will learn to predict income from the other two.",
)
p = compute.prepared(s)
c1, c2, c3 = st.columns(3)
c1.metric("Rows", len(compute.income_table()))
c2.metric("Training rows", p.X_train_aug.shape[0])
c3.metric("Test rows", p.X_test_aug.shape[0])
st.dataframe(compute.income_table(), width="stretch")

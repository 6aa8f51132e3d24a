"""Training & results: the network learning over the epochs."""

import streamlit as st

from ui import compute, page

s = page.header(
    "Training & results",
    "Thousands of steps: watch the loss fall and the predictions approach their targets.",
)
h = compute.history(s)
c1, c2 = st.columns(2)
c1.metric("Final training loss", f"{h.losses[-1, 0]:.6g}")
c2.metric("Final test loss", f"{h.losses[-1, 1]:.6g}")

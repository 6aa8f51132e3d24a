"""Network: the architecture about to be trained."""

import streamlit as st

from ui import compute, page

s = page.header(
    "Network",
    "Two inputs, one hidden layer, one output. Every arrow is a weight the training will adjust.",
)
p = compute.prepared(s)
st.metric("Weights to learn", (p.n_inputs + 1) * s.hidden + (s.hidden + 1) * p.n_outputs)

"""Backprop step by step: every number of one training step."""

import streamlit as st

from ui import compute, page

s = page.header(
    "Backprop step by step",
    "One gradient-descent step, number by number: forward pass, loss, deltas, gradients, update.",
)
h = compute.history(s)
st.metric("Loss L at epoch 0", f"{h.losses[0, 0]:.8f}")

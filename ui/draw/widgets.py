"""Page-level controls that every page builds the same way: bound to the link, kept in range, checked."""

from __future__ import annotations

import streamlit as st

from core.training import History
from ui.draw import page
from ui.state.params import PAGE, Param


def keep_in_range(p: Param) -> None:
    """A page control whose range shrank (fewer samples, a shorter run) keeps a valid value."""
    value = st.session_state.get(p.key)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and p.clamp(value) != value:
        st.session_state[p.key] = p.clamp(value)


def epoch_slider(h: History, key: str = "epoch", label: str = "Epoch",
                 help: str = "0 = the initial weights; the last epoch = the weights after every update.",
                 container=st, value: int = 0, disabled: bool = False) -> int:
    """An epoch from 0 to the last finite epoch of ``h``, bound to the URL parameter ``key``.

    ``value`` is the epoch shown when the link has none (clamped into range); ``disabled`` shows
    the slider without letting it be dragged (e.g. while an animation moves it).
    """
    p = PAGE["epoch"].within(0, h.last_epoch)
    p = Param(key, key, p.kind, p.default, label, help, p.lo, p.hi)
    if p.hi == 0:
        container.caption("Only epoch 0 is available for these settings.")
        page.page_param_notices({key: p}, {key: 0})
        return 0
    keep_in_range(p)
    epoch = container.slider(label, 0, p.hi, p.clamp(value), key=key, bind="query-params", help=help,
                             disabled=disabled)
    page.page_param_notices({key: p}, {key: epoch})
    return int(epoch)


def index_picker(container, p: Param, help: str) -> int:
    """A whole number ``p.lo`` … ``p.hi`` bound to the URL parameter ``p.key``."""
    keep_in_range(p)
    return int(container.number_input(p.label, p.lo, p.hi, p.lo, step=1, key=p.key, bind="query-params",
                                      help=help))

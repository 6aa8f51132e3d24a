"""Page-level controls that every page builds the same way (bound to the link, checked)."""

from __future__ import annotations

import streamlit as st

from core.training import History
from ui import page
from ui.settings import Param, _int_in


def epoch_slider(h: History, key: str = "epoch", label: str = "Epoch",
                 help: str = "0 = the initial weights; the last epoch = the weights after every update.",
                 container=st, value: int = 0, disabled: bool = False) -> int:
    """An epoch from 0 to the last finite epoch of ``h``, bound to the URL parameter ``key``.

    ``value`` is the epoch shown when the link has none (clamped into range); ``disabled`` shows
    the slider without letting it be dragged (e.g. while an animation moves it).
    """
    last = h.last_epoch
    if last == 0:
        container.caption("Only epoch 0 is available for these settings.")
        page.page_param_notices({key: Param(_int_in(0, 0), "0")}, {key: 0})
        return 0
    if st.session_state.get(key, 0) > last:
        st.session_state[key] = last          # the run got shorter: keep the view in range
    epoch = container.slider(label, 0, last, min(max(int(value), 0), last), key=key,
                             bind="query-params", help=help, disabled=disabled)
    page.page_param_notices({key: Param(_int_in(0, last), f"a whole number from 0 to {last:,}")},
                            {key: epoch})
    return int(epoch)

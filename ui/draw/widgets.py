"""Page-level controls that every page builds the same way: bound to the link, kept in range, checked."""

from __future__ import annotations

import math

import streamlit as st

from core.training import History
from ui.draw import page
from ui.state.params import PAGE, Param


def keep_in_range(p: Param) -> None:
    """A page control whose range shrank (fewer samples, a shorter run) keeps a valid value."""
    value = st.session_state.get(p.key)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        fixed = p.clamp(round(value))
        if fixed != value:
            st.session_state[p.key] = type(value)(fixed)       # a float-typed box keeps a float


def linked(p: Param):
    """The value of page control ``p`` in the link, as its widget would take it (a value the widget
    refuses gives its default), for a page drawn without the control (a student following a lecturer)."""
    value = p.from_link(st.query_params.get_all(p.key))
    value = p.default if value is None else value
    return p.clamp(value) if p.kind == "int" else value


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
    """A whole number ``p.lo`` … ``p.hi`` bound to the URL parameter ``p.key``.

    Float-typed and shown without decimals, like the sidebar's whole numbers
    (``ui.state.sidebar.whole_number_input``): an int-typed bound number input turns ``?sample=inf``
    or ``?sample=1e400`` into an OverflowError inside Streamlit; a float-typed one falls back to the
    default. Rounded as the box shows it ("%.0f"), so ``?sample=2.6`` is sample 3 on screen and in use.
    """
    keep_in_range(p)
    value = container.number_input(p.label, float(p.lo), float(p.hi), float(p.lo), step=1.0, format="%.0f",
                                   key=p.key, bind="query-params", help=help)
    return p.clamp(round(value))

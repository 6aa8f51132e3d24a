"""Drawing the gradient check panel (``ui.views.gradcheck`` computes it)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core import graph
from core.step import Step
from ui.serve import replay
from ui.views.gradcheck import EPS, FORMULAS, WHY, Check, check, verdict
from ui.views.numbers import Digits, digits_for, plain


def intro() -> None:
    """Why a gradient check, and its two formulas (above the page's switch)."""
    st.markdown(WHY)
    st.latex(FORMULAS)


FOCUS_CSS = "font-weight: bold; background-color: #FFF1A8; color: #000000"
PROJECTOR_ROWS = 20


def show(c: Check, s: Step, mistake: bool, projector: bool) -> None:
    """The verdict, what the mistake does, the losses after a step, and the table of the weights."""
    digits: Digits = digits_for(projector)
    kind, sentence = verdict(c)
    getattr(st, kind)(sentence)
    last = "u_" + graph.layer_name(len(s.weights) - 1, len(s.weights) - 1)    # the last hidden layer's output
    if mistake:
        st.markdown(
            f"The demo formed the output gradient as [{last}, 1]ᵀ·δ_O, the bias column stacked **last**, "
            f"while its forward pass uses [1, {last}], bias **first**. The bias gradient lands in the last "
            "row and every other row moves up one:")
        st.latex(rf"\text{{demo: }} {digits.matrix(c.dW_O)} \qquad \text{{correct: }} "
                 rf"{digits.matrix(s.backward.dW[-1])}" if s.weights[-1].shape[0] <= 6 else
                 rf"\text{{demo: }} [{last},\ 1]^{{\top}}\delta_O \qquad \text{{correct: }} [1,\ {last}]^{{\top}}\delta_O")
    if mistake and c.passed:
        st.info("The check passes even with the mistake switched on here: ∂L/∂W_O is zero in every row "
                "(to round-off), because every hidden unit is off for every sample or the bias has settled, "
                "so moving its rows changes nothing. Pick epoch 0 to see the check catch the mistake.")
    what = "Objective J" if s.weight_decay else "Loss"
    row = st.container(horizontal=True)
    row.metric(f"{what} after a step with " + ("the demo's gradient" if mistake else "this gradient"),
               plain(c.loss_after))
    row.metric(f"{what} after a step with the correct gradient", plain(s.objective_after))
    frame, focus = c.frame, set(c.focus)
    if projector and len(frame) > PROJECTOR_ROWS:
        failing = {t for t, v in enumerate(frame.verdict) if v.startswith("✗")}
        keep = sorted(failing | focus | set(range(PROJECTOR_ROWS - len(focus))))[:max(PROJECTOR_ROWS, len(focus))]
        frame, focus = frame.iloc[keep], {keep.index(t) for t in focus if t in keep}
    marks = np.full(frame.shape, "", dtype=object)
    marks[sorted(focus), :] = FOCUS_CSS
    formats = {col: digits.text for col in frame.columns[1:3]} | {"relative error": "{:.1e}"}
    styled = frame.style.format(formats).apply(lambda _: marks, axis=None).hide(axis="index")
    if projector:
        st.table(styled)
    else:           # every row in view (up to 20), no scroll box inside the page for the lecture's 13
        st.dataframe(styled, hide_index=True, width="stretch", height=35 * (min(len(frame), 20) + 1) + 3)
    names = ", ".join(f"{n}[i,j]" for n in graph.matrix_names(len(s.weights) - 1)[:-1])
    shown = "every weight" if len(c.frame) >= c.total else f"{len(c.frame)} of the {c.total} weights"
    st.caption(f"{shown.capitalize()}, one row each ({len(frame)} rows shown; in bold: the weights into the chosen "
               f"units): {names} joins node i of the layer below to unit j, W_O[j,1] joins unit j of the last "
               f"hidden layer to ŷ; ε = {EPS:g}, two forward passes per weight.")


@replay.shared(max_entries=128)
def panel(run: dict, epoch: int, mistake: bool, projector: bool, j: int, _step: Step) -> None:
    """``check`` and ``show`` for the step at ``epoch`` of the run ``run`` (``Settings.training_args``)
    decides (``_step``), with the weights into unit ``j`` of each hidden layer marked: computed and
    drawn once, replayed to every student on the same run, epoch, switch, unit and look."""
    focus = {l: min(j, W.shape[1]) - 1 for l, W in enumerate(_step.weights[:-1])}
    show(check(_step, mistake, focus_units=focus), _step, mistake, projector)

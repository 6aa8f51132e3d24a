"""Drawing the gradient check panel (``ui.views.gradcheck`` computes it)."""

from __future__ import annotations

import streamlit as st

from core.step import Step
from ui.serve import replay
from ui.views.gradcheck import EPS, FORMULAS, WHY, Check, check, verdict
from ui.views.numbers import Digits, digits_for, plain


def intro() -> None:
    """Why a gradient check, and its two formulas (above the page's switch)."""
    st.markdown(WHY)
    st.latex(FORMULAS)


def show(c: Check, s: Step, mistake: bool, projector: bool) -> None:
    """The verdict, what the mistake does, the losses after a step, and the table of every weight."""
    digits: Digits = digits_for(projector)
    kind, sentence = verdict(c)
    getattr(st, kind)(sentence)
    if mistake:
        st.markdown(
            "The demo formed the output gradient as [u_H, 1]ᵀ·δ_O, the bias column stacked **last**, "
            "while its forward pass uses [1, u_H], bias **first**. The bias gradient lands in the last "
            "row and every other row moves up one:")
        st.latex(rf"\text{{demo: }} {digits.matrix(c.dW_O)} \qquad \text{{correct: }} {digits.matrix(s.bwd.dW_O)}"
                 if s.W_O.shape[0] <= 6 else r"\text{demo: } [u_H,\ 1]^{\top}\delta_O \qquad "
                 r"\text{correct: } [1,\ u_H]^{\top}\delta_O")
    if mistake and c.passed:
        st.info("The check passes even with the mistake switched on here: ∂L/∂W_O is zero in every row "
                "(to round-off), because every hidden unit is off for every sample or the bias has settled, "
                "so moving its rows changes nothing. Pick epoch 0 to see the check catch the mistake.")
    cols = st.columns(2)
    cols[0].metric("Loss after a step with " + ("the demo's gradient" if mistake else "this gradient"),
                   plain(c.loss_after))
    cols[1].metric("Loss after a step with the correct gradient", plain(s.loss_after))
    formats = {col: digits.text for col in c.frame.columns[1:3]} | {"relative error": "{:.1e}"}
    styled = c.frame.style.format(formats).hide(axis="index")
    if projector:
        st.table(styled)
    else:           # every row in view: no scroll box inside the page
        st.dataframe(styled, hide_index=True, width="stretch", height=35 * (len(c.frame) + 1) + 3)
    st.caption(f"Every weight, one row each ({len(c.frame)} rows): W_H[i,j] joins xᵢ to hⱼ, W_O[j,1] "
               f"joins hⱼ to ŷ; ε = {EPS:g}, two forward passes per weight.")


@replay.shared(max_entries=128)
def panel(run: dict, epoch: int, mistake: bool, projector: bool, _step: Step) -> None:
    """``check`` and ``show`` for the step at ``epoch`` of the run ``run`` (``Settings.training_args``)
    decides (``_step``): computed and drawn once, replayed to every student on the same run, epoch,
    switch and look."""
    show(check(_step, mistake), _step, mistake, projector)

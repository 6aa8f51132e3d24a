"""Drawing "the gradient, pictured" on the Backprop page (``ui.views.slope`` builds it)."""

from __future__ import annotations

import streamlit as st

from core.step import Step
from ui.draw import page
from ui.draw import training as training_view
from ui.serve import replay
from ui.state.params import choice_param
from ui.views import slope
from ui.views.numbers import Digits
from ui.views.style import ChartStyle


def section(step: Step, default: str, digits: Digits, look: ChartStyle, run: dict, epoch: int) -> str:
    """A picker for one weight (bound to ``?weight=``), its slice of the loss, and what the numbers mean.

    ``run`` (``Settings.training_args``) and ``epoch`` decide ``step``: the picture is drawn once per
    run, epoch, weight and look, and replayed to every student who asks for the same. Returns the weight.
    """
    st.subheader("The gradient, pictured", anchor="gradient-pictured")
    target = "J" if step.weight_decay else "L"
    st.markdown(f"Step 5 gave every weight its gradient ∂{target}/∂w. Here is one of them as what it is, a slope: "
                f"hold every weight but this one fixed and let it vary, and the {target} traces a curve. Backprop's "
                f"∂{target}/∂w is the slope of that curve where the weight stands now, and step 6 moves the weight "
                "against it, by η times the slope.")
    names = slope.weight_names(step)
    name = st.selectbox("Weight", names, index=names.index(default) if default in names else 0, key="weight",
                        bind="query-params", help="Any weight of the network; W_H[i,j] joins node i below to unit j "
                                                  "(row 0: the bias node). The default is the one the steps follow.")
    page.page_param_notices({"weight": choice_param("weight", names)}, {"weight": name})
    _picture(run, epoch, name, digits, look, step)
    return name


def pointer() -> None:
    """Where the picture is, for a reader on steps 1–4: it needs the gradient of step 5."""
    st.markdown(":material/arrow_forward: **The gradient, pictured** — one weight's gradient drawn as the slope of "
                "the loss — comes with steps 5 and 6, once step 5 has given every weight its gradient.")


@replay.shared(max_entries=128)
def _picture(run: dict, epoch: int, name: str, digits: Digits, look: ChartStyle, _step: Step) -> None:
    step = _step
    target = "J" if step.weight_decay else "L"
    pic = slope.picture(step, name)
    d = digits.text
    decay = bool(step.weight_decay)
    if pic.zoom is None:
        training_view.show(slope.chart(pic, decay, look, loss=step.loss_kind))
    else:               # the curve where it bends, and the step it is too wide to show: side by side
        wide, zoom = st.columns(2, gap="medium")
        with wide:
            training_view.show(slope.chart(pic, decay, look, loss=step.loss_kind))
        with zoom:
            training_view.show(slope.chart(pic, decay, look, zoomed=True, loss=step.loss_kind))
    row = st.container(horizontal=True)
    row.metric(f"{name} now", d(pic.w))
    row.metric(f"Backprop's ∂{target}/∂w (tangent)", d(pic.slope))
    row.metric("The curve's centred difference", d(pic.numerical))
    row.metric(f"{target} after a step of this weight alone", d(pic.J_next))
    st.caption(slope.caption(pic, step.eta, target, d))

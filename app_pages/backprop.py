"""Backprop step by step: every number of one training step, with the equation beside it."""

import streamlit as st

from core import step as core_step
from ui.draw import gradcheck, page, step, widgets
from ui.serve import cache
from ui.state.params import ETA_CHOICES, PAGE
from ui.views import messages, step_model, steps, style

s = page.header(
    "Backprop step by step",
    "Every number of one gradient-descent step of the network in the sidebar, at the epoch you pick: "
    "each step's equation, the same equation with one sample's numbers, then all of them in tables.",
)
h = cache.history(s)
p = cache.prepared(s)
N = p.X_train_aug.shape[0]

if h.diverged_at is not None:
    st.warning(messages.divergence(h, s.eta, messages.smaller_eta(s.eta, ETA_CHOICES)) +
               " Watch the update step make the loss rise.", icon=":material/trending_up:")

c_epoch, c_sample, c_unit = st.columns([2, 1, 1] if s.projector else [4, 1, 1], vertical_alignment="bottom")
epoch = widgets.epoch_slider(h, container=c_epoch,
                             help="The weights before this epoch's update: 0 = the initial weights.")
sample_param, unit_param = PAGE["sample"].within(1, N), PAGE["unit"].within(1, s.hidden)
n = widgets.index_picker(c_sample, sample_param, f"Which of the {N} training samples the equations with "
                                                 "numbers use; the tables show all of them.")
j = widgets.index_picker(c_unit, unit_param,
                         f"Which of the {s.hidden} hidden units the equations with numbers use.")


def _move(by: int) -> None:
    st.session_state["step"] = PAGE["step"].clamp(st.session_state.get("step", 1) + by)


notices = st.container()        # filled at the end, once every page control has its value
status = st.empty()             # the loss before and after this step, once it is computed
if s.projector:    # big type: the step buttons get a row of their own
    c_steps, (c_prev, c_next, c_all) = st.container(), st.columns([1, 1, 1.4], vertical_alignment="center")
else:
    c_prev, c_steps, c_next, c_all = st.columns([1, 3, 1, 1.4], vertical_alignment="bottom")
show_all = c_all.toggle("Show all steps", False, key="all", bind="query-params",
                        help="The whole derivation on one page, for reading or printing.")
step_no = c_steps.segmented_control(
    "Step", list(range(1, step_model.COUNT + 1)), default=1, required=True, key="step", bind="query-params",
    width="stretch", disabled=show_all, label_visibility="collapsed",
    help=" · ".join(f"{k} {t}" for k, t in enumerate(step_model.TITLES, start=1))) or 1
c_prev.button("← Previous", on_click=_move, args=(-1,), disabled=show_all or step_no <= 1, width="stretch",
              key="prev", help=f"Step {step_no - 1}: {step_model.TITLES[step_no - 2]}" if step_no > 1 else None)
c_next.button("Next →", on_click=_move, args=(1,), disabled=show_all or step_no >= step_model.COUNT,
              width="stretch", key="next",
              help=f"Step {step_no + 1}: {step_model.TITLES[step_no]}" if step_no < step_model.COUNT else None)

snap = h.at(epoch)
ctx = step_model.Context(
    core_step.one_step(p.X_train_aug, p.y_train, snap.W_H, snap.W_O, s.eta, s.activation), n, j, epoch,
    list(p.train_rows), float(h.losses[epoch + 1, 0]) if epoch < h.last_epoch else None,
    h.diverged_at, ETA_CHOICES, h.n_epochs)
status.markdown(steps.status_line(ctx))
views = [steps.build(k, ctx) for k in (range(1, step_model.COUNT + 1) if show_all else [step_no])]
slots = [step.show(view, s.projector) for view in views]

st.divider()
st.subheader("Gradient check", anchor="gradient-check")
gradcheck.intro()
mistake = st.toggle("Reproduce the lecture demo's mistake (hidden bias stacked last in ∂L/∂W_O)", False,
                    key="mistake", bind="query-params",
                    help="The published demo built ∂L/∂W_O from [u_H, 1] instead of [1, u_H].")
gradcheck.panel(s.training_args(), epoch, mistake, ctx.step)

look = style.chart_style(s.projector)
for view, slot in zip(views, slots):        # last: a new diagram is the slowest part of a step change
    step.show_diagram(slot, view, p.n_inputs, s.hidden, look,
                      step_model.diagram_caption(view, p.features, p.target))
with notices:
    page.page_param_notices(
        {"sample": sample_param, "unit": unit_param, "step": PAGE["step"], "all": PAGE["all"],
         "mistake": PAGE["mistake"]},
        {"sample": n, "unit": j, "step": step_no, "all": show_all, "mistake": mistake})

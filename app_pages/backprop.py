"""Backprop step by step: every number of one training step, with the equation beside it."""

import streamlit as st

from core import step as core_step
from ui.draw import browser, classroom, gradcheck, nudge, page, slope, step, takehome, widgets
from ui.serve import cache
from ui.state import sidebar
from ui.state.params import ETA_CHOICES, PAGE
from ui.views import class_questions, messages, step_model, steps, steps_class, style
from ui.views.numbers import digits_for

s = page.header(
    "Backprop step by step",
    "One gradient-descent step, number by number: each equation, then with one sample's numbers, then tables.",
)
h = cache.history(s)
p = cache.prepared(s)

if h.diverged_at is not None:
    st.warning(messages.divergence(h, s.eta, messages.smaller_eta(s.eta, ETA_CHOICES)) +
               " Watch the update step make the loss rise.", icon=":material/trending_up:")

# On a projector the step itself must fill the first screen: its epoch, sample and unit are one
# click away, in a popover at the end of the row of step buttons. It floats over the diagram's side
# of the page, so opening it and changing n or j leaves the step and its equations where the class
# is watching them.
following = sidebar.follows_lecturer()   # the lecturer drives the controls: their values from the link
if following:
    pass
elif s.projector:
    c_prev, c_steps, c_next, c_where = st.columns([0.75, 2.3, 0.75, 1.6], vertical_alignment="top")
    where = c_where.popover("Epoch · sample n · unit j", width="stretch")
    c_epoch, (c_sample, c_unit), c_all = where.container(), where.columns(2), where.container()
else:               # keys "led-…": hidden while a phone follows the lecturer, who drives them
    c_epoch, c_sample, c_unit = st.container(key="led-where").columns([4, 1, 1], vertical_alignment="bottom")
epoch = widgets.linked(PAGE["epoch"].within(0, h.last_epoch)) if following else widgets.epoch_slider(
    h, container=c_epoch, help="The weights before this epoch's update: 0 = the initial weights.")
batches = h.batches(epoch)               # one batch, every training row, unless mini-batches are on
rows = batches[0]
N, widest = len(rows), max(s.hidden, default=1)       # no hidden layer: no unit to choose
sample_param, unit_param = PAGE["sample"].within(1, N), PAGE["unit"].within(1, widest)
if following:
    n, j = widgets.linked(sample_param), widgets.linked(unit_param)
else:
    n = widgets.index_picker(c_sample, sample_param, f"Which of the {N} rows of this step the equations with "
                                                     "numbers use; the tables show all of them.")
    j = widgets.index_picker(c_unit, unit_param,
                             f"Which hidden unit (1 … {widest}) the equations with numbers use, in every hidden "
                             "layer (the last unit of a narrower layer).")


notices = st.container()        # filled at the end, once every page control has its value
status = st.empty()             # the loss before and after this step, once it is computed
if following:
    show_all, step_no = widgets.linked(PAGE["all"]), widgets.linked(PAGE["step"])
else:
    if not s.projector:
        c_prev, c_steps, c_next, c_all = st.container(key="led-steps").columns([1.1, 3, 1.1, 1.3],
                                                                               vertical_alignment="center")
    show_all = c_all.toggle("Show all steps", False, key="all", bind="query-params",
                            help="The whole derivation on one page, for reading or printing.")
    step_no = c_steps.segmented_control(
        "Step", list(range(1, step_model.COUNT + 1)), default=1, required=True, key="step", bind="query-params",
        width="stretch", disabled=show_all, label_visibility="collapsed",
        help=" · ".join(f"{number} {t}" for number, t in enumerate(step_model.TITLES, start=1)) +
             ". Keys: → next step, ← previous step (not while a box or slider has the focus).") or 1
    step.step_buttons((c_prev, c_next), step_no, show_all, ("prev", "next"), shortcuts=True)

snap = h.at(epoch)
ctx = step_model.Context(
    core_step.gradient_step(p.X_train_aug[rows], p.y_train[rows], list(snap.weights), s.eta, s.activation,
                            s.weight_decay, s.loss), n, j, epoch, list(p.train_rows[rows]),
    float(h.losses[epoch + 1, 0]) if epoch < h.last_epoch else None, h.diverged_at, ETA_CHOICES, h.n_epochs,
    digits_for(s.projector), len(batches))
status.markdown(steps.status_line(ctx))
if len(batches) > 1:
    st.caption(f"Mini-batches of {s.batch_size}: epoch {epoch} makes {len(batches)} updates. This step is the "
               f"first, on the {N} training rows of batch 1 — data rows "
               + ", ".join(str(r) for r in p.train_rows[rows]) + ".")
shown_steps = range(1, step_model.COUNT + 1) if show_all else [step_no]
views = [(steps_class.build if s.classifies else steps.build)(number, ctx) for number in shown_steps]
classroom.offer(class_questions.for_steps(ctx, shown_steps, p.classes if s.classifies else None))  # a lecturer may ask
slots = [step.show(view, s.projector) for view in views]
if not show_all and not following:        # the same buttons under the step, wherever the reader has scrolled to
    below = st.container(horizontal=True, key="led-steps-below")
    step.step_buttons((below, below), step_no, show_all, ("prev_below", "next_below"), shortcuts=False, width=220)
    browser.scroll_to(f"step-{step_no}")

look = style.chart_style(s.projector)


def diagrams():             # last: a new diagram is the slowest part of a step change
    for view, slot in zip(views, slots):
        step.show_diagram(slot, view, p.n_inputs, s.hidden, look,
                          step_model.diagram_caption(view, p.features, p.target), s.projector)


if following:       # the moment the lecturer leads with; the rest when exploring
    diagrams()
    page.following_note("the gradient's picture, nudging a weight, the gradient check and the take-home notebook")
    st.stop()
st.divider()
first = f"W_{ctx.name(1)}"
weight = f"{first}[1,{ctx.unit(1)}]"       # the weight the steps follow, unless the picture picks another
if show_all or step_no >= 5:        # the gradient is pictured once step 5 has introduced it
    weight = slope.section(ctx.step, weight, ctx.digits, look, s.training_args(), epoch)
else:
    slope.pointer()
st.divider()
nudge.section(ctx, weight, look, s.projector)
st.divider()
st.subheader("Gradient check", anchor="gradient-check")
gradcheck.intro()
mistake = st.toggle("Reproduce the lecture demo's mistake (hidden bias stacked last in ∂L/∂W_O)", False,
                    key="mistake", bind="query-params",
                    help="The published demo built ∂L/∂W_O from [u_H, 1] instead of [1, u_H].") \
    if not s.classifies and s.hidden else False          # the regression demo's mistake, which needs a hidden layer
gradcheck.panel(s.training_args(), epoch, mistake, s.projector, j, ctx.step)

diagrams()
with notices:
    page.page_param_notices(
        {"sample": sample_param, "unit": unit_param, "step": PAGE["step"], "all": PAGE["all"],
         "mistake": PAGE["mistake"]},
        {"sample": n, "unit": j, "step": step_no, "all": show_all, "mistake": mistake})
st.subheader("Take it home")
takehome.notebook_button(s, epoch)
page.next_page()

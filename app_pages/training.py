"""Training & results: watch the network learn, scrub through time, judge the fit."""

import functools

import streamlit as st

from ui.draw import classroom, page, player, takehome
from ui.draw import training as training_view
from ui.draw.layout import side_by_side
from ui.serve import cache
from ui.state import sidebar
from ui.state.params import ETA_CHOICES, PAGE
from ui.views import class_questions, loss_charts, messages

s = page.header(
    "Training & results",
    "Thousands of gradient steps: press **Play** or pick an epoch, and every number and chart follows.",
)
ds, p, h = cache.dataset(s), cache.prepared(s), cache.history(s)

if h.diverged_at is not None:
    st.error(messages.divergence(h, s.eta, messages.smaller_eta(s.eta, ETA_CHOICES), why=True),
             icon=":material/trending_up:")
    if h.last_epoch < 0:
        st.stop()
run = training_view.TrainingRun.of(s)
last = run.last
classroom.offer(class_questions.for_run(h, len(p.y_test),             # what a class's lecturer may ask now
                                        (p.y_train, p.y_test) if s.classifies else None))


def what_it_went_through() -> None:
    """The run's instabilities, each named with why and what to try (divergence has its own banner)."""
    if h.diverged_at is None:
        for finding in cache.findings(s):
            st.info(messages.instability(finding, s.eta, s.hidden), icon=":material/warning:")


if not s.projector:         # on a projector they follow the first screen, which belongs to the run
    what_it_went_through()
player.carrier(run.payload)         # the whole run, sent to the browser once: it draws every epoch


training_view.epoch_views(s)
if s.projector:
    what_it_went_through()
if sidebar.follows_lecturer():       # the run the lecturer leads with; the rest when exploring
    page.following_note("the loss history to download, 20 seeds' luck, the check against scikit-learn "
                        "and the take-home notebook")
    st.stop()
st.download_button(f"Loss history, epochs 0–{last:,} (CSV)", functools.partial(training_view.history_file, s),
                   file_name="loss_history.csv", mime="text/csv", icon=":material/download:",
                   on_click="ignore")

st.subheader("How much luck is in the initial weights?")
st.markdown(f"The same data, settings and epochs, started from {cache.SEED_COUNT} different random "
            f"initial weights (seeds {s.seed} to {(s.seed + cache.SEED_COUNT - 1) % 2**32}). Everything "
            "else is equal, so the spread is luck.")
seeds = st.toggle(f"Train from {cache.SEED_COUNT} seeds", key="seeds", bind="query-params",
                  help="All seeds train at once; at the largest settings this takes several seconds.")
page.page_param_notices({"seeds": PAGE["seeds"]}, {"seeds": seeds})
ens, plan = cache.ensemble(s) if seeds else (None, None)
if plan is not None and plan.note:        # more than one request may ask of the shared server
    st.info(plan.note, icon=":material/timer:")
if ens is not None:
    st.markdown(messages.seed_summary(ens.seeds, ens.final_loss_test, s.seed))
    left, right = side_by_side(2, s.projector)
    with left:
        st.markdown("**Training loss over the epochs**")
        training_view.show(loss_charts.seed_chart(loss_charts.seed_band_frame(ens.loss_train),
                                                  loss_charts.this_run_frame(ens.loss_train[:, 0]),
                                                  len(ens.seeds), run.look))
    with right:
        st.markdown("**Final test loss of each seed**")
        training_view.show(loss_charts.final_losses_chart(
            loss_charts.final_losses_frame(ens.seeds, ens.final_loss_test, s.seed), run.look))

takehome.sklearn_panel(s, run)
page.page_param_notices({"sklearn": PAGE["sklearn"]}, {"sklearn": st.session_state.get("sklearn", False)})
st.subheader("Take it home")
takehome.notebook_button(s)

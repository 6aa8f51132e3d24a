"""Training & results: watch the network learn, scrub through time, judge the fit."""

import numpy as np
import streamlit as st

from ui import compute, page, playback, settings, style, widgets
from ui import results_charts as rc
from ui.safe import md

s = page.header(
    "Training & results",
    "One gradient step lowers the loss a little; training takes thousands of them. Pick an epoch "
    "with the slider — or press **Play** — and every number and chart below follows: the loss on "
    "the training and test rows, each training row's prediction approaching its target, predicted "
    "against true values, and what the network predicts between and beyond the data.",
)
ds, p, h = compute.dataset(s), compute.prepared(s), compute.history(s)
look = style.chart_style(s.projector)
last = max(h.last_epoch, 0)
target = ds.label(p.target)               # user text: only in charts, tables and files
unit = f" ({md(ds.units[p.target])})" if ds.units.get(p.target) else ""

if h.diverged_at is not None:
    smaller = max([v for v in settings.LR_CHOICES if v <= s.lr / 10] or [settings.LR_CHOICES[0]])
    st.error(rc.divergence_message(h, s.lr, smaller), icon=":material/trending_up:")
    if h.last_epoch < 0:
        st.stop()

# What does not depend on the chosen epoch is built once per full run, not once per Play frame.
final = h.at(last)
shown = rc.shown_rows(p.y_train)
losses = rc.loss_frame(h.losses)
paths, goals = rc.trajectory_frame(h, p, shown), rc.target_frame(p, shown)
domain = rc.income_domain(p.to_original_y(np.vstack([p.y_train, p.y_test])),
                          p.to_original_y(np.concatenate(h.kept_predictions()[1:], axis=1)))
labels = [ds.label(f) for f in p.features]


def pair():
    """Two places for charts: side by side, or one under the other in projector mode."""
    return (st.container(), st.container()) if s.projector else st.columns(2)


def show(spec: dict) -> None:
    """A Vega-Lite spec from ui.results_charts, full width."""
    st.vega_lite_chart(spec, width="stretch")


def metrics(snap) -> None:
    """Loss in the lecture's units, RMSE and R² in the target's units, for training and test rows."""
    numbers = rc.scores(p, snap)
    for split, cols in zip(rc.SPLITS, (st.columns(3), st.columns(3))):
        name = split.capitalize()
        cols[0].metric(f"{name} loss", rc.fmt(numbers.loc[split, "loss"], ".6g"),
                       help="½·Σ(y − ŷ)² over these rows on the scaled data: the lecture's units.")
        cols[1].metric(f"{name} RMSE{unit}", rc.fmt(numbers.loc[split, "RMSE"], ".3f"),
                       help="Root mean squared error in the target's own units: a typical miss.")
        cols[2].metric(f"{name} R²", rc.fmt(numbers.loc[split, "R²"], ".3f"),
                       help="1 = perfect; 0 = no better than always predicting the mean; below 0 = worse.")


run_every = playback.controls(last)


@st.fragment(run_every=run_every)
def views():
    playback.advance(last, h.stride, run_every is not None)
    epoch = widgets.epoch_slider(h, value=last, disabled=playback.playing(),
                                 help="0 = the initial weights; the last epoch = after every update. "
                                      "Pause to choose an epoch by hand.")
    snap = h.at(epoch)
    where = "the end of training" if epoch == last and h.diverged_at is None else (
        "the last finite epoch" if epoch == last else f"{epoch / max(last, 1):.0%} of the way")
    st.markdown(f"#### At epoch {epoch:,} of {last:,} — {where}")
    metrics(snap)
    left, right = pair()
    with left:
        st.markdown("**Loss** on training and test rows")
        show(rc.loss_chart(losses, rc.loss_cursor(h.losses, epoch), last, look))
    with right:
        st.markdown("**Predictions over the epochs** — dashed: each row's target")
        show(rc.trajectory_chart(paths, goals, rc.trajectory_cursor(p, snap, shown), last, domain,
                                 target, look))
        if len(shown) < len(p.y_train):
            st.caption(f"{len(shown)} of {len(p.y_train)} training rows, spread over the range of targets.")
    left, right = pair()
    fit = rc.fit_frame(p, snap)
    with left:
        st.markdown("**Predicted vs true** — on the dashed line y = x a prediction is exact")
        show(rc.fit_chart(fit, domain, target, look))
        if off := rc.outside(fit.predicted, domain):
            st.caption(f"{off} prediction{'s' if off > 1 else ''} outside the plotted range, drawn at its edge.")
    with right:
        st.markdown("**What the network has learned**" + (
            " — background: its prediction; markers: the actual values" if p.n_inputs == 2 else ""))
        for spec in rc.learned_function(p, snap, (final.W_H, final.W_O), h.activation, labels, target, look):
            show(spec)
        st.caption("Inside the dashed box lie the training rows; outside it the network extrapolates."
                   if p.n_inputs == 2 else "Other features held at their median.")
    # Files are written only when asked for, and not offered while playing (frames replace them).
    d1, d2 = st.columns(2)
    d1.download_button(f"Weights at epoch {epoch:,} (JSON)", lambda: rc.weights_json(snap, p, s.training_args()),
                       file_name=f"weights_epoch_{epoch}.json", mime="application/json",
                       icon=":material/download:", on_click="ignore", width="stretch",
                       disabled=playback.playing())
    d2.download_button(f"Predictions at epoch {epoch:,} (CSV)", lambda: rc.predictions_csv(p, snap),
                       file_name=f"predictions_epoch_{epoch}.csv", mime="text/csv",
                       icon=":material/download:", on_click="ignore", width="stretch",
                       disabled=playback.playing())
    playback.finish_frame()


views()
st.download_button(f"Loss history, epochs 0–{last:,} (CSV)", lambda: rc.history_csv(h.losses),
                   file_name="loss_history.csv", mime="text/csv", icon=":material/download:",
                   on_click="ignore")

st.subheader("How much luck is in the initial weights?")
st.markdown(f"The same data, settings and epochs, started from {compute.SEED_COUNT} different random "
            f"initial weights (seeds {s.seed} to {(s.seed + compute.SEED_COUNT - 1) % 2**32}). Everything "
            "else is equal, so the spread is luck.")
seeds = st.toggle(f"Train from {compute.SEED_COUNT} seeds", key="seeds", bind="query-params",
                  help="All seeds train at once; at the largest settings this takes several seconds.")
page.page_param_notices({"seeds": settings.PARAMS["projector"]}, {"seeds": seeds})    # true or false too
if seeds:
    ens = compute.ensemble(s)
    st.markdown(rc.seed_summary(ens.seeds, ens.final_loss_test, s.seed))
    left, right = pair()
    with left:
        st.markdown("**Training loss over the epochs**")
        show(rc.seed_chart(rc.seed_band_frame(ens.loss_train), rc.this_run_frame(ens.loss_train[:, 0]),
                           len(ens.seeds), look))
    with right:
        st.markdown("**Final test loss of each seed**")
        show(rc.final_losses_chart(rc.final_losses_frame(ens.seeds, ens.final_loss_test, s.seed), look))

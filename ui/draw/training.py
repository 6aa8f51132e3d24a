"""The Training page at one epoch: the browser draws it (``ui.draw.player``); here is what it is told.

The run is built for the browser once (``cache.frames``) and shipped once; the page then tells the
browser only the epoch, and, for an epoch between the shipped frames, that epoch's exact numbers.
"""

from __future__ import annotations

import functools

import streamlit as st

from core import data, training
from ui.draw import playback, player, widgets
from ui.serve import cache
from ui.state.params import Settings
from ui.views import exports, frames, style
from ui.views.dataset import Dataset

SLIDER_HELP = "0 = the initial weights; the last epoch = after every update. Pause to choose an epoch by hand."
# Where each view goes: a laptop shows them in rows of columns under the slider; a projector shows
# the controls and scores beside the whole loss chart on the first screen, the rest below.
LAPTOP = {"training-views": [["scores"], ["loss", "trajectories"], ["fit", "learned"]]}
PROJECTOR = {"training-scores": [["scores"]], "training-loss": [["loss"]],
             "training-below": [["trajectories"], ["fit"], ["learned"]]}


class TrainingRun:
    """One run and its data, and what the browser is sent to draw it."""

    def __init__(self, s: Settings, ds: Dataset, p: data.Prepared, h: training.History, payload: dict):
        self.s, self.ds, self.p, self.h, self.payload = s, ds, p, h, payload
        self.last = max(h.last_epoch, 0)
        self.look = style.chart_style(s.projector)

    @classmethod
    def of(cls, s: Settings) -> TrainingRun:
        """The run of ``s``, from the results every page shares (``ui.serve.cache``)."""
        return cls(s, cache.dataset(s), cache.prepared(s), cache.history(s), cache.frames(s))

    @functools.cached_property
    def frame_epochs(self) -> list[int]:
        return self.payload["frames"]["epoch"]

    @functools.cached_property
    def browser_look(self) -> dict:
        return frames.look(self.look, self.s.projector)

    @functools.cached_property
    def captions(self) -> dict[str, str]:
        """The text under each view (plain text: the browser writes it as text, never as HTML)."""
        n_train, n_test = len(self.p.y_train), len(self.p.y_test)
        unit = self.ds.units.get(self.p.target)
        shown = len(self.payload["paths"]["rows"])
        return {
            "scores": f"Loss: the lecture's ½·Σ(y − ŷ)², summed over the {n_train} training or {n_test} test rows of "
                      "scaled data — a sum grows with the rows, so compare training with test per row. RMSE: a "
                      f"typical miss, in the target's units{f' ({unit})' if unit else ''}. R²: 1 = perfect, 0 = no "
                      "better than always predicting the mean, below 0 = worse.",
            "loss": f"Per row, so the {n_train} training and {n_test} test rows compare like with like (the lecture's "
                    "loss L is a sum over the rows, and a sum grows with the number of rows).",
            "trajectories": f"{shown} of {n_train} training rows, spread over the range of targets."
                            if shown < n_train else "",
            "learned": "Inside the dashed box lie the training rows; outside it the network extrapolates."
                       if self.p.n_inputs == 2 else "Other features held at their median.",
        }

    def exact(self, epoch: int) -> dict:
        """The numbers and weights of one epoch that is not among the shipped frames."""
        return frames.one_frame(self.p, self.h, epoch, self.ds.label(self.p.target))


def epoch_control(run: TrainingRun) -> int:
    """Play/Pause and the speed, then the epoch slider while paused; returns the epoch the page shows.

    The controls sit above the slider but are told the slider's epoch, so they are drawn last into
    a place kept for them.
    """
    last, key = run.last, "epoch"
    top = st.container()
    if playback.playing():        # the browser shows the epoch; the slider comes back at the stop
        epoch = _slider_value(last, key)
    else:
        epoch = widgets.epoch_slider(run.h, key=key, value=last, help=SLIDER_HELP)
    with top:
        player.controls(run.payload["id"], playback.state(epoch, run.frame_epochs, run.exact), run.browser_look,
                        on_play=playback.on_play, on_stop=lambda: playback.on_stop(last, key))
    return epoch


def _slider_value(last: int, key: str) -> int:
    value = st.session_state.get(key)
    try:
        return int(min(max(round(float(value)), 0), last)) if value is not None else last
    except (TypeError, ValueError, OverflowError):
        return last


@st.fragment
def epoch_views(s: Settings) -> None:
    """The part of the Training page that follows the epoch: a fragment, so the slider reruns it alone.

    A module function, not one in the page script: Streamlit keeps a fragment, with its arguments and
    the globals it sees, for a closed tab two minutes, and the page script's globals hold the run. This
    one holds only the settings and takes the run from the bounded store (``ui.serve.cache``).
    """
    run = TrainingRun.of(s)
    if s.projector:          # the first screen: controls and scores beside the whole loss chart
        left, right = st.columns([1, 1.9], gap="medium")
        with left:
            epoch = epoch_control(run)
            views(run, {"training-scores": PROJECTOR["training-scores"]})
        with right:
            views(run, {"training-loss": PROJECTOR["training-loss"]})
        views(run, {"training-below": PROJECTOR["training-below"]})
    else:
        epoch = epoch_control(run)
        views(run, LAPTOP)
    # Files are written only when asked for, and not offered while playing (the browser's epoch moves).
    playing = playback.playing()
    files = st.container(horizontal=True)
    files.download_button(f"Weights at epoch {epoch:,} (JSON)", functools.partial(weights_file, s, epoch),
                          file_name=f"weights_epoch_{epoch}.json", mime="application/json",
                          icon=":material/download:", on_click="ignore", width="stretch", disabled=playing)
    files.download_button(f"Predictions at epoch {epoch:,} (CSV)", functools.partial(predictions_file, s, epoch),
                          file_name=f"predictions_epoch_{epoch}.csv", mime="text/csv",
                          icon=":material/download:", on_click="ignore", width="stretch", disabled=playing)


def views(run: TrainingRun, layout: dict[str, list[list[str]]]) -> None:
    """The views of ``layout`` (mount key → rows of views) at the browser's epoch."""
    for key, parts in layout.items():
        player.view(key, run.payload["id"], parts, run.browser_look, run.captions)


# The files of a run, written when a student asks for one. They take the settings, not the run:
# Streamlit keeps a download's function for a closed tab a while, and the run is in the bounded store.
def weights_file(s: Settings, epoch: int) -> str:
    return exports.weights_json(cache.history(s).at(epoch), cache.prepared(s), s.training_args())


def predictions_file(s: Settings, epoch: int) -> str:
    return exports.predictions_csv(cache.prepared(s), cache.history(s).at(epoch))


def history_file(s: Settings) -> str:
    return exports.history_csv(cache.history(s).losses)


def show(spec: dict) -> None:
    """A Vega-Lite spec from ``ui.views`` full width (charts that do not follow the epoch)."""
    st.vega_lite_chart(spec, width="stretch")

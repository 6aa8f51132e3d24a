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
from ui.views import classes as class_view
from ui.views.dataset import Dataset

SLIDER_HELP = "0 = the initial weights; the last epoch = after every update. Pause to choose an epoch by hand."
# Where each view goes: a laptop shows them in rows of columns under the slider; a projector shows
# the controls and scores beside the whole loss chart on the first screen, the rest below.
LAPTOP = {"training-views": [["scores"], ["loss", "trajectories"], ["fit", "learned"]]}
PROJECTOR = {"training-scores": [["scores"]], "training-loss": [["loss"]],
             "training-below": [["trajectories"], ["fit"], ["learned"]]}
# Classification: the decision boundary beside the scores; on a projector the boundary takes the
# right of the first screen, the loss goes below.
CLASS_LAPTOP = {"training-views": [["scores"], ["boundary", "loss"]]}
CLASS_PROJECTOR = {"training-scores": [["scores"]], "training-loss": [["boundary"]], "training-below": [["loss"]]}


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

    @property
    def classifies(self) -> bool:
        return self.p.task == "classification"

    def layout(self, projector: bool) -> dict[str, list[list[str]]]:
        """Mount key → rows of views, for this task and screen (without a plane: no boundary)."""
        if not self.classifies:
            return PROJECTOR if projector else LAPTOP
        chosen = CLASS_PROJECTOR if projector else CLASS_LAPTOP
        if self.payload.get("boundary") is None:
            chosen = {k: [[v for v in row if v != "boundary"] or ["loss"] for row in rows] for k, rows in chosen.items()}
            chosen = {k: rows for k, rows in chosen.items() if k != "training-below"} if projector else chosen
        return chosen

    @functools.cached_property
    def captions(self) -> dict[str, str]:
        """The text under each view (plain text: the browser writes it as text, never as HTML)."""
        if self.classifies:
            return class_captions(self.p)
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
        return cache.frame_at(self.s, epoch)


def class_captions(p: data.Prepared) -> dict[str, str]:
    """The text under each classification view (plain text)."""
    n_train, n_test = len(p.y_train), len(p.y_test)
    two = p.n_outputs == 1
    return {
        "scores": f"Accuracy: the share of the {n_train} training or {n_test} test rows whose predicted class (the "
                  "most probable one) is their class. Cross-entropy per row: the loss L = −Σ y·log ŷ divided by "
                  "the rows — 0 when every row gets probability 1 for its own class.",
        "boundary": ("Background: the predicted probability of class " + str(p.classes[1]) + " (white where it is ½: "
                     "the decision boundary)" if two else
                     "Background: the colour of the most probable class, the paler the less sure (white: undecided)")
                    + ". Markers: the rows in their class's colour; circle = training row, triangle = test row."
                    + (" Other features held at their median." if p.n_inputs > 2 and p.features[:2] != ("x1", "x2")
                       else ""),
        "loss": f"The cross-entropy per row, so the {n_train} training and {n_test} test rows compare like with like.",
    }


def epoch_control(run: TrainingRun) -> int:
    """Play/Pause and the speed, then the epoch slider while paused; returns the epoch the page shows.

    The controls sit above the slider but are told the slider's epoch, so they are drawn last into
    a place kept for them.
    """
    last, key = run.last, "epoch"
    top = st.container()
    if playback.playing():        # the browser shows the epoch; the slider comes back at the stop
        epoch = _slider_value(last, key)
    else:                         # "led-…": hidden while a phone follows the lecturer (ui/browser/following.css)
        epoch = widgets.epoch_slider(run.h, key=key, value=last, help=SLIDER_HELP,
                                     container=st.container(key="led-epoch"))
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
    layout = run.layout(s.projector)
    if s.projector:          # the first screen: controls and scores beside the whole loss chart (or the boundary)
        left, right = st.columns([1, 1.9 if not run.classifies else 1.5], gap="medium")
        with left:
            epoch = epoch_control(run)
            views(run, {"training-scores": layout["training-scores"]})
            regions_toggle(run)
        with right:
            views(run, {"training-loss": layout["training-loss"]})
        if "training-below" in layout:
            views(run, {"training-below": layout["training-below"]})
    else:
        epoch = epoch_control(run)
        regions_toggle(run)
        views(run, layout)
    if run.classifies:
        confusion_matrices(run, epoch)
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


def regions_toggle(run: TrainingRun) -> None:
    """Classification: the boundary as probabilities (default) or as hard class regions."""
    if run.classifies and run.payload.get("boundary") is not None:
        hard = st.toggle("Hard class regions", False, key="regions",
                         help="Colour each point of the plane by the class the network would predict there, "
                              "instead of by how sure it is.")
        run.browser_look["hard"] = bool(hard)


def confusion_matrices(run: TrainingRun, epoch: int) -> None:
    """Which class each row was given at ``epoch``, against its class: training and test side by side."""
    snap = run.h.at(epoch)
    st.markdown(f"**Confusion matrices at epoch {epoch:,}** — rows: the true class; columns: the predicted one; "
                "the diagonal counts the rows classified right." + (" (The epoch of the slider: Pause to update.)"
                                                                    if playback.playing() else ""))
    left, right = st.columns(2, gap="medium")
    for where, name, y, y_hat in ((left, "Training rows", run.p.y_train, snap.y_hat_train),
                                  (right, "Test rows", run.p.y_test, snap.y_hat_test)):
        where.markdown(name)
        where.table(class_view.confusion(y, y_hat, run.p.classes))


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

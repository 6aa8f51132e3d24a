"""The Training page at one epoch: heading, scores and charts.

What one epoch shows is the same for every student with the same settings, so with the bundled
data it is drawn once and replayed (``ui.replay``); on a busy server that is most of this page's
cost. Play frames are drawn directly: their epochs follow each student's clock, so they rarely
repeat and would only push the shared views out of the cache.
"""

from __future__ import annotations

import functools

import numpy as np
import streamlit as st

from core import data, training
from ui.draw.layout import side_by_side
from ui.serve import replay
from ui.serve.arrow import arrow_bytes
from ui.state.params import Settings
from ui.views import fit_charts, loss_charts, numbers, style, vega
from ui.views.dataset import Dataset
from ui.views.safe import md


class TrainingRun:
    """One run and its data, with what does not depend on the epoch built once, when first needed."""

    def __init__(self, s: Settings, ds: Dataset, p: data.Prepared, h: training.History):
        self.s, self.ds, self.p, self.h = s, ds, p, h
        self.last = max(h.last_epoch, 0)
        self.look = style.chart_style(s.projector)
        self.target = ds.label(p.target)            # user text: only in charts, tables and files
        self.unit = f" ({md(ds.units[p.target])})" if ds.units.get(p.target) else ""
        self.labels = [ds.label(f) for f in p.features]
        self._arrow: dict[str, bytes] = {}

    FIXED = ("losses", "paths", "goals")        # frames every epoch's charts share

    def arrow(self, spec: dict) -> dict:
        """``spec`` with its datasets as Arrow bytes; this run's fixed frames converted only once."""
        fixed = {id(self.__dict__[k]): k for k in self.FIXED if k in self.__dict__}
        datasets = {}
        for name, frame in spec.get("datasets", {}).items():
            key = fixed.get(id(frame))
            if key is None:
                datasets[name] = arrow_bytes(frame)
            else:
                if key not in self._arrow:
                    self._arrow[key] = arrow_bytes(frame)
                datasets[name] = self._arrow[key]
        return {**spec, "datasets": datasets}

    @functools.cached_property
    def final(self) -> training.Snapshot:
        return self.h.at(self.last)

    @functools.cached_property
    def shown(self) -> np.ndarray:
        return loss_charts.shown_rows(self.p.y_train)

    @functools.cached_property
    def losses(self):
        return loss_charts.loss_frame(self.h.losses, self.rows)

    @property
    def rows(self) -> tuple[int, int]:
        """Training and test rows: what the summed losses are sums over."""
        return len(self.p.y_train), len(self.p.y_test)

    @functools.cached_property
    def paths(self):
        return loss_charts.trajectory_frame(self.h, self.p, self.shown)

    @functools.cached_property
    def goals(self):
        return loss_charts.target_frame(self.p, self.shown)

    @functools.cached_property
    def domain(self) -> list[float]:
        p = self.p
        return vega.income_domain(p.to_original_y(np.vstack([p.y_train, p.y_test])),
                                p.to_original_y(np.concatenate(self.h.kept_predictions()[1:], axis=1)))


def show(spec: dict, run: TrainingRun | None = None) -> None:
    """A Vega-Lite spec from ``ui.views``, full width (its data converted via ``run``)."""
    st.vega_lite_chart(run.arrow(spec) if run is not None else spec, width="stretch")


def heading(run: TrainingRun, epoch: int) -> str:
    h, last = run.h, run.last
    where = "the end of training" if epoch == last and h.diverged_at is None else (
        "the last finite epoch" if epoch == last else f"{epoch / max(last, 1):.0%} of the way")
    return f"At epoch {epoch:,} of {last:,} — {where}"


def metrics(run: TrainingRun, snap, splits_in_rows: bool = True) -> None:
    """The loss in the lecture's units and per row, RMSE and R² in the target's units, for the
    training and the test rows.

    ``splits_in_rows``: one row of four per split; else a column per split (the projector's narrow
    left column shows the two losses first).
    """
    scores = fit_charts.scores(run.p, snap)
    rows = (st.columns(4), st.columns(4)) if splits_in_rows else tuple(zip(*(st.columns(2) for _ in range(4))))
    for split, cols in zip(vega.SPLITS, rows):
        name = split.capitalize()
        cols[0].metric(f"{name} loss", numbers.spec(scores.loc[split, "loss"], ".6g"),
                       help="½·Σ(y − ŷ)² summed over these rows, on the scaled data: the lecture's L.")
        cols[1].metric(f"{name} loss per row", numbers.spec(scores.loc[split, "loss per row"], ".4g"),
                       help="The same, divided by the number of rows: comparable between training and test.")
        cols[2].metric(f"{name} RMSE", numbers.spec(scores.loc[split, "RMSE"], ".3f"),
                       help="Root mean squared error in the target's own units: a typical miss.")
        cols[3].metric(f"{name} R²", numbers.spec(scores.loc[split, "R²"], ".3f"),
                       help="1 = perfect; 0 = no better than always predicting the mean; below 0 = worse.")
    st.caption(f"Loss: the lecture's ½·Σ(y − ŷ)², summed over the {run.rows[0]} training or {run.rows[1]} test "
               "rows of scaled data — a sum grows with the rows, so compare training with test **per row**. "
               f"RMSE: a typical miss, in the target's units{run.unit}. R²: 1 = perfect, 0 = no better than "
               "always predicting the mean.")


PROJECTOR_LOSS_HEIGHT = 390        # px: the whole loss chart beside the controls, on the first screen


def loss(s: Settings, epoch: int, _run: TrainingRun) -> None:
    """The loss chart at ``epoch``, drawn up to it. ``_run`` must be the run of ``s``."""
    run, h = _run, _run.h
    st.markdown("**Loss** on training and test rows")
    show(loss_charts.loss_chart(run.losses, loss_charts.loss_cursor(h.losses, epoch, run.rows), run.last, run.look,
                                PROJECTOR_LOSS_HEIGHT if s.projector else None), run)
    st.caption(f"Per row, so the {run.rows[0]} training and {run.rows[1]} test rows compare like with like "
               "(the lecture's loss L is a sum over the rows, and a sum grows with the number of rows).")


def trajectories(s: Settings, epoch: int, _run: TrainingRun) -> None:
    """Each training row's prediction over the epochs, with its target, at ``epoch``."""
    run, p = _run, _run.p
    snap = run.h.at(epoch)
    st.markdown("**Predictions over the epochs** — dashed: each row's target")
    show(loss_charts.trajectory_chart(run.paths, run.goals, loss_charts.trajectory_cursor(p, snap, run.shown),
                                      run.last, run.domain, run.target, run.look), run)
    if len(run.shown) < len(p.y_train):
        st.caption(f"{len(run.shown)} of {len(p.y_train)} training rows, spread over the range of targets.")


def fit(s: Settings, epoch: int, _run: TrainingRun) -> None:
    """Predicted vs true, and what the network has learned, at ``epoch``."""
    run, p, h, look = _run, _run.p, _run.h, _run.look
    snap = h.at(epoch)
    frame = fit_charts.fit_frame(p, snap)
    left, right = side_by_side(2, s.projector)
    with left:
        st.markdown("**Predicted vs true** — on the dashed line y = x a prediction is exact")
        show(fit_charts.fit_chart(frame, run.domain, run.target, look), run)
        if off := vega.outside(frame.predicted, run.domain):
            st.caption(f"{off} prediction{'s' if off > 1 else ''} outside the plotted range, drawn at its edge.")
    with right:
        st.markdown("**What the network has learned**" + (
            " — background: its prediction; markers: the actual values" if p.n_inputs == 2 else ""))
        final = run.final
        for spec in fit_charts.learned_function(p, snap, final.weights, h.activation, run.labels,
                                                run.target, look):
            show(spec, run)
        st.caption("Inside the dashed box lie the training rows; outside it the network extrapolates."
                   if p.n_inputs == 2 else "Other features held at their median.")


# The settings and the epoch decide everything a part draws (with the bundled data, where this is
# used). About 0.1 MB per entry at most (the charts are downsampled).
def scores(s: Settings, epoch: int, _run: TrainingRun) -> None:
    """The heading and the scores at ``epoch``: a row per split on a laptop, a column per split projected."""
    st.markdown(f"#### {heading(_run, epoch)}")
    metrics(_run, _run.h.at(epoch), splits_in_rows=not s.projector)


def laptop(s: Settings, epoch: int, _run: TrainingRun) -> None:
    """The laptop view below the slider in one piece: scores, loss beside trajectories, the fit.
    (One replay instead of four: each costs a key and a cache lookup on every rerun.)"""
    scores(s, epoch, _run)
    c_loss, c_paths = st.columns(2, gap="medium")
    with c_loss:
        loss(s, epoch, _run)
    with c_paths:
        trajectories(s, epoch, _run)
    fit(s, epoch, _run)


PARTS = {f.__name__: (f, replay.shared(max_entries=128)(f)) for f in (scores, loss, trajectories, fit, laptop)}


def part(name: str, s: Settings, epoch: int, run: TrainingRun, playing: bool) -> None:
    """Part ``name`` of the page at ``epoch``, replayed when another student has drawn it already
    (not while playing: frames follow each student's clock and would only crowd the cache)."""
    draw, shared = PARTS[name]
    (draw if playing else shared)(s, epoch, run)

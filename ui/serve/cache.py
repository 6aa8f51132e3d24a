"""The one place where expensive results are computed and kept, keyed on scalar settings.

Every session with the same settings shares one result object: its numpy arrays are made read-only
before it is stored (``_read_only``), so no session can change another's result (a write raises),
and no rerun pays for a copy. Results live in one ``Store`` bounded in bytes (``RESULTS_BYTES``),
whatever mix of runs, seed comparisons, scikit-learn checks and browser payloads a class asks for;
results on a session's own upload are stored under that session's name and never shared. Training
goes through ``worker.run``: at once when light, else in the worker's queue, shared by everyone
asking for the same run, with a progress bar for the page that waits (``_progress_bar``). Training
histories keep the weights every ``stride`` epochs (about 1,000 snapshots at most) and replay the
rest on demand, so even a 20,000-epoch, 32-unit run is about 1.6 MB.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import math

import numpy as np

import streamlit as st

from core import crosscheck, data, diagnose, training
from ui.serve import budget, worker
from ui.serve.store import Store
from ui.state import toy, upload
from ui.state.params import Settings
from ui.views import class_frames
from ui.views import frames as browser_frames
from ui.views import messages
from ui.views.dataset import INCOME_TITLE, Dataset

MAX_SNAPSHOTS = 1000
SEED_COUNT = 20
WORK_LIMIT = 60_000_000      # work units (``budget``): about 1–2 s of training on this kind of machine
RESULTS_BYTES = 64 * 2**20   # every kept result together: the server and its worker stay under 900 MB (docs/performance.md, "many runs")
SHOW_AFTER_S = 0.4           # a wait shorter than this shows nothing


def stride_for(epochs: int, rows: int = 30) -> int:
    """Keep at most about MAX_SNAPSHOTS snapshots, fewer for large uploads (predictions are kept too)."""
    snapshots = max(20, min(MAX_SNAPSHOTS, 2_000_000 // max(rows, 1)))
    return max(1, math.ceil(epochs / snapshots))


def seeds_from(seed: int, count: int = SEED_COUNT) -> list[int]:
    """The seeds of the seed-sensitivity ensemble: seed, seed+1, … (wrapping at 2³²)."""
    return [(seed + i) % (2**32) for i in range(count)]


def _read_only(value):
    """``value`` with every numpy array inside it (fields, tuples, lists, dicts) made read-only."""
    if isinstance(value, np.ndarray):
        value.setflags(write=False)
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            _read_only(getattr(value, f.name))
    elif isinstance(value, (tuple, list)):
        for v in value:
            _read_only(v)
    elif isinstance(value, dict):
        for v in value.values():
            _read_only(v)
    return value


RESULTS = Store(RESULTS_BYTES)


def _kept(key: tuple, compute):
    """The result stored under ``key``, computed (and made read-only) when it is not there."""
    value = RESULTS.get(key)
    if value is None:
        value = _read_only(compute())
        RESULTS.put(key, value)
    return value


@contextlib.contextmanager
def _progress_bar(what: str):
    """An ``on_wait`` for ``worker.run``: after a moment, a bar with the epochs done and the time left,
    or the runs queued before this one; gone when the result is there."""
    slot: list = []

    def show(status: worker.Status) -> None:
        if status.seconds < SHOW_AFTER_S:
            return
        if not slot:
            slot.append(st.empty())
        slot[0].progress(status.done / status.total if status.running and status.total else 0.0,
                         text=messages.waiting(what, status.running, status.ahead, status.done, status.total,
                                               status.seconds_left()))

    try:
        yield show
    finally:
        if slot:
            slot[0].empty()


def clear() -> None:
    """Forget every shared result and recorded drawing, as a fresh server would start."""
    RESULTS.clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    income_prepared.cache_clear()
    toy.prepared.cache_clear()
    _income_rows.cache_clear()


@functools.cache
def _income_rows():
    return data.load_income()


def income_table():
    """The bundled Income2 rows: read from disk once per process, a copy of its own for each caller."""
    return _income_rows().copy()


@functools.lru_cache(maxsize=16)
def income_prepared(split: int, test: float) -> data.Prepared:
    """Income2 split with ``split_seed`` and scaled by the training maxima (shared, read-only)."""
    return _read_only(data.prepare(_income_rows(), test_size=test, split_seed=split))


def _run(s: Settings, epochs: int) -> dict:
    """``training.train``'s arguments for the settings ``s`` (``epochs`` as allowed)."""
    run = dict(n_hidden=s.hidden, learning_rate=s.eta, epochs=epochs, seed=s.seed, activation=s.activation,
               batch_size=s.batch_size, weight_decay=s.weight_decay)
    if s.classifies:             # regression's keys, and so its kept results, stay as they were
        run["loss"] = s.loss
    return run


def _owner(s: Settings) -> tuple:
    """Whose results these are: everyone's for the bundled data, this session's alone for an upload."""
    if s.data == "income":
        return ("income", s.split, s.test)
    if s.data == "toy":
        return ("toy", s.split, s.test) + s.toy_key()
    return ("session", worker.session_key()) + s.data_key()


def _key(s: Settings, what: str, **extra) -> tuple:
    run = _run(s, epochs_allowed(s))
    run.update(extra)
    return (what,) + _owner(s) + tuple(sorted(run.items()))


def dataset(s: Settings) -> Dataset:
    """The data set in use: the bundled Income2 rows or this session's upload."""
    if s.data == "toy":
        return Dataset("toy", toy.title(s.dataset, s.points, s.noise),
                       toy.table(s.dataset, s.points, s.noise, s.dseed, s.inputs), s.features, s.target, {})
    if s.data != "income":
        up = upload.current_upload()
        if up is not None and up.key == s.data:
            return Dataset(up.key, up.name, up.table, s.features, s.target, {})
    return Dataset("income", INCOME_TITLE, income_table(), data.FEATURES, data.TARGET, dict(data.UNITS))


def prepared(s: Settings) -> data.Prepared:
    """The data in use, split and scaled per the settings."""
    if s.data == "income":
        return income_prepared(s.split, s.test)       # positional, like every other call: one lru entry per split
    if s.data == "toy":
        return toy.prepared(s.dataset, s.points, s.noise, s.dseed, s.inputs, s.split, s.test)
    return _kept(("prepared",) + _owner(s), lambda: data.prepare(
        dataset(s).table, s.features, s.target, test_size=s.test, split_seed=s.split, task=s.task,
        drop_incomplete=s.drop))


def _rows(s: Settings) -> tuple[int, int]:
    p = prepared(s)
    return len(p.y_train), len(p.y_train) + len(p.y_test)


def epochs_allowed(s: Settings) -> int:
    """Epochs actually run: the setting, capped for a large upload so a run stays within seconds (the
    bundled data's largest run is about 6 s, which fits one request's budget: never capped)."""
    if s.data == "income":
        return s.epochs
    per_epoch = budget.work_per_epoch(s.hidden, s.batch_size, *_rows(s))
    return max(1, min(s.epochs, WORK_LIMIT // per_epoch))


def run_seconds(s: Settings) -> float:
    """The estimated time of the run of ``s``."""
    return budget.run_seconds(s.hidden, s.batch_size, *_rows(s), epochs_allowed(s))


def history(s: Settings) -> training.History:
    """The training run for these settings (kept; every page and every student with them shares it)."""
    p, run = prepared(s), _run(s, epochs_allowed(s))
    key = _key(s, "history")

    def train():
        with _progress_bar("Training the network") as show:
            return worker.run(training.train, p, key=key, cost=run_seconds(s), on_wait=show,
                              stride=stride_for(run["epochs"], len(p.y_train) + len(p.y_test)), **run)
    return _kept(key, train)


def seed_plan(s: Settings) -> budget.SeedPlan:
    """How many seeds over how many epochs the seed comparison trains within one request's budget."""
    p = prepared(s)
    weights = budget.n_weights(p.n_inputs, s.hidden, p.n_outputs)
    return budget.seed_plan(run_seconds(s), weights, SEED_COUNT, epochs_allowed(s))


def ensemble(s: Settings) -> tuple[training.Ensemble, budget.SeedPlan]:
    """The same settings trained from several seeds, as many as one request may cost, and the plan."""
    plan, p = seed_plan(s), prepared(s)
    run = {k: v for k, v in _run(s, plan.epochs).items() if k != "seed"}
    key = _key(s, "ensemble", seeds=plan.seeds, epochs=plan.epochs)
    cost = budget.seeds_seconds(run_seconds(s) * plan.epochs / max(epochs_allowed(s), 1), plan.seeds,
                                budget.n_weights(p.n_inputs, s.hidden, p.n_outputs))

    def train():
        with _progress_bar(f"Training from {plan.seeds} seeds") as show:
            return worker.run(training.train_many, p, seeds_from(s.seed, plan.seeds), key=key, cost=cost,
                              on_wait=show, **run)
    return _kept(key, train), plan


def _frames_of(ds: Dataset, p: data.Prepared, h: training.History) -> dict:
    if p.task == "classification":
        return class_frames.build(p, h, [ds.label(f) for f in p.features])
    return browser_frames.build(p, h, [ds.label(f) for f in p.features], ds.label(p.target),
                                ds.units.get(p.target, ""))


def frames(s: Settings) -> dict:
    """The run of ``s`` as the browser draws it (``ui.views.frames``), built once per run."""
    return _kept(_key(s, "frames"), lambda: _frames_of(dataset(s), prepared(s), history(s)))


def frame_at(s: Settings, epoch: int) -> dict:
    """The numbers and weights of one epoch between the shipped frames, as the browser draws them: kept
    like the run, since a class led to an epoch asks for the same one three hundred times."""
    def one():
        p, h = prepared(s), history(s)
        if p.task == "classification":
            return class_frames.one_frame(p, h, epoch)
        return browser_frames.one_frame(p, h, epoch, dataset(s).label(p.target))
    return _kept(_key(s, "frame", epoch=int(epoch)), one)


def findings(s: Settings) -> list[diagnose.Finding]:
    """What the run of ``s`` went through (``core.diagnose``), kept like the run."""
    return list(_kept(_key(s, "findings"), lambda: tuple(diagnose.instabilities(history(s), prepared(s)))))


def sklearn_check(s: Settings) -> crosscheck.CrossCheck:
    """The run of ``s`` trained again by scikit-learn's MLPRegressor or MLPClassifier (kept like the run itself)."""
    p, key = prepared(s), _key(s, "sklearn")

    def check():
        with _progress_bar("Training the same network with scikit-learn") as show:
            return worker.run(crosscheck.crosscheck, p, s.hidden, s.eta, epochs_allowed(s), s.seed, s.activation,
                              s.batch_size, s.weight_decay, s.loss, key=key, cost=min(run_seconds(s), 3.0) * 2,
                              on_wait=show)
    return _kept(key, check)

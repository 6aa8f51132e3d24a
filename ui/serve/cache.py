"""The one place where expensive results are computed and cached, keyed on scalar settings.

Every session with the same settings shares one result object: its numpy arrays are made
read-only before it is stored (``_read_only``), so no session can change another's result (a write
raises), and no rerun pays for a copy. ``st.cache_resource`` still computes a result once however
many students ask for it at the same moment (one lock per key). A cache hit costs Streamlit about
0.1–0.2 ms, so the bundled table and its splits, which cost less to make than that, are kept per
process instead. Training histories keep the weights every ``stride`` epochs (about 1,000
snapshots at most) and replay the rest on demand, so even a 20,000-epoch, 32-unit run is about
1.6 MB in the cache. Results on a session's own upload are never shared: they live in a tiny
per-session memo.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import threading

import numpy as np

import streamlit as st

from core import crosscheck, data, diagnose, training
from ui.serve import worker
from ui.state import upload
from ui.state.params import Settings
from ui.views import frames as browser_frames
from ui.views.dataset import INCOME_TITLE, Dataset

MAX_SNAPSHOTS = 1000
SEED_COUNT = 20
WORK_LIMIT = 60_000_000      # work units (see work_per_epoch): about 1–2 s of training on this kind of machine
UPDATE_WORK = 600            # one update's fixed cost (~15 µs of numpy calls) in the same units


def stride_for(epochs: int, rows: int = 30) -> int:
    """Keep at most about MAX_SNAPSHOTS snapshots, fewer for large uploads (predictions are kept too)."""
    snapshots = max(20, min(MAX_SNAPSHOTS, 2_000_000 // max(rows, 1)))
    return max(1, math.ceil(epochs / snapshots))


def seeds_from(seed: int) -> list[int]:
    """The seeds of the seed-sensitivity ensemble: seed, seed+1, … (wrapping at 2³²)."""
    return [(seed + i) % (2**32) for i in range(SEED_COUNT)]


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


RECENT = 8          # results per function kept in front of Streamlit's cache, whose hit costs ~0.1 ms
_FRONTS: list[dict] = []
_FRONT_LOCK = threading.Lock()


def _shared(max_entries: int, show_spinner):
    """``st.cache_resource`` for results every session may read and none may change.

    The ``RECENT`` latest results are also kept in a plain dict in front of it: in a lecture most
    reruns ask for the same few runs, and a dict lookup costs microseconds. A result not there
    comes from Streamlit's cache, which computes it once however many sessions ask at once.
    """
    def decorate(compute):
        @functools.wraps(compute)
        def read_only(*args, **kwargs):
            return _read_only(compute(*args, **kwargs))

        cached = st.cache_resource(max_entries=max_entries, show_spinner=show_spinner)(read_only)
        recent: dict = {}
        _FRONTS.append(recent)

        @functools.wraps(compute)
        def shared(*args, **kwargs):
            key = (args, tuple(sorted(kwargs.items())))
            value = recent.get(key)
            if value is None:
                value = cached(*args, **kwargs)
                with _FRONT_LOCK:
                    recent[key] = value
                    while len(recent) > RECENT:
                        del recent[next(iter(recent))]
            return value

        def forget() -> None:
            with _FRONT_LOCK:
                recent.clear()
            cached.clear()

        shared.clear = forget
        return shared
    return decorate


def clear() -> None:
    """Forget every shared result and recorded drawing, as a fresh server would start."""
    with _FRONT_LOCK:
        for recent in _FRONTS:
            recent.clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    income_prepared.cache_clear()
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


def _train(p: data.Prepared, run: dict):
    return worker.run(training.train, p, **run,
                      stride=stride_for(run["epochs"], len(p.y_train) + len(p.y_test)))


def _train_many(p: data.Prepared, run: dict):
    run = dict(run)
    return worker.run(training.train_many, p, seeds_from(run.pop("seed")), **run)


def _args(seed: int, hidden: tuple, eta: float, epochs: int, activation: str, batch_size: int | None,
          weight_decay: float) -> dict:
    """``training.train``'s arguments, from the scalars of ``Settings.training_args``."""
    return dict(n_hidden=hidden, learning_rate=eta, epochs=epochs, seed=seed, activation=activation,
                batch_size=batch_size, weight_decay=weight_decay)


def _run(s: Settings, epochs: int) -> dict:
    """``training.train``'s arguments for the settings ``s`` (``epochs`` as allowed)."""
    return _args(s.seed, s.hidden, s.eta, epochs, s.activation, s.batch_size, s.weight_decay)


@_shared(max_entries=64, show_spinner="Training the network…")
def _history(split: int, test: float, **run):
    return _train(income_prepared(split, test), _args(**run))


@_shared(max_entries=16, show_spinner="Training from 20 seeds…")
def _ensemble(split: int, test: float, **run):
    return _train_many(income_prepared(split, test), _args(**run))


def dataset(s: Settings) -> Dataset:
    """The data set in use: the bundled Income2 rows or this session's upload."""
    if s.data != "income":
        up = upload.current_upload()
        if up is not None and up.key == s.data:
            return Dataset(up.key, up.name, up.table, s.features, s.target, {})
    return Dataset("income", INCOME_TITLE, income_table(), data.FEATURES, data.TARGET, dict(data.UNITS))


def prepared(s: Settings) -> data.Prepared:
    """The data in use, split and scaled per the settings."""
    if s.data == "income":
        return income_prepared(s.split, s.test)       # positional, like every other call: one lru entry per split
    return _session_memo(("prepared",) + s.data_key(), lambda: data.prepare(
        dataset(s).table, s.features, s.target, test_size=s.test, split_seed=s.split,
        drop_incomplete=s.drop))


def work_per_epoch(s: Settings, train_rows: int, all_rows: int) -> int:
    """One epoch's work: every row through every unit, and each update's fixed cost."""
    updates = 1 if s.batch_size is None else math.ceil(train_rows / max(s.batch_size, 1))
    return all_rows * (sum(s.hidden) + 2) + updates * UPDATE_WORK


def epochs_allowed(s: Settings) -> int:
    """Epochs actually run: the setting, capped for large uploads so a run stays within seconds."""
    p = prepared(s)
    per_epoch = work_per_epoch(s, len(p.y_train), len(p.y_train) + len(p.y_test))
    return max(1, min(s.epochs, WORK_LIMIT // per_epoch))


def _run_key(s: Settings, what: str) -> tuple:
    return (what, tuple(sorted(_run(s, epochs_allowed(s)).items()))) + s.data_key()


def history(s: Settings) -> training.History:
    """The training run for these settings (cached; every page shares it)."""
    if s.data == "income":
        return _history(**s.training_args())
    p = prepared(s)
    return _session_memo(_run_key(s, "history"), lambda: _train(p, _run(s, epochs_allowed(s))))


def ensemble(s: Settings) -> training.Ensemble | None:
    """The same settings trained from 20 seeds (cached); None when that is too much work (uploads)."""
    if s.data == "income":
        return _ensemble(**s.training_args())
    p = prepared(s)
    if SEED_COUNT * epochs_allowed(s) * work_per_epoch(s, len(p.y_train), len(p.y_train)) > 3 * WORK_LIMIT:
        return None
    return _session_memo(_run_key(s, "ensemble"), lambda: _train_many(p, _run(s, epochs_allowed(s))))


def _frames_of(ds: Dataset, p: data.Prepared, h: training.History) -> dict:
    return browser_frames.build(p, h, [ds.label(f) for f in p.features], ds.label(p.target),
                                ds.units.get(p.target, ""))


@_shared(max_entries=64, show_spinner=False)
def _frames(split: int, test: float, **run):
    income = Dataset("income", INCOME_TITLE, _income_rows(), data.FEATURES, data.TARGET, dict(data.UNITS))
    return _frames_of(income, income_prepared(split, test), _history(split, test, **run))


def frames(s: Settings) -> dict:
    """The run of ``s`` as the browser draws it (``ui.views.frames``), built once per run."""
    if s.data == "income":
        return _frames(**s.training_args())
    return _session_memo(_run_key(s, "frames"), lambda: _frames_of(dataset(s), prepared(s), history(s)))


@_shared(max_entries=64, show_spinner=False)
def _findings(split: int, test: float, **run):
    return tuple(diagnose.instabilities(_history(split, test, **run), income_prepared(split, test)))


def findings(s: Settings) -> list[diagnose.Finding]:
    """What the run of ``s`` went through (``core.diagnose``), cached like the run."""
    if s.data == "income":
        return _findings(**s.training_args())
    return _session_memo(_run_key(s, "findings"), lambda: diagnose.instabilities(history(s), prepared(s)))


@_shared(max_entries=16, show_spinner="Training the same network with scikit-learn…")
def _crosscheck(split: int, test: float, **run):
    a = _args(**run)
    return worker.run(crosscheck.crosscheck, income_prepared(split, test), a["n_hidden"], a["learning_rate"],
                      a["epochs"], a["seed"], a["activation"], a["batch_size"], a["weight_decay"])


def sklearn_check(s: Settings) -> crosscheck.CrossCheck:
    """The run of ``s`` trained again by scikit-learn's MLPRegressor (cached like the run itself)."""
    if s.data == "income":
        return _crosscheck(**s.training_args())
    p = prepared(s)
    return _session_memo(_run_key(s, "sklearn"), lambda: worker.run(
        crosscheck.crosscheck, p, s.hidden, s.eta, epochs_allowed(s), s.seed, s.activation, s.batch_size,
        s.weight_decay))


_MEMO = "_session_results"
_MEMO_SIZE = 4


def _session_memo(key: tuple, compute):
    """A tiny per-session LRU for results on uploaded data, which must not be shared across sessions."""
    memo: dict = st.session_state.setdefault(_MEMO, {})
    if key in memo:
        memo[key] = memo.pop(key)
        return memo[key]
    with st.spinner("Working on your data…"):
        value = compute()
    memo[key] = value
    while len(memo) > _MEMO_SIZE:
        memo.pop(next(iter(memo)))
    return value

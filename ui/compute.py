"""The one place where expensive results are computed and cached, keyed on scalar settings.

``st.cache_data`` hands every caller its own copy, so no session can change another's result.
Training histories keep the weights every ``stride`` epochs (about 1,000 snapshots at most) and
replay the rest on demand, so even a 20,000-epoch, 32-unit run is about 1.6 MB in the cache.
"""

from __future__ import annotations

import concurrent.futures
import gc
import math
import multiprocessing
import sys
import threading
from typing import NamedTuple

import pandas as pd
import pyarrow
import streamlit as st

from core import data, training
from ui import upload
from ui.settings import Settings

# Everything imported by now (numpy, pandas, scikit-learn, Altair, Streamlit) lives as long as the
# process: keep it out of the garbage collector's way, so a full collection stays cheap. Once per
# process, when this module is first imported.
gc.freeze()
# Many students' scripts run as threads of one process. Tables and charts go through pandas and
# pyarrow, which release the GIL for many short calls; each time, the thread waits up to the switch
# interval (5 ms by default) to get it back, and pyarrow started a thread pool for every larger
# table. With a 1 ms interval and no pyarrow threads, `make load` showed the median click -> page
# time fall from 2.5-3.1 s to 0.8-1.9 s with the same CPU use (see README, "A class at once").
sys.setswitchinterval(0.001)
pyarrow.set_cpu_count(1)

MAX_SNAPSHOTS = 1000
SEED_COUNT = 20

# Training runs in one worker process. A pure-Python training loop holds the GIL, so in the server
# process a 1-second run would stall every other student's page; in the worker it uses the second
# core while the server keeps drawing pages. "spawn", not fork: the server process runs threads.
WORKERS = 1
_POOL_LOCK = threading.Lock()
_POOL: list[concurrent.futures.ProcessPoolExecutor] = []


def start_worker() -> concurrent.futures.ProcessPoolExecutor:
    """The training worker, started on first use and kept for the life of the server.

    Starting it submits a trivial task, so the worker imports numpy and ``core`` while the first
    student is still reading the Data page, not while their first training waits for it.
    """
    with _POOL_LOCK:
        if not _POOL:
            pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=WORKERS, mp_context=multiprocessing.get_context("spawn"))
            pool.submit(training.check_settings, 1, 0.05, 1, "sigmoid")
            _POOL.append(pool)
        return _POOL[0]


def in_worker(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` in the training worker, or in this process if the worker is gone."""
    pool = start_worker()
    try:
        return pool.submit(fn, *args, **kwargs).result()
    except (concurrent.futures.process.BrokenProcessPool, RuntimeError, OSError):
        # The worker died or could not start (e.g. out of memory): replace it next time, and
        # compute this result here, so the student still gets it.
        with _POOL_LOCK:
            if _POOL and _POOL[0] is pool:
                _POOL.clear()
        return fn(*args, **kwargs)


def stride_for(epochs: int, rows: int = 30) -> int:
    """Keep at most about MAX_SNAPSHOTS snapshots, fewer for large uploads (predictions are kept too)."""
    snapshots = max(20, min(MAX_SNAPSHOTS, 2_000_000 // max(rows, 1)))
    return max(1, math.ceil(epochs / snapshots))


@st.cache_data(max_entries=16, show_spinner=False)
def income_table():
    """The bundled Income2 rows."""
    return data.load_income()


@st.cache_data(max_entries=16, show_spinner=False)
def income_prepared(split: int, test: float) -> data.Prepared:
    """Income2 split with ``split_seed`` and scaled by the training maxima."""
    return data.prepare(data.load_income(), test_size=test, split_seed=split)


@st.cache_data(max_entries=64, show_spinner="Training the network…")
def _history(split: int, test: float, seed: int, hidden: int, lr: float, epochs: int, act: str):
    return in_worker(training.train, income_prepared(split, test), n_hidden=hidden, learning_rate=lr,
                     epochs=epochs, seed=seed, activation=act, stride=stride_for(epochs))


@st.cache_data(max_entries=16, show_spinner="Training from 20 seeds…")
def _ensemble(split: int, test: float, seed: int, hidden: int, lr: float, epochs: int, act: str):
    return in_worker(training.train_many, income_prepared(split, test), seeds_from(seed), n_hidden=hidden,
                     learning_rate=lr, epochs=epochs, activation=act)


def seeds_from(seed: int) -> list[int]:
    """The seeds of the seed-sensitivity ensemble: seed, seed+1, … (wrapping at 2³²)."""
    return [(seed + i) % (2**32) for i in range(SEED_COUNT)]


class Dataset(NamedTuple):
    """The table the app is working on and which of its columns are features and target.

    Column names of an uploaded file are user text: show them with ``st.dataframe``/``st.text``,
    in charts, or through ``ui.safe.md`` — never raw in Markdown or LaTeX.
    """

    key: str                      # "income", or an id of the uploaded file
    title: str
    table: pd.DataFrame
    features: tuple[str, ...]
    target: str
    units: dict

    @property
    def bundled(self) -> bool:
        return self.key == "income"

    def label(self, column: str) -> str:
        """Column name with its unit, e.g. "Income ($1000s)"."""
        unit = self.units.get(column)
        return f"{column} ({unit})" if unit else str(column)


INCOME_TITLE = "Income2 (James et al., ISLR, 2013)"


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
        return income_prepared(s.split, s.test)
    return _session_memo(("prepared",) + s.data_key(), lambda: data.prepare(
        dataset(s).table, s.features, s.target, test_size=s.test, split_seed=s.split,
        drop_incomplete=s.drop))


# ---------------------------------------------------------------- work limits for uploaded data

WORK_LIMIT = 60_000_000      # epochs × rows × (hidden + 2): about 1–2 s of training on this kind of machine


def epochs_allowed(s: Settings) -> int:
    """Epochs actually run: the setting, capped for large uploads so a run stays within seconds."""
    p = prepared(s)
    rows = p.X_train_aug.shape[0] + p.X_test_aug.shape[0]
    return max(1, min(s.epochs, WORK_LIMIT // (rows * (s.hidden + 2))))


def history(s: Settings) -> training.History:
    """The training run for these settings (cached; every page shares it)."""
    if s.data == "income":
        return _history(**s.training_args())
    epochs = epochs_allowed(s)
    p = prepared(s)
    return _session_memo(("history", s.seed, s.hidden, s.lr, epochs, s.act) + s.data_key(),
                         lambda: in_worker(training.train, p, n_hidden=s.hidden, learning_rate=s.lr,
                                           epochs=epochs, seed=s.seed, activation=s.act,
                                           stride=stride_for(epochs, len(p.y_train) + len(p.y_test))))


def ensemble(s: Settings) -> training.Ensemble | None:
    """The same settings trained from 20 seeds (cached); None when that is too much work (uploads)."""
    if s.data == "income":
        return _ensemble(**s.training_args())
    epochs = epochs_allowed(s)
    p = prepared(s)
    if SEED_COUNT * epochs * len(p.y_train) * (s.hidden + 2) > 3 * WORK_LIMIT:
        return None
    return _session_memo(("ensemble", s.seed, s.hidden, s.lr, epochs, s.act) + s.data_key(),
                         lambda: in_worker(training.train_many, p, seeds_from(s.seed), n_hidden=s.hidden,
                                           learning_rate=s.lr, epochs=epochs, activation=s.act))


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

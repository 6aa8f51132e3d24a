"""The one place where expensive results are computed and cached, keyed on scalar settings.

``st.cache_data`` hands every caller its own copy, so no session can change another's result.
Training histories keep the weights every ``stride`` epochs (about 1,000 snapshots at most) and
replay the rest on demand, so even a 20,000-epoch, 32-unit run is about 1.6 MB in the cache.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import pandas as pd
import streamlit as st

from core import data, training
from ui.settings import Settings

MAX_SNAPSHOTS = 1000
SEED_COUNT = 20


def stride_for(epochs: int) -> int:
    """Keep at most about MAX_SNAPSHOTS weight snapshots."""
    return max(1, math.ceil(epochs / MAX_SNAPSHOTS))


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
    return training.train(income_prepared(split, test), n_hidden=hidden, learning_rate=lr,
                          epochs=epochs, seed=seed, activation=act, stride=stride_for(epochs))


@st.cache_data(max_entries=16, show_spinner="Training from 20 seeds…")
def _ensemble(split: int, test: float, seed: int, hidden: int, lr: float, epochs: int, act: str):
    seeds = [(seed + i) % (2**32) for i in range(SEED_COUNT)]
    return training.train_many(income_prepared(split, test), seeds, n_hidden=hidden,
                               learning_rate=lr, epochs=epochs, activation=act)


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


def dataset(s: Settings) -> Dataset:
    """The data set in use (the bundled Income2 rows)."""
    return Dataset("income", "Income2 (James et al., ISLR, 2013)", income_table(), data.FEATURES,
                   data.TARGET, dict(data.UNITS))


def prepared(s: Settings) -> data.Prepared:
    """The data in use, split and scaled per the settings."""
    return income_prepared(s.split, s.test)


def history(s: Settings) -> training.History:
    """The training run for these settings (cached; every page shares it)."""
    return _history(**s.training_args())


def ensemble(s: Settings) -> training.Ensemble:
    """The same settings trained from seeds seed, seed+1, …, seed+19 (cached)."""
    return _ensemble(**s.training_args())

"""Shared fixtures for the core tests: the bundled data set, prepared the lecture's way."""

from pathlib import Path

import numpy as np
import pytest

from core import data, training

REPO = Path(__file__).resolve().parents[2]
INCOME_CSV = REPO / "data" / "Income2.csv"
BAD_CSV = Path(__file__).resolve().parent / "bad_csv"


def _read_only(prepared):
    # A test that fails with "assignment destination is read-only" has caught core writing into
    # its inputs; every test shares these arrays.
    for name in ("X_train_aug", "X_test_aug", "y_train", "y_test", "x_scale", "y_scale"):
        getattr(prepared, name).setflags(write=False)
    return prepared


@pytest.fixture(scope="session")
def income():
    return data.load_income()


@pytest.fixture(scope="session")
def prepared():
    """docs/core-api.md: the bundled data, split with random_state=42 and scaled by the training maxima."""
    return _read_only(data.prepare(data.load_income()))


@pytest.fixture(scope="session")
def default_history(prepared):
    """The demo's 1000-epoch run: 3 sigmoid units, seed 321, η = 0.05, every epoch kept."""
    return training.train(prepared)


@pytest.fixture
def rng():
    return np.random.default_rng(20240611)


def assert_same_snapshot(a, b):
    """Two ``History.at`` snapshots hold the same numbers, bit for bit, every layer included."""
    assert a.epoch == b.epoch
    for x, y in zip(a[1:-1], b[1:-1]):
        np.testing.assert_array_equal(x, y)
    assert len(a.weights) == len(b.weights)
    for x, y in zip(a.weights, b.weights):
        np.testing.assert_array_equal(x, y)

"""The downsampler keeps what the eye needs: first epochs, both ends, every extreme; never too many."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ui.views.downsample import HEAD, MAX_POINTS, downsample


def loss_like(T: int, seed: int = 0) -> np.ndarray:
    """A falling curve with noise and one spike, like a loss history."""
    rng = np.random.default_rng(seed)
    y = 3.0 * np.exp(-np.arange(T) / 300) + 0.02 + 0.001 * rng.random(T)
    y[T // 2] = 50.0
    return y


def test_a_short_series_is_kept_whole():
    assert np.array_equal(downsample(np.arange(500.0)), np.arange(500))


@pytest.mark.parametrize("T", [1001, 5000, 20001])
def test_a_long_series_keeps_at_most_max_points(T):
    keep = downsample(loss_like(T))
    assert len(keep) <= MAX_POINTS
    assert len(keep) >= MAX_POINTS // 2         # and it uses its budget rather than a handful


def test_the_first_epochs_and_both_ends_are_kept():
    keep = downsample(loss_like(20001))
    assert set(range(HEAD)) <= set(keep)
    assert keep[0] == 0 and keep[-1] == 20000


def test_extremes_survive_a_spike_a_minimum_and_a_maximum():
    y = loss_like(20001)
    y[12345] = 1e-6                              # a dip in the middle
    keep = downsample(y)
    assert 10000 in keep                         # the spike
    assert 12345 in keep                         # the dip
    assert y[keep].max() == y.max() and y[keep].min() == y.min()


def test_every_series_keeps_its_own_extremes():
    T = 8000
    y = np.column_stack([loss_like(T, 1), loss_like(T, 2)])
    y[3000, 1] = -5.0                            # only the second series dips here
    keep = downsample(y, max_points=600)
    assert len(keep) <= 600
    assert 3000 in keep
    for s in range(2):
        assert y[keep, s].max() == y[:, s].max() and y[keep, s].min() == y[:, s].min()


def test_nan_and_inf_are_ignored_when_looking_for_extremes():
    y = loss_like(5000)
    y[2000:2100] = np.nan
    y[4000] = np.inf
    keep = downsample(y, max_points=300)
    assert len(keep) <= 300
    finite = y[keep][np.isfinite(y[keep])]
    assert finite.max() == np.nanmax(np.where(np.isinf(y), np.nan, y))


def test_too_many_series_for_extremes_still_respect_the_bound():
    keep = downsample(np.random.default_rng(0).random((5000, 600)), max_points=400)
    assert len(keep) <= 400 and keep[0] == 0 and keep[-1] == 4999


def test_max_points_below_two_is_refused():
    with pytest.raises(ValueError, match="at least 2"):
        downsample(np.arange(10.0), max_points=1)


@settings(max_examples=60, deadline=None)
@given(T=st.integers(1, 30000), max_points=st.integers(2, 1500), series=st.integers(1, 3),
       seed=st.integers(0, 2**16))
def test_indices_are_sorted_unique_in_range_and_bounded(T, max_points, series, seed):
    y = np.random.default_rng(seed).standard_normal((T, series))
    keep = downsample(y, max_points=max_points)
    assert len(keep) <= max_points
    assert np.all(np.diff(keep) > 0)
    assert keep[0] == 0 and keep[-1] == T - 1

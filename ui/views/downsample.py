"""Fewer points for long series, without changing what the eye sees.

A 20,000-epoch loss curve has 20,000 points; a chart about 1,000 pixels wide shows at most a few
per pixel. ``downsample`` keeps the first epochs exactly (where the loss falls fastest), both ends,
and in every bucket of the rest the smallest and the largest value of each series — so a spike or
a plateau survives and a log-scale curve keeps its shape.
"""

from __future__ import annotations

import numpy as np

MAX_POINTS = 1000
HEAD = 100


def downsample(y, max_points: int = MAX_POINTS, head: int = HEAD) -> np.ndarray:
    """Sorted indices of the rows of ``y`` to keep: at most ``max_points`` of them.

    ``y`` is (T,) or (T, S): T points of S series that will be drawn against the same x. Kept: the
    first ``head`` rows (fewer if ``max_points`` is small), the last row, and in each of equal-width
    buckets over the rest the arg-min and arg-max of every series. NaN and inf are ignored when
    looking for extremes (a bucket of only NaN keeps its first row).
    """
    y = np.asarray(y, dtype=float)
    if y.ndim == 1:
        y = y[:, None]
    T, S = y.shape
    if max_points < 2:
        raise ValueError(f"max_points must be at least 2, got {max_points}.")
    if T <= max_points:
        return np.arange(T)
    head = max(1, min(head, max_points // 4))              # epoch 0 always among them
    budget = max_points - head - 1                        # rows left for the buckets
    n_buckets = budget // (2 * S)
    if n_buckets == 0:                                    # too many series for extremes: thin evenly
        return np.unique(np.linspace(0, T - 1, max_points).astype(int))
    edges = np.linspace(head, T - 1, n_buckets + 1).astype(int)
    keep = [np.arange(head), [T - 1]]
    finite = np.where(np.isfinite(y), y, np.nan)
    for lo, hi in zip(edges[:-1], edges[1:]):
        if hi <= lo:
            continue
        block = finite[lo:hi]
        ok = ~np.isnan(block)
        if not ok.any():
            keep.append([lo])
            continue
        low = np.where(ok, block, np.inf).argmin(axis=0)
        high = np.where(ok, block, -np.inf).argmax(axis=0)
        keep.append(lo + np.concatenate([low, high]))
    return np.unique(np.concatenate([np.asarray(k, dtype=int) for k in keep]))

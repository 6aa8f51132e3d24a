"""Toy data sets for classification: two inputs x1, x2 and a class label, drawn from classic shapes.

Every set is a clean shape plus jitter: the shape is drawn first, then one standard-normal jitter
per coordinate, multiplied by ``noise``. So the same seed at a larger noise moves the same points
further along the same directions, and noise 0 gives the shape itself. Coordinates lie roughly
in −1 … 1. Classes are as balanced as the number of points allows, and the rows are shuffled.
``data.toy`` is the public name (docs/core-api.md).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from core.csv_cells import DataError

TOY_SETS = ("circle", "xor", "gauss", "spiral", "moons", "three")
MIN_POINTS, MAX_POINTS = 20, 1000
MAX_NOISE = 0.5
MAX_SEED = 2**32 - 1


def _circle(rng, counts):
    """Label 0: a disc of radius 0.5; label 1: a ring from radius 0.7 to 1 around it."""
    inner, outer = counts
    r = np.concatenate([0.5 * np.sqrt(rng.uniform(size=inner)),                 # uniform over the disc's area
                        np.sqrt(rng.uniform(0.7**2, 1.0, size=outer))])         # … and over the ring's
    angle = rng.uniform(0, 2 * np.pi, size=inner + outer)
    return np.column_stack([r * np.cos(angle), r * np.sin(angle)]), np.repeat([0, 1], counts)


def _xor(rng, counts):
    """Label 1 where x1 and x2 have different signs; |x1|, |x2| from 0.1 to 1 (a margin along the axes)."""
    same, differ = counts
    size = rng.uniform(0.1, 1.0, size=(same + differ, 2))
    s1 = rng.choice([-1.0, 1.0], size=same + differ)
    s2 = np.concatenate([s1[:same], -s1[same:]])
    return size * np.column_stack([s1, s2]), np.repeat([0, 1], counts)


def _clouds(rng, counts, centres, spread):
    """One round Gaussian cloud of standard deviation ``spread`` around each centre, label = its index."""
    X = np.vstack([c + spread * rng.normal(size=(n, 2)) for c, n in zip(centres, counts)])
    return X, np.repeat(np.arange(len(counts)), counts)


def _gauss(rng, counts):
    """Two clouds around (−0.5, −0.5) (label 0) and (0.5, 0.5) (label 1)."""
    return _clouds(rng, counts, np.array([[-0.5, -0.5], [0.5, 0.5]]), 0.25)


def _three(rng, counts):
    """Three clouds at radius 0.6, a third of a turn apart (90°, 210°, 330°), labels 0, 1, 2."""
    angles = np.deg2rad([90.0, 210.0, 330.0])
    return _clouds(rng, counts, 0.6 * np.column_stack([np.cos(angles), np.sin(angles)]), 0.2)


def _spiral(rng, counts):
    """Two arms of one spiral, half a turn apart: radius 0.1 + 0.9t, angle 3πt (+π for label 1), t in 0 … 1."""
    t = rng.uniform(size=sum(counts))
    label = np.repeat([0, 1], counts)
    r, angle = 0.1 + 0.9 * t, 3 * np.pi * t + np.pi * label
    return np.column_stack([r * np.cos(angle), r * np.sin(angle)]), label


def _moons(rng, counts):
    """Two interleaved half circles: the upper (cos θ, sin θ) (label 0) and the lower
    (1 − cos θ, ½ − sin θ) (label 1), θ in 0 … π; centred and scaled into −1 … 1."""
    upper, lower = counts
    theta = rng.uniform(0, np.pi, size=upper + lower)
    c, s = np.cos(theta), np.sin(theta)
    x = np.concatenate([c[:upper], 1 - c[upper:]])
    y = np.concatenate([s[:upper], 0.5 - s[upper:]])
    return np.column_stack([(x - 0.5) / 1.5, (y - 0.25) / 1.5]), np.repeat([0, 1], counts)


_SHAPES = {"circle": (_circle, 2), "xor": (_xor, 2), "gauss": (_gauss, 2), "spiral": (_spiral, 2),
           "moons": (_moons, 2), "three": (_three, 3)}


def balanced(n: int, k: int) -> list[int]:
    """``n`` points shared among ``k`` classes as evenly as possible: the first ``n mod k`` get one more."""
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def toy(name: str, n_points: int = 200, noise: float = 0.1, seed: int = 0) -> pd.DataFrame:
    """The toy set ``name`` (see ``TOY_SETS``): ``n_points`` rows of x1, x2 and an integer label,
    indexed 1 … n_points. The same four arguments always give the same table
    (``np.random.default_rng(seed)``, nothing global). Bad settings raise ``DataError``."""
    _check(name, n_points, noise, seed)
    shape, k = _SHAPES[name]
    n = int(n_points)
    rng = np.random.default_rng(int(seed))
    X, label = shape(rng, balanced(n, k))
    X = X + float(noise) * rng.normal(size=X.shape)
    order = rng.permutation(n)
    return pd.DataFrame({"x1": X[order, 0], "x2": X[order, 1], "label": label[order].astype(np.int64)},
                        index=pd.RangeIndex(1, n + 1, name="Row"))


def _whole(value, low, high) -> bool:
    try:
        return not isinstance(value, bool) and int(value) == value and low <= value <= high
    except (TypeError, ValueError, OverflowError):
        return False


def _check(name, n_points, noise, seed) -> None:
    if not isinstance(name, str) or name not in _SHAPES:
        raise DataError(f"There is no toy data set called {name!r}. Choose one of: {', '.join(TOY_SETS)}.")
    if not _whole(n_points, MIN_POINTS, MAX_POINTS):
        raise DataError(f"The number of points must be a whole number from {MIN_POINTS} to "
                        f"{MAX_POINTS:,}, got {n_points!r}.")
    try:
        ok = not isinstance(noise, bool) and math.isfinite(noise) and 0 <= noise <= MAX_NOISE
    except TypeError:
        ok = False
    if not ok:
        raise DataError(f"The noise must be a number from 0 to {MAX_NOISE}, got {noise!r}.")
    if not _whole(seed, 0, MAX_SEED):
        raise DataError(f"The data seed must be a whole number from 0 to {MAX_SEED}, got {seed!r}.")

"""core.data.toy: the classification data sets, drawn from their classic shapes (docs/core-api.md).

Each set is checked against the geometric fact that defines it (with no noise), and for what a
page relies on: the same four settings give the same table, classes are balanced, more noise
moves the same points further, and a bad setting is a sentence a student understands.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import data

TWO_CLASSES = ("circle", "xor", "gauss", "spiral", "moons")


def _clean(name, n=400, seed=0):
    df = data.toy(name, n, noise=0.0, seed=seed)
    return df[["x1", "x2"]].to_numpy(), df["label"].to_numpy()


@pytest.mark.parametrize("name", data.TOY_SETS)
def test_a_toy_set_is_a_table_of_x1_x2_and_an_integer_label(name):
    df = data.toy(name)
    assert list(df.columns) == ["x1", "x2", "label"] and len(df) == 200
    assert list(df.index) == list(range(1, 201)) and df.index.name == "Row"
    assert pd.api.types.is_integer_dtype(df["label"]) and pd.api.types.is_float_dtype(df["x1"])
    assert sorted(df["label"].unique()) == ([0, 1, 2] if name == "three" else [0, 1])
    assert np.isfinite(df[["x1", "x2"]].to_numpy()).all()


def test_the_six_sets_are_the_ones_the_settings_offer():
    assert data.TOY_SETS == ("circle", "xor", "gauss", "spiral", "moons", "three")


@pytest.mark.parametrize("name", data.TOY_SETS)
def test_the_same_settings_give_the_same_table_and_another_seed_another(name):
    a = data.toy(name, 150, 0.2, seed=5)
    pd.testing.assert_frame_equal(a, data.toy(name, 150, 0.2, seed=5))
    assert not np.array_equal(a[["x1", "x2"]].to_numpy(), data.toy(name, 150, 0.2, seed=6)[["x1", "x2"]].to_numpy())


@pytest.mark.parametrize("name", data.TOY_SETS)
def test_drawing_a_toy_set_leaves_numpys_global_generator_alone(name):
    before = np.random.get_state()[1].copy()
    data.toy(name, 50, 0.3, seed=1)
    assert np.array_equal(np.random.get_state()[1], before)


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(data.TOY_SETS), n=st.integers(20, 1000))
def test_classes_are_as_balanced_as_the_number_of_points_allows(name, n):
    counts = data.toy(name, n, 0.1, seed=3)["label"].value_counts()
    k = 3 if name == "three" else 2
    assert len(counts) == k and counts.sum() == n and counts.max() - counts.min() <= 1


def test_the_rows_are_shuffled_not_sorted_by_class():
    labels = data.toy("moons", 200)["label"].to_numpy()
    assert (np.diff(labels) != 0).sum() > 40          # sorted would change class once


@pytest.mark.parametrize("name", data.TOY_SETS)
def test_noise_scales_one_and_the_same_jitter(name):
    # A noise slider moves every point along its own direction, further as the noise grows.
    clean, _ = (data.toy(name, 100, 0.0, seed=2)[["x1", "x2"]].to_numpy(), None)
    small = data.toy(name, 100, 0.1, seed=2)[["x1", "x2"]].to_numpy()
    large = data.toy(name, 100, 0.4, seed=2)[["x1", "x2"]].to_numpy()
    np.testing.assert_allclose(large - clean, 4 * (small - clean), rtol=1e-9, atol=1e-12)
    jitter = small - clean
    assert 0.07 < jitter.std() < 0.13                  # noise 0.1: a jitter of about 0.1 per coordinate
    np.testing.assert_array_equal(data.toy(name, 100, 0.0, seed=2)["label"], data.toy(name, 100, 0.4, seed=2)["label"])


@pytest.mark.parametrize("name", data.TOY_SETS)
def test_without_noise_every_point_lies_within_the_unit_square(name):
    X, _ = _clean(name, 1000)
    assert np.abs(X).max() <= 1.0 + 1e-12 or name in ("gauss", "three")   # Gaussian clouds have tails
    assert np.abs(X).max() <= 2.0


def test_circle_is_a_disc_inside_a_ring():
    X, label = _clean("circle")
    r = np.hypot(X[:, 0], X[:, 1])
    assert r[label == 0].max() <= 0.5 and r[label == 1].min() >= 0.7 and r[label == 1].max() <= 1.0 + 1e-12


def test_xor_labels_1_where_the_signs_of_x1_and_x2_differ():
    X, label = _clean("xor")
    np.testing.assert_array_equal(label, (X[:, 0] * X[:, 1] < 0).astype(int))
    assert np.abs(X).min() >= 0.1 - 1e-12                # a margin around the axes, so noise 0 is clean
    quadrants = {(bool(a > 0), bool(b > 0)) for a, b in X}
    assert len(quadrants) == 4


def test_gauss_is_two_clouds_around_opposite_centres():
    X, label = _clean("gauss", 1000)
    np.testing.assert_allclose(X[label == 0].mean(axis=0), [-0.5, -0.5], atol=0.05)
    np.testing.assert_allclose(X[label == 1].mean(axis=0), [0.5, 0.5], atol=0.05)
    # the line x1 + x2 = 0 separates almost all of them
    assert ((X.sum(axis=1) > 0) == (label == 1)).mean() > 0.97


def test_spiral_arms_are_the_same_curve_half_a_turn_apart():
    X, label = _clean("spiral", 600)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.min() >= 0.1 - 1e-12 and r.max() <= 1.0 + 1e-12
    # Along an arm the angle grows with the radius: θ = 3π (r − 0.1)/0.9 + cπ for arm c.
    theta = np.arctan2(X[:, 1], X[:, 0])
    expected = 3 * np.pi * (r - 0.1) / 0.9 + np.pi * label
    np.testing.assert_allclose(np.cos(theta - expected), 1.0, atol=1e-9)


def test_moons_are_two_interleaved_half_circles():
    X, label = _clean("moons")
    # Undo the centring and scaling: the upper moon is the unit half circle, the lower one the
    # same half circle turned over and moved by (1, 0.5).
    x, y = 1.5 * X[:, 0] + 0.5, 1.5 * X[:, 1] + 0.25
    upper, lower = label == 0, label == 1
    np.testing.assert_allclose(np.hypot(x[upper], y[upper]), 1.0, atol=1e-12)
    assert (y[upper] >= -1e-12).all()
    np.testing.assert_allclose(np.hypot(x[lower] - 1, y[lower] - 0.5), 1.0, atol=1e-12)
    assert (y[lower] <= 0.5 + 1e-12).all()


def test_three_is_three_clouds_a_third_of_a_turn_apart():
    X, label = _clean("three", 900)
    centres = [0.6 * np.array([np.cos(a), np.sin(a)]) for a in np.deg2rad([90, 210, 330])]
    for k, c in enumerate(centres):
        np.testing.assert_allclose(X[label == k].mean(axis=0), c, atol=0.05)
    nearest = np.argmin([np.hypot(*(X - c).T) for c in centres], axis=0)
    assert (nearest == label).mean() > 0.95


@pytest.mark.parametrize("kwargs, words", [
    (dict(name="spirals"), r"no toy data set called 'spirals'\. Choose one of: circle, xor, gauss, spiral, moons, three\."),
    (dict(name=None), "no toy data set called None"),
    (dict(name="moons", n_points=19), r"number of points must be a whole number from 20 to 1,000, got 19\."),
    (dict(name="moons", n_points=1001), "from 20 to 1,000, got 1001"),
    (dict(name="moons", n_points=50.5), "from 20 to 1,000, got 50.5"),
    (dict(name="moons", n_points=True), "from 20 to 1,000, got True"),
    (dict(name="moons", noise=-0.1), r"noise must be a number from 0 to 0\.5, got -0\.1\."),
    (dict(name="moons", noise=0.51), "from 0 to 0.5, got 0.51"),
    (dict(name="moons", noise=float("nan")), "from 0 to 0.5, got nan"),
    (dict(name="moons", noise="0.1"), "from 0 to 0.5"),
    (dict(name="moons", seed=-1), r"data seed must be a whole number from 0 to 4294967295, got -1\."),
    (dict(name="moons", seed=2**32), "data seed must be a whole number"),
])
def test_a_bad_setting_is_a_sentence_for_a_student(kwargs, words):
    with pytest.raises(data.DataError, match=words):
        data.toy(**kwargs)


@pytest.mark.parametrize("n, noise, seed", [(20, 0.0, 0), (1000, 0.5, 2**32 - 1), (np.int64(30), np.float64(0.25), np.int64(4))])
def test_the_ends_of_every_range_are_allowed(n, noise, seed):
    for name in data.TOY_SETS:
        assert len(data.toy(name, n, noise, seed)) == n

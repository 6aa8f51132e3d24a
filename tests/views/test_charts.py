"""The Training & results views as data: each chart's datasets and encodings, texts and files."""

import json
import io

import numpy as np
import pandas as pd
import pytest

from core import data, evaluate, training
from ui.views import exports, fit_charts, loss_charts, messages, numbers, style, vega
from ui.serve.cache import stride_for


@pytest.fixture(scope="module")
def p():
    return data.prepare(data.load_income())


@pytest.fixture(scope="module")
def h(p):
    return training.train(p, n_hidden=3, learning_rate=0.05, epochs=1000, seed=321)


@pytest.fixture(scope="module")
def long_h(p):
    return training.train(p, n_hidden=4, learning_rate=0.05, epochs=5000, seed=321, stride=stride_for(5000))


@pytest.fixture(scope="module")
def diverged(p):
    return training.train(p, n_hidden=3, learning_rate=5.0, epochs=1000, seed=321)


def layer_using(spec, name):
    return [layer for layer in spec["layer"] if layer["data"]["name"] == name]


def every_number(spec):
    """All numbers in every dataset of a spec."""
    values = [frame.select_dtypes("number").to_numpy(dtype=float).ravel() for frame in spec["datasets"].values()]
    return np.concatenate(values) if values else np.array([])


def without_data(spec):
    return json.dumps({k: v for k, v in spec.items() if k != "datasets"}, sort_keys=True)


def chart_set(h, p, epoch, look=style.NORMAL):
    """The four charts that follow the epoch slider, built the way the page builds them."""
    snap, final = h.at(epoch), h.at(h.last_epoch)
    rows = loss_charts.shown_rows(p.y_train)
    domain = vega.income_domain(p.to_original_y(np.vstack([p.y_train, p.y_test])),
                              p.to_original_y(np.concatenate(h.kept_predictions()[1:], axis=1)))
    return [loss_charts.loss_chart(loss_charts.loss_frame(h.losses), loss_charts.loss_cursor(h.losses, epoch), h.last_epoch, look),
            loss_charts.trajectory_chart(loss_charts.trajectory_frame(h, p, rows), loss_charts.target_frame(p, rows),
                                loss_charts.trajectory_cursor(p, snap, rows), h.last_epoch, domain, "Income", look),
            fit_charts.fit_chart(fit_charts.fit_frame(p, snap), domain, "Income", look),
            *fit_charts.learned_function(p, snap, final.weights, h.activation, ["Education", "Seniority"],
                                 "Income", look)]


# ----------------------------------------------------------------------------- numbers and texts


def test_scores_are_cores_loss_rmse_and_r2_in_thousands_of_dollars(p, h):
    snap = h.at(h.last_epoch)
    s = fit_charts.scores(p, snap)
    assert s.loc["training", "loss"] == h.losses[-1, 0] and s.loc["test", "loss"] == h.losses[-1, 1]
    y, y_hat = p.to_original_y(p.y_test), p.to_original_y(snap.y_hat_test)
    assert s.loc["test", "RMSE"] == pytest.approx(evaluate.rmse(y, y_hat))
    assert s.loc["test", "R²"] == pytest.approx(evaluate.r2(y, y_hat))
    assert 4 < s.loc["training", "RMSE"] < 7                  # thousands of dollars, not scaled units


def test_scores_of_a_diverging_run_say_overflow_instead_of_inf(p, diverged):
    s = fit_charts.scores(p, diverged.at(diverged.last_epoch))
    assert numbers.spec(s.loc["training", "RMSE"], ".3f") == "overflow"
    assert numbers.spec(float("nan"), ".3f") == "not a number"
    assert numbers.spec(0.12345, ".3f") == "0.123"


def test_divergence_message_says_when_why_and_what_to_try(diverged):
    text = messages.divergence(diverged, 5.0, 0.5, why=True)
    assert "diverged at epoch 82" in text
    assert "epoch 81" in text and "η = 5" in text
    assert "Why" in text and "η = 0.5" in text and "0–81" in text


def test_seed_summary_gives_the_spread_and_this_runs_rank():
    seeds = np.array([321, 322, 323, 324])
    loss = np.array([0.2, 0.1, np.nan, 0.4])
    text = messages.seed_summary(seeds, loss, 321)
    assert "lowest **0.1** (seed 322)" in text and "highest **0.4** (seed 324)" in text
    assert "median **0.2**" in text and "4× the best" in text
    assert "seed 321: **0.2**, rank 2 of 3" in text
    assert "1 of 4 seeds diverged" in text
    assert "All 2 seeds diverged" in messages.seed_summary(seeds[:2], np.array([np.nan, np.nan]), 321)


# ----------------------------------------------------------------------------- loss curves


def test_loss_frame_keeps_every_epoch_of_a_short_run(h):
    frame = loss_charts.loss_frame(h.losses[:801])
    train = frame[frame.split == "training"]
    assert len(train) == 801 and np.array_equal(train.loss, h.losses[:801, 0])


def test_loss_frame_of_a_long_run_is_downsampled_but_keeps_the_ends(long_h):
    frame = loss_charts.loss_frame(long_h.losses)
    for split, col in (("training", 0), ("test", 1)):
        part = frame[frame.split == split]
        assert len(part) <= 1000
        assert part.epoch.iloc[0] == 0 and part.epoch.iloc[-1] == long_h.last_epoch
        assert part.loss.min() == long_h.losses[:, col].min()
        assert np.array_equal(part.loss, long_h.losses[part.epoch, col])


def test_loss_chart_is_log_scale_with_the_cursor_at_the_chosen_epoch(h):
    spec = loss_charts.loss_chart(loss_charts.loss_frame(h.losses), loss_charts.loss_cursor(h.losses, 250), h.last_epoch)
    line = layer_using(spec, "loss")[0]
    assert line["encoding"]["y"]["scale"]["type"] == "log"
    assert line["encoding"]["strokeDash"]["field"] == "split"        # test dashed, not only coloured
    assert spec["datasets"]["epoch"].epoch.tolist() == [250]
    cursor = spec["datasets"]["cursor"]
    assert cursor.loss.tolist() == h.losses[250].tolist()
    assert layer_using(spec, "epoch")[0]["mark"]["type"] == "rule"


def test_charts_that_follow_the_slider_change_only_their_data(p, h):
    """Same spec at every epoch: while playing, the browser swaps data instead of redrawing."""
    a, b = chart_set(h, p, 10), chart_set(h, p, 900)
    for one, two in zip(a, b):
        assert without_data(one) == without_data(two)
    assert not a[2]["datasets"]["fit"].equals(b[2]["datasets"]["fit"])


# ----------------------------------------------------------------------------- predictions over epochs


def test_trajectories_are_the_kept_predictions_in_thousands_of_dollars(p, long_h):
    rows = loss_charts.shown_rows(p.y_train)
    frame = loss_charts.trajectory_frame(long_h, p, rows)
    kept = long_h.kept_predictions()
    pick = loss_charts.trajectory_epochs(len(kept.epochs))
    assert len(frame) == len(pick) * len(rows)
    assert frame.groupby("row").size().max() <= loss_charts.TRAJECTORY_POINTS      # a few hundred points per line
    first = frame[frame.row == p.train_rows[rows[0]]]
    assert list(first.epoch[:loss_charts.TRAJECTORY_HEAD]) == list(kept.epochs[:loss_charts.TRAJECTORY_HEAD])   # the start in full
    assert first.epoch.iloc[-1] == kept.epochs[-1]                                            # and the end
    expected = p.to_original_y(kept.train[pick, rows[0], 0])
    assert np.allclose(first.predicted, expected)
    assert np.allclose(first.target, p.to_original_y(p.y_train[rows[0]]))


def test_trajectory_chart_pairs_each_line_with_a_dashed_target_of_the_same_colour(p, h):
    spec = chart_set(h, p, 300)[1]
    goals, lines = layer_using(spec, "targets")[0], layer_using(spec, "paths")[0]
    assert goals["mark"]["strokeDash"] and goals["encoding"]["color"] == lines["encoding"]["color"]
    assert lines["encoding"]["detail"]["field"] == "row"
    cursor = spec["datasets"]["cursor"]
    assert np.allclose(cursor.predicted, p.to_original_y(h.at(300).y_hat_train)[:, 0])


def test_shown_rows_are_bounded_and_span_the_targets():
    y = np.linspace(0, 1, 500)[::-1]
    rows = loss_charts.shown_rows(y, limit=30)
    assert len(rows) == 30 and 0 in rows and 499 in rows
    assert np.array_equal(loss_charts.shown_rows(y[:12]), np.arange(12))


# ----------------------------------------------------------------------------- predicted vs true


def test_fit_frame_holds_every_row_at_the_chosen_epoch(p, h):
    snap = h.at(123)
    frame = fit_charts.fit_frame(p, snap)
    assert (frame.split == "training").sum() == 15 and (frame.split == "test").sum() == 15
    assert np.allclose(frame.predicted[:15], p.to_original_y(snap.y_hat_train)[:, 0])
    assert np.allclose(frame.true[15:], p.to_original_y(p.y_test)[:, 0])


def test_fit_chart_draws_y_equals_x_and_marks_splits_by_shape(p, h):
    spec = chart_set(h, p, 1000)[2]
    diagonal = spec["datasets"]["diagonal"]
    assert diagonal.true.tolist() == diagonal.predicted.tolist()
    points = layer_using(spec, "fit")[0]["encoding"]
    assert points["shape"]["field"] == "split" and points["color"]["field"] == "split"


def test_income_domain_keeps_the_data_and_leaves_wild_predictions_off_the_chart():
    lo, hi = vega.income_domain([20, 80], [25, 1e150, -1e150], reach=0.5, pad=0)
    assert (lo, hi) == (-10, 110)
    assert vega.outside([5, 50, 1e9, np.nan], [0, 100]) == 2


# ----------------------------------------------------------------------------- the learned function


def test_surface_is_a_grid_of_cells_matching_core(p, h):
    snap = h.at(400)
    spec = fit_charts.learned_function(p, snap, snap.weights, "sigmoid", ["E", "S"], "Income")[0]
    cells = spec["datasets"]["cells"]
    sfc = evaluate.surface(p, snap.weights, "sigmoid", margin=0.25)
    assert len(cells) == sfc.y_hat.size
    assert np.allclose(cells.predicted, sfc.y_hat.ravel())
    assert np.all(cells.x1 < cells.x1e) and np.all(cells.x2 < cells.x2e)
    left, right = np.unique(cells.x1), np.unique(cells.x1e)
    assert np.all(right[:-1] > left[1:]) and np.all(right[:-1] < left[1:] + 0.25 * np.diff(left))  # no seams
    assert right[-1] == pytest.approx(2 * sfc.x1[-1] - left[-1])                                  # nor spill
    box = spec["datasets"]["box"]
    X = p.to_original_X(p.X_train_aug)
    assert box.x1[0] == X[:, 0].min() and box.x2e[0] == X[:, 1].max()
    points = spec["datasets"]["points"]
    assert set(points.split) == {"training", "test"} and len(points) == 30
    dots = layer_using(spec, "points")[0]["encoding"]
    assert dots["shape"]["field"] == "split" and dots["color"]["field"] == "true"


def make_prepared(n_features: int):
    rng = np.random.default_rng(1)
    names = ["a.b[0]", "row", "$x$", "d"][:n_features]            # awkward user column names
    df = pd.DataFrame(rng.random((40, n_features)) + 0.5, columns=names)
    df["y"] = df.sum(axis=1) * 10
    return data.prepare(df, features=names, target="y")


@pytest.mark.parametrize("n_features, expected", [(1, 1), (2, 1), (3, 3), (4, 4)])
def test_learned_function_fits_the_number_of_features(n_features, expected):
    p = make_prepared(n_features)
    h = training.train(p, n_hidden=2, epochs=20)
    snap = h.at(20)
    labels = list(p.features)
    charts = fit_charts.learned_function(p, snap, snap.weights, "sigmoid", labels, "y")
    assert len(charts) == expected
    for spec in charts:
        fields = json.dumps(spec["layer"])
        for name in ("a.b[0]", "$x$"):                              # user text only in titles
            assert f'"field": "{name}"' not in fields
        assert np.all(np.isfinite(every_number(spec)))
    if n_features != 2:
        assert charts[-1]["datasets"]["curve"].shape == (100, 2)
        assert charts[0]["layer"][0]["encoding"]["x"]["title"] == labels[0]


# ----------------------------------------------------------------------------- diverging runs


def test_a_diverging_run_draws_no_nan_or_inf(p, diverged):
    for spec in chart_set(diverged, p, diverged.last_epoch) + chart_set(diverged, p, 0):
        assert np.all(np.isfinite(every_number(spec)))
        json.dumps({k: v for k, v in spec.items() if k != "datasets"}, allow_nan=False)


def test_projector_mode_has_larger_type_and_lines(p, h):
    normal, big = chart_set(h, p, 5)[0], chart_set(h, p, 5, style.PROJECTOR)[0]
    assert big["config"]["axis"]["labelFontSize"] > normal["config"]["axis"]["labelFontSize"]
    assert layer_using(big, "loss")[0]["mark"]["strokeWidth"] > layer_using(normal, "loss")[0]["mark"]["strokeWidth"]
    assert big["usermeta"]["embedOptions"]["renderer"] == "canvas"


# ----------------------------------------------------------------------------- seed sensitivity


def test_seed_band_is_min_median_max_over_the_seeds_still_finite():
    L = np.array([[3.0, 4.0, 5.0], [1.0, np.nan, 2.0], [np.nan, np.nan, np.nan]])
    band = loss_charts.seed_band_frame(L)
    assert band.epoch.tolist() == [0, 1]
    assert band.iloc[0][["low", "median", "high"]].tolist() == [3.0, 4.0, 5.0]
    assert band.iloc[1][["low", "median", "high"]].tolist() == [1.0, 1.5, 2.0]


def test_seed_band_of_a_long_run_is_downsampled(p):
    ens = training.train_many(p, [1, 2, 3], n_hidden=2, epochs=3000)
    band = loss_charts.seed_band_frame(ens.loss_train)
    assert len(band) <= 1000 and band.epoch.iloc[-1] == 3000
    assert np.all(band.low <= band["median"]) and np.all(band["median"] <= band.high)
    run = loss_charts.this_run_frame(ens.loss_train[:, 0])
    assert len(run) <= 1000 and run.loss.iloc[0] == ens.loss_train[0, 0]


def test_final_losses_are_sorted_and_mark_this_run():
    frame = loss_charts.final_losses_frame(np.array([7, 8, 9]), np.array([0.3, np.nan, 0.1]), seed=7)
    assert frame.seed.tolist() == ["9", "7"] and frame.run.tolist() == ["other seeds", "this run"]
    spec = loss_charts.final_losses_chart(frame)
    assert spec["layer"][0]["encoding"]["shape"]["field"] == "run"


def test_seed_chart_shows_band_median_and_this_run(p):
    ens = training.train_many(p, [1, 2], n_hidden=2, epochs=50)
    spec = loss_charts.seed_chart(loss_charts.seed_band_frame(ens.loss_train), loss_charts.this_run_frame(ens.loss_train[:, 0]), 2)
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["area", "line", "line"]
    assert spec["datasets"]["run"].kind.iloc[0] == "this run"


# ----------------------------------------------------------------------------- downloads


def test_history_csv_has_one_line_per_epoch(h):
    frame = pd.read_csv(io.StringIO(exports.history_csv(h.losses)))
    assert frame.columns.tolist() == ["epoch", "train_loss", "test_loss"]
    assert frame.epoch.tolist() == list(range(1001))
    assert np.allclose(frame.train_loss, h.losses[:, 0], rtol=1e-9)


def test_weights_json_holds_the_weights_at_the_epoch(p, h):
    snap = h.at(321)
    doc = json.loads(exports.weights_json(snap, p, {"seed": 321}))
    assert doc["epoch"] == 321 and doc["settings"] == {"seed": 321}
    assert np.array_equal(np.array(doc["W_H"]), snap.W_H) and np.array_equal(np.array(doc["W_O"]), snap.W_O)
    assert doc["features"] == ["Education", "Seniority"] and doc["loss_train"] == snap.loss_train
    assert "row 0" in doc["notation"]


def test_predictions_csv_has_every_row_even_with_awkward_column_names():
    p = make_prepared(2)                                  # a feature is called "row"
    h = training.train(p, n_hidden=2, epochs=5)
    snap = h.at(5)
    frame = pd.read_csv(io.StringIO(exports.predictions_csv(p, snap)))
    assert frame.columns.tolist() == ["split", "row", "a.b[0]", "row.1", "y", "predicted y", "residual"]
    assert len(frame) == len(p.y_train) + len(p.y_test)
    assert np.allclose(frame["predicted y"][: len(p.y_train)], p.to_original_y(snap.y_hat_train)[:, 0])
    assert np.allclose(frame.residual, frame.y - frame["predicted y"])

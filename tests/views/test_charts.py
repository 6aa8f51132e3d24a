"""The Training & results page's server-side views as data: seed charts, messages, texts and files.
(What the browser draws at each epoch is tested in tests/views/test_frames.py and tests/e2e.)"""

import json
import io

import numpy as np
import pandas as pd
import pytest

from core import data, evaluate, training
from ui.views import exports, frames, loss_charts, messages, numbers, vega
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


# ----------------------------------------------------------------------------- numbers and texts


def test_numbers_the_scores_cannot_print_are_named(p, diverged):
    values = frames.score_values(p, *(lambda s: (s.y_hat_train[None], s.y_hat_test[None], [s.loss_train],
                                                 [s.loss_test]))(diverged.at(diverged.last_epoch)))
    assert frames.score_text(values[0])[2] == "overflow"                   # the training RMSE
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


# ----------------------------------------------------------------------------- predictions over epochs


def test_trajectories_keep_the_start_in_full_and_the_end(long_h):
    kept = long_h.kept_predictions()
    pick = loss_charts.trajectory_epochs(len(kept.epochs))
    assert len(pick) <= loss_charts.TRAJECTORY_POINTS                          # a few hundred points per line
    assert list(pick[:loss_charts.TRAJECTORY_HEAD]) == list(range(loss_charts.TRAJECTORY_HEAD))   # the start in full
    assert pick[-1] == len(kept.epochs) - 1                                    # and the end


def test_shown_rows_are_bounded_and_span_the_targets():
    y = np.linspace(0, 1, 500)[::-1]
    rows = loss_charts.shown_rows(y, limit=30)
    assert len(rows) == 30 and 0 in rows and 499 in rows
    assert np.array_equal(loss_charts.shown_rows(y[:12]), np.arange(12))


# ----------------------------------------------------------------------------- predicted vs true


def test_the_predictions_table_holds_every_row_at_the_chosen_epoch(p, h):
    snap = h.at(123)
    frame = exports.points_frame(p, snap)
    assert (frame.split == "training").sum() == 15 and (frame.split == "test").sum() == 15
    assert np.allclose(frame.predicted[:15], p.to_original_y(snap.y_hat_train)[:, 0])
    assert np.allclose(frame.true[15:], p.to_original_y(p.y_test)[:, 0])


def test_income_domain_keeps_the_data_and_leaves_wild_predictions_off_the_chart():
    lo, hi = vega.income_domain([20, 80], [25, 1e150, -1e150], reach=0.5, pad=0)
    assert (lo, hi) == (-10, 110)


# ----------------------------------------------------------------------------- the learned function


def make_prepared(n_features: int):
    rng = np.random.default_rng(1)
    names = ["a.b[0]", "row", "$x$", "d"][:n_features]            # awkward user column names
    df = pd.DataFrame(rng.random((40, n_features)) + 0.5, columns=names)
    df["y"] = df.sum(axis=1) * 10
    return data.prepare(df, features=names, target="y")


# ----------------------------------------------------------------------------- diverging runs


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

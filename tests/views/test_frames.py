"""The run as the browser receives it (ui.views.frames): every shipped frame's numbers are the page's
numbers at that epoch, taken from ``History.at(e)``; the weights are that epoch's; it fits on the wire."""

import base64
import json

import numpy as np
import pandas as pd
import pytest

from core import data, evaluate, training
from ui.serve.cache import stride_for
from ui.views import frames, loss_charts

LABELS, TARGET = ["Education (years)", "Seniority (months)"], "Income ($1000s)"


def decode(b64: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(b64), dtype="<f4")


def printed(p, snap) -> list[str]:
    """The eight numbers of the scores at ``snap``, worked out one epoch at a time from core."""
    out = []
    with np.errstate(all="ignore"):          # just before a divergence the errors overflow when squared
        out += _printed(p, snap)
    return out


def _printed(p, snap) -> list[str]:
    out = []
    for y, y_hat, loss in ((p.y_train, snap.y_hat_train, snap.loss_train), (p.y_test, snap.y_hat_test, snap.loss_test)):
        y, y_hat = p.to_original_y(y), p.to_original_y(y_hat)
        out += [spell(loss, ".6g"), spell(loss / len(y), ".4g"), spell(evaluate.rmse(y, y_hat), ".3f"),
                spell(evaluate.r2(y, y_hat), ".3f")]
    return out


def spell(x: float, fmt: str) -> str:
    """As the page words a number: digits, or what it is when it has none."""
    return format(x, fmt) if np.isfinite(x) else ("not a number" if np.isnan(x) else "overflow")


@pytest.fixture(scope="module")
def p():
    return data.prepare(data.load_income())


def run_of(p, **kw):
    epochs = kw.get("epochs", 1000)
    h = training.train(p, stride=stride_for(epochs, len(p.y_train) + len(p.y_test)), **kw)
    return h, frames.build(p, h, LABELS, TARGET, "$1000s")


@pytest.fixture(scope="module")
def lecture(p):
    return run_of(p, n_hidden=3, learning_rate=0.05, epochs=1000, seed=321)


@pytest.fixture(scope="module")
def largest(p):
    return run_of(p, n_hidden=32, learning_rate=0.05, epochs=20000, seed=321)


def test_every_shipped_frame_prints_what_history_at_that_epoch_gives(p, lecture):
    h, run = lecture
    epochs = run["frames"]["epoch"]
    assert epochs[0] == 0 and epochs[-1] == 1000 and len(epochs) == frames.MAX_FRAMES
    assert epochs == sorted(set(epochs))
    for e, head, text in zip(epochs, run["frames"]["head"], run["frames"]["text"]):
        assert text == printed(p, h.at(e)), e
        assert head.startswith(f"At epoch {e:,} of 1,000 — ")
    assert run["frames"]["head"][-1] == "At epoch 1,000 of 1,000 — the end of training"
    assert run["frames"]["text"][-1][0] == "0.0238606"           # the final training loss the page has always shown


def test_every_shipped_frame_at_the_largest_setting_matches_history_too(p, largest):
    h, run = largest
    epochs = run["frames"]["epoch"]
    assert epochs[-1] == 20000 and len(epochs) <= frames.MAX_FRAMES
    for i in range(0, len(epochs), 7):
        assert run["frames"]["text"][i] == printed(p, h.at(epochs[i])), epochs[i]


def test_the_weights_of_a_frame_are_that_epochs_weights_in_float32(lecture):
    h, run = lecture
    P = sum(r * c for r, c in run["shapes"])
    W = decode(run["frames"]["weights"]).reshape(-1, P)
    assert len(W) == len(run["frames"]["epoch"])
    for i in (0, 1, 250, len(W) - 1):
        e = run["frames"]["epoch"][i]
        flat = np.concatenate([w.ravel() for w in h.at(e).weights])       # layer by layer, bias row first
        assert np.array_equal(W[i], flat.astype(np.float32))


def test_the_loss_dots_are_the_losses_per_row(lecture):
    h, run = lecture
    per_row = decode(run["frames"]["loss"]).reshape(-1, 2)
    for i, e in enumerate(run["frames"]["epoch"][:50]):
        assert np.allclose(per_row[i], h.losses[e] / [15, 15], rtol=1e-6)


def test_an_epoch_between_frames_is_sent_exactly_when_paused_there(p, lecture):
    h, run = lecture
    between = next(e for e in range(1, 1000) if e not in run["frames"]["epoch"])
    one = frames.one_frame(p, h, between)
    assert one["epoch"] == between and one["text"] == printed(p, h.at(between))
    assert one["head"] == f"At epoch {between:,} of 1,000 — {between / 1000:.0%} of the way"
    assert np.array_equal(decode(one["weights"]), np.concatenate([w.ravel() for w in h.at(between).weights]).astype("<f4"))
    # its dots on the loss chart are per row, as every shipped frame's (the chart's axis), not the sums
    assert np.allclose(one["loss"], h.losses[between] / [15, 15], rtol=1e-12)


def test_the_largest_run_fits_in_a_megabyte_and_deep_ones_get_fewer_frames(p, largest):
    _, run = largest
    assert len(json.dumps(run)) < 1_000_000
    h, deep = run_of(p, n_hidden=(32, 32, 32), learning_rate=0.01, epochs=2000, seed=321)
    assert len(json.dumps(deep)) < 1_000_000
    assert 2 <= len(deep["frames"]["epoch"]) < frames.MAX_FRAMES
    assert deep["frames"]["epoch"][-1] == h.last_epoch


def test_a_diverged_run_ends_on_its_last_finite_epoch_and_is_strict_json(p):
    h, run = run_of(p, n_hidden=3, learning_rate=5.0, epochs=1000, seed=321)
    assert h.diverged_at == 82 and run["last"] == 81 and run["diverged"]
    assert run["frames"]["epoch"][-1] == 81
    assert run["frames"]["head"][-1] == "At epoch 81 of 81 — the last finite epoch"
    json.dumps(run, allow_nan=False)                         # the browser's JSON.parse takes no NaN
    assert run["frames"]["text"][-1] == printed(p, h.at(81))


def test_the_loss_curve_is_downsampled_and_gaps_stay_gaps(p, largest):
    h, run = largest
    c = run["curve"]
    assert len(c["epoch"]) <= 1000 and c["epoch"][0] == 0 and c["epoch"][-1] == 20000
    train = decode(c["train"])
    expected = loss_charts.per_row(h.losses, (15, 15))[c["epoch"], 0]
    assert np.allclose(train, expected, rtol=1e-6)


def test_shown_paths_are_training_rows_with_their_targets(p, lecture):
    h, run = lecture
    paths = run["paths"]
    K, m = len(paths["epoch"]), len(paths["rows"])
    pred = decode(paths["predicted"]).reshape(K, m)
    kept = h.kept_predictions()
    i = list(kept.epochs).index(paths["epoch"][5])
    assert np.allclose(pred[5], p.to_original_y(kept.train[i][paths["rows"]])[:, 0], rtol=1e-6)
    assert np.allclose(paths["targets"], p.to_original_y(p.y_train[paths["rows"]])[:, 0])


def test_the_learned_surface_spans_every_row_and_its_colours_come_from_the_final_weights(p, lecture):
    h, run = lecture
    learned = run["learned"]
    sfc = evaluate.surface(p, h.at(1000).weights, "sigmoid", resolution=frames.GRID, margin=frames.MARGIN)
    assert learned["kind"] == "surface" and np.allclose(learned["x1"], sfc.x1) and np.allclose(learned["x2"], sfc.x2)
    X = decode(run["points"]["x"]).reshape(-1, 2)
    assert len(X) == 30 and run["points"]["n_train"] == 15
    assert learned["x1"][0] < X[:, 0].min() and learned["x1"][-1] > X[:, 0].max()


@pytest.mark.parametrize("n_features", [1, 3])
def test_other_numbers_of_inputs_get_a_line_per_input(n_features):
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.uniform(1, 5, size=(40, n_features)), columns=[f"f{i}" for i in range(n_features)])
    df["y"] = df.sum(axis=1) + rng.normal(0, 0.1, 40)
    p = data.prepare(df, features=tuple(df.columns[:-1]), target="y")
    h = training.train(p, n_hidden=2, epochs=50)
    run = frames.build(p, h, list(df.columns[:-1]), "y <b>&amp;")           # user text travels as text
    assert run["learned"]["kind"] == "curves" and len(run["learned"]["lines"]) == n_features
    assert run["labels"]["target"] == "y <b>&amp;"
    assert all(len(line["x"]) == frames.CURVE_POINTS for line in run["learned"]["lines"])


def test_the_run_id_names_the_content(p, lecture):
    _, run = lecture
    _, again = run_of(p, n_hidden=3, learning_rate=0.05, epochs=1000, seed=321)
    _, other = run_of(p, n_hidden=3, learning_rate=0.05, epochs=1000, seed=322)
    assert run["id"] == again["id"] != other["id"]


def test_frame_picks_spread_evenly_and_keep_both_ends():
    picks = frames.frame_picks(1001, 600)
    assert picks[0] == 0 and picks[-1] == 1000 and len(picks) <= 600
    assert np.diff(picks).max() - np.diff(picks).min() <= 1
    assert list(frames.frame_picks(5, 600)) == [0, 1, 2, 3, 4]


def test_the_lecture_run_says_what_its_numbers_mean_at_each_epoch(p):
    """Seed 9, η 0.01 (the lecture's link): R² below 0 early on, predictions flat at the mean around
    epoch 200, and a run that ends with its loss still falling."""
    h, run = run_of(p, n_hidden=3, learning_rate=0.01, epochs=1000, seed=9)
    notes, said = run["notes"], run["frames"]["note"]
    note_at = {e: (notes[k] if k >= 0 else "") for e, k in zip(run["frames"]["epoch"], said)}
    for e, text in note_at.items():
        snap = h.at(e)
        r2 = [evaluate.r2(p.to_original_y(y), p.to_original_y(yh))
              for y, yh in ((p.y_train, snap.y_hat_train), (p.y_test, snap.y_hat_test))]
        assert ("R² below 0" in text) == (min(r2) < 0), e
        flat = np.std(snap.y_hat_train) < frames.FLAT * np.std(p.y_train)
        assert ("nearly all alike" in text) == flat, e
    assert any("nearly all alike" in t for e, t in note_at.items() if 150 <= e <= 250)
    L = h.losses[:, 0]
    assert L[900] - L[1000] > 0.01 * L[900]                 # independently: still falling at the end
    assert "still falling (13% over its last 100 epochs)" in note_at[1000]
    assert "not finished" not in " ".join(t for e, t in note_at.items() if e < 1000)


def test_a_diverged_run_says_why_its_charts_end_and_a_pinned_epoch_carries_its_note(p):
    h, run = run_of(p, n_hidden=3, learning_rate=5.0, epochs=1000, seed=321)
    last = run["notes"][run["frames"]["note"][-1]]
    assert "Training diverged at epoch 82" in last and "every chart ends at epoch 81" in last
    h9, run9 = run_of(p, n_hidden=3, learning_rate=0.01, epochs=1000, seed=9)
    between = next(e for e in range(1, 100) if e not in run9["frames"]["epoch"])
    assert "R² below 0" in frames.one_frame(p, h9, between, "Income")["note"]

"""The Training & results page under AppTest: numbers equal core's, the slider drives every view,
Play moves it, a diverging run is explained, downloads hold the right rows."""

import io
import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from core import data, evaluate, training
from tests.app.helpers import no_exception, open_app, texts
from tests.fakes import Clock
from ui.draw import playback
from ui.serve.cache import SEED_COUNT, stride_for
from ui.serve.internals import MediaFileManager, app_test

DIVERGE = "Learning rate too high (η 5)"


@pytest.fixture(scope="module")
def p():
    return data.prepare(data.load_income())


@pytest.fixture(scope="module")
def h(p):
    return training.train(p, n_hidden=3, learning_rate=0.05, epochs=1000, seed=321, stride=stride_for(1000))


def charts(at) -> dict[str, dict[str, pd.DataFrame]]:
    """Each chart's datasets, keyed by a dataset name only that chart has."""
    found = {}
    for el in at.get("vega_lite_chart"):
        frames = {d.name: pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in el.proto.datasets}
        key = next(n for n in ("loss", "paths", "fit", "cells", "curve", "band", "finals") if n in frames)
        found[key] = frames
    return found


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label))


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(playback, "clock", c)
    return c


@pytest.fixture
def media(monkeypatch):
    """Every run's media file manager, so a test can read what a download button holds."""
    managers = []

    class Recording(MediaFileManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            managers.append(self)

    monkeypatch.setattr(app_test, "MediaFileManager", Recording)
    return managers


def download(managers, at, starts_with: str) -> str:
    button = next(b for b in at.get("download_button") if b.label.startswith(starts_with))
    mgr = managers[-1]
    url = mgr.execute_deferred(button.proto.deferred_file_id) if button.proto.deferred_file_id else button.proto.url
    return mgr._storage.get_file(url.rsplit("/", 1)[-1]).content.decode()


# ----------------------------------------------------------------------------- numbers


def test_metrics_at_the_end_equal_core_on_the_history(p, h):
    at = open_app("training")
    no_exception(at)
    final = h.at(1000)
    y, y_hat = p.to_original_y(p.y_train), p.to_original_y(final.y_hat_train)
    yt, yt_hat = p.to_original_y(p.y_test), p.to_original_y(final.y_hat_test)
    assert metric(at, "Training loss") == f"{h.losses[-1, 0]:.6g}" == "0.0238606"
    assert metric(at, "Test loss") == f"{h.losses[-1, 1]:.6g}"
    assert metric(at, "Training RMSE") == f"{evaluate.rmse(y, y_hat):.3f}"
    assert metric(at, "Test RMSE") == f"{evaluate.rmse(yt, yt_hat):.3f}"
    assert metric(at, "Training R²") == f"{evaluate.r2(y, y_hat):.3f}"
    assert metric(at, "Test R²") == f"{evaluate.r2(yt, yt_hat):.3f}"
    assert "in the target's units (\\$1000s)" in texts(at)
    assert "At epoch 1,000 of 1,000 — the end of training" in texts(at)
    assert at.slider(key="epoch").value == 1000 and not at.slider(key="epoch").disabled


def test_the_epoch_slider_moves_every_view(p, h):
    at = open_app("training")
    at.slider(key="epoch").set_value(250).run()
    no_exception(at)
    snap = h.at(250)
    assert "At epoch 250 of 1,000 — 25% of the way" in texts(at)
    assert metric(at, "Training loss") == f"{snap.loss_train:.6g}"
    assert metric(at, "Test RMSE") == f"{evaluate.rmse(p.to_original_y(p.y_test), p.to_original_y(snap.y_hat_test)):.3f}"
    views = charts(at)
    assert views["loss"]["epoch"].epoch.tolist() == [250]
    assert np.allclose(views["loss"]["cursor"].loss, h.losses[250] / [15, 15])     # per row: 15 and 15 rows
    assert views["paths"]["epoch"].epoch.tolist() == [250]
    assert np.allclose(views["paths"]["cursor"].predicted, p.to_original_y(snap.y_hat_train)[:, 0])
    assert np.allclose(views["fit"]["fit"].predicted[:15], p.to_original_y(snap.y_hat_train)[:, 0])
    sfc = evaluate.surface(p, snap.weights, "sigmoid", margin=0.25)
    assert np.allclose(views["cells"]["cells"].predicted, sfc.y_hat.ravel())
    labels = [b.label for b in at.get("download_button")]
    assert "Weights at epoch 250 (JSON)" in labels and "Predictions at epoch 250 (CSV)" in labels


def test_static_data_is_the_same_at_every_epoch_so_only_cursors_travel(h):
    at = open_app("training")
    before = charts(at)
    at.slider(key="epoch").set_value(10).run()
    after = charts(at)
    assert before["paths"]["paths"].equals(after["paths"]["paths"])
    assert before["loss"]["loss"].equals(after["loss"]["loss"])
    assert not before["paths"]["cursor"].equals(after["paths"]["cursor"])


def test_a_link_with_an_epoch_opens_at_that_epoch(h):
    at = open_app("training", {"epoch": "37"})
    no_exception(at)
    assert at.slider(key="epoch").value == 37
    assert metric(at, "Training loss") == f"{h.losses[37, 0]:.6g}"
    assert not at.warning


@pytest.mark.parametrize("bad", ["abc", "5000", "-3"])
def test_a_bad_epoch_in_the_link_falls_back_with_a_notice(bad):
    at = open_app("training", {"epoch": bad})
    no_exception(at)
    assert at.slider(key="epoch").value == 1000
    notice = "\n".join(w.value for w in at.warning)
    assert f"`epoch={bad}`" in notice and "0 to 1,000" in notice


def test_a_shorter_run_keeps_the_epoch_in_range():
    at = open_app("training")
    at.slider(key="epoch").set_value(900).run()
    at.sidebar.number_input(key="epochs").set_value(300).run()
    no_exception(at)
    assert at.slider(key="epoch").value <= 300
    assert "of 300" in texts(at)


# ----------------------------------------------------------------------------- divergence


def test_the_learning_rate_too_high_preset_explains_the_divergence():
    at = open_app("training")
    at.sidebar.selectbox(key="preset").set_value(DIVERGE).run()
    no_exception(at)
    banner = at.error[0].value
    assert "Training diverged at epoch 82" in banner
    assert "η = 5" in banner and "Why" in banner and "η = 0.5" in banner
    assert "At epoch 81 of 81 — the last finite epoch" in texts(at)
    assert metric(at, "Training RMSE") == "overflow"
    for name, frames in charts(at).items():
        for frame in frames.values():
            numbers = frame.select_dtypes("number").to_numpy(dtype=float)
            assert np.all(np.isfinite(numbers)), name
    assert charts(at)["loss"]["loss"].epoch.max() == 81
    at.slider(key="epoch").set_value(0).run()
    no_exception(at)
    assert "At epoch 0 of 81" in texts(at)


def test_a_run_that_does_not_diverge_has_no_banner():
    at = open_app("training")
    no_exception(at)
    assert "At epoch 1,000 of 1,000 — the end of training" in texts(at)
    assert not at.error


# ----------------------------------------------------------------------------- downloads


def test_downloads_hold_the_right_rows(media, p, h):
    at = open_app("training")
    at.slider(key="epoch").set_value(400).run()
    history = pd.read_csv(io.StringIO(download(media, at, "Loss history")))
    assert history.columns.tolist() == ["epoch", "train_loss", "test_loss"]
    assert history.epoch.tolist() == list(range(1001))
    assert np.allclose(history[["train_loss", "test_loss"]], h.losses, rtol=1e-9)
    weights = json.loads(download(media, at, "Weights at epoch 400"))
    snap = h.at(400)
    assert weights["epoch"] == 400 and weights["settings"]["seed"] == 321
    assert np.array_equal(weights["W_H"], snap.W_H) and np.array_equal(weights["W_O"], snap.W_O)
    predictions = pd.read_csv(io.StringIO(download(media, at, "Predictions at epoch 400")))
    assert len(predictions) == 30 and (predictions.split == "test").sum() == 15
    assert np.allclose(predictions["predicted Income"][:15], p.to_original_y(snap.y_hat_train)[:, 0])
    assert predictions.row.tolist() == list(p.train_rows) + list(p.test_rows)


def test_the_history_download_of_a_diverged_run_has_only_finite_epochs(media):
    at = open_app("training", {"lr": "5"})
    history = pd.read_csv(io.StringIO(download(media, at, "Loss history")))
    assert history.epoch.tolist() == list(range(82))
    assert np.all(np.isfinite(history[["train_loss", "test_loss"]]))


# ----------------------------------------------------------------------------- Play


def play_button(at):
    return at.button(key="play")


def shown_epoch(at) -> int:
    """The epoch the page shows, read from its heading ("At epoch 250 of 1,000 — …")."""
    heading = next(m.value for m in at.markdown if m.value.startswith("#### At epoch "))
    return int(heading.split()[3].replace(",", ""))


def playing_bar(at) -> str:
    return at.get("progress")[0].proto.text if at.get("progress") else ""


def test_play_starts_from_epoch_0_and_follows_the_clock(clock, h):
    at = open_app("training")
    play_button(at).click().run()
    no_exception(at)
    assert play_button(at).label == "Pause"
    assert shown_epoch(at) == 0 and "Epoch **0** of 1,000" in playing_bar(at)
    assert not [s for s in at.slider if s.key == "epoch"]        # no link-bound slider while playing
    frames = [b for b in at.get("download_button") if "at epoch" in b.label]
    assert len(frames) == 2 and all(b.proto.disabled for b in frames)     # no files for passing frames
    clock.now += 5.0                                   # a quarter of the 20-second run
    at.run()
    assert shown_epoch(at) == 250 and "Epoch **250** of 1,000" in playing_bar(at)
    assert "At epoch 250 of 1,000" in texts(at)
    assert charts(at)["paths"]["epoch"].epoch.tolist() == [250]
    loss = charts(at)["loss"]
    assert loss["upto"].epoch.max() <= 250 < loss["loss"].epoch.max()     # the curve drawn up to now
    clock.now += 0.13
    at.run()
    assert shown_epoch(at) == 256                      # 5.13 s of 20 s, on a stored epoch


def test_the_link_gets_the_epoch_once_when_playing_stops(clock):
    at = open_app("training")
    play_button(at).click().run()
    for _ in range(4):
        clock.now += 2.0
        at.run()
        assert "epoch" not in at.query_params              # frames never touch the link
    clock.now += 30.0
    at.run()                                           # the last frame, then a run without a timer
    no_exception(at)
    assert "epoch" not in at.query_params              # the last epoch is the slider's default
    assert at.slider(key="epoch").value == 1000 and not at.slider(key="epoch").disabled
    assert at.session_state[playback.PLAY] is None and play_button(at).label == "Play"
    at.run()
    assert at.slider(key="epoch").value == 1000 and not playing_bar(at)


@pytest.mark.parametrize("chosen", [0, 123, 500, 1000])
def test_after_playing_any_epoch_the_student_picks_sticks_at_once(clock, chosen):
    at = open_app("training")
    play_button(at).click().run()
    clock.now += 5.0
    at.run()
    clock.now += 30.0
    at.run()
    at.slider(key="epoch").set_value(chosen).run()
    assert at.slider(key="epoch").value == chosen and shown_epoch(at) == chosen
    at.run()
    assert at.slider(key="epoch").value == chosen


def test_pause_keeps_the_epoch_of_the_last_frame(clock):
    at = open_app("training", {"epoch": "100"})
    play_button(at).click().run()
    assert shown_epoch(at) == 100                      # plays on from the chosen epoch
    clock.now += 2.0
    at.run()
    assert shown_epoch(at) == 200
    clock.now += 0.2                                   # the click comes a moment after the frame
    play_button(at).click().run()
    no_exception(at)
    assert play_button(at).label == "Play" and at.slider(key="epoch").value == 200
    assert at.query_params["epoch"] == "200"           # written once, when playing stopped
    clock.now += 5.0
    at.run()
    assert at.slider(key="epoch").value == 200 and shown_epoch(at) == 200


def test_a_click_that_reaches_its_callback_twice_still_pauses_and_still_plays(clock, monkeypatch):
    """On a busy server one click can run its callback twice (seen in the browser tests under load:
    once in a timer's fragment run, then again in the full run). A toggle then undid the click."""
    state = {"epoch": 0}
    monkeypatch.setattr(playback, "st", SimpleNamespace(session_state=state))
    for _ in range(2):
        playback._play("epoch", 1000)
    assert state[playback.PLAY] == {"start": 0, "t0": clock.now}
    state[playback.FRAME] = 240
    clock.now += 3.0
    for _ in range(2):
        playback._pause("epoch")
    assert state[playback.PLAY] is None and state["epoch"] == 240


def test_a_faster_speed_keeps_the_position(clock):
    at = open_app("training")
    play_button(at).click().run()
    clock.now += 4.0
    at.run()
    assert shown_epoch(at) == 200
    at.button_group(key=playback.SPEED).set_value("Fast").run()
    assert shown_epoch(at) == 200
    clock.now += 2.0                                   # fast: the whole run in 8 s
    at.run()
    assert shown_epoch(at) == 450


def test_play_lands_on_stored_epochs_of_a_long_run(clock):
    at = open_app("training", {"epochs": "5000"})
    play_button(at).click().run()
    for _ in range(4):
        clock.now += 1.7
        at.run()
        no_exception(at)
        assert shown_epoch(at) % stride_for(5000) == 0


def test_nothing_raises_while_playing_a_diverging_run(clock):
    at = open_app("training", {"lr": "5"})
    play_button(at).click().run()
    for _ in range(25):
        clock.now += 1.0
        at.run()
        no_exception(at)
    assert at.slider(key="epoch").value == 81 and play_button(at).label == "Play"


# ----------------------------------------------------------------------------- seeds, projector


def test_seed_sensitivity_reports_the_spread_of_20_seeds(p):
    at = open_app("training")
    assert "band" not in charts(at)                    # trained only when asked for
    at.toggle(key="seeds").set_value(True).run()
    no_exception(at)
    ens = training.train_many(p, [321 + i for i in range(SEED_COUNT)], n_hidden=3, learning_rate=0.05,
                              epochs=1000)
    text = texts(at)
    assert f"median **{np.median(ens.final_loss_test):.4g}**" in text
    assert f"lowest **{ens.final_loss_test.min():.4g}**" in text
    views = charts(at)
    assert len(views["finals"]["finals"]) == SEED_COUNT
    assert views["band"]["band"].epoch.iloc[-1] == 1000


def test_a_bad_seeds_value_in_the_link_gets_a_notice():
    at = open_app("training", {"seeds": "maybe"})
    no_exception(at)
    assert "`seeds=maybe`" in "\n".join(w.value for w in at.warning)


def test_projector_mode_draws_larger_charts():
    normal, big = open_app("training"), open_app("training", {"projector": "true"})
    no_exception(big)
    font = lambda at: json.loads(at.get("vega_lite_chart")[0].proto.spec)["config"]["axis"]["labelFontSize"]  # noqa: E731
    assert font(big) > font(normal)


def test_a_single_epoch_run_works():
    at = open_app("training", {"epochs": "1"})
    no_exception(at)
    assert "At epoch 1 of 1" in texts(at)


def test_per_row_losses_order_training_and_test_as_rmse_does_when_the_test_set_is_small(p):
    """Test fraction 0.2: 24 training rows, 6 test rows. The summed losses put test below training
    (fewer rows to sum), while the test RMSE is worse; the per-row figures say what RMSE says."""
    at = open_app("training", {"test": "0.2"})
    value = {m.label: float(m.value) for m in at.metric}
    assert value["Test loss"] < value["Training loss"]                          # the sums mislead…
    assert value["Test RMSE"] > value["Training RMSE"]
    assert value["Test loss per row"] > value["Training loss per row"]          # …per row does not
    assert value["Training loss per row"] == pytest.approx(value["Training loss"] / 24, rel=1e-3)
    assert value["Test loss per row"] == pytest.approx(value["Test loss"] / 6, rel=1e-3)
    assert "compare training with test **per row**" in texts(at)


def _jump_start(p):
    L = training.train(p, n_hidden=32, learning_rate=0.05, epochs=1000, seed=321).losses[:, 0]
    return f"**A large jump at the start.** The training loss rose from {L[0]:.4g} at epoch 0 to {L[1]:.4g}"


@pytest.mark.parametrize("query, start", [
    ({"hidden": "32"}, _jump_start),
    ({"hidden": "5", "seed": "9"}, "**A spike after a calm stretch.**"),
    ({"hidden": "5", "seed": "0", "act": "relu"}, "**Units that stopped learning: 5 of the 5 units of the hidden layer"),
])
def test_the_page_names_the_instability_a_run_goes_through(p, query, start):
    start = start(p) if callable(start) else start
    at = open_app("training", query)
    no_exception(at)
    assert any(box.value.startswith(start) and "**Why:**" in box.value and "**What to try:**" in box.value
               for box in at.info)


def test_the_lecture_run_has_no_instability_to_name():
    at = open_app("training")
    assert not [box for box in at.info if "**Why:**" in box.value]

"""The Training & results page under AppTest: the numbers the browser is told to print equal core's,
the slider moves them, Play and its stop reach the link once, a diverging run is explained,
downloads hold the right rows. (The drawing itself is tested in tests/e2e.)"""

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core import data, evaluate, training
from tests.app.helpers import browser_sends, component_data, no_exception, open_app, texts
from ui.draw import playback
from ui.serve.cache import SEED_COUNT, stride_for
from ui.serve.internals import MediaFileManager, app_test

PLAYER_JS = (Path(__file__).resolve().parents[2] / "ui" / "browser" / "player.js").read_text(encoding="utf-8")

DIVERGE = "Learning rate too high (η 5)"
NAMES = [f"{split} {m}" for split in ("Training", "Test") for m in ("loss", "loss per row", "RMSE", "R²")]


@pytest.fixture(scope="module")
def p():
    return data.prepare(data.load_income())


@pytest.fixture(scope="module")
def h(p):
    return training.train(p, n_hidden=3, learning_rate=0.05, epochs=1000, seed=321, stride=stride_for(1000))


def charts(at) -> dict[str, dict[str, pd.DataFrame]]:
    """Each Vega-Lite chart's datasets (the charts that do not follow the epoch), by a dataset name."""
    import pyarrow as pa
    found = {}
    for el in at.get("vega_lite_chart"):
        frames = {d.name: pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in el.proto.datasets}
        key = next((n for n in ("band", "finals", "curves") if n in frames), None)
        if key:
            found[key] = frames
    return found


def controls(at) -> dict:
    (c,) = component_data(at, "controls")
    return c


def run_sent(at) -> dict:
    (r,) = component_data(at, "run")
    return r["run"]


def shown(at) -> tuple[int, str, dict[str, str]]:
    """What the browser prints: the epoch, the heading and the eight numbers by name — the exact
    numbers the page sent for an epoch between frames, else that shipped frame's."""
    c, run = controls(at), run_sent(at)
    if c["pinned"] is not None:
        frame = c["pinned"]
        return frame["epoch"], frame["head"], dict(zip(NAMES, frame["text"]))
    i = run["frames"]["epoch"].index(c["epoch"])          # paused: always a shipped frame or pinned
    return c["epoch"], run["frames"]["head"][i], dict(zip(NAMES, run["frames"]["text"][i]))


def metric(at, name: str) -> str:
    return shown(at)[2][name]


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
    epoch, heading, numbers = shown(at)
    assert epoch == 1000 and heading == "At epoch 1,000 of 1,000 — the end of training"
    assert numbers["Training loss"] == f"{h.losses[-1, 0]:.6g}" == "0.0238606"
    assert numbers["Test loss"] == f"{h.losses[-1, 1]:.6g}"
    assert numbers["Training RMSE"] == f"{evaluate.rmse(y, y_hat):.3f}"
    assert numbers["Test RMSE"] == f"{evaluate.rmse(yt, yt_hat):.3f}"
    assert numbers["Training R²"] == f"{evaluate.r2(y, y_hat):.3f}"
    assert numbers["Test R²"] == f"{evaluate.r2(yt, yt_hat):.3f}"
    (view,) = component_data(at, "view")
    assert "in the target's units ($1000s)" in view["captions"]["scores"]
    assert at.slider(key="epoch").value == 1000 and not at.slider(key="epoch").disabled


def test_the_epoch_slider_moves_every_view(p, h):
    at = open_app("training")
    at.slider(key="epoch").set_value(250).run()
    no_exception(at)
    snap = h.at(250)
    epoch, heading, numbers = shown(at)
    assert epoch == 250 and heading == "At epoch 250 of 1,000 — 25% of the way"
    assert numbers["Training loss"] == f"{snap.loss_train:.6g}"
    assert numbers["Test RMSE"] == f"{evaluate.rmse(p.to_original_y(p.y_test), p.to_original_y(snap.y_hat_test)):.3f}"
    labels = [b.label for b in at.get("download_button")]
    assert "Weights at epoch 250 (JSON)" in labels and "Predictions at epoch 250 (CSV)" in labels


def test_the_run_is_sent_once_and_only_the_epoch_travels(h):
    """The run's data does not change with the epoch: the browser gets it once (Streamlit sends an
    unchanged message as a reference), and a new epoch is a few numbers."""
    at = open_app("training")
    before, views_before = run_sent(at), component_data(at, "view")
    at.slider(key="epoch").set_value(10).run()
    assert run_sent(at) == before and component_data(at, "view") == views_before
    assert controls(at)["epoch"] == 10 and controls(at)["run"] == before["id"]
    assert len(json.dumps(controls(at))) < 2_000
    scripts = {json.loads(e.proto.json)["role"]: len(e.proto.js_content) for e in at.get("bidi_component")
               if json.loads(e.proto.json).get("role")}
    assert scripts["run"] == len(PLAYER_JS)            # the player's script travels with the run, once
    assert scripts["controls"] < 2_000 and scripts["view"] < 2_000       # not with every epoch


def test_an_epoch_between_the_shipped_frames_is_sent_exactly(p, h):
    frames_sent = run_sent(open_app("training"))["frames"]["epoch"]
    between = next(e for e in range(30, 1000) if e not in frames_sent)
    at = open_app("training", {"epoch": str(between)})
    no_exception(at)
    assert at.slider(key="epoch").value == between
    assert controls(at)["pinned"]["epoch"] == between
    assert metric(at, "Training loss") == f"{h.losses[between, 0]:.6g}"
    assert not at.warning
    at.slider(key="epoch").set_value(frames_sent[100]).run()
    assert controls(at)["pinned"] is None                   # a shipped frame needs nothing extra


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
    assert "of 300" in shown(at)[1]


# ----------------------------------------------------------------------------- divergence


def test_the_learning_rate_too_high_preset_explains_the_divergence():
    at = open_app("training")
    at.sidebar.selectbox(key="preset").set_value(DIVERGE).run()
    no_exception(at)
    banner = at.error[0].value
    assert "Training diverged at epoch 82" in banner
    assert "η = 5" in banner and "Why" in banner and "η = 0.5" in banner
    epoch, heading, numbers = shown(at)
    assert heading == "At epoch 81 of 81 — the last finite epoch"
    assert numbers["Training RMSE"] == "overflow"
    json.dumps(run_sent(at), allow_nan=False)                     # what the browser parses is plain JSON
    assert run_sent(at)["curve"]["epoch"][-1] == 81
    at.slider(key="epoch").set_value(0).run()
    no_exception(at)
    assert shown(at)[1].startswith("At epoch 0 of 81")


def test_a_run_that_does_not_diverge_has_no_banner():
    at = open_app("training")
    no_exception(at)
    assert shown(at)[1] == "At epoch 1,000 of 1,000 — the end of training"
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


def frame_downloads(at):
    return [b for b in at.get("download_button") if "at epoch" in b.label]


def test_play_hides_the_slider_and_the_files_of_the_paused_epoch_until_the_browser_stops():
    at = open_app("training")
    browser_sends(at, "play", {"epoch": 0, "n": 1})
    no_exception(at)
    assert controls(at)["playing"] is True and controls(at)["seen"] == 1
    assert not [s for s in at.slider if s.key == "epoch"]        # no link-bound slider while playing
    assert len(frame_downloads(at)) == 2 and all(b.proto.disabled for b in frame_downloads(at))
    assert "epoch" not in at.query_params
    browser_sends(at, "stop", {"epoch": 200, "reason": "pause", "n": 2})
    no_exception(at)
    assert controls(at)["playing"] is False and controls(at)["seen"] == 2 and controls(at)["epoch"] == 200
    assert at.slider(key="epoch").value == 200 and at.query_params["epoch"] == "200"   # written once, at the stop
    assert not any(b.proto.disabled for b in frame_downloads(at))
    at.run()
    assert at.slider(key="epoch").value == 200 and shown(at)[0] == 200


def test_playing_to_the_end_leaves_a_clean_link():
    at = open_app("training", {"epoch": "100"})
    browser_sends(at, "play", {"epoch": 100, "n": 1})
    browser_sends(at, "stop", {"epoch": 1000, "reason": "end", "n": 2})
    no_exception(at)
    assert "epoch" not in at.query_params              # the last epoch is the slider's default
    assert at.slider(key="epoch").value == 1000 and shown(at)[0] == 1000


@pytest.mark.parametrize("chosen", [0, 123, 500, 1000])
@pytest.mark.fast_sample(2)
def test_after_playing_any_epoch_the_student_picks_sticks_at_once(chosen):
    at = open_app("training")
    browser_sends(at, "play", {"epoch": 0, "n": 1})
    browser_sends(at, "stop", {"epoch": 1000, "reason": "end", "n": 2})
    at.slider(key="epoch").set_value(chosen).run()
    assert at.slider(key="epoch").value == chosen and shown(at)[0] == chosen
    at.run()
    assert at.slider(key="epoch").value == chosen


def test_a_message_that_arrives_twice_changes_nothing_more():
    """On a busy server a message can reach its callback twice; playing twice is still playing."""
    at = open_app("training")
    for _ in range(2):
        browser_sends(at, "play", {"epoch": 0, "n": 1})
    assert controls(at)["playing"] is True
    for _ in range(2):
        browser_sends(at, "stop", {"epoch": 240, "n": 2})
    assert controls(at)["playing"] is False and at.slider(key="epoch").value == 240


@pytest.mark.parametrize("forged", [
    {"epoch": 1e300}, {"epoch": -7}, {"epoch": "abc"}, {"epoch": float("nan")}, {"epoch": True}, {"n": "x"},
    "not a dict", None, [1, 2], {"epoch": 12.6, "n": 10**30},
])
@pytest.mark.fast_sample(3)
def test_whatever_the_browser_sends_the_page_keeps_a_valid_epoch(forged):
    """A student can send any message from the browser's console: never a traceback, the epoch in range."""
    at = open_app("training")
    browser_sends(at, "play", forged)
    browser_sends(at, "stop", forged)
    no_exception(at)
    assert 0 <= at.slider(key="epoch").value <= 1000
    assert controls(at)["playing"] is False


def test_the_browser_is_told_where_the_page_is_while_the_server_thinks_it_plays():
    """A page left while playing comes back playing with nothing animating: the browser is told, and
    says stop (tested in the browser); here, the page's side of it."""
    at = open_app("training")
    browser_sends(at, "play", {"epoch": 0, "n": 4})
    at.switch_page("app_pages/network.py").run()
    at.switch_page("app_pages/training.py").run()
    no_exception(at)
    c = controls(at)
    assert c["seen"] == 4 and c["epoch"] in run_sent(at)["frames"]["epoch"] + [c["pinned"] and c["pinned"]["epoch"]]


def test_a_diverging_run_plays_and_stops_on_its_last_finite_epoch():
    at = open_app("training", {"lr": "5"})
    browser_sends(at, "play", {"epoch": 0, "n": 1})
    browser_sends(at, "stop", {"epoch": 81, "reason": "end", "n": 2})
    no_exception(at)
    assert at.slider(key="epoch").value == 81 and shown(at)[1] == "At epoch 81 of 81 — the last finite epoch"


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


def test_projector_mode_draws_larger_charts_and_the_loss_beside_the_controls():
    normal, big = open_app("training"), open_app("training", {"projector": "true"})
    no_exception(big)
    assert controls(big)["look"]["font"] > controls(normal)["look"]["font"] and controls(big)["look"]["projector"]
    assert [v["parts"] for v in component_data(normal, "view")] == [[["scores"], ["loss", "trajectories"],
                                                                      ["fit", "learned"]]]
    assert [v["parts"] for v in component_data(big, "view")] == [[["scores"]], [["loss"]],
                                                                   [["trajectories"], ["fit"], ["learned"]]]


def test_a_single_epoch_run_works():
    at = open_app("training", {"epochs": "1"})
    no_exception(at)
    assert shown(at)[1].startswith("At epoch 1 of 1")


def test_per_row_losses_order_training_and_test_as_rmse_does_when_the_test_set_is_small(p):
    """Test fraction 0.2: 24 training rows, 6 test rows. The summed losses put test below training
    (fewer rows to sum), while the test RMSE is worse; the per-row figures say what RMSE says."""
    at = open_app("training", {"test": "0.2"})
    value = {name: float(text) for name, text in shown(at)[2].items()}
    assert value["Test loss"] < value["Training loss"]                          # the sums mislead…
    assert value["Test RMSE"] > value["Training RMSE"]
    assert value["Test loss per row"] > value["Training loss per row"]          # …per row does not
    assert value["Training loss per row"] == pytest.approx(value["Training loss"] / 24, rel=1e-3)
    assert value["Test loss per row"] == pytest.approx(value["Test loss"] / 6, rel=1e-3)
    assert "compare training with test per row" in component_data(at, "view")[0]["captions"]["scores"]


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

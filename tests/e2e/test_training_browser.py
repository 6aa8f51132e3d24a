"""Training & results in a real browser: Play animates in the page at 20+ frames a second while the
server hears nothing but "play" and "stop"; a paused frame shows History.at(e); cold deep links,
divergence, user text, a page left while playing."""

import base64
import random
import re
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

from core import data, evaluate, network, training
from tests.e2e.conftest import (assert_no_exception, curve_height, go_to, no_horizontal_scroll, open_and_upload,
                                screenshot, wait_ready)
from tests.e2e.player import MAIN, Requests, controls, drawn, last_play, pause_button, play_button, shown
from ui.serve.cache import stride_for
from ui.views.style import BLUE

PLAYER_JS = Path(__file__).resolve().parents[2] / "ui" / "browser" / "player.js"


pytestmark = pytest.mark.usefixtures("no_script_errors")    # the page's JavaScript never throws


def printed(p, snap) -> dict[str, str]:
    """The eight numbers of a paused page at ``snap``, worked out here from core, one epoch at a time."""
    out = {}
    with np.errstate(all="ignore"):
        for split, y, y_hat, loss in (("Training", p.y_train, snap.y_hat_train, snap.loss_train),
                                      ("Test", p.y_test, snap.y_hat_test, snap.loss_test)):
            y, y_hat = p.to_original_y(y), p.to_original_y(y_hat)
            out.update({f"{split} loss": f"{loss:.6g}", f"{split} loss per row": f"{loss / len(y):.4g}",
                        f"{split} RMSE": f"{evaluate.rmse(y, y_hat):.3f}", f"{split} R²": f"{evaluate.r2(y, y_hat):.3f}"})
    return out


def play_to_the_end(page, requests: Requests, last: int, timeout: float = 120_000) -> list[str]:
    """Press Play, wait for the end; the rerun requests the page sent meanwhile."""
    start = requests.mark()
    play_button(page).click()
    expect(controls(page)).to_have_attribute("data-playing", "true", timeout=10_000)
    expect(controls(page)).to_have_attribute("data-playing", "false", timeout=timeout)
    expect(controls(page)).to_have_attribute("data-epoch", str(last))
    wait_ready(page)
    return requests.events(start)


def test_play_at_the_largest_settings_draws_20_frames_a_second_and_asks_the_server_nothing(server, page):
    requests = Requests(page)
    page.goto(f"{server.url}/training?epochs=20000&hidden=32")
    wait_ready(page, timeout=180_000)
    assert_no_exception(page)
    drawn(page)
    assert shown(page)[1] == "At epoch 20,000 of 20,000 — the end of training"
    assert no_horizontal_scroll(page)
    page.get_by_role("radio", name="Fast").click()          # eight seconds for the whole run
    sent = play_to_the_end(page, requests, 20000)
    assert sent == ["play", "stop"], sent                  # nothing between the start and the end
    frames, seconds = last_play(page)
    assert frames / seconds >= 20, f"{frames} frames in {seconds:.1f} s"
    expect(page.get_by_role("slider", name="Epoch")).to_have_value("20000")
    assert "epoch=" not in page.url                        # the last epoch is the default: a clean link
    assert_no_exception(page)


def test_pause_at_a_random_epoch_shows_what_history_gives_there(server, page):
    p = data.prepare(data.load_income())
    h = training.train(p, n_hidden=3, learning_rate=0.05, epochs=1000, seed=321, stride=stride_for(1000))
    requests = Requests(page)
    page.goto(f"{server.url}/training")
    wait_ready(page)
    drawn(page)
    start = requests.mark()
    play_button(page).click()                              # Normal: twenty seconds for the run
    expect(controls(page)).to_have_attribute("data-playing", "true")
    target = random.randint(75, 600)                       # somewhere 1.5 to 12 s into the twenty
    page.wait_for_function("""t => { const c = document.querySelector('[data-testid="stMain"] [data-playing]');
                                    return c && Number(c.getAttribute('data-epoch')) >= t; }""",
                           arg=target, timeout=60_000)
    pause_button(page).click()
    expect(controls(page)).to_have_attribute("data-playing", "false")
    epoch, head, values = shown(page)
    assert 0 < epoch < 1000
    assert head == f"At epoch {epoch:,} of 1,000 — {epoch / 1000:.0%} of the way"
    assert values == printed(p, h.at(epoch))
    slider = page.get_by_role("slider", name="Epoch")       # the server's reply to "stop": the slider is back
    expect(slider).to_have_value(str(epoch), timeout=20_000)
    assert f"epoch={epoch}" in page.url and requests.events(start) == ["play", "stop"]
    assert shown(page) == (epoch, head, values)             # the reply moved nothing
    note = page.locator(f"{MAIN} .bpx-note")                # what the epoch's numbers mean, when they need it
    if min(float(values["Training R²"]), float(values["Test R²"])) < 0:
        expect(note).to_contain_text("R² below 0")
    screenshot(page, "training-paused")
    # an epoch between the shipped frames, picked on the slider, is shown exactly too
    slider.focus()
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    expect(controls(page)).to_have_attribute("data-epoch", "1", timeout=20_000)
    assert shown(page)[2] == printed(p, h.at(1))


def test_a_projected_run_plays_at_20_frames_a_second_with_the_loss_curve_drawn(server, page):
    requests = Requests(page)
    page.goto(f"{server.url}/training?projector=true")
    wait_ready(page)
    drawn(page)
    page.get_by_role("radio", name="Fast").click()
    start = requests.mark()
    play_button(page).click()
    expect(controls(page)).to_have_attribute("data-playing", "true")
    page.wait_for_function("() => +document.querySelector('[data-playing]').dataset.epoch > 300")
    chart = page.locator(f"{MAIN} .bpx-loss canvas")
    assert curve_height(chart, BLUE) >= 0.3 * chart.bounding_box()["height"], "the loss curve collapsed while playing"
    expect(controls(page)).to_have_attribute("data-playing", "false", timeout=60_000)
    frames, seconds = last_play(page)
    assert frames / seconds >= 20, f"{frames} frames in {seconds:.1f} s"
    wait_ready(page)
    assert requests.events(start) == ["play", "stop"]


def test_a_page_left_while_playing_is_not_stuck_on_return(server, page):
    page.goto(f"{server.url}/training")
    wait_ready(page)
    drawn(page)
    play_button(page).click()
    expect(controls(page)).to_have_attribute("data-playing", "true")
    go_to(page, "Network")
    go_to(page, "Training & results")
    drawn(page)
    expect(page.get_by_role("slider", name="Epoch")).to_be_visible(timeout=20_000)
    expect(controls(page)).to_have_attribute("data-playing", "false")
    play_button(page).click()                               # and it plays again
    expect(controls(page)).to_have_attribute("data-playing", "true")
    assert_no_exception(page)


def test_a_diverging_link_explains_itself(server, page):
    page.goto(f"{server.url}/training?lr=5")
    wait_ready(page)
    assert_no_exception(page)
    banner = page.locator('[data-testid="stAlert"]').first.inner_text()
    assert "Training diverged at epoch 82" in banner and "smaller learning rate" in banner
    drawn(page)
    epoch, head, values = shown(page)
    assert epoch == 81 and head == "At epoch 81 of 81 — the last finite epoch" and values["Training RMSE"] == "overflow"
    assert no_horizontal_scroll(page)
    screenshot(page, "training-diverged")


def test_column_names_are_drawn_as_text_never_as_markup(server, page):
    name = '<img src=x onerror="window.__injected=1">'
    rows = "\n".join(f"{i},{i * 2 % 7},{3 * i + 1}" for i in range(1, 25))
    open_and_upload(server.url, page, "/training", "odd.csv", f'Education,"{name.replace(chr(34), chr(34) * 2)}",Income\n{rows}\n'.encode())
    wait_ready(page)
    drawn(page)
    assert page.evaluate("window.__injected") is None
    assert page.locator(f"{MAIN} img[src='x']").count() == 0
    assert_no_exception(page)


JS_MATHS = """async ([src, cases]) => {
  const m = await import(URL.createObjectURL(new Blob([src], {type: 'text/javascript'})));
  return cases.map(c => Array.from(m.predict(c.net, Float32Array.from(c.W), Float64Array.from(c.X), c.n)));
}"""


def test_the_browser_predicts_what_core_predicts_for_any_depth_and_activation(page):
    """The player's forward pass, run in Chromium, against core's on the same float32 weights."""
    rng = np.random.default_rng(7)
    cases, expected = [], []
    for hidden in [(3,), (1,), (8, 4), (5, 3, 2), (32,)]:
        for activation in ("sigmoid", "tanh", "relu"):
            n_in = int(rng.integers(1, 5))
            weights = [w.astype(np.float32).astype(float) for w in network.init_layers(n_in, hidden, 1, int(rng.integers(1000)))]
            x_scale, y_scale = rng.uniform(0.5, 20, n_in), float(rng.uniform(1, 100))
            X = rng.uniform(-30, 30, (50, n_in))
            X_aug = np.hstack([np.ones((50, 1)), X / x_scale])
            expected.append(network.forward_pass(X_aug, weights, activation).y_hat[:, 0] * y_scale)
            cases.append({"net": {"shapes": [list(w.shape) for w in weights], "activation": activation,
                                  "xScale": x_scale.tolist(), "yScale": y_scale},
                          "W": np.concatenate([w.ravel() for w in weights]).tolist(), "X": X.ravel().tolist(), "n": 50})
    page.goto("about:blank")
    got = page.evaluate(JS_MATHS, [PLAYER_JS.read_text(), cases])
    for g, e, c in zip(got, expected, cases):
        assert np.allclose(g, e, rtol=1e-12, atol=1e-12), (c["net"]["shapes"], c["net"]["activation"])


def test_the_frame_data_decodes_in_the_browser_as_numpy_wrote_it(page):
    values = np.array([0.0, -1.5, 3.25e-8, np.nan, 1e30], dtype="<f4")
    b64 = base64.b64encode(values.tobytes()).decode()
    page.goto("about:blank")
    got = page.evaluate("""async ([src, b64]) => {
        const m = await import(URL.createObjectURL(new Blob([src], {type: 'text/javascript'})));
        return Array.from(m.f32(b64)).map(v => Number.isNaN(v) ? 'nan' : v); }""", [PLAYER_JS.read_text(), b64])
    assert got[:3] == [0.0, -1.5, float(values[2])] and got[3] == "nan" and got[4] == float(values[4])
    ticks = page.evaluate("""async (src) => {
        const m = await import(URL.createObjectURL(new Blob([src], {type: 'text/javascript'})));
        return [m.niceTicks(0, 1000, 5), m.logTicks(0.0013, 0.25), m.viridis(0), m.viridis(1)]; }""",
                          PLAYER_JS.read_text())
    assert ticks[0] == [0, 200, 400, 600, 800, 1000]
    assert ticks[1][0] >= 0.0013 and ticks[1][-1] <= 0.25 and 0.01 in ticks[1] and 0.1 in ticks[1]
    assert ticks[2] == [68, 1, 84]                        # viridis' dark end; its palest tenth left out
    assert ticks[3] != [253, 231, 37]


def test_a_long_run_shows_the_epochs_done_and_the_time_left_then_the_page(server, page):
    page.goto(f"{server.url}/training?hidden=32,32,32&batch=1&epochs=20000")
    bar = page.locator(f"{MAIN} [data-testid='stProgress']")
    expect(bar).to_contain_text(re.compile(r"Training the network: epoch [\d,]+ of 20,000 — about \d+ s left"),
                                timeout=60_000)
    screenshot(page, "training-long-run-progress")
    wait_ready(page, timeout=180_000)
    expect(bar).to_have_count(0)
    drawn(page)
    assert shown(page)[1].startswith("At epoch 20,000 of 20,000")
    assert_no_exception(page)


@pytest.mark.parametrize("columns", [["hours"], ["hours", "age", "years"]])
def test_an_upload_with_one_or_three_inputs_draws_a_line_per_input(server, page, columns):
    rng = np.random.default_rng(3)
    X = rng.uniform(1, 9, (40, len(columns)))
    rows = "\n".join(",".join(f"{v:.3f}" for v in (*x, x.sum() * 2 + 1)) for x in X)
    open_and_upload(server.url, page, "/training", "inputs.csv", f"{','.join(columns)},pay\n{rows}\n".encode())
    expect(page.get_by_text(f"40 rows, {len(columns)} feature")).to_be_visible(timeout=60_000)
    drawn(page)
    learned = page.locator(f"{MAIN} .bpx-learned canvas")
    expect(learned).to_be_visible()
    assert learned.evaluate("c => c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some((v, i) => i % 4 === 3 && v)")
    expect(page.locator(f"{MAIN} .bpx-learned")).to_contain_text("Other features held at their median" if len(columns) > 1
                                                                   else "What the network has learned")
    play_button(page).click()
    expect(controls(page)).to_have_attribute("data-playing", "true")
    pause_button(page).click()
    expect(controls(page)).to_have_attribute("data-playing", "false")
    assert_no_exception(page)


def test_on_a_phone_the_loss_curve_starts_on_the_first_screen_under_play(server, page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server.url}/training")
    wait_ready(page)
    drawn(page)
    play = play_button(page).bounding_box()
    chart = page.locator(f"{MAIN} .bpx-loss canvas").bounding_box()
    assert play["y"] < chart["y"] < 844, (play, chart)
    assert no_horizontal_scroll(page)
    screenshot(page, "training-phone")

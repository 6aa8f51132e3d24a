"""Training & results in a real browser: cold deep links, Play at the largest settings, divergence."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, curve_height, no_horizontal_scroll, screenshot, wait_ready
from ui.views.style import BLUE

HEADING = re.compile(r"At epoch ([\d,]+) of ([\d,]+)")
CHARTS = '[data-testid="stMain"] [data-testid="stVegaLiteChart"]'


def drawn(page, charts: int = 4) -> None:
    """Wait until the lazily loaded widgets and charts have replaced their placeholders."""
    main = page.locator('[data-testid="stMain"]')
    expect(main.locator('[data-testid="stSlider"]')).to_be_visible(timeout=30_000)
    expect(main.locator('[data-testid="stMetricValue"]')).to_have_count(8, timeout=30_000)   # 4 per split
    expect(page.locator(CHARTS)).to_have_count(charts, timeout=30_000)
    expect(main.locator('[data-testid="stVegaLiteChart"] canvas')).to_have_count(charts, timeout=30_000)


def epoch_shown(page) -> int:
    text = page.locator("h4", has_text="At epoch").first.inner_text()
    return int(HEADING.search(text).group(1).replace(",", ""))


def settled_epoch(page, tries: int = 20) -> int:
    """The epoch shown once it has stayed the same for a second."""
    before = epoch_shown(page)
    for _ in range(tries):
        page.wait_for_timeout(1000)
        now = epoch_shown(page)
        if now == before:
            return now
        before = now
    raise AssertionError(f"the epoch kept moving after Pause (last {before})")


def play_button(page):
    return page.locator('[data-testid="stMain"] button[kind="primary"]').first


def test_cold_deep_link_at_the_largest_settings_plays_without_error(server, page):
    page.goto(f"{server.url}/training?epochs=20000&hidden=32")
    wait_ready(page, timeout=180_000)
    assert_no_exception(page)
    expect(page.locator("h4", has_text="At epoch 20,000 of 20,000")).to_be_visible()
    drawn(page)
    assert no_horizontal_scroll(page)
    screenshot(page, "training-max-settings")
    page.get_by_text("Slow", exact=True).click()      # forty seconds for the whole run
    wait_ready(page)
    play_button(page).click()
    seen = set()
    for _ in range(60):
        page.wait_for_timeout(250)
        seen.add(epoch_shown(page))
        assert_no_exception(page)
        if len(seen) >= 5:                           # a few frames came and went
            break
    assert len(seen) >= 5, seen
    assert "Pause" in play_button(page).inner_text()
    screenshot(page, "training-max-settings-playing")
    chart = page.locator('[data-testid="stMain"] [data-testid="stVegaLiteChart"]').first
    chart.scroll_into_view_if_needed()
    assert curve_height(chart, BLUE) >= 0.3 * chart.bounding_box()["height"], "the loss curve collapsed while playing"
    play_button(page).click()
    expect(play_button(page)).to_contain_text("Play", timeout=20_000)
    paused = settled_epoch(page)                     # a busy browser may still draw a frame or two
    page.wait_for_timeout(2000)
    assert epoch_shown(page) == paused and 0 < paused < 20000
    assert f"epoch={paused}" in page.url             # the link holds the paused view
    assert_no_exception(page)
    assert "Traceback" not in server.log_text()


def test_play_runs_to_the_end_and_stops(server, page):
    page.goto(f"{server.url}/training")
    wait_ready(page)
    page.get_by_text("Fast", exact=True).click()
    wait_ready(page)
    play_button(page).click()
    expect(play_button(page)).to_contain_text("Pause", timeout=20_000)
    expect(play_button(page)).to_contain_text("Play", timeout=30_000)
    page.wait_for_timeout(2500)                      # late timer ticks must not move it back
    assert epoch_shown(page) == 1000
    thumb = page.locator('[data-testid="stMain"] [data-testid="stSliderThumbValue"]').first
    expect(thumb).to_have_text("1000")
    assert "epoch=" not in page.url                  # the last epoch is the default: a clean link
    assert_no_exception(page)


def test_projector_mode_is_legible_and_fits(server, page):
    page.goto(f"{server.url}/training?projector=true&epoch=40&seeds=true")
    wait_ready(page, timeout=120_000)
    assert_no_exception(page)
    assert epoch_shown(page) == 40
    drawn(page, charts=6)
    assert no_horizontal_scroll(page)
    screenshot(page, "training-projector")
    # Streamlit scrolls its main block, not the document: scroll to each part and shoot it.
    for i, name in ((0, "loss"), (2, "fit"), (3, "surface"), (5, "seeds")):
        page.locator(CHARTS).nth(i).scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        screenshot(page, f"training-projector-{name}")


def test_a_diverging_link_explains_itself(server, page):
    page.goto(f"{server.url}/training?lr=5")
    wait_ready(page)
    assert_no_exception(page)
    banner = page.locator('[data-testid="stAlert"]').first.inner_text()
    assert "Training diverged at epoch 82" in banner and "smaller learning rate" in banner
    assert epoch_shown(page) == 81
    drawn(page)
    assert no_horizontal_scroll(page)
    screenshot(page, "training-diverged")

"""The backprop page in Chromium, each test opened by its deep link; the cold one on a freshly started server."""

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError, expect

from tests.e2e.conftest import (assert_no_exception, charts_drawn, layout_settled, no_horizontal_scroll, screenshot,
                                wait_ready)

MAIN = '[data-testid="stMain"]'


def main_text(page) -> str:
    return page.locator(MAIN).inner_text()


@pytest.mark.fresh_server          # its deep link is the first request its server sees
@pytest.mark.parametrize("projector", [False, True])
def test_cold_deep_link_to_step_4_of_epoch_10(server, page, projector):
    query = "step=4&epoch=10&seed=9" + ("&projector=true" if projector else "")
    page.goto(f"{server.url}/backprop?{query}")
    wait_ready(page)
    assert_no_exception(page)
    expect(page.get_by_role("heading", name="Step 4 of 6 · Hidden deltas")).to_be_visible()
    text = main_text(page)
    assert "Loss L at epoch 10:" in text
    assert "Why the bias row of W_O is dropped" in text
    expect(page.locator(f'{MAIN} [data-testid="stVegaLiteChart"]').first).to_be_visible()   # the diagram
    expect(page.get_by_role("heading", name="The gradient, pictured")).to_have_count(0)   # it comes with step 5
    assert "The gradient, pictured — one weight's gradient drawn as the slope of the loss — comes with steps 5 and 6" \
        in text
    expect(page.locator(f"{MAIN} .katex-display").nth(3)).to_be_visible()            # equations drawn
    assert no_horizontal_scroll(page)
    name = "backprop-step4-epoch10" + ("-projector" if projector else "")
    screenshot(page, name)
    page.set_viewport_size({"width": 1280, "height": 3200})
    layout_settled(page)
    screenshot(page, name + "-tall")
    assert "step=4" in page.url and "epoch=10" in page.url


def test_next_and_previous_change_the_step_and_the_link(server, page):
    page.goto(f"{server.url}/backprop?seed=9&lr=0.01&step=5")
    wait_ready(page)
    page.get_by_role("button", name=re.compile("^Next →")).first.click()      # the top pair (a second sits below)
    wait_ready(page)
    expect(page.get_by_role("heading", name="Step 6 of 6 · Update")).to_be_visible()
    assert "2.44151428" in main_text(page)
    assert "step=6" in page.url
    page.get_by_role("button", name=re.compile("^← Previous")).first.click()
    wait_ready(page)
    expect(page.get_by_role("heading", name="Step 5 of 6 · Gradients")).to_be_visible()
    assert "step=5" in page.url
    page.get_by_role("spinbutton", name="Sample n").fill("4")
    page.get_by_role("spinbutton", name="Sample n").press("Enter")
    wait_ready(page)
    assert "sample=4" in page.url and "sample n = 4 (data row 26)" in main_text(page)
    assert_no_exception(page)


def test_the_demo_mistake_switch_fails_the_check_and_stays_in_the_link(server, page):
    page.goto(f"{server.url}/backprop?seed=9&lr=0.01")
    wait_ready(page)
    assert "PASS: backprop and the numerical gradient agree" in main_text(page)
    page.get_by_text("Reproduce the lecture demo's mistake").click()
    wait_ready(page)
    text = main_text(page)
    assert "FAIL: 4 of 13 weights disagree" in text and "2.89056541" in text
    assert "mistake=true" in page.url
    assert_no_exception(page)
    page.get_by_text("FAIL: 4 of 13").scroll_into_view_if_needed()
    screenshot(page, "backprop-gradient-check-mistake")


def test_a_diverged_run_shows_the_overflowing_step_without_an_exception(server, page):
    page.goto(f"{server.url}/backprop?lr=5&step=6&epoch=81&all=true")
    wait_ready(page)
    assert_no_exception(page)
    text = main_text(page)
    assert "ROSE beyond what a computer can represent" in text
    assert "NaN" not in text and "inf" not in text.replace("infer", "")
    assert no_horizontal_scroll(page)
    screenshot(page, "backprop-diverged")


HEADING_IN_VIEW = """k => { const h = [...document.querySelectorAll('[data-testid="stMain"] h3')]
                                  .find(e => e.innerText.startsWith(`Step ${k} of 6`));
                   const bar = document.querySelector('[data-testid="stHeader"]');
                   if (!h) return false;
                   const r = h.getBoundingClientRect(), top = bar ? bar.getBoundingClientRect().bottom : 0;
                   return r.top >= top - 1 && r.bottom <= window.innerHeight; }"""


def wheel_into_view(page, locator, band=(0.25, 0.75), tries: int = 40) -> None:
    """Turn the mouse wheel over the page until ``locator`` lies within ``band`` of the window's height."""
    height = page.viewport_size["height"]
    page.mouse.move(page.viewport_size["width"] / 2, height / 2)
    for _ in range(tries):
        box = locator.bounding_box()
        if box and height * band[0] <= box["y"] and box["y"] + box["height"] <= height * band[1]:
            return
        before = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTop")
        page.mouse.wheel(0, (box["y"] if box else height) - height * sum(band) / 2)
        page.wait_for_function("y => document.querySelector('[data-testid=\"stMain\"]').scrollTop !== y", arg=before)
    pytest.fail(f"the wheel did not bring {locator} into view")


WHERE_IS = """k => { const h = [...document.querySelectorAll('[data-testid="stMain"] h3')]
                                .find(e => e.innerText.startsWith(`Step ${k} of 6`));
                 const m = document.querySelector('[data-testid="stMain"]');
                 return {heading: h && h.getBoundingClientRect().toJSON(), main: m && [m.scrollTop, m.scrollHeight],
                         buttons: document.querySelectorAll('[data-testid="stMain"] button').length}; }"""


@pytest.mark.parametrize("who,viewport,query", [
    ("laptop", (1440, 900), "seed=9&lr=0.01"),
    ("phone", (390, 844), "seed=9&lr=0.01"),
    ("projector", (1280, 720), "seed=9&lr=0.01&projector=true"),
])
def test_the_buttons_under_a_step_land_on_the_new_steps_heading(server, page, who, viewport, query):
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    page.goto(f"{server.url}/backprop?{query}&step=2")
    wait_ready(page)
    # the browser draws a run's elements and charts a moment after the script ends: a page still
    # growing would move the buttons and the heading under the measurement (the gradient check is
    # the page's last section)
    expect(page.get_by_role("heading", name="Gradient check")).to_be_attached(timeout=30_000)
    assert charts_drawn(page), "the charts did not draw"
    for button, k in (("Next →", 3), ("← Previous", 2)):
        below = page.get_by_role("button", name=re.compile(f"^{re.escape(button)}")).last
        # The lower button in view and the step's heading out of it, scrolled to as a reader does (a
        # scroll by a script does not stop the page holding the last step's heading in view). Until
        # the step's heading and both pairs of buttons are there, the last button found is the top one.
        page.wait_for_function(f"""k => {{
            const bs = [...document.querySelectorAll('[data-testid="stMain"] button')]
                        .filter(e => e.getClientRects().length && e.innerText.trim().startsWith({button!r}));
            const h = [...document.querySelectorAll('[data-testid="stMain"] h3')]
                        .find(e => e.innerText.startsWith(`Step ${{k}} of 6`));
            return bs.length >= 2 && h && (h.compareDocumentPosition(bs[bs.length - 1]) & Node.DOCUMENT_POSITION_FOLLOWING);
        }}""", arg=5 - k, timeout=20_000)
        wheel_into_view(page, below, (0.6, 0.95))
        assert not page.evaluate(HEADING_IN_VIEW, 5 - k), "the step's heading is in view before the click"
        below.click()
        expect(page.get_by_role("heading", name=re.compile(f"^Step {k} of 6"))).to_be_attached()
        wait_ready(page)
        try:
            page.wait_for_function(HEADING_IN_VIEW, arg=k, timeout=20_000)
        except PlaywrightTimeoutError:        # CI keeps no artifacts: say where it was
            pytest.fail(f"step {k}'s heading is not in view: {page.evaluate(WHERE_IS, k)}")
        assert charts_drawn(page), "the charts did not draw"
        assert f"step={k}" in page.url
        screenshot(page, f"backprop-below-{button.strip('←→ ').lower()}-{who}")
    # a rerun for another reason leaves the page where the student is
    switch = page.get_by_text("Reproduce the lecture demo's mistake")
    wheel_into_view(page, switch)           # as a reader scrolls: a scroll by a script is not the reader's
    where = switch.bounding_box()["y"]
    switch.click()
    expect(page.get_by_text("FAIL: 4 of 13 weights disagree")).to_be_visible()
    wait_ready(page)
    assert charts_drawn(page), "the charts did not draw"
    assert abs(switch.bounding_box()["y"] - where) <= 2, "a rerun that was not a step button scrolled the page"
    assert not page.evaluate(HEADING_IN_VIEW, 2)

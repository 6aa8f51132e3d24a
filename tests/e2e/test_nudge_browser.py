"""The chain rule, felt, in a real browser: the nudge section of Backprop step by step, projected at
1280×720, follows the slider from the keyboard."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, screenshot, wait_ready

MAIN = '[data-testid="stMain"]'


def test_a_projected_nudge_follows_the_keyboard(server, page):
    page.goto(f"{server.url}/backprop?projector=true&seed=9&lr=0.01")
    wait_ready(page)
    heading = page.locator(f"{MAIN} h3", has_text="The chain rule, felt")
    heading.scroll_into_view_if_needed()
    diagram = page.locator(f"{MAIN} [data-testid='stVegaLiteChart']").filter(has=page.locator("canvas, svg")).last
    expect(diagram).to_be_visible(timeout=30_000)
    table = page.locator(f"{MAIN} [data-testid='stTable']", has_text="measured (forward again)")
    expect(table).to_contain_text("ΔL, every sample")
    first = table.inner_text()
    page.evaluate("document.getElementById('nudge').scrollIntoView({block: 'start'})")
    page.wait_for_function("() => { const h = document.getElementById('nudge').getBoundingClientRect();"
                           " return h.top >= 0 && h.top < 120; }")
    screenshot(page, "nudge-projector")
    slider = page.get_by_role("slider", name="Nudge Δw")
    slider.focus()
    page.keyboard.press("ArrowLeft")                        # 0.1 → 0.05
    expect(page).to_have_url(re.compile(r"nudge=0\.05"), timeout=20_000)
    wait_ready(page)
    expect(table).not_to_have_text(first, timeout=20_000)   # the numbers followed the nudge
    assert_no_exception(page)

"""A student on a phone (390×844), each test opened by its deep link: every equation
fits its column (drawn smaller, never cut off), and a tap shows a chart's tooltip as hovering does."""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, screenshot, wait_ready

MAIN = '[data-testid="stMain"]'
PHONE = {"width": 390, "height": 844}
LECTURE = "seed=9&lr=0.01"

# Every displayed equation in the main area: where its glyphs lie within its column, and how wide they
# would be at the font size the page gives it (before any fitting).
EQUATIONS = """() => [...document.querySelectorAll('[data-testid="stMain"] .katex-display')].map(d => {
    const range = document.createRange();
    range.selectNodeContents(d.querySelector('.katex-html'));
    const glyphs = range.getBoundingClientRect();
    const column = d.closest('[data-testid="stElementContainer"]').getBoundingClientRect();
    const natural = parseFloat(getComputedStyle(d.parentElement).fontSize) / parseFloat(getComputedStyle(d).fontSize);
    const tex = d.querySelector('annotation');
    return {tex: (tex ? tex.textContent : d.textContent).slice(0, 90), width: glyphs.width,
            column: column.width, natural: glyphs.width * natural,
            cut: glyphs.left < column.left - 0.5 || glyphs.right > column.right + 0.5 || d.scrollLeft > 0};
}).filter(e => e.width > 0)"""


def settled_equations(page, at_least: int = 1) -> list[dict]:
    """The page's equations once it has finished, at least ``at_least`` are drawn (the browser draws
    a run's elements a moment after the script has ended) and every one fits; or as they are after
    20 s (then the caller's assertion names them)."""
    wait_ready(page)
    page.wait_for_function("document.fonts.status === 'loaded'")
    try:
        page.wait_for_function(f"(eqs => eqs.length >= {at_least} && eqs.every(e => !e.cut))(({EQUATIONS})())",
                               timeout=20_000)
    except PlaywrightTimeoutError:
        pass
    return page.evaluate(EQUATIONS)


def cut_off(equations: list[dict]) -> list[str]:
    return [f"{e['tex']!r}: {e['width']:.0f} px in a {e['column']:.0f} px column" for e in equations if e["cut"]]


@pytest.mark.parametrize("query", [LECTURE, ""], ids=["lecture", "defaults"])
def test_every_backprop_equation_fits_a_phone_column(server, page, query):
    page.set_viewport_size(PHONE)
    too_wide_at_first = {}
    for k in range(1, 7):
        page.goto(f"{server.url}/backprop?{query}&step={k}")
        expect(page.get_by_role("heading", name=f"Step {k} of 6")).to_be_visible(timeout=60_000)
        equations = settled_equations(page, at_least=3)
        assert_no_exception(page)
        assert len(equations) >= 3, f"step {k}: only {len(equations)} equations found"
        assert not cut_off(equations), f"step {k}: cut off at 390 px: {cut_off(equations)}"
        too_wide_at_first[k] = sum(e["natural"] > e["column"] + 0.5 for e in equations)
        screenshot(page, f"phone-backprop-step{k}" + ("-lecture" if query else ""))
    if query == LECTURE:        # the count at the page's own font size: this test sees them
        assert too_wide_at_first[1] >= 4 and too_wide_at_first[5] >= 8, too_wide_at_first


@pytest.mark.parametrize("path", ["/", "/network", "/training"])
def test_every_equation_of_the_other_pages_fits_a_phone_column(server, page, path):
    page.set_viewport_size(PHONE)
    page.goto(f"{server.url}{path}?{LECTURE}")
    equations = settled_equations(page, at_least=0 if path == "/training" else 1)
    assert_no_exception(page)
    if path != "/training":                 # Training shows no displayed equation
        assert equations, "no equation found"
    assert not cut_off(equations), f"cut off at 390 px: {cut_off(equations)}"


def test_a_tap_on_the_network_diagram_shows_what_hovering_shows(server, browser):
    phone = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = phone.new_page()
    try:
        page.goto(f"{server.url}/network?sample=3")
        wait_ready(page)
        expect(page.get_by_text("Hover over or tap a line")).to_be_visible()
        chart = page.locator(f"{MAIN} [data-testid='stVegaLiteChart']").first
        output = chart.locator("g.layer_1_marks path").last          # the output node ŷ
        expect(output).to_be_attached(timeout=30_000)
        output.scroll_into_view_if_needed()
        b = output.bounding_box()
        page.touchscreen.tap(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2)
        tip = page.locator("#vg-tooltip-element")
        expect(tip).to_be_visible()
        expect(tip).to_contain_text("ŷ Income")
        expect(tip).to_contain_text("target y")
        screenshot(page, "phone-network-tap")
    finally:
        phone.close()

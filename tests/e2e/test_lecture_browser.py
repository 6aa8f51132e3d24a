"""Lecture mode, measured in a real browser at 1280×720 with ``?projector=true``, the tests
sharing one server: every moment of the lesson on the first screen, numbers the back row can read, Play
that leaves the Back button alone, pages that keep their own epoch and lead to the next page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.core import test_reference_numbers as ref
from tests.e2e.conftest import (assert_no_exception, curve_height, press_step_key, screenshot, step_keys_ready,
                                wait_ready)
from tests.e2e.player import controls, drawn, pause_button, play_button
from ui.views.style import BLUE

MAIN = '[data-testid="stMain"]'
SCREEN = 720
LECTURE = "seed=9&lr=0.01"
TITLES = {"/": "Data", "/network": "Network", "/backprop": "Backprop step by step",
          "/training": "Training & results"}


def box(locator) -> dict:
    b = locator.bounding_box()
    assert b is not None, "not drawn"
    return b


def on_first_screen(locator) -> bool:
    b = box(locator)
    return b["y"] >= 0 and b["y"] + b["height"] <= SCREEN


def step_heading(page, k: int):
    return page.locator(f"{MAIN} h3", has_text=f"Step {k} of 6")


@pytest.mark.parametrize("k", range(1, 7))
def test_each_step_fits_the_first_projected_screen(server, page, k):
    page.goto(f"{server.url}/backprop?projector=true&{LECTURE}&step={k}")
    wait_ready(page)
    assert_no_exception(page)
    expect(page.locator('[data-testid="stSidebar"]')).to_have_attribute("data-collapsed", "true")
    heading = step_heading(page, k)
    expect(heading).to_be_visible()
    equations = page.locator(f"{MAIN} .katex-display")
    expect(page.locator(f"{MAIN} [data-testid='stVegaLiteChart'] :is(canvas, svg)").first).to_be_visible(timeout=30_000)
    general, first_with_numbers = equations.nth(0), equations.nth(1)
    diagram = page.locator(f"{MAIN} [data-testid='stVegaLiteChart']").first
    for name, element in (("heading", heading), ("general equation", general),
                          ("equation with numbers", first_with_numbers), ("diagram", diagram)):
        assert on_first_screen(element), f"step {k}: the {name} ends at {box(element)} (screen: {SCREEN} px)"
    assert box(heading)["y"] < box(general)["y"] < box(first_with_numbers)["y"]
    screenshot(page, f"lecture-step-{k}")


def test_projected_tables_are_html_the_back_row_can_read_with_the_chosen_row_marked(server, page):
    page.goto(f"{server.url}/backprop?projector=true&{LECTURE}&step=1&sample=4&unit=2")
    wait_ready(page)
    tables = page.locator(f"{MAIN} [data-testid='stTable']")
    expect(tables.first).to_be_visible()
    assert page.locator(f"{MAIN} [data-testid='stDataFrame']").count() == 0      # no canvas grids
    sizes = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stTable"] td')]
                               .map(td => parseFloat(getComputedStyle(td).fontSize))""")
    assert sizes and min(sizes) >= 20, f"table digits at {min(sizes)} px"
    scrolled = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stTable"]')]
                                  .filter(t => t.scrollHeight > t.clientHeight + 2).length""")
    assert scrolled == 0, "a projected table scrolls inside its frame"
    # z_H: the row of sample n = 4 and the column of h₂ are bold; another cell is not
    z_table = tables.nth(2)
    row = z_table.locator("tr", has_text="n=4 (row 26)")
    weights = row.locator("td").evaluate_all("tds => tds.map(td => getComputedStyle(td).fontWeight)")
    assert all(int(w) >= 600 for w in weights), weights
    other = z_table.locator("tr", has_text="n=1 (row 23)").locator("td")
    assert [int(w) >= 600 for w in other.evaluate_all("tds => tds.map(td => getComputedStyle(td).fontWeight)")] \
        == [False, True, False]                          # only the column of h₂
    # equations and tables show the same 4 significant digits for the same number (z of n=4, h₂)
    digits = row.locator("td").nth(1).inner_text()
    assert re.fullmatch(r"-?\d\.\d{3}|-?0\.\d{4,}", digits), digits
    assert digits.replace("-", "−") in page.locator(f"{MAIN} .katex-display").nth(1).inner_text()


def test_previous_and_next_work_from_the_keyboard_and_below_the_step(server, page):
    page.goto(f"{server.url}/backprop?projector=true&{LECTURE}&step=2")
    wait_ready(page)
    step_keys_ready(page, 2)
    press_step_key(page, "ArrowRight", 3)                           # a rerun, slow on a busy machine
    wait_ready(page)
    press_step_key(page, "ArrowLeft", 2)
    wait_ready(page)
    below = page.get_by_role("button", name=re.compile("^Next →")).last
    below.scroll_into_view_if_needed()
    below.click()
    expect(step_heading(page, 3)).to_be_visible()
    wait_ready(page)
    assert "step=3" in page.url
    # an arrow typed in a number box moves its caret, not the step: a value typed after it in the same box
    # reruns the page (its rerun carries a step button's press made before it), and the step stays put
    page.get_by_role("button", name="Epoch · sample n · unit j").click()
    box_ = page.get_by_role("spinbutton", name="Sample n")
    for key in ("ArrowRight", "ArrowLeft"):
        box_.click()
        box_.press(key)
        value = "2" if box_.input_value() != "2" else "3"
        box_.fill(value)
        box_.press("Enter")
        expect(page).to_have_url(re.compile(rf"[?&]sample={value}(&|$)"))
        wait_ready(page)
        expect(box_).to_have_value(value)
        expect(step_heading(page, 3)).to_be_visible()
        assert "step=3" in page.url


GLYPHS = """els => els.map(e => { const r = document.createRange(); r.selectNodeContents(e);
                                  const b = r.getBoundingClientRect();
                                  return {x: b.x, y: b.y, width: b.width, height: b.height}; })"""


def overlaps(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] and \
        a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]


def test_picking_epoch_sample_and_unit_leaves_the_step_where_the_class_watches_it(server, page):
    page.goto(f"{server.url}/backprop?projector=true&{LECTURE}&step=3")
    wait_ready(page)
    heading = step_heading(page, 3)
    expect(heading).to_be_visible()
    before = box(heading)
    # the measurement follows the heading: scrolled 40 px, it reads 40 px higher
    page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollBy(0, 40)")
    page.wait_for_function("y => document.evaluate(\"//h3[contains(., 'Step 3 of 6')]\", document, null, 9, null)"
                           ".singleNodeValue.getBoundingClientRect().y < y - 39", arg=before["y"])
    page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, 0)")
    page.wait_for_function("y => Math.abs(document.evaluate(\"//h3[contains(., 'Step 3 of 6')]\", document, null, 9, "
                           "null).singleNodeValue.getBoundingClientRect().y - y) < 0.5", arg=before["y"])
    page.get_by_role("button", name="Epoch · sample n · unit j").click()
    sample = page.get_by_role("spinbutton", name="Sample n")
    expect(sample).to_be_visible()
    assert box(heading) == before, f"opening the controls moved the step heading from {before} to {box(heading)}"
    # the panel floats beside the step: the heading and every equation stay in view
    panel = box(page.locator('[data-testid="stPopoverBody"]'))
    watched = page.locator(f"{MAIN} h3, {MAIN} .katex-display .katex-html").evaluate_all(GLYPHS)
    covered = [w for w in watched if w["width"] and w["y"] < SCREEN and overlaps(w, panel)]
    assert not covered, f"the open controls ({panel}) cover {covered}"
    sample.fill("4")
    sample.press("Enter")
    expect(page.locator(MAIN).get_by_text("sample n = 4 (data row 26)").first).to_be_visible()
    wait_ready(page)
    assert "sample=4" in page.url
    expect(sample).to_be_visible()                        # still open for the next change
    assert box(heading) == before, f"changing n moved the step heading from {before} to {box(heading)}"
    screenshot(page, "lecture-controls-open")


def test_training_while_playing_shows_pause_the_losses_and_the_whole_loss_chart(server, page):
    page.goto(f"{server.url}/training?projector=true")
    wait_ready(page)
    drawn(page)
    before = page.evaluate("history.length")
    page.get_by_role("radio", name="Fast").click()          # the whole run in 8 s
    play_button(page).click()
    pause = pause_button(page)
    expect(pause).to_be_visible()
    page.wait_for_function("() => +document.querySelector('[data-playing]').dataset.epoch > 250")
    bar = page.locator(f"{MAIN} .bpx-progress")
    chart = page.locator(f"{MAIN} .bpx-loss canvas")
    losses = [page.locator(f"{MAIN} .bpx-metric[data-label='{name}']") for name in ("Training loss", "Test loss")]
    for name, element in (("Pause", pause), ("epoch", bar), ("loss chart", chart),
                          ("training loss", losses[0]), ("test loss", losses[1])):
        assert on_first_screen(element), f"while playing, the {name} ends at {box(element)}"
    assert "playing" in bar.inner_text()
    page.mouse.move(1270, 710)                            # no tooltip over the picture
    page.evaluate("document.activeElement && document.activeElement.blur()")
    screenshot(page, "lecture-training-playing")
    # the curve, not a flat line
    height = curve_height(chart, BLUE)
    assert height >= 0.3 * box(chart)["height"], f"while playing, the training curve spans {height} px"
    expect(play_button(page)).to_be_visible(timeout=30_000)
    wait_ready(page)
    expect(page.get_by_role("slider", name="Epoch")).to_be_visible()
    assert page.evaluate("history.length") - before <= 2, "Play added browser-history entries"
    # after Play, the epoch the student picks sticks at once, and stays
    slider = page.get_by_role("slider", name="Epoch")
    slider.focus()
    page.keyboard.press("Home")
    expect(page.locator(f"{MAIN} .bpx-head", has_text="At epoch 0 of 1,000")).to_be_visible(timeout=20_000)
    wait_ready(page)
    expect(slider).to_have_value("0")
    assert "epoch=0" in page.url
    page.keyboard.press("End")                             # proof the page still answers the slider…
    expect(page.locator(f"{MAIN} .bpx-head", has_text="At epoch 1,000 of 1,000")).to_be_visible(timeout=20_000)
    page.keyboard.press("Home")
    expect(page.locator(f"{MAIN} .bpx-head", has_text="At epoch 0 of 1,000")).to_be_visible(timeout=20_000)
    wait_ready(page)                                       # …and that epoch 0 sticks once it has settled
    expect(slider).to_have_value("0")
    assert controls(page).get_attribute("data-epoch") == "0"


RADIOS_AT = """name => {
    const all = [], walk = (root) => root.querySelectorAll('*').forEach(e => { all.push(e); if (e.shadowRoot) walk(e.shadowRoot); });
    walk(document);
    return all.filter(e => (e.getAttribute('role') === 'radio' || (e.tagName === 'INPUT' && e.type === 'radio'))
                           && ((e.closest('label') || e).textContent.includes(name) || e.getAttribute('aria-label') === name))
        .map(e => { const chain = [];
                    for (let a = e.parentElement || e.getRootNode().host; a && chain.length < 12;
                         a = a.parentElement || (a.getRootNode() !== document ? a.getRootNode().host : null))
                        chain.push(a.getAttribute('data-testid') || a.id || a.tagName.toLowerCase());
                    return {visible: e.getClientRects().length > 0, inside: chain.join(' < ')}; }); }"""


def test_backprop_keeps_its_own_epoch_after_the_training_epoch_moved(server, page):
    page.goto(f"{server.url}/training?{LECTURE}")
    wait_ready(page)
    slider = page.get_by_role("slider", name="Epoch")
    slider.focus()
    for _ in range(3):
        page.keyboard.press("PageDown")                  # the Training epoch moves away from the end
    wait_ready(page)
    assert "epoch=" in page.url
    fast = page.get_by_role("radio", name="Fast")
    try:
        expect(fast).to_have_count(1, timeout=20_000)      # a rerun's stale player may linger a moment
    except AssertionError as e:         # seen once in 40 runs; CI keeps no artifacts: say where each one sits
        raise AssertionError(f"{e}\nthe 'Fast' radios: {page.evaluate(RADIOS_AT, 'Fast')}") from None
    fast.click()                                           # a click on Training that the server never hears
    page.locator('[data-testid="stSidebarNav"] a', has_text="Backprop step by step").click()
    wait_ready(page)
    text = page.locator(MAIN).inner_text()
    assert f"Loss L at epoch 0: {ref.LOSS_SEED_9:.8f}" in text             # SPEC §2: 3.52260967


@pytest.mark.parametrize("path", list(TITLES))
def test_every_page_has_its_own_title_and_leads_to_the_next(server, page, path):
    page.goto(f"{server.url}{path}?projector=true")
    wait_ready(page)
    assert page.title() == f"{TITLES[path]} · Backprop Explainer"
    order = list(TITLES.values())
    title = TITLES[path]
    links = page.locator(f"{MAIN} [data-testid='stPageLink'] a")
    if title == order[-1]:
        assert links.count() == 0
    else:
        after = order[order.index(title) + 1]
        link = links.filter(has_text=f"Next: {after}")
        expect(link).to_have_count(1)
        link.scroll_into_view_if_needed()
        link.click()
        wait_ready(page)
        assert page.title() == f"{after} · Backprop Explainer"
    screenshot(page, "lecture-page-" + title.split()[0].lower())


"""Classification in a real browser: the decision boundary, Play moving it, and the projector's first
screen at 1280×720 holding the boundary, Play, the epoch and both accuracies; every preset opens; switching
the task moves an untouched η to the task's default, in the widget and in the link."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, charts_drawn, screenshot, wait_ready
from tests.e2e.player import MAIN, controls, play_button
from ui.state.params import BY_NAME, CLASS_PRESETS, spell

SCREEN = {"width": 1280, "height": 720}


pytestmark = pytest.mark.usefixtures("no_script_errors")    # the page's JavaScript never throws


def boundary(page):
    return page.locator(f'{MAIN} .bpx-boundary canvas').first


def drawn_boundary(page) -> None:
    expect(page.locator(f"{MAIN} .bpx-head").first).to_contain_text("At epoch", timeout=60_000)
    expect(page.locator(f"{MAIN} .bpx-metric")).to_have_count(4, timeout=30_000)
    expect(boundary(page)).to_be_visible(timeout=30_000)


def pixels(page) -> str:
    """The boundary canvas's picture, as the browser holds it (a data URL)."""
    return boundary(page).evaluate("c => c.toDataURL()")


def on_first_screen(box) -> bool:
    return box is not None and box["y"] >= 0 and box["x"] >= 0 and box["y"] + box["height"] <= SCREEN["height"] \
        and box["x"] + box["width"] <= SCREEN["width"]


def link(values: dict) -> str:
    return "&".join(f"{BY_NAME[n].key}={spell(v)}" for n, v in values.items() if BY_NAME[n].kind != "inputs") + \
        "".join(f"&inputs={v}" for v in values.get("inputs", ()))


def test_play_moves_the_decision_boundary_and_the_numbers(server, page):
    page.goto(f"{server.url}/training?task=classification&dataset=xor&epochs=400")
    wait_ready(page, timeout=120_000)
    assert_no_exception(page)
    drawn_boundary(page)
    labels = [m.get_attribute("data-label") for m in page.locator(f"{MAIN} .bpx-metric").all()]
    assert labels == ["Training accuracy", "Training cross-entropy per row", "Test accuracy", "Test cross-entropy per row"]
    text = page.locator(MAIN).inner_text()
    assert "R²" not in text and "RMSE" not in text and "Confusion matrices at epoch 400" in text
    end = pixels(page)
    play_button(page).click()
    expect(controls(page)).to_have_attribute("data-playing", "true", timeout=10_000)
    expect(controls(page)).to_have_attribute("data-playing", "false", timeout=120_000)
    wait_ready(page)
    page.get_by_role("slider", name="Epoch").focus()
    page.keyboard.press("Home")                       # epoch 0: the initial weights
    wait_ready(page)
    expect(controls(page)).to_have_attribute("data-epoch", "0", timeout=30_000)
    assert pixels(page) != end                        # the boundary moved with the epoch
    screenshot(page, "classification-epoch-0")


@pytest.mark.parametrize("name", list(CLASS_PRESETS))
def test_each_classification_preset_opens_on_a_projector_with_the_boundary_play_epoch_and_accuracies_on_the_first_screen(
        server, page, name):
    page.set_viewport_size(SCREEN)
    page.goto(f"{server.url}/training?projector=true&{link(CLASS_PRESETS[name])}")
    wait_ready(page, timeout=180_000)
    assert_no_exception(page)
    drawn_boundary(page)
    shot = screenshot(page, f"classification-preset-{list(CLASS_PRESETS).index(name)}")
    for what, where in (("the boundary", boundary(page)), ("Play", play_button(page)),
                        ("the epoch", page.locator(f"{MAIN} .bpx-head").first),
                        ("the training accuracy", page.locator(f'{MAIN} .bpx-metric[data-label="Training accuracy"]')),
                        ("the test accuracy", page.locator(f'{MAIN} .bpx-metric[data-label="Test accuracy"]'))):
        assert on_first_screen(where.bounding_box()), f"{what} is not on the first screen ({where.bounding_box()}): {shot}"
    for other in ("", "network", "backprop"):          # and the preset's other pages open too
        page.goto(f"{server.url}/{other}?projector=true&{link(CLASS_PRESETS[name])}")
        wait_ready(page, timeout=120_000)
        assert_no_exception(page)
        assert charts_drawn(page), f"a chart on /{other} was not drawn"


def test_the_network_page_draws_every_hidden_units_map_and_the_step_page_derives_delta_o(server, page):
    page.goto(f"{server.url}/network?task=classification&dataset=spiral&hidden=6,3&act=tanh")
    wait_ready(page, timeout=120_000)
    assert_no_exception(page)
    expect(page.get_by_text("What each hidden unit computes")).to_be_visible()
    assert charts_drawn(page), "a chart was not drawn"
    maps = page.locator('[data-testid="stVegaLiteChart"]').nth(1)
    maps.scroll_into_view_if_needed()
    assert maps.bounding_box()["height"] > 150
    screenshot(page, "classification-unit-maps", full_page=True)
    page.goto(f"{server.url}/backprop?task=classification&step=3")
    wait_ready(page, timeout=120_000)
    assert_no_exception(page)
    expect(page.locator(MAIN).get_by_text("δ_O = ŷ − y").first).to_be_visible()


def test_the_browser_colours_a_cell_by_its_most_probable_class_and_how_sure_the_network_is(page):
    """The boundary's colouring (player.js), run in Chromium: white where classes tie, the class's colour
    mixed with white by its margin over chance, and a flat pale colour for hard regions."""
    from pathlib import Path

    from ui.views.style import CLASS_COLOURS

    src = (Path(__file__).resolve().parents[2] / "ui" / "browser" / "player.js").read_text()
    got = page.evaluate("""async ([src, cases]) => {
        const m = await import(URL.createObjectURL(new Blob([src], {type: 'text/javascript'})));
        return cases.map(([p, hard]) => m.cellColour(Float64Array.from(p), hard)); }""",
                        [src, [[[0.5, 0.5], False], [[0.0, 1.0], False], [[0.9, 0.1], True], [[0.2, 0.2, 0.6], False],
                               [[1 / 3, 1 / 3, 1 / 3], False]]])
    rgb = [tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in CLASS_COLOURS]

    def mixed(colour, sure):
        return [round(255 + sure * (c - 255)) for c in colour]
    assert got[0] == [255, 255, 255]
    assert got[1] == mixed(rgb[1], 0.8)
    assert got[2] == mixed(rgb[0], 0.45)
    assert got[3] == mixed(rgb[2], 0.8 * (0.6 - 1 / 3) / (1 - 1 / 3))
    assert got[4] == [255, 255, 255]


def eta_slider(page):
    return page.locator('[data-testid="stSidebar"] [data-testid="stSlider"]').filter(
        has_text=BY_NAME["eta"].label).get_by_role("slider")


def test_switching_the_task_moves_an_untouched_eta_to_the_tasks_default_and_the_link_follows(server, page):
    page.goto(f"{server.url}/?task=classification")
    wait_ready(page)
    expect(eta_slider(page)).to_have_attribute("aria-valuetext", "0.02", timeout=30_000)
    page.locator('[data-testid="stSidebar"]').get_by_text("regression", exact=True).click()
    wait_ready(page)
    expect(eta_slider(page)).to_have_attribute("aria-valuetext", "0.05", timeout=30_000)
    expect(page).not_to_have_url(re.compile(r"[?&]lr="))                # each task's default stays out of the link
    page.locator('[data-testid="stSidebar"]').get_by_text("classification", exact=True).click()
    wait_ready(page)
    expect(eta_slider(page)).to_have_attribute("aria-valuetext", "0.02", timeout=30_000)
    expect(page).to_have_url(re.compile(r"task=classification"))
    expect(page).not_to_have_url(re.compile(r"[?&]lr="))
    assert_no_exception(page)

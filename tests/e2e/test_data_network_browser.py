"""The Data and Network pages in Chromium, each deep-linked, the first two as the first request of a fresh server."""

import pytest
from playwright.sync_api import expect

from core import data, network, training
from tests.e2e.conftest import assert_no_exception, no_horizontal_scroll, screenshot, wait_ready

CHART = '[data-testid="stVegaLiteChart"]'


def ready(page, url: str) -> None:
    page.goto(url)
    wait_ready(page)
    expect(page.locator(CHART).first).to_be_visible(timeout=30_000)
    assert_no_exception(page)
    assert no_horizontal_scroll(page)


@pytest.mark.fresh_server          # its deep link is the first request its server sees
def test_data_page_deep_link_shows_table_charts_scaling_and_the_above_one_note(server, page):
    ready(page, f"{server.url}/?seed=9&hidden=5")
    assert page.locator("h1").first.inner_text().strip() == "Data"
    expect(page.locator(CHART)).to_have_count(3)
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text("21.172414", exact=True)).to_be_visible()
    expect(main.get_by_text("3 test values are above 1")).to_be_attached()
    screenshot(page, "data-normal")
    screenshot(page, "data-normal-full", full_page=True)
    ready(page, f"{server.url}/?projector=true")
    expect(page.locator(CHART)).to_have_count(3)
    screenshot(page, "data-projector")


@pytest.mark.fresh_server          # its deep link is the first request its server sees
def test_network_page_deep_link_draws_every_weight_with_a_tooltip(server, page):
    ready(page, f"{server.url}/network?hidden=32&epoch=500&show=gradients&sample=3")
    assert page.locator("h1").first.inner_text().strip() == "Network"
    expect(page.locator('[data-testid="stSliderThumbValue"]').last).to_have_text("500")
    chart = page.locator(CHART).first
    edges = chart.locator("g.layer_0_marks line")
    expect(edges).to_have_count(3 * 32 + 33)
    edges.nth(0).hover(force=True)
    tip = page.locator("#vg-tooltip-element")
    expect(tip).to_contain_text("gradient ∂L/∂W")
    expect(tip).to_contain_text("W_H[0,1]")
    screenshot(page, "network-32-gradients")
    ready(page, f"{server.url}/network?hidden=32&epoch=500&projector=true")
    screenshot(page, "network-32-projector")
    ready(page, f"{server.url}/network?projector=true")
    screenshot(page, "network-3-projector")


def test_network_node_tooltip_shows_the_chosen_samples_values(server, page):
    ready(page, f"{server.url}/network?sample=3&epoch=10")
    p = data.prepare(data.load_income())
    snap = training.train(p, epochs=1000).at(10)
    fwd = network.forward(p.X_train_aug, snap.W_H, snap.W_O)
    dots = page.locator(CHART).first.locator("g.layer_1_marks path")
    expect(dots).to_have_count(3 + 4 + 1)
    dots.last.hover(force=True)                          # the output node
    tip = page.locator("#vg-tooltip-element")
    expect(tip).to_contain_text("ŷ Income")
    expect(tip).to_contain_text(f"{fwd.z_O[2, 0]:.6f}")
    expect(tip).to_contain_text(f"{p.y_train[2, 0]:.6f}")
    screenshot(page, "network-3-normal")


def test_network_page_of_a_diverged_run_says_so_and_still_draws(server, page):
    ready(page, f"{server.url}/network?lr=5&hidden=1")
    expect(page.get_by_text("diverged at epoch")).to_be_visible()
    expect(page.locator(CHART).first.locator("g.layer_0_marks line")).to_have_count(3 + 2)
    screenshot(page, "network-diverged")


@pytest.mark.parametrize("viewport,query", [((1440, 900), "seed=9&lr=0.01"), ((1280, 720), "projector=true"),
                                            ((390, 844), "")])
def test_data_scatter_caption_sits_right_under_its_charts(server, page, viewport, query):
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    ready(page, f"{server.url}/?{query}")
    charts = page.locator(CHART)
    expect(charts).to_have_count(3)
    caption = page.locator('[data-testid="stCaption"], [data-testid="stCaptionContainer"]',
                           has_text="Colour = the target").first
    caption.scroll_into_view_if_needed()
    bottom = max(b["y"] + b["height"] for b in (charts.nth(i).bounding_box() for i in range(3)))
    top = caption.bounding_box()["y"]
    assert 0 <= top - bottom <= 48, f"the legend caption starts {top - bottom:.0f} px below its charts"
    headings = page.evaluate(
        """([lo, hi]) => [...document.querySelectorAll('[data-testid="stMain"] h2')]
                         .map(h => h.getBoundingClientRect()).filter(r => r.y > lo && r.y < hi).length""",
        [bottom, top])
    assert headings == 0, "a section heading sits between the charts and their caption"

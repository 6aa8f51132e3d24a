"""Deeper networks, mini-batches and weight decay in a real browser, each opened by its deep link
(on the module's shared server): laptop and projector layouts at 1280×720, up to 3 × 32 units."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, no_horizontal_scroll, screenshot, wait_ready

MAIN = '[data-testid="stMain"]'
LAYERS = "hidden=8,4&batch=5&l2=0.01"
WIDE = "hidden=32,32,32&lr=0.01"


@pytest.mark.parametrize("path, query", [
    ("/", LAYERS), ("/network", LAYERS), ("/backprop", LAYERS + "&step=4"), ("/training", LAYERS),
    ("/network", WIDE + "&projector=true"), ("/backprop", WIDE + "&projector=true&step=4"),
    ("/training", WIDE + "&projector=true"),
], ids=lambda v: str(v).replace("/", "") or "data")
def test_every_page_draws_a_deeper_network(server, page, path, query):
    page.goto(f"{server.url}{path}?{query}")
    wait_ready(page, timeout=120_000)
    assert_no_exception(page)
    assert page.locator(f"{MAIN} [data-testid='stAlertContentWarning']").count() == 0
    if path == "/training":                          # drawn by the browser's player, on canvases
        expect(page.locator(f"{MAIN} .bpx-part canvas").first).to_be_visible(timeout=30_000)
    elif path != "/":
        expect(page.locator(f"{MAIN} [data-testid='stVegaLiteChart']").first).to_be_visible(timeout=30_000)
    assert no_horizontal_scroll(page)
    text = page.locator(MAIN).inner_text()
    if path == "/backprop":
        expect(page.get_by_role("heading", name="Step 4 of 6 · Hidden deltas")).to_be_visible()
        assert "δ_H2" in text and "δ_H1" in text
        if "projector" in query:
            heading = page.get_by_role("heading", name="Step 4 of 6 · Hidden deltas").bounding_box()
            assert heading["y"] + heading["height"] <= 720
    if "batch=5" in query and path == "/backprop":
        assert "Mini-batches of 5: epoch 0 makes 3 updates" in text
    screenshot(page, "deeper-" + (path.strip("/") or "data") + ("-projector" if "projector" in query else ""))

"""Cold-start deep links to every page: the sidebar is there with the link's values."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, no_horizontal_scroll, screenshot, wait_ready

PAGES = [("", "Data"), ("data", "Data"), ("network", "Network"), ("backprop", "Backprop step by step"),
         ("training", "Training & results")]


@pytest.mark.fresh_server          # its deep link is the first request its server sees
@pytest.mark.parametrize("path,title", PAGES)
def test_cold_deep_link_opens_page_with_sidebar_and_linked_values(server, page, path, title):
    page.goto(f"{server.url}/{path}?seed=9&hidden=5&lr=0.01&test=0.2")
    wait_ready(page)
    assert_no_exception(page)
    assert page.locator("h1").first.inner_text().strip() == title
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.is_visible()
    expect(sidebar.get_by_role("spinbutton", name="Seed (initial weights)", exact=True)).to_have_value("9")
    expect(sidebar.get_by_role("textbox", name="Hidden layers (units per layer)")).to_have_value("5")
    thumbs = sidebar.locator('[data-testid="stSliderThumbValue"]')
    expect(thumbs.nth(0)).to_have_text("0.01")       # learning rate
    assert page.locator('[role="dialog"]').count() == 0       # no "Page not found"
    assert no_horizontal_scroll(page)
    screenshot(page, f"shell-{path or 'root'}")
    assert "seed=9" in page.url and "hidden=5" in page.url


def test_garbage_link_falls_back_with_a_notice_and_no_exception(server, page):
    page.goto(f"{server.url}/training?seed=abc&hidden=999&lr=-1&epochs=1e12&act=%3Cb%3Ex%3C/b%3E")
    wait_ready(page)
    assert_no_exception(page)
    notice = page.locator('[data-testid="stAlert"]').first.inner_text()
    assert "hidden=999" in notice and "using 3" in notice
    assert page.locator("b", has_text="x").count() == 0     # the HTML in the link is not rendered
    screenshot(page, "shell-garbage-link")

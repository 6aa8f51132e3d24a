"""In Chromium against a fresh server: addresses the app does not have, an upload across a reload and
in another browser, and a column name that used to blank the charts."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (APP_READY, assert_no_exception, charts_drawn, go_to, open_and_upload, screenshot,
                                wait_ready)

CORPUS = Path(__file__).resolve().parents[1] / "core" / "bad_csv"
PAGES = ["Data", "Network", "Backprop step by step", "Training & results"]



@pytest.mark.fresh_server          # its deep link is the first request its server sees
@pytest.mark.parametrize("address,shown", [("/nope?seed=9", "/nope"), ("/network/extra?seed=9", "/network/extra")])
def test_an_address_the_app_does_not_have_shows_no_such_page_with_links(server, page, address, shown):
    page.goto(server.url + address)                   # the first request this server sees
    wait_ready(page)
    assert_no_exception(page)
    expect(page.locator('[data-testid="stMain"] h1')).to_have_text("No such page")
    expect(page.get_by_text(f"There is no page {shown} in Backprop Explainer.")).to_be_visible()
    assert page.get_by_text("Page not found").count() == 0            # not Streamlit's dialog
    links = page.locator('[data-testid="stPageLink"]')
    expect(links).to_have_count(4)
    seed = page.locator('[data-testid="stSidebar"]').get_by_role("spinbutton", name="Seed (initial weights)", exact=True)
    expect(seed).to_have_value("9")                                  # the link's settings hold
    screenshot(page, "no-such-page" + shown.replace("/", "-"))
    links.nth(1).click()
    page.wait_for_function("() => document.querySelector('[data-testid=\"stMain\"] h1')?.innerText.trim() === 'Network'",
                           timeout=60_000)
    wait_ready(page)
    assert page.url.startswith(server.url + "/network") and "seed=9" in page.url


def test_an_upload_survives_a_reload_but_a_shared_link_shows_nothing_of_it(server, page, browser):
    content = (CORPUS / "name_set.csv").read_bytes()
    open_and_upload(server.url, page, "/training?seed=9", "grades.csv", content)
    expect(page.get_by_text("8 rows, 2 features")).to_be_visible(timeout=60_000)
    wait_ready(page)
    assert "upload=" in page.url
    page.reload()
    wait_ready(page)
    expect(page.get_by_text("Your file grades.csv is back after the reload", exact=False)).to_be_visible()
    expect(page.get_by_text("8 rows, 2 features")).to_be_visible()
    assert_no_exception(page)
    # The same link in another browser (a classmate it was sent to): the bundled data and one sentence.
    other = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    other.goto(page.url)
    wait_ready(other)
    expect(other.get_by_text("This link names an uploaded file that is not available here", exact=False)).to_be_visible()
    assert other.get_by_text("8 rows, 2 features").count() == 0 and other.get_by_text("grades.csv").count() == 0
    assert "upload=" not in other.url
    assert_no_exception(other)


def test_a_column_name_ending_in_a_backslash_leaves_no_chart_blank(server, page):
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    open_and_upload(server.url, page, "/", "backslash.csv", (CORPUS / "name_trailing_backslash.csv").read_bytes())
    expect(page.get_by_text("8 rows, 2 features")).to_be_visible(timeout=60_000)
    for title in PAGES:
        go_to(page, title)
        charts_drawn(page)                           # Vega draws after the script has finished
        assert_no_exception(page)
        charts = page.locator('[data-testid="stVegaLiteChart"], [data-testid="stMain"] .bpx-part canvas')
        assert charts.count() >= 1
        for i in range(charts.count()):
            drawn = charts.nth(i).evaluate(
                """e => e.tagName !== 'CANVAS' ? !!e.querySelector('canvas, svg g')
                        : e.getContext('2d').getImageData(0, 0, e.width, e.height).data.some((v, i) => i % 4 === 3 && v)""")
            assert drawn, f"chart {i} on {title} is blank"
    assert not [e for e in errors if "Expression parse error" in e], errors


def test_the_lecture_link_still_works_after_a_refused_file(server, page):
    sidebar = open_and_upload(server.url, page, "/backprop?seed=9&lr=0.01", "doc.pdf",
                              (CORPUS / "document.pdf").read_bytes(), "application/pdf")
    expect(page.get_by_role("alert").filter(has_text="PDF")).to_be_visible(timeout=60_000)
    sidebar.get_by_text("Income2 (bundled)").click()
    wait_ready(page)
    page.wait_for_selector(APP_READY)
    expect(page.get_by_text("3.52260967", exact=False).first).to_be_visible()
    assert_no_exception(page)


def test_forget_my_file_on_a_shared_computer_leaves_nothing_to_reopen_from_the_history(server, page):
    content = (CORPUS / "name_set.csv").read_bytes()
    sidebar = open_and_upload(server.url, page, "/backprop?seed=9&lr=0.01", "grades.csv", content)
    expect(page.get_by_text("8 rows, 2 features")).to_be_visible(timeout=60_000)
    wait_ready(page)
    with_file = page.url
    assert "upload=" in with_file
    sidebar.get_by_role("button", name="Forget my file").click()
    expect(page.get_by_text("Your file grades.csv is forgotten", exact=False)).to_be_visible(timeout=60_000)
    wait_ready(page)
    expect(page.get_by_text("8 rows, 2 features")).to_have_count(0, timeout=60_000)
    assert_no_exception(page)
    assert "upload=" not in page.url and "seed=9" in page.url and "lr=0.01" in page.url
    assert sidebar.locator('[data-testid="stFileUploaderFile"]').count() == 0        # the uploader is empty
    expect(sidebar.get_by_role("spinbutton", name="Seed (initial weights)", exact=True)).to_have_value("9",
                                                                                             timeout=60_000)
    page.goto(with_file)                      # the next student, from this browser's history
    wait_ready(page)
    expect(page.get_by_text("This link named a file that was forgotten", exact=False)).to_be_visible(timeout=60_000)
    assert_no_exception(page)
    assert page.get_by_text("8 rows, 2 features").count() == 0 and page.get_by_text("grades.csv").count() == 0
    assert "upload=" not in page.url

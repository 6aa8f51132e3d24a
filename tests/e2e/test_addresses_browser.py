"""In Chromium: every address a browser can open answers with the app — a page, or the app's own
"No such page" with its links — never a white page and never Streamlit's "Page not found" dialog;
and what Streamlit itself serves (its health check, its scripts) still answers as before.

One server for all the addresses (each opened in a new browser tab, so each is a new session);
its first request is the first address.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from deploy.server import Server
from tests.e2e.conftest import ARTIFACTS, assert_no_exception, log_excerpt

NO_SUCH_PAGE = "No such page"
# address → the page title it shows, and for "No such page" the address it names
ADDRESSES = [
    ("/network/extra.html", NO_SUCH_PAGE, "/network/extra.html"),
    ("/a/b/c/d/e.f", NO_SUCH_PAGE, "/a/b/c/d/e.f"),
    ("/-/x/y", NO_SUCH_PAGE, "/-/x/y"),
    ("/app/static/app.py", NO_SUCH_PAGE, "/app/static/app.py"),
    ("/~/+/", NO_SUCH_PAGE, "/~/+/"),
    ("/app_pages/data.py", NO_SUCH_PAGE, "/app_pages/data.py"),
    ("/network%2Fextra.js", NO_SUCH_PAGE, "/network/extra.js"),
    ("/network/extra", NO_SUCH_PAGE, "/network/extra"),
    ("/static/js/nope.js", NO_SUCH_PAGE, "/static/js/nope.js"),
    ("/_stcore/stream", NO_SUCH_PAGE, "/_stcore/stream"),
    ("/%ZZ", NO_SUCH_PAGE, "/%ZZ"),
    ("/%E0%A4", NO_SUCH_PAGE, None),
    ("/%20", NO_SUCH_PAGE, None),
    ("/nope", NO_SUCH_PAGE, "/nope"),
    ("/extra.html", NO_SUCH_PAGE, "/extra.html"),
    ("/%C3%BCber", NO_SUCH_PAGE, "/über"),
    ("/overview", "Data", None),
    ("/data", "Data", None),
    ("/", "Data", None),
    ("/network/", "Network", None),
    ("/training", "Training & results", None),
]


@pytest.fixture(scope="module")
def one_server():
    """One fresh server for every address; the module fails if it logged a traceback or a warning."""
    ARTIFACTS.mkdir(exist_ok=True)
    s = Server(log_path=Path(tempfile.mkstemp(prefix="server-", suffix=".log", dir=ARTIFACTS)[1]))
    yield s
    s.stop()
    log = s.log_text()
    problems = [word for word in ("Traceback", "RuntimeWarning", "Warning:") if word in log]
    if problems:
        pytest.fail(f"the server logged {problems}; see {s.log_path}:\n{log_excerpt(log, problems)}", pytrace=False)
    s.log_path.unlink(missing_ok=True)


def wait_drawn(page, timeout: float = 60_000) -> None:
    """Until the script has run to the end and drawn its title, or a dialog is open (which fails the test)."""
    page.wait_for_function(
        """() => { if (document.querySelector('[data-testid="stDialog"], [role="dialog"]')) return true;
                   const a = document.querySelector('[data-testid="stApp"]');
                   return a && a.getAttribute('data-test-script-state') === 'notRunning'
                          && document.querySelector('[data-testid="stSidebar"]')
                          && document.querySelector('[data-testid="stMain"] h1'); }""",
        timeout=timeout)


# The browser draws the sidebar's widgets a moment after the script has finished (seconds, on a busy
# machine): the checks wait for what they look for, up to this long.
DRAWN = 60_000


def seed_holds(page) -> None:
    seed = page.locator('[data-testid="stSidebar"]').get_by_role("spinbutton", name="Seed (initial weights)", exact=True)
    expect(seed).to_have_value("9", timeout=DRAWN)


@pytest.mark.parametrize("address,title,shown", ADDRESSES, ids=[a for a, _, _ in ADDRESSES])
def test_every_address_shows_a_page_or_no_such_page_and_never_a_dialog(one_server, page, address, title, shown):
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(one_server.url + address + ("&" if "?" in address else "?") + "seed=9")
    wait_drawn(page)
    expect(page.locator('[data-testid="stMain"] h1')).to_have_text(title, timeout=DRAWN)
    seed_holds(page)                          # the link's settings hold; and the page is drawn to the end
    if title == NO_SUCH_PAGE:
        expect(page.locator('[data-testid="stPageLink"]')).to_have_count(4, timeout=DRAWN)
        if shown is not None:
            expect(page.get_by_text(f"There is no page {shown} in Backprop Explainer.")).to_be_visible()
    assert page.locator('[data-testid="stDialog"], [role="dialog"]').count() == 0, page.url
    assert page.get_by_text("Page not found").count() == 0
    assert_no_exception(page)
    assert not errors, errors


def test_the_overview_address_stays_on_the_data_page_and_its_sidebar_entry(one_server, page):
    page.goto(one_server.url + "/overview?seed=9")
    wait_drawn(page)
    expect(page.locator('[data-testid="stMain"] h1')).to_have_text("Data", timeout=DRAWN)
    seed_holds(page)
    assert page.locator('[role="dialog"]').count() == 0
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Network", exact=True).click()
    page.wait_for_function("() => document.querySelector('[data-testid=\"stMain\"] h1')?.innerText.trim() === 'Network'",
                           timeout=60_000)
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Data", exact=True).click()
    page.wait_for_function("() => document.querySelector('[data-testid=\"stMain\"] h1')?.innerText.trim() === 'Data'",
                           timeout=60_000)
    assert page.locator('[role="dialog"]').count() == 0


def test_streamlit_own_addresses_still_answer(one_server, page):
    health = page.goto(one_server.url + "/_stcore/health")
    assert health.status == 200 and page.locator("body").inner_text().strip() == "ok"
    index = page.request.get(one_server.url + "/").text()
    script = re.search(r'src="\./(static/js/index\.[^"]+\.js)"', index)[1]
    answer = page.goto(f"{one_server.url}/{script}")
    assert answer.status == 200 and "javascript" in answer.headers["content-type"]
    icon = page.goto(one_server.url + "/favicon.png")
    assert icon.status == 200 and icon.headers["content-type"] == "image/png"


def test_a_link_writing_allowed_values_another_way_opens_them_tidy_with_no_extra_history_entry(one_server, page):
    page.goto(one_server.url + "/backprop?l2=1e0&lr=1E-2&seed=9.0&step=3.0&hidden=8.0,%204")
    wait_drawn(page)
    expect(page.locator('[data-testid="stMain"] h1')).to_have_text("Backprop step by step", timeout=DRAWN)
    seed_holds(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_role("slider", name="Learning rate η")).to_have_attribute("aria-valuetext", "0.01",
                                                                                  timeout=DRAWN)
    expect(sidebar.get_by_role("textbox", name="Hidden layers (units per layer)")).to_have_value("8,4", timeout=DRAWN)
    assert_no_exception(page)
    assert page.url.endswith("/backprop?l2=1&lr=0.01&seed=9&step=3&hidden=8,4"), page.url
    assert page.get_by_text("The link's").count() == 0                 # nothing refused, nothing to say
    # about:blank, then this page: the tidy link replaced the untidy one instead of adding an entry.
    assert page.evaluate("history.length") == 2

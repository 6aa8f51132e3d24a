"""Real-browser tests: Streamlit servers driven by Debian's Chromium.

The tests of a module share one server (each test is a new browser session, and is checked against
what the server logged during it); a test marked ``fresh_server`` gets a server of its own whose first
request is its deep link, as when a Community Cloud app wakes from sleep; every page has one such test.
Without Chromium the tests skip with a loud reason, except when REQUIRE_BROWSER=1 (CI), where
a missing browser is a failure.
"""

from __future__ import annotations

import io
import re
import os
import sys
import tempfile
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from deploy.server import Server

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
APP_READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


def _browser_missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -r requirements-dev.txt)"
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    reason = _browser_missing()
    if reason:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        sys.stderr.write(f"\n*** BROWSER TESTS SKIPPED: {reason} ***\n")
        pytest.skip(f"BROWSER TESTS SKIPPED: {reason}")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 720}}


KEEP_LOGS: set[Path] = set()          # the logs of servers that logged a problem stay in test-artifacts/


def start_server() -> Server:
    ARTIFACTS.mkdir(exist_ok=True)
    return Server(log_path=Path(tempfile.mkstemp(prefix="server-", suffix=".log", dir=ARTIFACTS)[1]))


def fail_if_logged_problems(s: Server, log: str, during: str = "") -> None:
    """A test fails if its server logged a traceback or a warning while it ran (users never see the
    console, but a warning there is a bug the page hid)."""
    problems = [word for word in ("Traceback", "RuntimeWarning", "Warning:") if word in log]
    if problems:
        KEEP_LOGS.add(s.log_path)
        when = f" {during}" if during else ""
        pytest.fail(f"the server logged {problems}{when}; see {s.log_path}:\n{log_excerpt(log, problems)}",
                    pytrace=False)


@pytest.fixture(scope="module")
def shared_server():
    """One server for the tests of a module that need no server of their own; stopped after them."""
    s = start_server()
    yield s
    seen = len(s.log_text())
    s.stop()
    fail_if_logged_problems(s, s.log_text()[seen:], "while stopping")
    if s.log_path not in KEEP_LOGS:
        s.log_path.unlink(missing_ok=True)


@pytest.fixture
def server(request):
    """The module's shared server, or with ``@pytest.mark.fresh_server`` one started for this test
    alone, so that the test's first request is the first the server ever sees. The test fails if the
    server logged a traceback or a warning during it (its share of a shared server's log)."""
    if request.node.get_closest_marker("fresh_server"):
        s = start_server()
        yield s
        s.stop()
        fail_if_logged_problems(s, s.log_text())
        s.log_path.unlink(missing_ok=True)
        return
    s = request.getfixturevalue("shared_server")
    seen = len(s.log_text())
    yield s
    fail_if_logged_problems(s, s.log_text()[seen:], "during this test")


def log_excerpt(log: str, words, around: int = 6, limit: int = 60) -> str:
    """The lines of ``log`` that hold one of ``words``, with ``around`` lines either side (CI keeps no
    artifacts, so a failure must show what the server said)."""
    lines = log.splitlines()
    keep = sorted({j for i, line in enumerate(lines) if any(w in line for w in words)
                   for j in range(max(0, i - around), min(len(lines), i + around + 1))})
    return "\n".join(lines[j] for j in keep[:limit])


QUIET_FRAMES = 10      # animation frames a layout must hold still (layout_settled)


# What the browser fetches to draw a page (an element's code, fonts, pictures); not fetch() calls, which
# may wait on purpose (a class's students wait on the lecturer's next move).
DRAWING = {"document", "script", "stylesheet", "font", "image", "media"}


def requests_in_flight(page) -> set:
    """The requests for drawing ``page`` sent and not yet answered (its listeners are added on the first
    call: the ``page`` fixture calls it before the first request; a page a test opens itself is
    followed from its first ``wait_ready``)."""
    pending = getattr(page, "_bpx_in_flight", None)
    if pending is None:
        pending = page._bpx_in_flight = set()
        page.on("request", lambda r: pending.add(r) if r.resource_type in DRAWING else None)
        page.on("requestfinished", lambda r: pending.discard(r))
        page.on("requestfailed", lambda r: pending.discard(r))
    return pending


@pytest.fixture
def page(page):
    requests_in_flight(page)
    return page


# Every 20 ms the page notes when what it shows last changed: how many elements, buttons and charts it
# has drawn, and how tall it is (a player's numbers changing in place do not count).
WATCH_DRAWING = """() => { if (window.__drawn) return;
    const w = window.__drawn = {sig: null, since: performance.now()};
    const main = () => document.querySelector('[data-testid="stMain"]');
    const id = setInterval(() => {
        const m = main();
        const sig = [document.querySelectorAll('[data-testid="stElementContainer"]').length,
                     document.querySelectorAll('button, input, canvas, svg').length, m && m.scrollHeight].join();
        if (sig !== w.sig) { w.sig = sig; w.since = performance.now(); }
    }, 20);
    setTimeout(() => { clearInterval(id); window.__drawn = null; }, 120000);
}"""
DRAWN_STILL_MS = 150


def wait_ready(page, timeout: float = 60_000) -> None:
    """Wait until the page's script has run to the end (title drawn, sidebar there, not running) and
    the browser has drawn what it sent. The browser draws a run's elements for a second or more after
    the script has ended when it must first fetch the code of an element it has not drawn before (a
    new browser's first visit): so, after 150 ms, until no request for drawing is unanswered and
    nothing has been added to the page for DRAWN_STILL_MS."""
    pending = requests_in_flight(page)
    page.wait_for_function(
        """() => { const a = document.querySelector('[data-testid="stApp"]');
                   return a && a.getAttribute('data-test-script-state') === 'notRunning'
                          && document.querySelector('[data-testid="stSidebar"]')
                          && document.querySelector('[data-testid="stMain"] h1'); }""",
        timeout=timeout)
    page.evaluate(WATCH_DRAWING)
    page.wait_for_timeout(150)
    for _ in range(int(timeout / 50)):
        if not pending:
            page.wait_for_function(f"() => !window.__drawn || performance.now() - window.__drawn.since >= {DRAWN_STILL_MS}",
                                   timeout=timeout)
            if not pending:
                break
        page.wait_for_timeout(50)
    else:
        pytest.fail(f"requests still unanswered after {timeout / 1000:.0f} s: {sorted(r.url for r in pending)[:5]}")
    page.wait_for_selector(APP_READY, timeout=timeout)
    if "projector=true" in page.url:      # its stylesheet is drawn a moment after the script has ended
        page.wait_for_function("() => getComputedStyle(document.documentElement).fontSize === '21px'",
                               timeout=timeout)


SETTLED = """([height, frames]) => {
    const main = document.querySelector('[data-testid="stMain"]');
    const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg')];
    const now = JSON.stringify([window.innerHeight, main && main.scrollHeight,
                                ...charts.map(c => [c.clientWidth, c.clientHeight])]);
    const w = window.__settled = window.__settled || {last: null, same: 0};
    w.same = now === w.last ? w.same + 1 : 0;
    w.last = now;
    return window.innerHeight === height && w.same >= frames;
}"""


def layout_settled(page, timeout: float = 30_000) -> None:
    """After ``page.set_viewport_size``: wait until the window has the new height and the page's height
    and every chart's size have stayed the same for QUIET_FRAMES animation frames (charts redraw for a
    new size after the page has been laid out again)."""
    page.evaluate("() => { window.__settled = null; }")
    page.wait_for_function(SETTLED, arg=[page.viewport_size["height"], QUIET_FRAMES], timeout=timeout)


def charts_drawn(page, timeout: float = 30_000) -> bool:
    """Wait until the fonts are loaded and every Vega-Lite chart has drawn (Vega draws after the script
    has finished); False if that did not happen within ``timeout`` ms, for the caller to say which."""
    try:
        page.wait_for_function(
            """() => document.fonts.status === 'loaded'
                     && [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
                        .every(c => c.querySelector('canvas, svg g'))""", timeout=timeout)
    except PlaywrightTimeoutError:
        return False
    return True


def assert_no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, \
        page.locator('[data-testid="stException"]').first.inner_text()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        """() => { const els = [document.documentElement, document.body,
                     document.querySelector('[data-testid="stMain"]'),
                     document.querySelector('[data-testid="stAppViewContainer"]')];
                   return els.filter(Boolean).every(e => e.scrollWidth <= e.clientWidth + 1); }""")


def screenshot(page, name: str, full_page: bool = False) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def curve_height(element, colour: str) -> int:
    """Rows of ``element``'s picture in which ``colour`` appears (± 40 per channel): how tall its curve is drawn."""
    want = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    picture = Image.open(io.BytesIO(element.screenshot())).convert("RGB")
    w, h = picture.size
    pixels = picture.load()
    rows = [y for y in range(h) if any(all(abs(c - t) <= 40 for c, t in zip(pixels[x, y], want))
                                       for x in range(0, w, 2))]
    return (max(rows) - min(rows) + 1) if rows else 0


def go_to(page, title: str) -> None:
    """Open the page ``title`` from the sidebar and wait until it is drawn."""
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    page.wait_for_function(
        "t => { const h = document.querySelector('[data-testid=\"stMain\"] h1'); return h && h.innerText.trim() === t; }",
        arg=title, timeout=60_000)
    wait_ready(page)


def open_and_upload(url: str, page, path: str, name: str, content: bytes, mime: str = "text/csv"):
    """Open ``path`` of the app at ``url``, choose "Your CSV file" and upload; returns the sidebar."""
    page.goto(f"{url}{path}")
    wait_ready(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Your CSV file").click()
    wait_ready(page)
    sidebar.locator('input[type="file"]').set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": content}])
    return sidebar


@pytest.fixture
def no_script_errors(page):
    """The test fails if the page's JavaScript threw (the player and the class bar run in the browser).
    A module uses it for all its tests with ``pytestmark = pytest.mark.usefixtures("no_script_errors")``."""
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield
    assert not errors, errors


def step_keys_ready(page, step: int) -> None:
    """Wait until Backprop step by step shows step ``step`` with its Next/Previous buttons drawn: the
    arrow keys are those buttons' shortcuts, bound only once the buttons are on the page (a page
    answered by a warm server reaches "notRunning" before it has drawn them)."""
    main = page.locator('[data-testid="stMain"]')
    main.locator("h3", has_text=f"Step {step} of 6").wait_for(timeout=30_000)
    main.get_by_role("button", name=re.compile("^Next →|^← Previous")).first.wait_for(timeout=30_000)


def press_step_key(page, key: str, to_step: int, tries: int = 3) -> None:
    """Press ``key`` (ArrowRight/ArrowLeft) on Backprop step by step and wait until step ``to_step``
    is shown. On a busy machine a press landing while the buttons are being redrawn can go unheard
    (seen once in a CI run, never reproduced): a lecturer presses again, and so does this, but only
    while the page is idle and still on the step it left; after ``tries`` unheard presses it fails."""
    main = page.locator('[data-testid="stMain"]')
    heading = main.locator("h3", has_text=f"Step {to_step} of 6")
    for _ in range(tries):
        page.keyboard.press(key)
        for _wait in range(3):                 # while a rerun is on its way, wait for it; do not press again
            try:
                heading.wait_for(timeout=10_000)
                return
            except PlaywrightTimeoutError:
                if page.evaluate("""() => document.querySelector('[data-testid="stApp"]')
                                          .getAttribute('data-test-script-state') === 'notRunning'"""):
                    break
        step_keys_ready(page, to_step - 1 if key == "ArrowRight" else to_step + 1)
    raise AssertionError(f"{key} did not move Backprop step by step to step {to_step} in {tries} presses")

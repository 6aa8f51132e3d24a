"""Class mode in real Chromium, each test on a fresh server: a lecturer's browser (1280×720) and a
student's (a phone, 390×844) in two browser contexts, so they share nothing but the server. The
student's page follows the lecturer's step and page, the projector counts the student's answer, a
student can explore and come back, and a student's browser cannot move the class."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, go_to, screenshot, wait_ready

FOLLOW = 60_000                   # ms: a safety net for a busy machine, not what the test measures
PHONE = {"width": 390, "height": 844}
ZBAR = shutil.which("zbarimg")           # reads the QR code back when installed (tests/views/test_qr.py needs it)
pytestmark = pytest.mark.fresh_server    # each test on a server of its own: a class lives in the server


@pytest.fixture
def lecturer(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    yield context.new_page()
    context.close()


@pytest.fixture
def student(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def start_class(server, page, path: str = "/backprop?seed=9&lr=0.01") -> str:
    page.goto(f"{server.url}{path}")
    wait_ready(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Class mode").click()
    sidebar.get_by_role("button", name="Start a class").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('class')", timeout=FOLLOW)
    wait_ready(page)
    code = page.evaluate("() => new URLSearchParams(location.search).get('class')")
    expect(page.locator(".bpc-code")).to_have_text(code, timeout=FOLLOW)
    return code


def join(server, page, code: str) -> None:
    page.goto(f"{server.url}/?class={code}")
    page.wait_for_function("() => location.pathname.endsWith('/backprop')", timeout=FOLLOW)
    wait_ready(page)


def on(page, step: int) -> None:
    """Wait until ``page`` shows step ``step`` of Backprop step by step."""
    page.wait_for_function("k => new URLSearchParams(location.search).get('step') === String(k)", arg=step,
                           timeout=FOLLOW)
    wait_ready(page)
    try:
        expect(page.locator('[data-testid="stMain"] h3', has_text=f"Step {step} of 6")).to_be_visible(timeout=FOLLOW)
    except AssertionError as e:          # CI keeps no artifacts: say what the page showed instead
        shows = page.evaluate("() => [...document.querySelectorAll('[data-testid=\"stMain\"] h1, "
                              "[data-testid=\"stMain\"] h3')].map(h => h.textContent.trim())")
        state = page.evaluate("() => document.querySelector('[data-testid=\"stApp\"]')"
                              ".getAttribute('data-test-script-state')")
        raise AssertionError(f"step {step} not shown at {page.url}: the page shows {shows}, script {state}") from e


def class_state(server, code: str) -> dict:
    with urllib.request.urlopen(f"{server.url}/_class/{code}/wait?since=-1", timeout=30) as r:
        return json.load(r)


def until(condition, page, what: str, tries: int = 600):
    """``condition()``'s first true value, asked every 0.1 s (a safety net of a minute, not a measure)."""
    for _ in range(tries):
        if value := condition():
            return value
        page.wait_for_timeout(100)
    raise AssertionError(f"never happened: {what}")


def test_a_phone_follows_the_lecturers_step_and_page_and_its_answer_is_counted(server, lecturer, student, tmp_path):
    code = start_class(server, lecturer)
    join(server, student, code)
    assert "seed=9" in student.url and "lr=0.01" in student.url
    expect(student.locator(".bpc-head")).to_contain_text(f"Following the lecturer · class {code}")
    expect(lecturer.locator(".bpc-following")).to_have_text("1 following", timeout=FOLLOW)
    link = lecturer.locator(".bpc-link").inner_text()
    assert link == f"{server.url}/?class={code}"
    if ZBAR:                                    # the projector's QR code is the join link
        shot = tmp_path / "qr.png"
        lecturer.locator(".bpc-qr").screenshot(path=str(shot))
        read = subprocess.run([ZBAR, "--quiet", "--raw", str(shot)], capture_output=True, text=True, timeout=60)
        assert read.stdout.strip() == link
    assert student.locator(".bpc-qr").count() == 0

    student.evaluate("() => { window.notReloaded = true; }")
    lecturer.get_by_role("button", name="Next →").first.click()
    on(student, 2)
    assert student.evaluate("() => window.notReloaded === true"), "a move on the same page reloaded the page"
    go_to(lecturer, "Network")
    student.wait_for_function("() => location.pathname.endsWith('/network')", timeout=FOLLOW)
    wait_ready(student)
    expect(student.locator('[data-testid="stMain"] h1')).to_have_text("Network")
    go_to(lecturer, "Backprop step by step")
    on(student, 2)

    lecturer.locator('[data-testid="stSidebar"]').get_by_role("button", name="Ask", exact=True).click()
    wait_ready(lecturer)
    yes = student.locator(".bpc-choice", has_text="yes")
    expect(yes).to_be_visible(timeout=FOLLOW)
    for part in (student.locator(".bpc-text"), yes, student.locator(".bpc-choice", has_text="no")):
        box = part.bounding_box()            # the question and its choices on the phone's first screen
        assert box and 0 <= box["y"] and box["y"] + box["height"] <= PHONE["height"], box
    screenshot(student, "class-phone-question")
    yes.tap()
    expect(student.locator(".bpc-status")).to_contain_text("Your answer: yes", timeout=FOLLOW)
    yes_row = lecturer.locator(".bpc-choice", has_text="yes")
    expect(yes_row.locator(".bpc-n")).to_have_text("1", timeout=FOLLOW)
    expect(lecturer.locator(".bpc-choice", has_text="no").locator(".bpc-n")).to_have_text("0")
    expect(lecturer.locator(".bpc-status")).to_have_text("1 answer so far")
    screenshot(lecturer, "class-projector-question")

    lecturer.locator('[data-testid="stSidebar"]').get_by_role("button", name="Reveal the answer").click()
    expect(student.locator(".bpc-status")).to_contain_text("Answer: yes", timeout=FOLLOW)
    assert_no_exception(lecturer)
    assert_no_exception(student)


def test_a_question_leaves_a_following_students_own_page_where_it_is_until_the_lecturer_moves(server, lecturer,
                                                                                               browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720})   # a laptop shows the sidebar
    student = context.new_page()
    code = start_class(server, lecturer, "/backprop?seed=9&lr=0.01&step=3")
    join(server, student, code)
    on(student, 3)
    # Following, the step is the lecturer's: no step buttons, no epoch, sample or unit control.
    main = student.locator('[data-testid="stMain"]')
    expect(main.get_by_role("button", name=re.compile("^Next →|^← Previous"))).to_have_count(0)
    expect(main.get_by_role("spinbutton")).to_have_count(0)
    go_to(student, "Network")                                            # the student's own click
    student.wait_for_function("() => location.pathname.endsWith('/network')", timeout=FOLLOW)
    wait_ready(student)
    student.evaluate("() => { window.notReloaded = true; }")
    lecturer.locator('[data-testid="stSidebar"]').get_by_role("button", name="Ask", exact=True).click()
    wait_ready(lecturer)
    # The question raised the class's version and reached the student's bar; a move is opened in the
    # same call that draws the bar, so by now the page would have gone back to the lecturer's step 3.
    expect(student.locator(".bpc-question")).to_be_visible(timeout=FOLLOW)
    assert student.url.split("?")[0].endswith("/network") and student.evaluate("() => window.notReloaded === true")
    expect(main.locator("h1")).to_have_text("Network")
    lecturer.get_by_role("button", name=re.compile("^← Previous")).first.click()      # the lecturer's next move
    student.wait_for_function("() => location.pathname.endsWith('/backprop')", timeout=FOLLOW)
    on(student, 2)
    assert_no_exception(student)
    context.close()


def test_a_student_explores_on_their_own_and_comes_back_to_the_lecturer(server, lecturer, student):
    code = start_class(server, lecturer)
    join(server, student, code)
    # Following, the settings come from the lecturer's link: no control of them in the sidebar.
    sidebar = student.locator('[data-testid="stSidebar"]')
    seed = sidebar.get_by_role("spinbutton", name="Seed (initial weights)")
    expect(sidebar.get_by_text("The settings follow the lecturer's.")).to_have_count(1, timeout=FOLLOW)
    expect(seed).to_have_count(0)
    student.get_by_role("button", name="Explore on my own").click()
    expect(student.locator(".bpc-head")).to_contain_text("Exploring on your own")
    expect(seed).to_have_value("9", timeout=FOLLOW)               # every control back, at the lecturer's values
    wait_ready(student)
    lecturer.get_by_role("button", name="Next →").first.click()
    wait_ready(lecturer)
    moved = until(lambda: (s := class_state(server, code))["view"]["query"].get("step") == "2" and s["version"],
                  lecturer, "the lecturer's step 2 reaches the class")
    # The student's bar has the class's state after that move, and the page stayed where it was.
    student.wait_for_function(
        """v => [...document.querySelectorAll('*')].map(e => e.shadowRoot).filter(Boolean)
                   .map(r => r.querySelector('.bpc')).some(el => el && Number(el.dataset.version) >= v)""",
        arg=moved, timeout=FOLLOW)
    assert "step=2" not in student.url and student.locator(".bpc-head").inner_text().startswith("Exploring")
    student.get_by_role("button", name="Back to the lecturer").click()
    on(student, 2)
    expect(student.locator(".bpc-head")).to_contain_text("Following the lecturer")
    expect(seed).to_have_count(0, timeout=FOLLOW)


def test_a_students_browser_cannot_move_the_class_whatever_it_sends(server, lecturer, student):
    code = start_class(server, lecturer)
    join(server, student, code)
    before = class_state(server, code)
    sent = student.evaluate("""async (code) => {
        const r = await fetch(`/_class/${code}/lead`, {method: 'POST', headers: {'Content-Type': 'application/json'},
                              body: JSON.stringify({key: 'forged-key', page: 'training', query: {seed: '1'}})});
        return [r.status, (await r.json()).error]; }""", code)
    assert sent == [403, "Only the lecturer of this class can do that."]
    # A forged key in the student's storage: the server refuses it, and the page goes on following.
    student.evaluate("code => localStorage.setItem(`backprop-class-key:${code}`, 'forged-key')", code)
    student.reload()
    wait_ready(student)
    expect(student.locator(".bpc-head")).to_contain_text("Following the lecturer", timeout=FOLLOW)
    assert student.evaluate("code => localStorage.getItem(`backprop-class-key:${code}`)", code) is None
    assert student.locator('[data-testid="stSidebar"]').get_by_role("button", name="End the class").count() == 0
    after = class_state(server, code)
    assert (after["version"], after["view"]) == (before["version"], before["view"])


def test_the_lecturers_browser_closed_and_opened_again_still_leads(server, lecturer, student):
    code = start_class(server, lecturer)
    address = lecturer.url
    context = lecturer.context
    lecturer.close()                               # the tab, not the browser: its storage stays
    again = context.new_page()
    again.goto(address)
    wait_ready(again)
    expect(again.locator(".bpc-code")).to_have_text(code, timeout=FOLLOW)
    expect(again.locator('[data-testid="stSidebar"]').get_by_role("button", name="End the class")).to_be_visible(
        timeout=FOLLOW)
    join(server, student, code)
    again.get_by_role("button", name="Next →").first.click()
    on(student, 2)

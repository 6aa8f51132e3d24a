"""Following the lecturer in real Chromium, each test on a fresh server, lecturer and student in two
browser contexts: the lecturer's Play starts and stops every following student's animation (each
browser animates itself, as far along as the lecturer's), and a following phone's first screen holds
the moment's point — the step's equation with its numbers, the player's chart — not the page's
controls, which *Explore on my own* brings back."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, screenshot, wait_ready
from tests.e2e.player import Requests, controls, drawn, pause_button, play_button
from tests.e2e.test_class_browser import FOLLOW, PHONE, class_state, join, on, start_class, until

TRAINING = "/training?seed=9&lr=0.01"
SLOW_S = 40                       # the player's "Slow": a whole run in 40 s
MAIN = '[data-testid="stMain"]'


@pytest.fixture
def errors():
    """Every page error of the test's browsers: the test fails if their JavaScript threw."""
    found: list[str] = []
    yield found
    assert not found, found


@pytest.fixture
def lecturer(browser, errors):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(f"lecturer: {e}"))
    yield page
    context.close()


@pytest.fixture
def student(browser, errors):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(f"student: {e}"))
    yield page
    context.close()


def follow_to_training(server, page, code: str) -> None:
    page.goto(f"{server.url}/?class={code}")
    page.wait_for_function("() => location.pathname.endsWith('/training')", timeout=FOLLOW)
    wait_ready(page)
    drawn(page)


def epoch(page) -> int:
    return int(controls(page).get_attribute("data-epoch"))


def playing(page) -> bool:
    return controls(page).get_attribute("data-playing") == "true"


def last_epoch(page) -> int:
    return int(page.evaluate("() => new URL(location.href).searchParams.get('epochs') || '1000'"))


def test_the_lecturers_play_and_pause_play_and_stop_every_followers_animation(server, lecturer, student):
    code = start_class(server, lecturer, TRAINING)
    drawn(lecturer)
    sent = Requests(student)              # what the student's browser tells its own session
    follow_to_training(server, student, code)
    last = last_epoch(lecturer)
    lecturer.get_by_role("radio", name="Slow").click()
    play_button(lecturer).click()
    expect(controls(student)).to_have_attribute("data-playing", "true", timeout=FOLLOW)
    expect(pause_button(student)).to_be_visible()
    # Where each animation is: the lecturer's before and after the student's, a second's play either side.
    before, theirs, after = epoch(lecturer), epoch(student), epoch(lecturer)
    second = last / SLOW_S
    print(f"lecturer at {before}–{after}, student at {theirs}: {second:.0f} epochs a second")
    assert before - 1.5 * second <= theirs <= after + 1.5 * second and 0 < theirs < last
    until(lambda: "play" in sent.events(), student, "the student's browser tells its own session it plays")

    pause_button(lecturer).click()
    expect(controls(lecturer)).to_have_attribute("data-playing", "false", timeout=FOLLOW)
    paused = epoch(lecturer)
    assert 0 < paused < last
    expect(controls(student)).to_have_attribute("data-playing", "false", timeout=FOLLOW)
    expect(controls(student)).to_have_attribute("data-epoch", str(paused), timeout=FOLLOW)
    student.wait_for_function("e => new URL(location.href).searchParams.get('epoch') === String(e)", arg=paused,
                              timeout=FOLLOW)
    assert "stop" in sent.events()
    assert_no_exception(student)


def test_a_student_who_joins_mid_play_starts_where_the_lecturer_is_and_exploring_keeps_their_own(
        server, lecturer, student):
    code = start_class(server, lecturer, TRAINING)
    drawn(lecturer)
    last = last_epoch(lecturer)
    lecturer.get_by_role("radio", name="Slow").click()
    play_button(lecturer).click()
    until(lambda: epoch(lecturer) >= last // 10, lecturer, "the lecturer's animation reaches a tenth of the run")
    joined_at = epoch(lecturer)
    follow_to_training(server, student, code)
    expect(controls(student)).to_have_attribute("data-playing", "true", timeout=FOLLOW)
    assert epoch(student) >= joined_at, "the student's animation started behind the lecturer's"

    student.get_by_role("button", name="Explore on my own").click()
    expect(student.locator(".bpc-head")).to_contain_text("Exploring on your own")
    pause_button(lecturer).click()
    paused = until(lambda: (s := class_state(server, code))["view"].get("play", {}).get("playing") is False
                   and s["version"], lecturer, "the lecturer's pause reaches the class")
    student.wait_for_function(   # the student's bar has the class as it is after the pause
        """v => [...document.querySelectorAll('*')].map(e => e.shadowRoot).filter(Boolean)
                   .map(r => r.querySelector('.bpc')).some(el => el && Number(el.dataset.version) >= v)""",
        arg=paused, timeout=FOLLOW)
    assert playing(student) or epoch(student) == last, "exploring, the student's own animation was stopped"


def first_screen(box) -> bool:
    return bool(box) and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


NUMBERS = '.st-key-step-numbers-{k} .katex-display'


@pytest.mark.parametrize("step", [3, 4])
def test_a_following_phones_first_screen_holds_the_steps_equation_with_its_numbers(server, lecturer, student,
                                                                                   step):
    code = start_class(server, lecturer, f"/backprop?seed=9&lr=0.01&step={step}")
    join(server, student, code)
    on(student, step)
    student.wait_for_function("document.fonts.status === 'loaded'")
    equation = student.locator(NUMBERS.format(k=step)).first
    expect(equation).to_be_visible(timeout=FOLLOW)
    tex = equation.locator("annotation").text_content()
    assert "=" in tex and any(c.isdigit() for c in tex.split("=")[-1]), tex     # the equation with its numbers
    box = equation.bounding_box()
    print(f"step {step}: the equation with its numbers at y = {box['y']:.0f}–{box['y'] + box['height']:.0f} px")
    assert first_screen(box), box
    sample = student.locator(MAIN).get_by_label("Sample n", exact=True)
    assert not sample.is_visible() and not student.get_by_role("button", name="Next →").first.is_visible()
    if step == 3:
        path = screenshot(student, "class-phone-following")
        assert path.exists()

    student.get_by_role("button", name="Explore on my own").click()
    expect(sample).to_be_visible(timeout=FOLLOW)                      # the controls are back, the equation below
    expect(student.locator(MAIN).get_by_role("button", name="Next →").first).to_be_visible()
    assert equation.bounding_box()["y"] > PHONE["height"]
    student.get_by_role("button", name="Back to the lecturer").click()
    expect(sample).to_be_hidden(timeout=FOLLOW)
    expect(equation).to_be_visible(timeout=FOLLOW)           # drawn again by the run that follows
    wait_ready(student)
    assert first_screen(equation.bounding_box())
    assert_no_exception(student)


def test_a_following_phones_first_screen_holds_the_players_chart(server, lecturer, student):
    code = start_class(server, lecturer, TRAINING)
    follow_to_training(server, student, code)
    chart = student.locator(f"{MAIN} .bpx-part canvas").first
    box = chart.bounding_box()
    print(f"the player's chart at y = {box['y']:.0f}–{box['y'] + box['height']:.0f} px")
    assert first_screen(box), box
    assert not student.locator(MAIN).get_by_role("slider").first.is_visible()
    student.get_by_role("button", name="Explore on my own").click()
    expect(student.locator(MAIN).get_by_role("slider").first).to_be_visible(timeout=FOLLOW)
    assert not first_screen(chart.bounding_box())


def test_the_projector_counts_a_phones_answer_large(server, lecturer, student):
    code = start_class(server, lecturer, "/backprop?seed=9&lr=0.01&step=3")
    lecturer.goto(f"{lecturer.url}&projector=true")          # the same class, now on the projector
    wait_ready(lecturer)
    expect(lecturer.locator(".bpc.projector .bpc-code")).to_have_text(code, timeout=FOLLOW)
    join(server, student, code)
    on(student, 3)
    sidebar = lecturer.locator('[data-testid="stSidebar"]')
    opener = lecturer.locator('[data-testid="stExpandSidebarButton"]')
    if opener.is_visible():                                   # a projector's sidebar starts folded
        opener.click()
    sidebar.get_by_role("button", name="Ask", exact=True).click()
    wait_ready(lecturer)
    choice = student.locator(".bpc-choice").first
    expect(choice).to_be_visible(timeout=FOLLOW)
    picked = choice.locator(".bpc-label").inner_text()
    choice.tap()
    row = lecturer.locator(".bpc-choice", has_text=picked)
    expect(row.locator(".bpc-n")).to_have_text("1", timeout=FOLLOW)
    expect(lecturer.locator(".bpc-status")).to_have_text("1 answer so far")
    assert lecturer.evaluate("() => getComputedStyle(document.documentElement).fontSize") == "21px"
    lecturer.locator('[data-testid="stSidebarCollapseButton"] button').click()       # the class sees the page
    expect(sidebar).not_to_be_in_viewport(timeout=FOLLOW)
    screenshot(lecturer, "class-projector-question-large")

"""Class mode under AppTest: starting a class, the lecturer's questions, joining, and what a
student's session may not do. The class store is this process's memory store, shared by every
AppTest here as by every session of one server."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.app.helpers import no_exception, open_app
from tests.app.test_training_page import download, media  # noqa: F401  (media is a fixture)
from ui.serve import classes
from ui.serve.internals import component_trigger_id

LECTURE = {"seed": "9", "lr": "0.01", "step": "2"}


def bar(at) -> dict:
    """The data class mode's component was mounted with."""
    [element] = [e for e in at.get("bidi_component") if "code" in json.loads(e.proto.json)]
    return json.loads(element.proto.json)


def button(at, label: str):
    return next(b for b in at.sidebar.button if b.label == label)


def labels(at) -> list[str]:
    return [b.label for b in at.sidebar.button]


def bar_says(at, event: str, value):
    """A run as after the class bar in the page's browser said ``event`` with ``value`` (a trigger)."""
    [element] = [e for e in at.get("bidi_component") if "code" in json.loads(e.proto.json)]
    states = at._tree.get_widget_states()
    trigger = states.widgets.add()
    trigger.id = component_trigger_id(element.proto.id)
    trigger.json_trigger_value = json.dumps([{"event": event, "value": value}])
    return at._run(states)


def browser_offers_key(at, key: str):
    """A run as after the page's browser offered ``key`` as the class's lecturer key."""
    return bar_says(at, "key", key)


def start(page: str = "backprop"):
    at = open_app(page, LECTURE)
    button(at, "Start a class").click().run()
    no_exception(at)
    code = at.query_params["class"]
    return at, code[0] if isinstance(code, list) else code


def test_starting_a_class_gives_a_code_in_the_link_and_the_key_to_this_browser_only():
    at, code = start()
    assert classes.normal_code(code) == code
    sent = bar(at)
    assert sent["code"] == code and sent["lecturer"] is True
    assert classes.store().is_lecturer(code, sent["newKey"])
    assert sent["newKey"] not in json.dumps(dict(at.query_params))
    assert {"Ask", "End the class"} <= set(labels(at)) and "Start a class" not in labels(at)
    # Once the browser says it holds the key, the key is not sent again.
    browser_offers_key(at, sent["newKey"])
    no_exception(at)
    assert bar(at)["newKey"] is None and bar(at)["lecturer"] is True


def test_the_lecturer_asks_the_steps_question_closes_reveals_and_downloads_the_counts(media):  # noqa: F811
    at, code = start()
    store = classes.store()
    [asked] = [s for s in at.sidebar.selectbox if s.label == "Ask the class"]
    assert asked.options == ["Will L go down after this step's update (epoch 0, sample n = 1)?"]
    button(at, "Ask").click().run()
    question = store.current_question(code)
    assert question["text"] == asked.options[0] and question["state"] == "open"
    store.seen(code, "student-0001")
    store.answer(code, "student-0001", question["id"], "yes")
    button(at, "Close answers").click().run()
    assert store.current_question(code)["state"] == "closed" and "Close answers" not in labels(at)
    button(at, "Reveal the answer").click().run()
    revealed = store.current_question(code)
    assert (revealed["state"], revealed["answer"]) == ("revealed", "yes")       # 3.5226 → 2.4415
    rows = list(csv.reader(io.StringIO(download(media, at, "Class summary"))))
    assert rows[1:] == [["1", question["text"], "yes", "1", "yes"], ["1", question["text"], "no", "0", ""]]
    no_exception(at)


def test_on_the_training_page_the_lecturer_is_offered_the_runs_questions():
    at, code = start("training")
    [asked] = [s for s in at.sidebar.selectbox if s.label == "Ask the class"]
    assert asked.options == ["Does the training loss L ever go up from one epoch to the next in these 1,000 epochs?",
                             "After 1,000 epochs, is the loss per row higher on the test rows or on the training rows?"]
    asked.select_index(1).run()
    button(at, "Ask").click().run()
    no_exception(at)
    assert classes.store().current_question(code)["text"] == asked.options[1]


def test_the_classification_lesson_offers_its_own_questions_on_both_pages():
    classify = {"seed": "9", "lr": "0.5", "task": "classification", "dataset": "moons", "step": "3"}
    at = open_app("backprop", classify)
    button(at, "Start a class").click().run()
    no_exception(at)
    [asked] = [s for s in at.sidebar.selectbox if s.label == "Ask the class"]
    assert asked.options == ["Output delta (epoch 0, sample n = 1): what is δ_O, to two decimals?"]
    at = open_app("training", {**classify, "epochs": "200"})
    button(at, "Start a class").click().run()
    [asked] = [s for s in at.sidebar.selectbox if s.label == "Ask the class"]
    assert asked.options[-1] == "After 200 epochs, is the accuracy higher on the training rows or on the test rows?"
    no_exception(at)


def test_only_a_followers_bar_gets_the_stylesheet_that_keeps_a_phones_first_screen_for_the_point():
    at, code = start()
    assert bar(at)["followingCss"] is None
    student = open_app("backprop", {"class": code})
    css = bar(student)["followingCss"]
    assert "html[data-bpc-following]" in css and "st-key-led-" in css and "max-width" in css


def test_ending_the_class_leaves_it_and_keeps_its_summary_a_while(media):  # noqa: F811
    at, code = start()
    button(at, "End the class").click().run()
    no_exception(at)
    assert "class" not in at.query_params and "Start a class" in labels(at)
    assert any(f"The class {code} has ended" in c.value for c in at.sidebar.caption)
    assert download(media, at, "Class summary").splitlines() == ["question,text,choice,answers,right answer"]
    student = open_app("data", {"class": code})
    no_exception(student)
    assert [e.value for e in student.main.error] == [f"The class {code} has ended."]


def test_a_student_who_joins_follows_and_has_no_lecturers_controls():
    _, code = start()
    student = open_app("data", {"class": code.lower()})
    no_exception(student)
    sent = bar(student)
    assert sent["code"] == code and sent["lecturer"] is False and sent["newKey"] is None
    assert "Ask" not in labels(student) and "End the class" not in labels(student)
    assert "Leave the class" in labels(student)


@pytest.mark.parametrize("forged", ["", "guess", "x" * 300])
def test_a_forged_lecturer_key_from_a_student_changes_nothing(forged):
    lecturer, code = start()
    student = open_app("backprop", {**LECTURE, "class": code})
    browser_offers_key(student, forged)
    no_exception(student)
    assert bar(student)["lecturer"] is False and bar(student)["checked"] is True
    assert "Ask" not in labels(student) and "End the class" not in labels(student)
    assert classes.store().view(code) == (0, {}) and classes.store().current_question(code) is None


def test_the_lecturers_own_browser_in_a_new_session_is_the_lecturer_again():
    lecturer, code = start()
    key = bar(lecturer)["newKey"]
    reopened = open_app("backprop", {**LECTURE, "class": code})
    assert "Ask" not in labels(reopened)
    browser_offers_key(reopened, key)
    no_exception(reopened)
    assert bar(reopened)["lecturer"] is True and "Ask" in labels(reopened)


@pytest.mark.parametrize("typed, sentence", [
    ("ZZZZZZ", "There is no class with the code ZZZZZZ: check the code, or ask for the link again."),
    ("hello!", "There is no class with the code HELLO: check the code, or ask for the link again."),
    ("<b>K7</b>", "There is no class with the code BK7B: check the code, or ask for the link again."),
])
@pytest.mark.fast_sample(2)
def test_a_wrong_code_is_one_sentence_and_the_page_still_works(typed, sentence):
    at = open_app("backprop", {**LECTURE, "class": typed})
    no_exception(at)
    assert [e.value for e in at.main.error] == [sentence]
    assert bar(at) == {"code": None}
    assert at.main.title[0].value == "Backprop step by step"


def test_no_class_no_bar_and_no_sentence():
    at = open_app("network")
    no_exception(at)
    assert bar(at) == {"code": None} and not at.main.error

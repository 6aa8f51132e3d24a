"""A following student's page under AppTest: the lecturer's settings from the link alone, without the
sidebar's controls and without the sections below the moment; *Explore on my own* (the browser's
``follow`` trigger) brings every control back with the same values, *Back to the lecturer* leads again.
The settings a following page computes with are compared with those the sidebar's own widgets take
from the same link: two separate readings of one link."""

from __future__ import annotations

import pytest

from tests.app.helpers import component_data, no_exception, open_app
from tests.app.test_class_mode import LECTURE, bar, bar_says, start
from ui.state.sidebar import _CURRENT
from ui.views import frames

LINKS = [LECTURE, {"seed": "5", "hidden": "8,4", "lr": "0.1", "batch": "5", "l2": "0.01", "act": "tanh",
                   "epochs": "300", "split": "7", "test": "0.3"},
         {"task": "classification", "dataset": "xor", "hidden": "4", "points": "120", "noise": "0.2",
          "dseed": "3", "inputs": "x1sq,x2sq"},
         {"task": "classification", "hidden": "0", "dataset": "circle"},
         {"hidden": "0", "lr": "7", "seed": "no"}]          # values no widget takes: their defaults, both ways


def follow(at, want: bool):
    """A run as after the student's browser said it follows (True) or explores on its own (False)."""
    return bar_says(at, "follow", want)


def settings_widgets(at) -> list[str]:
    return [w.label for w in [*at.sidebar.number_input, *at.sidebar.select_slider, *at.sidebar.radio]]


@pytest.mark.parametrize("link", LINKS, ids=["lecture", "deep", "xor", "circle", "refused"])
def test_a_following_page_computes_with_the_settings_the_sidebar_takes_from_the_same_link(link):
    _, code = start()
    alone = open_app("data", link)
    following = open_app("data", {**link, "class": code})
    no_exception(alone)
    no_exception(following)
    assert bar(following)["following"] is True and settings_widgets(following) == []
    assert following.session_state[_CURRENT] == alone.session_state[_CURRENT]


def test_a_following_backprop_page_shows_the_step_and_says_where_the_rest_is():
    _, code = start()
    student = open_app("backprop", {**LECTURE, "class": code})
    no_exception(student)
    main = [m.value for m in student.main.markdown] + [c.value for c in student.main.caption]
    assert any("Step 2 of 6" in h.value for h in student.main.subheader)
    assert any("You follow the lecturer's screen" in text for text in main)
    assert not any(h.value.startswith("Gradient check") for h in student.main.subheader)
    assert settings_widgets(student) == []
    assert any("settings follow the lecturer" in c.value for c in student.sidebar.caption)


def test_exploring_brings_back_every_control_with_the_lecturers_values_and_following_again_hides_them():
    _, code = start()
    student = open_app("training", {**LECTURE, "class": code})
    led = student.session_state[_CURRENT]
    follow(student, False)
    no_exception(student)
    assert bar(student)["following"] is False
    assert "Seed (initial weights)" in settings_widgets(student)
    assert student.session_state[_CURRENT] == led
    assert any(h.value.startswith("Take it home") for h in student.main.subheader)
    follow(student, True)
    no_exception(student)
    assert bar(student)["following"] is True and settings_widgets(student) == []
    assert not any(h.value.startswith("Take it home") for h in student.main.subheader)


def test_the_lecturer_never_gets_a_following_page():
    lecturer, code = start()
    assert bar(lecturer)["following"] is False
    follow(lecturer, True)                      # whatever a browser sends
    no_exception(lecturer)
    assert bar(lecturer)["following"] is False and "Seed (initial weights)" in settings_widgets(lecturer)


@pytest.mark.parametrize("link", [{**LECTURE, "step": "4", "sample": "3", "unit": "2", "epoch": "10"},
                                  {"hidden": "8,4", "step": "5", "sample": "2", "unit": "4", "epoch": "999"},
                                  {"task": "classification", "step": "3", "sample": "7", "epoch": "40"},
                                  {"step": "9", "sample": "99", "unit": "0", "epoch": "-1"},   # out of range
                                  {**LECTURE, "all": "true"}],
                         ids=["lecture", "deeper", "classification", "refused", "all"])
def test_a_following_step_page_shows_the_numbers_its_controls_would_show_for_the_same_link(link):
    _, code = start()
    alone = open_app("backprop", link)
    following = open_app("backprop", {**link, "class": code})
    no_exception(following)
    assert [w.label for w in following.main.number_input] == []          # no control: the lecturer's
    assert following.main.slider.len == 0 and following.main.toggle.len == 0
    shown = [h.value for h in alone.main.subheader if h.value.startswith("Step ")]
    assert shown and [h.value for h in following.main.subheader if h.value.startswith("Step ")] == shown
    status = [m.value for m in alone.main.markdown if m.value.startswith("Loss L") or "accuracy" in m.value[:40]]
    assert status and all(any(m.value == line for m in following.main.markdown) for line in status)
    mine = [x.value for x in following.main.latex]           # the step's equations; the sections below come after
    assert mine and [x.value for x in alone.main.latex][:len(mine)] == mine


def test_a_class_led_to_an_epoch_between_the_shipped_frames_computes_its_numbers_once(monkeypatch):
    """Three hundred students led to the same epoch ask for the same numbers: the first computes them."""
    made, real = [], frames.one_frame
    monkeypatch.setattr(frames, "one_frame", lambda *a, **k: made.append(a[2]) or real(*a, **k))
    _, code = start()
    shipped = set(component_data(open_app("training"), "run")[0]["run"]["frames"]["epoch"])
    between = next(e for e in range(977, 30, -1) if e not in shipped)
    students = [open_app("training", {"epoch": str(between), "class": code}) for _ in range(3)]
    pinned = [component_data(at, "controls")[0]["pinned"] for at in students]
    assert pinned[0]["epoch"] == between and pinned[0] == pinned[1] == pinned[2]
    assert made.count(between) <= 1

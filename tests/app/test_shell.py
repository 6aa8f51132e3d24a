"""The shell: navigation, the shared sidebar, presets, reset and shareable links."""

import pytest

from tests.app.helpers import PAGES, no_exception, open_app, texts
from ui.state.params import BY_NAME, DEFAULTS, PRESETS, spell

SIDEBAR_KEYS = ("seed", "hidden", "lr", "epochs", "act", "split", "test", "projector", "preset")


def sidebar_values(at):
    sb = at.sidebar
    return dict(seed=sb.number_input(key="seed").value, hidden=sb.text_input(key="hidden").value,
                lr=sb.select_slider(key="lr").value, epochs=sb.number_input(key="epochs").value,
                act=sb.radio(key="act").value, split=sb.number_input(key="split").value,
                test=sb.select_slider(key="test").value)


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_runs_and_has_the_sidebar_controls(page):
    at = open_app(page)
    no_exception(at)
    assert at.title[0].value
    for key in SIDEBAR_KEYS:
        assert at.sidebar.get("toggle" if key == "projector" else None) is not None
        widget = [w for w in at.sidebar if getattr(w, "key", None) == key]
        assert widget, f"sidebar control {key!r} missing on {page}"


@pytest.mark.parametrize("page", ["network", "backprop", "training"])
def test_a_sidebar_change_survives_switching_page(page):
    at = open_app("data")
    at.sidebar.text_input(key="hidden").set_value("7").run()
    at.sidebar.number_input(key="seed").set_value(11).run()
    at.switch_page(PAGES[page]).run()
    no_exception(at)
    assert at.sidebar.text_input(key="hidden").value == "7"
    assert at.sidebar.number_input(key="seed").value == 11


def test_defaults_match_the_spec():
    assert sidebar_values(open_app()) == dict(seed=321, hidden="3", lr=0.05, epochs=1000,
                                               act="sigmoid", split=42, test=0.5)


@pytest.mark.parametrize("name", list(PRESETS))
@pytest.mark.fast_sample(3)
def test_each_preset_sets_what_it_says(name):
    at = open_app("training")
    at.sidebar.text_input(key="hidden").set_value("9").run()           # something to be overwritten
    at.sidebar.selectbox(key="preset").set_value(name).run()
    no_exception(at)
    expected = {**{k: DEFAULTS.linked()[k] for k in ("seed", "hidden", "lr", "epochs", "act", "split", "test")},
                **{BY_NAME[n].key: v for n, v in PRESETS[name].items()}}
    expected = {k: (spell(v) if k == "hidden" else v) for k, v in expected.items() if k in sidebar_values(at)}
    assert sidebar_values(at) == expected
    # and the numbers on the page follow
    assert at.sidebar.selectbox(key="preset").value is None


def test_preset_names_state_their_values():
    assert PRESETS["Lecture demo — first step: seed 9, η 0.01"] == dict(seed=9, eta=0.01)
    assert PRESETS["Lecture demo — training: seed 321, η 0.05, 1000 epochs"] == dict(seed=321, eta=0.05, epochs=1000)
    assert PRESETS["Wide network (16 units)"] == dict(hidden=(16,))
    assert PRESETS["One hidden unit"] == dict(hidden=(1,))
    assert PRESETS["Two hidden layers (8, 4)"] == dict(hidden=(8, 4))


def test_reset_returns_every_setting_to_its_default():
    at = open_app(query={"seed": "9", "hidden": "5", "lr": "0.01", "act": "tanh"})
    at.sidebar.button[0].click().run()
    assert sidebar_values(at) == dict(seed=321, hidden="3", lr=0.05, epochs=1000, act="sigmoid",
                                      split=42, test=0.5)


def test_a_link_opens_with_its_values_on_every_page():
    for page in PAGES:
        at = open_app(page, {"seed": "9", "hidden": "5", "lr": "0.01", "split": "7", "test": "0.2",
                             "act": "tanh", "epochs": "300"})
        no_exception(at)
        assert sidebar_values(at) == dict(seed=9, hidden="5", lr=0.01, epochs=300, act="tanh", split=7, test=0.2)
        assert not at.warning


def test_backprop_page_shows_the_lecture_initial_loss_for_seed_9():
    at = open_app("backprop", {"seed": "9"})
    assert "3.52260967" in texts(at)


GARBAGE = {"seed": "abc", "hidden": "999", "lr": "-1", "epochs": "1e12", "act": "<b>x</b>"}


@pytest.mark.parametrize("page", list(PAGES))
def test_a_garbage_link_falls_back_and_says_so(page):
    at = open_app(page, GARBAGE)
    no_exception(at)
    assert sidebar_values(at) == dict(seed=321, hidden="3", lr=0.05, epochs=1000, act="sigmoid",
                                      split=42, test=0.5)
    notice = "\n".join(w.value for w in at.warning)
    for key in GARBAGE:
        assert f"`{key}=" in notice
    assert "using 3" in notice and "using sigmoid" in notice
    assert "<b>" in notice              # shown literally inside a code span, not as HTML


def test_out_of_range_values_are_not_used_for_training():
    at = open_app("training", {"epochs": "20001", "hidden": "33"})
    no_exception(at)
    v = sidebar_values(at)
    assert v["epochs"] <= 20000 and all(int(w) <= 32 for w in v["hidden"].split(","))


def test_the_link_notice_goes_away_once_the_student_changes_a_setting():
    at = open_app("training", GARBAGE)
    assert at.warning
    at.sidebar.text_input(key="hidden").set_value("4").run()
    assert not at.warning

"""Mangled links: every URL parameter, every kind of junk, every page. Nothing raises, nothing goes
past the maximum settings, and every notice about the link is true.

The fast test gives every parameter the same junk at once (so each parameter meets each value on
each page); the slow one (``make test``) gives them one at a time, where each notice can be
checked on its own.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.app.helpers import PAGES, open_app
from tests.state.test_params import spellings
from ui.state.params import BY_KEY, PAGE, choice_param, spell
from ui.views import network as network_view

SIDEBAR = list(BY_KEY)              # seed hidden lr epochs act split test batch l2 projector
ON_PAGE = {"data": [], "network": ["epoch", "sample", "show"],
           "backprop": ["epoch", "sample", "unit", "step", "all", "mistake"], "training": ["epoch", "seeds"]}
EVERY = SIDEBAR + sorted({k for keys in ON_PAGE.values() for k in keys})
JUNK = {"empty": "", "inf": "inf", "-inf": "-inf", "1e400": "1e400", "nan": "NaN", "repeated": ["3", "2"],
        "10kB": "9" * 10_240, "arabic-indic": "\u0663", "fullwidth": "\uff13", "3.0": "3.0"}
NOTICE = re.compile(r"The link's `(?P<key>[a-z0-9]+)=(?P<shown>[^`]*)` (?P<how>is not allowed \((?P<rule>.*?)\)|could "
                    r"not be used here(?: \([^)]*\))?); using (?P<used>.+?)\.$|The link gives `(?P<rkey>[a-z0-9]+)` (?P<n>\d+) times; "
                    r"using the last one, (?P<last>.+?)\.$")
PARAMS = {**BY_KEY, **PAGE, "show": choice_param("show", network_view.SHOW)}


def notices(at) -> list[str]:
    return [line.strip() for w in at.warning for line in w.value.split("\n") if line.strip().startswith("The link")]


def check_notices(at, query: dict) -> list[re.Match]:
    """Every notice names a parameter of the link, and none contradicts itself."""
    found = []
    for line in notices(at):
        m = NOTICE.match(line)
        assert m, f"a notice of an unknown form: {line!r}"
        key = m["key"] or m["rkey"]
        assert key in query, f"a notice about {key}, which the link does not have"
        if m["used"] is not None:
            p, used = PARAMS[key], m["used"]
            if not (p.key == "batch" and used == "all rows"):
                p.parse(used)             # what the page uses is itself a value the link could hold
            assert used != m["shown"], f"says {m['shown']} cannot be used, then uses it: {line!r}"
            if m["how"].startswith("is not allowed"):
                with pytest.raises((ValueError, TypeError, OverflowError)):
                    p.parse(query[key][-1] if isinstance(query[key], list) else query[key])
        found.append(m)
    return found


def within_limits(at) -> None:
    """The settings the pages used this run stay within the maximums of the table."""
    s = at.session_state["_settings"]
    assert 0 <= s.seed <= 2**32 - 1 and 1 <= s.epochs <= 20_000 and s.eta in BY_KEY["lr"].choices
    assert 1 <= len(s.hidden) <= 3 and all(1 <= w <= 32 for w in s.hidden)
    assert s.batch_size is None or 1 <= s.batch_size <= BY_KEY["batch"].hi


@pytest.mark.parametrize("value", JUNK.values(), ids=JUNK.keys())
@pytest.mark.parametrize("where", PAGES)
@pytest.mark.fast_sample(3)
def test_every_parameter_with_the_same_junk_on_every_page(where, value):
    query = {key: value for key in EVERY}
    at = open_app(where, query)
    assert not at.exception
    within_limits(at)
    check_notices(at, query)


@pytest.mark.slow
@pytest.mark.parametrize("value", JUNK.values(), ids=JUNK.keys())
@pytest.mark.parametrize("key", EVERY)
def test_each_parameter_alone_with_each_junk_value(key, value):
    pages = [p for p, keys in ON_PAGE.items() if key in keys] or [list(PAGES)[EVERY.index(key) % len(PAGES)]]
    for where in pages:
        query = {key: value}
        at = open_app(where, query)
        assert not at.exception
        within_limits(at)
        found = check_notices(at, query)
        if isinstance(value, list) or value not in ("3.0", "\u0663", "\uff13"):
            assert found, f"no notice about {key}={str(value)[:20]} on {where}"


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(where=st.sampled_from(list(PAGES)), key=st.sampled_from(EVERY),
       value=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_any_text_in_any_parameter_raises_nothing(where, key, value):
    at = open_app(where, {key: value})
    assert not at.exception
    within_limits(at)
    check_notices(at, {key: value})


# ----------------------------------------------------------------------------- the exact sentences


@pytest.mark.parametrize("where,key,value,sentence", [
    ("network", "show", "", "The link's `show=` is not allowed (show must be one of weights, gradients, change "
                            "since epoch 0); using weights."),
    ("network", "sample", "inf", "The link's `sample=inf` is not allowed (sample must be a whole number from 1 "
                                 "to 15); using 1."),
    ("backprop", "unit", "1e400", "The link's `unit=1e400` is not allowed (unit must be a whole number from 1 to "
                                  "3); using 1."),
    ("backprop", "sample", "-inf", "The link's `sample=-inf` is not allowed (sample must be a whole number from 1 "
                                   "to 15); using 1."),
    ("training", "seed", ["1", "2"], "The link gives `seed` 2 times; using the last one, 2."),
    ("data", "seed", "9" * 10_240, "The link's `seed=999999999999999999999999…` is not allowed (seed must be a "
                                   "whole number from 0 to 4,294,967,295); using 321."),
])
def test_representative_junk_gets_its_exact_sentence(where, key, value, sentence):
    at = open_app(where, {key: value})
    assert notices(at) == [sentence]


def test_a_whole_number_written_3_0_is_used_as_3_without_a_notice():
    at = open_app("training", {"seed": "3.0", "epochs": "300.0"})
    assert at.sidebar.number_input(key="seed").value == 3 and at.sidebar.number_input(key="epochs").value == 300
    assert notices(at) == []


# ----------------------------------------------------------------------------- every spelling of an allowed value

# An allowed value other than the default for every numeric setting, and the pages' own.
SIDEBAR_VALUES = {"seed": 9, "hidden": (8, 4), "lr": 0.01, "epochs": 200, "split": 5, "test": 0.3, "batch": 5, "l2": 1.0}
BACKPROP_VALUES = {"epoch": 7, "sample": 4, "unit": 2, "step": 3}
KINDS = list(spellings(0.05))                         # plain, float, exp, … noise-down, no-leading-zero


def written(value, kind: str) -> str:
    """``value`` spelled the ``kind`` way (hidden layers: each width so); the plain spelling where
    that way does not apply to the value (a whole number has no leading zero to leave out)."""
    if isinstance(value, tuple):
        return ",".join(written(w, kind) for w in value)
    return spellings(value).get(kind, spell(value))


def in_use(at, key: str):
    """The value the app uses for ``key`` after this run."""
    s = at.session_state["_settings"]
    sidebar = {"seed": s.seed, "hidden": s.hidden, "lr": s.eta, "epochs": s.epochs, "split": s.split, "test": s.test,
               "batch": s.batch_size, "l2": s.weight_decay}
    return sidebar[key] if key in sidebar else at.session_state[key]


def assert_taken_as_is(at, values: dict) -> None:
    assert not at.exception
    assert notices(at) == []
    for key, value in values.items():
        assert in_use(at, key) == value, key
        # The address now writes it the app's way (or leaves it out: the page's default).
        assert at.query_params.get(key, spell(value)) == spell(value), key


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.fast_sample(2)
def test_every_numeric_setting_written_any_allowed_way_is_used_without_a_notice(kind):
    query = {key: written(value, kind) for key, value in SIDEBAR_VALUES.items()}
    assert_taken_as_is(open_app("data", query), SIDEBAR_VALUES)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.fast_sample(2)
def test_every_numeric_page_control_written_any_allowed_way_is_used_without_a_notice(kind):
    query = {key: written(value, kind) for key, value in BACKPROP_VALUES.items()}
    assert_taken_as_is(open_app("backprop", query), BACKPROP_VALUES)


def test_the_issues_two_weight_decays_are_taken():
    for text, value in (("1e0", 1.0), ("0.00010000000000000001", 0.0001), ("1.0", 1.0), ("1", 1.0)):
        assert_taken_as_is(open_app("data", {"l2": text}), {"l2": value})


# Each setting alone, at its smallest and largest allowed values too, on each page that uses it.
EXTREMES = {"seed": [0, 2**32 - 1], "hidden": [(1,), (32, 32, 32)], "lr": [0.0001, 10.0], "epochs": [1, 20_000],
            "split": [0, 2**32 - 1], "test": [0.2, 0.8], "batch": [1, 10_000], "l2": [0.0001, 0.3],
            "epoch": [0, 7], "sample": [1, 15], "unit": [1, 3], "step": [1, 6]}
PAGE_OF = {"epoch": ["network", "backprop", "training"], "sample": ["network", "backprop"], "unit": ["backprop"],
           "step": ["backprop"]}


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("key", list(EXTREMES))
def test_each_numeric_parameter_alone_at_its_extremes_written_each_way(key, kind):
    for value in EXTREMES[key]:
        for where in PAGE_OF.get(key, ["data"]):
            assert_taken_as_is(open_app(where, {key: written(value, kind)}), {key: value})

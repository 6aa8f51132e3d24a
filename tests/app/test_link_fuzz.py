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
from ui.state.params import BY_KEY, PAGE, choice_param, spell
from ui.views import network as network_view

SIDEBAR = list(BY_KEY)              # seed hidden lr epochs act split test batch l2 projector
ON_PAGE = {"data": [], "network": ["epoch", "sample", "show"],
           "backprop": ["epoch", "sample", "unit", "step", "all", "mistake"], "training": ["epoch", "seeds"]}
EVERY = SIDEBAR + sorted({k for keys in ON_PAGE.values() for k in keys})
JUNK = {"empty": "", "inf": "inf", "-inf": "-inf", "1e400": "1e400", "nan": "NaN", "repeated": ["3", "2"],
        "10kB": "9" * 10_240, "arabic-indic": "\u0663", "fullwidth": "\uff13", "3.0": "3.0"}
NOTICE = re.compile(r"The link's `(?P<key>[a-z0-9]+)=(?P<shown>[^`]*)` (?P<how>is not allowed \((?P<rule>.*?)\)|could "
                    r"not be used here); using (?P<used>.+?)\.$|The link gives `(?P<rkey>[a-z0-9]+)` (?P<n>\d+) times; "
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

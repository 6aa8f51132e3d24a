"""A corpus of mangled links: each one runs without exception, stays within the maximum settings,
and the page names what it could not use."""

import pytest

from tests.app.helpers import no_exception, open_app
from ui.state.params import ETA_CHOICES, SEED_MAX

BAD = [
    {"seed": "-1"}, {"seed": "1.5"}, {"seed": "inf"}, {"seed": "-inf"}, {"epochs": "1e400"}, {"split": "inf"}, {"seed": str(2**32)}, {"seed": "9" * 400}, {"seed": ""},
    {"hidden": "0"}, {"hidden": "33"}, {"hidden": "abc"}, {"hidden": "1e3"}, {"hidden": "-3"},
    {"lr": "0.03"}, {"lr": "nan"}, {"lr": "inf"}, {"lr": "-0.05"}, {"lr": "1e400"}, {"lr": "0x10"},
    {"epochs": "-5"}, {"epochs": "20001"}, {"epochs": "1e12"}, {"epochs": "abc"}, {"epochs": "10.5"},
    {"act": "RELU"}, {"act": "softmax"}, {"act": "<script>alert(1)</script>"}, {"act": "[x](http://e)"},
    {"split": "-1"}, {"split": "x"}, {"test": "0.95"}, {"test": "half"}, {"projector": "maybe"},
    {"seed": ["1", "2"]}, {"hidden": ["3", "40"]},
    # Close to an allowed value, but further than rounding: still refused.
    {"lr": "0.0100001"}, {"l2": "0.5"}, {"l2": "1e1"}, {"test": "0.35"}, {"hidden": "5.5"}, {"seed": "9.0000001"},
    {"seed": "9", "hidden": "5", "lr": "0.01", "epochs": "20001", "act": "tanh"},
]


def used(at):
    sb = at.sidebar
    return dict(seed=sb.number_input(key="seed").value, hidden=sb.text_input(key="hidden").value,
                lr=sb.select_slider(key="lr").value, epochs=sb.number_input(key="epochs").value,
                act=sb.radio(key="act").value)


@pytest.mark.parametrize("query", BAD, ids=lambda q: "&".join(f"{k}={str(v)[:12]}" for k, v in q.items()))
@pytest.mark.fast_sample(3)
def test_a_bad_link_falls_back_within_limits_and_says_so(query):
    at = open_app("training", query)
    no_exception(at)
    v = used(at)
    assert 0 <= v["seed"] <= SEED_MAX and 1 <= v["epochs"] <= 20000
    assert 1 <= len(v["hidden"].split(",")) <= 3 and all(1 <= int(w) <= 32 for w in v["hidden"].split(","))
    assert v["lr"] in ETA_CHOICES and v["act"] in ("sigmoid", "tanh", "relu")
    notice = "\n".join(w.value for w in at.warning)
    bad_keys = [k for k in query if k not in ("seed", "hidden", "lr", "act") or query[k] not in ("9", "5", "0.01", "tanh")]
    for key in bad_keys:
        assert f"`{key}" in notice, f"no notice for {key}"


def test_a_valid_link_gives_no_notice():
    at = open_app("training", {"seed": "9", "hidden": "5", "lr": "0.01", "epochs": "200", "act": "tanh"})
    no_exception(at)
    assert not at.warning
    assert used(at) == dict(seed=9, hidden="5", lr=0.01, epochs=200, act="tanh")


def test_unknown_parameters_from_chat_apps_are_ignored_quietly():
    at = open_app("training", {"utm_source": "slack", "fbclid": "abc", "seed": "9"})
    no_exception(at)
    assert not at.warning and used(at)["seed"] == 9


def test_an_absurdly_long_query_string_is_ignored_without_exception():
    at = open_app("training", {"seed": "1" * 600_000})
    no_exception(at)
    assert used(at)["seed"] == 321

"""The link checker as a pure function: what a URL can hold and what the page says about it."""

import math
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from ui.state.params import BY_KEY as PARAMS, DECAY_CHOICES, DEFAULTS, ETA_CHOICES, PAGE, SEED_MAX, TEST_SIZES, \
    canonical, link_notices, safe_snippet, spell

USED = DEFAULTS.linked()


def test_valid_values_give_no_notice():
    used = {**USED, "seed": 9, "hidden": (5,), "lr": 0.01}
    assert link_notices({"seed": ["9"], "hidden": ["5"], "lr": ["0.01"]}, used) == []


def test_a_value_the_widget_did_not_take_is_reported_with_the_rule_and_the_fallback():
    [note] = link_notices({"hidden": ["999"]}, USED)
    assert "hidden=999" in note and "1 to 32" in note and "using 3" in note


def test_repeated_parameters_are_reported():
    [note] = link_notices({"seed": ["1", "9"]}, {**USED, "seed": 9})
    assert "2 times" in note and "9" in note


def test_unknown_parameters_are_ignored():
    assert link_notices({"utm_source": ["chat"], "fbclid": ["x"]}, USED) == []


def test_long_values_are_cut_and_markdown_is_defused():
    text = "`[a](http://x)`" + "9" * 5000
    snippet = safe_snippet(text)
    assert len(snippet) <= 25 and "`" not in snippet


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(list(PARAMS) + ["other"]), st.lists(st.text(max_size=200), min_size=1, max_size=3)))
def test_any_link_gives_sentences_never_an_exception(link):
    notes = link_notices(link, USED)
    assert all(isinstance(n, str) and "`" in n for n in notes)
    for n in notes:
        assert n.count("`") % 2 == 0            # every code span is closed


def test_a_bad_toggle_value_names_the_fallback_as_the_link_spells_it():
    [note] = link_notices({"projector": ["maybe"]}, USED)
    assert "using false" in note and "true or false" in note


# ----------------------------------------------------------------------------- every spelling of a value


def spellings(value) -> dict[str, str]:
    """The ways a link may write the number ``value``: as the app writes it, as a float, in
    exponent form, signed, padded, with spare zeros, and a hair off in the last bits (what a
    float printed by another program looks like)."""
    x = float(value)
    plain = spell(value)
    zeros = "00" + plain if isinstance(value, int) else plain + ("00" if "." in plain else ".00")
    out = {"plain": plain, "float": repr(x), "exp": f"{x:.16e}", "EXP": f"{x:.16E}",
           "short-exp": f"{Decimal(repr(x)).normalize():E}", "e0": f"{plain}e0", "plus": "+" + plain,
           "spaces": f" {plain} ", "zeros": zeros, "20-digits": f"{x:.20f}", "exact-binary": str(Decimal(x))}
    if x:
        out["noise-up"] = repr(float(np.nextafter(x, math.inf)) * (1 + 2**-52))
        out["noise-down"] = repr(float(np.nextafter(x, 0)))
    if isinstance(value, float) and 0 < x < 1:
        out["no-leading-zero"] = plain.lstrip("0")
    return out


ALLOWED = {"seed": [0, 9, 321, SEED_MAX], "lr": list(ETA_CHOICES), "l2": list(DECAY_CHOICES), "test": list(TEST_SIZES),
           "epochs": [1, 200, 20_000], "split": [0, 5], "batch": [1, 5, 10_000],
           "epoch": [0, 7, 20_000], "sample": [1, 4], "unit": [1, 2, 32], "step": [1, 3, 6]}
TABLE = {**PARAMS, **PAGE}


@pytest.mark.parametrize("key", ALLOWED)
def test_every_spelling_of_an_allowed_value_is_that_value_written_as_the_widgets_read_it(key):
    p = TABLE[key]
    for value in ALLOWED[key]:
        for kind, text in spellings(value).items():
            assert p.parse(text) == value, (key, kind, text)
            assert canonical(p, text) == spell(value), (key, kind, text)


def test_every_spelling_of_hidden_layers_is_those_layers():
    p = PARAMS["hidden"]
    for layers in [(3,), (8, 4), (32, 32, 32), (1,)]:
        for kind in spellings(3):
            text = ",".join(spellings(w)[kind] for w in layers)
            assert p.parse(text) == layers and canonical(p, text) == spell(layers), (kind, text)


@pytest.mark.parametrize("key,text", [
    ("lr", "0.0100001"), ("lr", "0.03"), ("lr", "1e-5"), ("l2", "0.5"), ("l2", "2"), ("l2", "-0.0001"), ("test", "0.35"),
    ("test", "0.1"), ("seed", "9.5"), ("seed", "9.0000001"), ("seed", "-1"), ("seed", str(SEED_MAX + 1)),
    ("epochs", "0"), ("epochs", "200.001"), ("hidden", "5.5"), ("hidden", "8,4.5"), ("hidden", "1e2"), ("hidden", "8,,4"),
    ("step", "3.5"), ("step", "7"), ("batch", "0"), ("lr", "0x10"), ("seed", "1_0e"), ("lr", "inf"), ("l2", "nan"),
    ("seed", ""), ("lr", "1e400"), ("epochs", "2e2.0")])
def test_a_value_that_is_not_within_rounding_of_an_allowed_one_is_still_refused(key, text):
    with pytest.raises((ValueError, TypeError, OverflowError)):
        TABLE[key].parse(text)
    assert canonical(TABLE[key], text) is None


def test_an_allowed_value_however_written_gives_no_notice():
    link = {"l2": ["1e0"], "lr": [" 1E-2 "], "seed": ["9.000000000000002"], "hidden": ["8.0, 4e0"], "test": ["+.3"]}
    used = {**USED, "weight_decay": 1.0, "l2": 1.0, "lr": 0.01, "seed": 9, "hidden": (8, 4), "test": 0.3}
    assert link_notices(link, used) == []

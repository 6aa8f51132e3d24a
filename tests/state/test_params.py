"""The link checker as a pure function: what a URL can hold and what the page says about it."""

from hypothesis import given, settings, strategies as st

from ui.state.params import BY_KEY as PARAMS, DEFAULTS, link_notices, safe_snippet

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

"""Class mode's views as plain functions: what a lecturer leads with, where a follower goes."""

import pytest

from ui.state.class_view import lead_view


def test_the_lead_keeps_the_page_and_the_shared_settings_only():
    view = lead_view("backprop", {"seed": "9", "lr": "0.01", "step": "3", "epoch": "12", "class": "K7QF2M",
                                  "projector": "true", "upload": "abc", "utm_source": "mail", "weight": "W_O[1,1]"})
    assert view == {"page": "backprop", "query": {"epoch": "12", "lr": "0.01", "seed": "9", "step": "3",
                                                  "weight": "W_O[1,1]"}}


def test_a_repeated_key_leads_with_its_last_value_and_junk_values_are_left_out():
    view = lead_view("", {"seed": ["1", "9"], "lr": "x" * 101, "step": "3\n", "epochs": 5})
    assert view == {"page": "", "query": {"seed": "9"}}


@pytest.mark.parametrize("page", ["../admin", "a/b", "https://evil.example", "Backprop", None, "x" * 41])
def test_a_page_followers_could_not_open_safely_is_refused(page):
    with pytest.raises(ValueError):
        lead_view(page, {})


def test_a_query_that_is_not_a_mapping_is_refused():
    with pytest.raises(ValueError):
        lead_view("network", "seed=9")

"""Class mode's views as plain functions: what a lecturer leads with, where a follower goes."""

import pytest

from ui.state.class_view import lead_view, stamped


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


def test_the_lecturers_play_is_led_as_its_start_speed_and_time_run_or_where_it_stopped():
    playing = lead_view("training", {"seed": "9"}, {"playing": True, "from": 120, "speed": "Slow", "elapsed": 1.23456,
                                                    "t0": 99.5, "extra": "x"})
    assert playing == {"page": "training", "query": {"seed": "9"},
                       "play": {"playing": True, "from": 120, "speed": "Slow", "elapsed": 1.235}}
    stopped = lead_view("training", {}, {"playing": False, "epoch": 812.0, "from": 3})
    assert stopped["play"] == {"playing": False, "epoch": 812}


@pytest.mark.parametrize("play", [
    None, "playing", {"playing": "true", "from": 0, "speed": "Normal", "elapsed": 0},
    {"playing": True, "from": -1, "speed": "Normal", "elapsed": 0},
    {"playing": True, "from": 1.5, "speed": "Normal", "elapsed": 0},
    {"playing": True, "from": True, "speed": "Normal", "elapsed": 0},
    {"playing": True, "from": 0, "speed": "<b>", "elapsed": 0},
    {"playing": True, "from": 0, "speed": "Normal", "elapsed": float("nan")},
    {"playing": True, "from": 0, "speed": "Normal", "elapsed": -2},
    {"playing": True, "from": 0, "speed": "Normal", "elapsed": 1e12},
    {"playing": True, "from": 0, "speed": "Normal"},
    {"playing": False, "epoch": "12"}, {"playing": False, "epoch": 10**12}, {"playing": False},
])
def test_a_malformed_player_state_leads_no_play(play):
    assert "play" not in lead_view("training", {}, play)


def test_a_running_play_is_stamped_with_the_time_it_started_on_the_receiving_clock():
    view = lead_view("training", {}, {"playing": True, "from": 0, "speed": "Normal", "elapsed": 2.5})
    assert stamped(view, 1000.0)["play"] == {"playing": True, "from": 0, "speed": "Normal", "since": 997.5}
    stopped = lead_view("training", {}, {"playing": False, "epoch": 3})
    assert stamped(stopped, 1000.0) == stopped
    assert stamped(lead_view("network", {}), 1000.0) == {"page": "network", "query": {}}

"""bench/scenarios.py against real servers, small: a play storm whose players all reach their end
with the server answering only "play" and "stop"; a couple of distinct slowest runs in a row."""

import types

import pytest

from bench import scenarios
from bench.load import RssSampler
from deploy.server import Server
from tests.aio import in_thread, run_async

pytestmark = pytest.mark.slow          # real servers, tens of seconds; in make test


def test_a_small_play_storm_reaches_every_end_while_the_class_clicks():
    server = Server()
    sampler = RssSampler([("server", server.proc.pid)])
    sampler.start()
    try:
        out = run_async(scenarios._storm(server.url, players=4, students=2, spread=2.0, play=True, seed=7,
                                         sampler=sampler, timeout=60))
    finally:
        sampler.stop()
        server.stop()
    assert "Traceback" not in server.log_text()
    assert [(r["opened"], r["had_run"], r["played"], r["stopped"]) for r in out["players"]] == [(True,) * 4] * 4
    assert out["clicks"] and out["window_s"] > 5


def test_distinct_slowest_links_in_a_row_are_all_drawn():
    result = in_thread(scenarios.many, types.SimpleNamespace(many=2))
    assert result["drawn"] == 2 and result["tracebacks"] == 0 and result["rss_peak_mb"] > result["rss_start_mb"]
    assert "2 drawn" in scenarios.report(result)

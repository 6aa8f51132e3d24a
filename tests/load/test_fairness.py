"""One session cannot hog the class's server: tested against a real server (``bench.fairness``).

Before the fair queue, the clicker scenario gave the students a p95 of 88.7 s (max 119 s, one run
never finished) and the server 1,022 MB; before the upload cap, the flood took the server from 483
to 682 MB and left it there after the session had closed.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def fairness(tmp_path, *args) -> dict:
    out = tmp_path / "summary.json"
    proc = subprocess.run([sys.executable, "-m", "bench.fairness", *args, "--json", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    print(proc.stdout, proc.stderr[-3000:])
    assert out.exists(), proc.stderr[-3000:]
    return json.loads(out.read_text())


def test_ten_students_keep_a_p95_under_2_s_while_one_session_clicks_the_seed_20_times_a_second(tmp_path):
    s = fairness(tmp_path, "clicker", "--students", "10", "--seconds", "20")
    assert s["exceptions"] == 0 and s["unfinished"] == 0
    assert s["server_tracebacks"] == 0, s["first_traceback"]
    assert s["clicks_sent"] > 200                       # the clicker really clicked 20 times a second
    assert s["p95"] < 2.0, s
    assert s["clicker_last_click_s"] is not None        # and still gets its own page


def test_forty_uploads_of_4_9_mb_in_one_session_stay_under_800_mb_and_are_refused_past_the_cap(tmp_path):
    s = fairness(tmp_path, "flood", "--uploads", "40", "--size-mb", "4.9")
    assert s["accepted"] == 2 and s["refused"] == 38, s["statuses"]
    assert s["statuses"][:2] == [204, 204] and set(s["statuses"][2:]) == {413}
    assert s["messages"][0].startswith("That file (4.9 MB) was not accepted")
    assert s["rss_peak_mb"] < 800, s
    assert s["server_only_peak_mb"] - s["server_only_before_mb"] < 60, s
    assert s["server_tracebacks"] == 0, s["first_traceback"]

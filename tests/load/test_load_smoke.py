"""The short version of the lecture-hall load test: 10 students for 15 s against a real server.

Each student is a real Streamlit session over the websocket (``tests.support.stclient``), so this catches
what AppTest cannot: a page that raises only for some settings, a run that never finishes, a
protocol change that leaves a browser waiting. Timings are printed, not asserted: CI shares its
two cores with other work, and ``make load`` is where the targets are measured.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_class_of_ten_sees_no_exception_and_every_run_finishes(tmp_path):
    out = tmp_path / "load.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench.load", "--students", "10", "--seconds", "15",
         "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    print(proc.stdout, proc.stderr[-3000:])
    assert out.exists(), proc.stderr[-3000:]
    s = json.loads(out.read_text())
    assert s["opens"] == 10
    opened = [t for t, action, _, _ in s["runs_raw"] if action == "open"]
    assert max(opened) - min(opened) > 3, f"the class arrived in a burst: {opened}"
    assert s["runs"] > s["opens"], "students clicked nothing after opening the app"
    assert s["exceptions"] == 0, s["exception_samples"]
    assert s["unfinished"] == 0
    assert not s["student_errors"]
    assert s["server_log_tracebacks"] == 0, s.get("server_log_tail")
    assert proc.returncode == 0

"""Short versions of `make load-class` and of the clicker and flood scenarios, as real processes.

Timings are printed, not asserted, except where the product sets a target: CI shares its two cores.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.load import compare_table
from core import data
from deploy.haproxy import find_haproxy
from tests.support.student_files import student_csv

ROOT = Path(__file__).resolve().parents[2]


def load(tmp_path, *args, timeout=400) -> dict:
    out = tmp_path / "load.json"
    proc = subprocess.run([sys.executable, "-m", "bench.load", *args, "--json", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    print(proc.stdout, proc.stderr[-3000:])
    assert out.exists(), proc.stderr[-3000:]
    return json.loads(out.read_text())


def test_each_students_csv_is_their_own_and_the_app_can_use_it():
    tables = {}
    for n in range(20):
        name, content = student_csv(n)
        table = data.read_table(content)
        p = data.prepare(table, ("hours", "practice"), "grade")
        assert p.X_train_aug.shape[1] == 3 and len(table) >= 24
        tables[name] = content
    assert len(set(tables.values())) == 20 and len(tables) == 20


def test_the_comparison_passes_only_when_replicas_halve_the_p95():
    def run(servers, p95):
        return dict(servers=servers, machine=dict(load_before=(1.0, 1.0, 1.0)), runs=10, exceptions=0,
                    unfinished=0, uploads=2, uploads_failed=0, p50=0.1, p95=p95, max=p95,
                    rss_peak_mb=600.0, rss_peak_per_process_mb={"server": 600.0})
    assert "[<= 0.5: PASS]" in compare_table([run("single", 4.0), run("2", 1.9)])
    assert "[<= 0.5: FAIL]" in compare_table([run("single", 4.0), run("2", 2.1), run("2", 1.0)])


@pytest.mark.slow
def test_a_class_with_uploads_through_two_replicas(tmp_path):
    try:
        find_haproxy()
    except RuntimeError as e:
        pytest.skip(str(e))
    s = load(tmp_path, "--students", "12", "--seconds", "15", "--uploads", "0.5", "--servers", "2")
    assert s["servers"] == "2" and s["opens"] == 12
    assert s["uploads"] >= 3 and s["uploads_failed"] == 0, s["upload_failures"]
    assert s["upload_mixups"] == 0 and s["uploads_lost_later"] == 0
    assert s["exceptions"] == 0, s["exception_samples"]
    assert s["unfinished"] == 0 and not s["student_errors"]
    assert set(s["students_per_replica"]) == {"r1", "r2"}, s["students_per_replica"]
    assert set(s["rss_peak_per_process_mb"]) == {"r1", "r2", "haproxy"}


@pytest.fixture(scope="module")
def clicker(tmp_path_factory):
    """The clicker, short: 10 students and one session changing the seed 20 times a second."""
    return load(tmp_path_factory.mktemp("clicker"), "--students", "10", "--seconds", "15", "--clicker")


@pytest.mark.slow
def test_the_clicker_clicks_20_times_a_second_and_is_reported_apart(clicker):
    c = clicker["clicker"]
    assert c["error"] is None and c["achieved_rate"] >= 15, c
    assert clicker["opens"] == 10, "the clicker's own runs are not among the students'"
    assert clicker["exceptions"] == 0 and not clicker["student_errors"]


@pytest.mark.slow
def test_ten_students_beside_a_fast_clicker_get_their_pages_within_2_s(clicker):
    assert clicker["unfinished"] == 0
    assert clicker["p95"] < 2.0


@pytest.mark.slow
def test_direct_uploads_are_counted_and_an_oversized_one_is_refused(tmp_path):
    """The flood, small: 1 MB requests are stored, 5.5 MB ones (over maxUploadSize) refused."""
    ok = load(tmp_path, "--flood", "--flood-files", "4", "--flood-mb", "1", "--flood-after", "1")
    assert ok["status_counts"] == {"204": 4} and ok["refused"] == 0
    assert ok["rss_peak_mb"] > ok["rss_start_mb"] > 0
    big = load(tmp_path, "--flood", "--flood-files", "2", "--flood-mb", "5.5", "--flood-after", "1")
    assert big["refused"] == 2 and big["accepted_before_first_refusal"] == 0, big["status_counts"]


@pytest.mark.slow
def test_a_server_stopped_mid_training_leaves_no_worker_behind():
    """Found with the clicker: the server, busy with its trainings, does not stop within 10 s of SIGTERM
    and is killed; its training worker outlived it, training on for half an hour."""
    import asyncio

    from deploy.server import Server, alive, descendants
    from tests.support.stclient import Session
    from tests.aio import run_async

    server = Server()
    try:
        async def busy():
            s = Session(server.url, timeout=60)
            await s.open("training", "hidden=32&epochs=20000&seed=1")
            for seed in range(2, 202):                 # the clicker, for 10 s
                await s.set_widget("seed", seed, wait=False)
                await asyncio.sleep(0.05)
            await s.close()
            return s

        session = run_async(busy())           # after a browser test, Playwright's loop holds this thread
        family = descendants(server.proc.pid)
        assert family, "the server should have started its training worker"
    finally:
        server.stop()
        server.log_path.unlink(missing_ok=True)
    assert not [p for p in family if alive(p)]
    assert session.session_id

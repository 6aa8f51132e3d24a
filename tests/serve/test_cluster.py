"""`make class` for real: two replicas behind HAProxy, students as Streamlit websocket clients
(tests/support/stclient.py) that keep cookies like a browser. Affinity is what makes uploads work."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deploy.cluster import SECRET_ENV, alive, backend_status, descendants
from tests.aio import run_async
from tests.serve.conftest import ROOT
from tests.support.stclient import Session
from tests.support.student_files import student_csv

pytestmark = pytest.mark.slow


def environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(e.decode(errors="replace").partition("=")[::2] for e in raw if e)


async def student(url: str, number: int) -> tuple[Session, list[str]]:
    """Open the app, choose "Your CSV file", upload the student's own table; what the sidebar says."""
    s = Session(url)
    await s.open("", "seed=9")
    await s.set_widget("source", "Your CSV file")
    name, content = student_csv(number)
    up = await s.upload("upload_file", name, content)
    assert up.stored, (up.status, up.error)
    return s, up.run.texts


def test_every_replica_has_the_same_cookie_secret_from_the_environment(shared_cluster):
    secrets_seen = {environ(r.pid).get(SECRET_ENV) for r in shared_cluster.replicas}
    assert len(secrets_seen) == 1 and None not in secrets_seen and len(secrets_seen.pop()) >= 32
    for r in shared_cluster.replicas:
        cmdline = Path(f"/proc/{r.pid}/cmdline").read_bytes().decode()
        assert "cookieSecret" not in cmdline


def test_students_upload_through_the_balancer_and_each_sees_only_their_own_file(shared_cluster):
    async def go():
        a, texts_a = await student(shared_cluster.url, 1)
        b, texts_b = await student(shared_cluster.url, 2)
        replicas = {a.cookies["SERVERID"], b.cookies["SERVERID"]}
        page_a = await a.switch_page("backprop")
        page_b = await b.switch_page("training")
        await a.close()
        await b.close()
        return replicas, texts_a + page_a.texts, texts_b + page_b.texts

    replicas, seen_a, seen_b = run_async(go())
    assert replicas == {"r1", "r2"}, "two students in a row should land on different replicas"
    assert any("student-1.csv" in t for t in seen_a) and not any("student-2.csv" in t for t in seen_a)
    assert any("student-2.csv" in t for t in seen_b) and not any("student-1.csv" in t for t in seen_b)


def test_without_affinity_an_upload_reaches_the_wrong_replica_and_is_refused(shared_cluster):
    """Why the cookie matters: Streamlit keeps a session in one process (upstream: '400 session invalid')."""
    async def go():
        s = Session(shared_cluster.url)
        await s.open()
        home = s.cookies["SERVERID"]
        (urls,) = await s.upload_urls(["x.csv"])
        s.cookies["SERVERID"] = "r2" if home == "r1" else "r1"      # as a balancer without affinity might
        wrong = await s.put_file(urls, "x.csv", b"a,b\n1,2\n")
        s.cookies["SERVERID"] = home
        right = await s.put_file(urls, "x.csv", b"a,b\n1,2\n")
        await s.close()
        return wrong, right

    assert run_async(go()) == (400, 204)


def test_an_xsrf_cookie_from_one_replica_is_accepted_by_another(shared_cluster):
    r1, r2 = shared_cluster.replicas

    async def go():
        s = Session(r2.server.url)                   # a session on r2, straight to the replica
        await s.open()
        other = Session(r1.server.url)
        other.http("GET", r1.server.url + "/_stcore/health")
        s.cookies["_streamlit_xsrf"] = other.cookies["_streamlit_xsrf"]   # minted by r1
        (urls,) = await s.upload_urls(["x.csv"])
        status = await s.put_file(urls, "x.csv", b"a,b\n1,2\n")
        await s.close()
        return status

    assert run_async(go()) == 204


def test_a_killed_replica_leaves_no_worker_behind_and_the_class_goes_on(cluster):
    r1 = cluster.replicas[0]
    workers = descendants(r1.pid)
    assert workers, "the warm-up should have started r1's training worker"
    cluster.kill_replica("r1")
    assert not [p for p in workers if alive(p)]

    async def go():
        s = Session(cluster.url)
        r = await s.open()
        await s.close()
        return r, s.cookies.get("SERVERID")

    r, replica = run_async(go())
    assert r.finished and not r.exceptions and replica == "r2"


def test_make_class_start_status_stop_leaves_nothing_running(haproxy, free_port):
    proc = subprocess.Popen([sys.executable, "-m", "deploy.cluster", "start", "--replicas", "2",
                             "--port", str(free_port), "--report-every", "0"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("  HAProxy pid") or "could not start" in line:    # the memory report's end
                break
        out = "".join(lines)
        assert f"http://127.0.0.1:{free_port}" in out, out
        memory = re.findall(r"^  replica (r\d) .* RSS +\d+ MB \+ worker +\d+ MB", out, re.M)
        assert memory == ["r1", "r2"], out
        state = json.loads(Path(f"/tmp/backprop-class-{free_port}/state.json").read_text())
        family = [state["haproxy_pid"]] + [r["pid"] for r in state["replicas"]]
        family += [p for r in state["replicas"] for p in descendants(r["pid"])]
        status = subprocess.run([sys.executable, "-m", "deploy.cluster", "status", "--port", str(free_port)],
                                cwd=ROOT, capture_output=True, text=True, timeout=30)
        assert "UP" in status.stdout and "MB" in status.stdout, status.stdout
        stop = subprocess.run([sys.executable, "-m", "deploy.cluster", "stop", "--port", str(free_port)],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert "stopped" in stop.stdout, stop.stdout
        proc.wait(30)
        deadline = time.time() + 10
        while time.time() < deadline and any(alive(p) for p in family):
            time.sleep(0.2)
        assert not [p for p in family if alive(p)]
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
        shutil.rmtree(f"/tmp/backprop-class-{free_port}", ignore_errors=True)


def test_a_launcher_killed_outright_takes_its_servers_with_it(haproxy, free_port):
    proc = subprocess.Popen([sys.executable, "-m", "deploy.cluster", "start", "--replicas", "1",
                             "--port", str(free_port), "--report-every", "0"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in proc.stdout:
            if "the class's address" in line or "could not start" in line:
                break
        state = json.loads(Path(f"/tmp/backprop-class-{free_port}/state.json").read_text())
        family = [state["haproxy_pid"]] + [r["pid"] for r in state["replicas"]]
        family += [p for r in state["replicas"] for p in descendants(r["pid"])]
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    deadline = time.time() + 20
    while time.time() < deadline and any(alive(p) for p in family):
        time.sleep(0.2)
    left = [p for p in family if alive(p)]
    for p in left:                                  # don't leave them to the next test
        os.kill(p, signal.SIGKILL)
    shutil.rmtree(f"/tmp/backprop-class-{free_port}", ignore_errors=True)
    assert not left, "processes outlived their launcher"


@pytest.fixture
def free_port():
    from deploy.server import free_port as port
    return port()


def test_a_replica_that_died_is_restarted_on_its_port_and_warmed_up(cluster):
    r1 = cluster.replica("r1")
    port = r1.server.port
    cluster.check()                                 # the launcher checks every half second
    workers = descendants(r1.pid)
    assert workers
    os.kill(r1.pid, signal.SIGKILL)                 # not through the cluster: as a crash would
    r1.server.proc.wait()
    news = cluster.check()
    assert len(news) == 1 and "replica r1" in news[0] and "restarting" in news[0]
    new = cluster.replica("r1")
    assert new.server.port == port and new.pid != r1.pid
    assert not [p for p in workers if alive(p)], "the dead replica's training worker was left running"
    deadline = time.time() + 120
    while time.time() < deadline and not (descendants(new.pid) and
                                          backend_status(cluster.stats_socket).get("r1", {}).get("status") == "UP"):
        time.sleep(0.5)
    assert descendants(new.pid), "the restarted replica was not warmed up (no training worker)"
    assert backend_status(cluster.stats_socket)["r1"]["status"] == "UP"

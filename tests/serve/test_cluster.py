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
import requests

from deploy.cluster import CLASS_STORE_ENV, SECRET_ENV
from deploy.haproxy import backend_status
from deploy.server import alive, descendants
from tests.aio import run_async
from tests.serve.conftest import ROOT
from tests.support.stclient import Session
from tests.support.student_files import student_csv
from ui.serve.classes.in_redis import RedisClassStore

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


def test_every_replica_keeps_its_classes_in_the_clusters_redis_on_loopback(shared_cluster):
    stores = {environ(r.pid).get(CLASS_STORE_ENV) for r in shared_cluster.replicas}
    assert stores == {shared_cluster.class_store}
    assert re.fullmatch(r"redis://:\w{32,}@127\.0\.0\.1:\d+/0", shared_cluster.class_store)
    redis_cmdline = Path(f"/proc/{shared_cluster.redis.pid}/cmdline").read_bytes().decode()
    assert shared_cluster.redis.password not in redis_cmdline, "the password must not show in ps"
    assert shared_cluster.redis.config_path.stat().st_mode & 0o077 == 0


def follow(url: str, code: str, since: int = -1, follower: str | None = None, replica: str | None = None,
           **waits):
    """What a follower's browser gets from the endpoint at ``url`` (pinned to ``replica`` by its cookie);
    ``waits`` (answers=, following=) hold the answer until that number differs, as the projector does."""
    query = {"since": since, **({"follower": follower} if follower else {}), **waits}
    cookies = {"SERVERID": replica} if replica else None
    r = requests.get(f"{url}/_class/{code}/wait", params=query, cookies=cookies, timeout=60)
    return r.status_code, r.json()


def test_a_class_led_through_one_replica_is_followed_through_the_other(shared_cluster):
    store = RedisClassStore(shared_cluster.class_store)
    code, key = store.create()
    store.lead(code, key, {"page": "backprop", "query": "step=4"})
    r1, r2 = shared_cluster.replicas
    assert follow(r1.server.url, code, follower="student-0001")[0] == 200
    status, seen = follow(r2.server.url, code, follower="student-0002")
    assert status == 200 and seen["view"] == {"page": "backprop", "query": "step=4"} and seen["following"] == 2
    # r1 read the class when student 1 came, and may answer from that read for one more tick
    # (ui/serve/classes/wait.py): the projector asks with the count it shows, and r1 answers with the new one
    assert follow(r1.server.url, code, since=seen["version"], following=1)[1] == seen


def test_a_lead_and_an_answer_posted_to_different_replicas_reach_the_one_class(shared_cluster):
    store = RedisClassStore(shared_cluster.class_store)
    code, key = store.create()
    qid = store.pose(code, key, {"text": "Will L go down?", "choices": ["yes", "no"], "answer": "yes"})
    r1, r2 = shared_cluster.replicas
    led = requests.post(f"{r1.server.url}/_class/{code}/lead", timeout=30,
                        json={"key": key, "page": "backprop", "query": {"step": "4", "projector": "true"}})
    assert led.status_code == 200
    status, seen = follow(r2.server.url, code, follower="student-0001")
    assert status == 200 and seen["view"] == {"page": "backprop", "query": {"step": "4"}}
    answered = requests.post(f"{r2.server.url}/_class/{code}/answer", timeout=30,
                             json={"follower": "student-0001", "question": qid, "choice": "yes"})
    assert answered.json() == {"counted": True}
    forged = requests.post(f"{r2.server.url}/_class/{code}/lead", timeout=30,
                           json={"key": "forged", "page": "training", "query": {}})
    assert forged.status_code == 403 and forged.json() == {"error": "Only the lecturer of this class can do that."}
    assert store.counts(code, qid) == {"yes": 1, "no": 0} and store.view(code)[1]["page"] == "backprop"


def test_a_replica_dying_during_a_class_loses_no_class_and_no_counted_answer(cluster):
    store = RedisClassStore(cluster.class_store)
    code, key = store.create()
    qid = store.pose(code, key, {"text": "Will L go down?", "choices": ["yes", "no"], "answer": "yes"})
    picks = {f"student-{i:04d}": "yes" if i % 3 else "no" for i in range(30)}
    for i, (student, pick) in enumerate(picks.items()):          # half of them follow through each replica
        assert follow(cluster.url, code, follower=student, replica=f"r{1 + i % 2}")[0] == 200
        assert store.answer(code, student, qid, pick)
    version = store.lead(code, key, {"page": "training"})
    cluster.kill_replica("r1")
    # a browser that followed through r1 asks again, with the version it last had: HAProxy sends it to r2
    status, after = follow(cluster.url, code, since=version - 1, follower="student-0000", replica="r1")
    assert status == 200 and after["version"] == version and after["view"] == {"page": "training"}
    assert after["counts"] == [list(picks.values()).count("yes"), list(picks.values()).count("no")]
    assert after["answers"] == len(picks)
    assert store.summary(code, key)[0].counts == {"yes": 20, "no": 10}


def test_a_redis_that_dies_is_restarted_with_every_class(cluster):
    store = RedisClassStore(cluster.class_store)
    code, key = store.create()
    version = store.lead(code, key, {"page": "network"})
    port, old = cluster.redis.port, cluster.redis.pid
    os.kill(old, signal.SIGKILL)
    cluster.redis.proc.wait()
    news = cluster.check()
    assert len(news) == 1 and news[0].startswith(f"Redis (pid {old}) exited") and "restarting" in news[0]
    assert cluster.redis.pid != old and cluster.redis.port == port
    assert store.view(code) == (version, {"page": "network"})
    assert follow(cluster.url, code)[1]["version"] == version


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


def test_make_class_start_status_stop_leaves_nothing_running(haproxy, redis_binary, free_port):
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
        family = [state["haproxy_pid"], state["redis"]["pid"]] + [r["pid"] for r in state["replicas"]]
        family += [p for r in state["replicas"] for p in descendants(r["pid"])]
        status = subprocess.run([sys.executable, "-m", "deploy.cluster", "status", "--port", str(free_port)],
                                cwd=ROOT, capture_output=True, text=True, timeout=30)
        assert "UP" in status.stdout and "MB" in status.stdout, status.stdout
        assert re.search(r"^  Redis pid \d+  127\.0\.0\.1:\d+  RSS +\d+ MB  answering", status.stdout, re.M), \
            status.stdout
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


def test_a_launcher_killed_outright_takes_its_servers_with_it(haproxy, redis_binary, free_port):
    proc = subprocess.Popen([sys.executable, "-m", "deploy.cluster", "start", "--replicas", "1",
                             "--port", str(free_port), "--report-every", "0"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in proc.stdout:
            if "the class's address" in line or "could not start" in line:
                break
        state = json.loads(Path(f"/tmp/backprop-class-{free_port}/state.json").read_text())
        family = [state["haproxy_pid"], state["redis"]["pid"]] + [r["pid"] for r in state["replicas"]]
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

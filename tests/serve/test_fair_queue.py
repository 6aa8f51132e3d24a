"""The training queue serves sessions in turn and lets a session's newer request replace its older one.

Measured before the queue existed: one session changing the seed 20 times a second at the maximum
settings made a new visitor wait 53 s for a 0.24 s training.
"""

from __future__ import annotations

import threading
import time

import pytest

from ui.serve import worker
from ui.serve.worker import FairQueue, Request, Superseded


def req(name: str) -> Request:
    return Request(lambda: name)


def order(queue: FairQueue, n: int) -> list[str]:
    out = []
    for _ in range(n):
        r = queue.take(timeout=0)
        out.append(r.fn())
    return out


def test_sessions_never_served_go_first_in_arrival_order():
    q = FairQueue()
    for s in "abc":
        q.put(s, req(s))
    assert order(q, 3) == ["a", "b", "c"]
    assert q.take(timeout=0) is None


def test_a_session_served_a_moment_ago_waits_behind_one_that_was_not():
    q = FairQueue()
    q.put("clicker", req("clicker 1"))
    assert order(q, 1) == ["clicker 1"]
    q.put("clicker", req("clicker 2"))        # asks again at once…
    q.put("student", req("student"))          # …before a student who arrives later
    assert order(q, 2) == ["student", "clicker 2"]


def test_a_newer_request_replaces_the_queued_older_one_and_keeps_its_place():
    q = FairQueue()
    first = req("seed 1")
    q.put("clicker", first)
    q.put("student", req("student"))
    assert q.put("clicker", req("seed 2")) is first
    assert first.settled.is_set()
    with pytest.raises(Superseded):
        first.outcome()
    assert len(q) == 2
    assert order(q, 2) == ["seed 2", "student"]


def test_a_fast_clicker_gets_no_more_turns_than_anyone_else():
    q = FairQueue()
    sessions = ["clicker"] + [f"student {i}" for i in range(5)]
    for s in sessions:
        q.put(s, req(s))
    served = []
    for i in range(60):
        for k in range(20):                   # the clicker asks 20 times per turn, replacing itself
            q.put("clicker", req("clicker"))
        who = q.take(timeout=0).fn()
        served.append(who)
        if who != "clicker":
            q.put(who, req(who))              # a student asks again as soon as they are served
    assert {s: served.count(s) for s in sessions} == {s: 10 for s in sessions}
    assert all(served[i:i + 6].count("clicker") == 1 for i in range(0, 60, 6))


def test_a_withdrawn_request_is_not_served():
    q = FairQueue()
    r = req("gone")
    q.put("a", r)
    assert q.withdraw(r)
    assert not q.withdraw(r)
    assert q.take(timeout=0) is None


def test_taking_from_an_empty_queue_waits_for_the_next_request():
    q = FairQueue()
    threading.Timer(0.05, q.put, args=("a", req("late"))).start()
    t0 = time.perf_counter()
    r = q.take(timeout=5)
    assert r.fn() == "late" and r.started
    assert time.perf_counter() - t0 < 2


def test_the_queue_remembers_a_bounded_number_of_sessions(monkeypatch):
    monkeypatch.setattr(worker, "REMEMBERED_SESSIONS", 10)
    q = FairQueue()
    for i in range(50):
        q.put(i, req(str(i)))
        q.take(timeout=0)
    assert len(q._last_turn) == 10


# ------------------------------------------------------------------------------- with real threads


@pytest.fixture
def in_process(monkeypatch):
    """The queue and its server thread as in the app, but ``fn`` runs here instead of in the worker."""
    queue = FairQueue()
    monkeypatch.setattr(worker, "_QUEUE", queue)
    monkeypatch.setattr(worker, "_pool_run", lambda fn, args, kwargs: fn(*args, **kwargs))
    monkeypatch.setattr(worker, "start", lambda: None)
    server = threading.Thread(target=worker._serve, args=(queue,), daemon=True)
    server.start()
    here = threading.local()
    monkeypatch.setattr(worker, "session_key", lambda: getattr(here, "session", None))
    return here


def test_a_student_waits_about_one_training_while_another_session_clicks_20_times_a_second(in_process):
    here = in_process
    job_s = 0.1                       # the clicker asks for two trainings' worth every 0.1 s
    outcomes: list[str] = []
    stop = threading.Event()

    def train(tag):
        time.sleep(job_s)
        return tag

    def click(i):                     # Streamlit starts a new script thread for every click
        here.session = "clicker"
        try:
            worker.run(train, f"click {i}")
            outcomes.append("done")
        except Superseded:
            outcomes.append("superseded")

    def clicker():
        threads = []
        i = 0
        while not stop.is_set():
            t = threading.Thread(target=click, args=(i,))
            t.start()
            threads.append(t)
            i += 1
            time.sleep(0.05)
        for t in threads:
            t.join(5)
        outcomes.append(f"alive {sum(t.is_alive() for t in threads)}")

    waits = []

    def student(k):
        here.session = f"student {k}"
        for _ in range(3):
            t0 = time.perf_counter()
            assert worker.run(train, f"student {k}") == f"student {k}"
            waits.append(time.perf_counter() - t0)
            time.sleep(0.3)

    c = threading.Thread(target=clicker)
    c.start()
    time.sleep(0.5)                   # the clicker has the worker busy before the students come
    students = [threading.Thread(target=student, args=(k,)) for k in range(3)]
    for t in students:
        t.start()
    for t in students:
        t.join(30)
    stop.set()
    c.join(30)
    # At worst: the running job, the clicker's and the two other students' turns, then this one (5
    # jobs). Served in arrival order, the clicker's pile would grow by 10 jobs a second instead.
    assert max(waits) < 10 * job_s, waits
    assert outcomes[-1] == "alive 0"                       # no waiting call is left behind
    assert outcomes.count("superseded") > outcomes.count("done")


def test_a_waiting_run_that_streamlit_stops_leaves_the_queue(monkeypatch, in_process):
    class Stop(BaseException):
        pass

    stop_now = threading.Event()

    def yield_check():
        if stop_now.is_set():
            raise Stop()

    monkeypatch.setattr(worker, "_yield_check", lambda: yield_check)
    busy = threading.Event()
    release = threading.Event()

    def block():
        busy.set()
        release.wait(5)
        return "first"

    def other():
        return "never"

    first = threading.Thread(target=worker.run, args=(block,))
    first.start()
    busy.wait(5)                      # the server thread is busy: the next request waits in the queue
    caught = []

    def waiting():
        in_process.session = "stopped"
        try:
            worker.run(other)
        except Stop:
            caught.append("stopped")

    t = threading.Thread(target=waiting)
    t.start()
    time.sleep(0.2)
    assert len(worker._QUEUE) == 1
    stop_now.set()
    t.join(2)
    assert caught == ["stopped"] and not t.is_alive()
    assert len(worker._QUEUE) == 0
    release.set()
    first.join(5)


def test_an_error_in_the_training_reaches_its_caller(in_process):
    def bad():
        raise ValueError("hidden must be 1 to 32")

    with pytest.raises(ValueError, match="hidden must be"):
        worker.run(bad)


def test_a_live_run_replaced_by_an_older_run_that_was_stopping_asks_again(monkeypatch, in_process):
    """With fast reruns, the old run may reach the queue after the new one; the new one still gets served."""
    class Stop(BaseException):
        pass

    checks = threading.local()
    monkeypatch.setattr(worker, "_yield_check", lambda: getattr(checks, "check", None))
    busy, release = threading.Event(), threading.Event()

    def block():
        busy.set()
        release.wait(5)

    blocker = threading.Thread(target=worker.run, args=(block,))
    blocker.start()
    busy.wait(5)
    new_queued, told_to_stop = threading.Event(), threading.Event()
    results = {}

    def new_run():
        in_process.session, checks.check = "s", (lambda: None)
        results["new"] = worker.run(lambda: "trained for the new run")

    def old_run():
        def check():
            if told_to_stop.is_set():
                raise Stop()
            new_queued.wait(5)         # its last check passed; the stop and the new run come next
            told_to_stop.set()
        in_process.session, checks.check = "s", check
        try:
            worker.run(lambda: "trained for the old run")
        except Stop:
            results["old"] = "stopped"

    old = threading.Thread(target=old_run)
    old.start()
    new = threading.Thread(target=new_run)
    new.start()
    while len(worker._QUEUE) < 1:
        time.sleep(0.01)
    new_queued.set()                           # the old run now queues, replacing the new run's request
    old.join(2)
    release.set()
    new.join(5)
    blocker.join(5)
    assert results == {"old": "stopped", "new": "trained for the new run"}
    assert len(worker._QUEUE) == 0

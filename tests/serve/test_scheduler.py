"""ui.serve.worker: light work never queues; the worker serves the longest-waiting first, counting a
session's recent use against it; equal requests share one job; work nobody waits for is dropped, and
stops at its next epoch boundary if it runs. No wall clock: a fake clock and explicit steps."""

from __future__ import annotations

import threading

import pytest

from core import data, training
from tests.fakes import Clock
from ui.serve import in_worker, worker
from ui.serve.in_worker import Cancelled


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(worker, "clock", c)
    return c


@pytest.fixture
def sched(clock):
    return worker.Scheduler()


def job(sched, session, key, cost=5.0, fn=None):
    return sched.submit(session, key, fn or (lambda **_: key), (), {}, cost)


def test_equal_requests_are_one_job_with_every_asker_waiting(sched):
    a, b = job(sched, "s1", "run A"), job(sched, "s2", "run A")
    assert a is b and a.waiters == {"s1": 1, "s2": 1} and len(sched) == 1


def test_the_longest_waiting_is_served_first_and_a_fresh_tab_does_not_jump_the_line(sched, clock):
    job(sched, "working", "A")
    clock.now += 1
    job(sched, "waiting", "B")
    clock.now += 1
    job(sched, "new tab", "C")                       # a session never served before comes last
    assert [sched.take().key for _ in range(3)] == ["A", "B", "C"]


def test_a_session_that_just_had_the_worker_gives_way(sched, clock):
    heavy = job(sched, "heavy", "first heavy run")
    taken = sched.take()
    clock.now += 30                                  # it ran for 30 s
    sched.finish(taken, "done")
    assert heavy.outcome() == "done" and sched.recent_use("heavy") == pytest.approx(30)
    job(sched, "heavy", "second heavy run")          # asks first …
    clock.now += 10
    job(sched, "light", "a student's run")           # … but 30 s of use count as 30 s less waited
    assert sched.take().key == "a student's run"
    clock.now += worker.USE_WINDOW_S
    assert sched.recent_use("heavy") == 0            # use is forgotten after a while


def test_a_sessions_newer_request_replaces_its_older_one_which_leaves_the_queue(sched):
    old = job(sched, "clicker", "seed 1")
    other = job(sched, "student", "seed 99")
    for seed in range(2, 21):                        # twenty clicks in a row
        job(sched, "clicker", f"seed {seed}")
    assert old.settled.is_set() and isinstance(old.error, Cancelled)
    assert len(sched) == 2                           # one per session, however fast it clicks
    assert sched.take() is other


def test_a_job_another_session_waits_for_stays_when_one_asker_leaves(sched):
    shared = job(sched, "s1", "run A")
    job(sched, "s2", "run A")
    sched.leave("s1", shared)
    assert not shared.settled.is_set() and len(sched) == 1


def test_a_running_job_nobody_waits_for_is_told_to_stop(sched):
    running = job(sched, "s1", "run A")
    job(sched, "s2", "run A")
    assert sched.take() is running
    sched.leave("s1", running)
    assert sched.channel[in_worker.STOP] == 0        # s2 still waits
    sched.leave("s2", running)
    assert sched.channel[in_worker.STOP] == running.id


def test_the_status_says_how_many_runs_are_ahead_then_the_epochs_done_and_the_time_left(sched, clock):
    first, second = job(sched, "a", "A"), job(sched, "b", "B")
    assert sched.status(second).ahead == 1 and not sched.status(second).running
    sched.take()
    assert sched.status(second).ahead == 1           # the running one is still ahead
    clock.now += 2                                   # the worker starts up, then reports
    ch = sched.channel
    ch[in_worker.JOB], ch[in_worker.DONE], ch[in_worker.TOTAL] = first.id, 100, 2000
    status = sched.status(first)
    assert status.running and (status.done, status.total) == (100, 2000) and status.seconds_left() is None
    clock.now += 2
    ch[in_worker.DONE] = 500
    status = sched.status(first)
    assert status.seconds_left() == pytest.approx(7.5)              # 400 epochs in 2 s: 1,500 more in 7.5 s


def test_progress_reaches_the_channel_and_a_stop_ends_core_training_at_an_epoch_boundary():
    sched = worker.Scheduler()
    ch = sched.channel
    p = data.prepare(data.load_income())
    seen = []

    def train(**kw):
        def progress(done, total):
            seen.append((ch[in_worker.JOB], ch[in_worker.DONE]))
            if done >= 300:
                ch[in_worker.STOP] = 7               # the server: nobody waits for job 7 any more
            kw["progress"](done, total)
        return training.train(p, epochs=1000, progress=progress)
    with pytest.raises(Cancelled):
        in_worker.call(7, lambda progress: train(progress=progress), (), {}, ch)
    assert seen[0][0] == 7 and seen[-1][1] <= 301 and ch[in_worker.JOB] == 0


# ----------------------------------------------------------------------------- worker.run


@pytest.fixture
def here(monkeypatch, sched):
    """The app's scheduler and its serving thread, with jobs run in this process."""
    monkeypatch.setattr(worker, "_SCHEDULER", sched)
    monkeypatch.setattr(worker, "start", lambda: None)
    monkeypatch.setattr(worker, "_pool_run", lambda job, channel: in_worker.call(job.id, job.fn, job.args,
                                                                                   job.kwargs, channel))
    threading.Thread(target=worker._serve, args=(sched,), daemon=True).start()
    local = threading.local()
    monkeypatch.setattr(worker, "session_key", lambda: getattr(local, "session", None))
    return local


def test_a_light_run_is_done_at_once_even_while_the_worker_is_busy(here, sched):
    release = threading.Event()
    blocker = threading.Thread(target=worker.run, args=(lambda progress: release.wait(30),), kwargs={"cost": 5.0})
    blocker.start()
    while sched._running is None:
        release.wait(0.01)
    assert worker.run(lambda progress: "light", cost=worker.LIGHT_S / 2) == "light"    # not queued behind it
    assert len(sched) == 0
    release.set()
    blocker.join(10)


def test_a_waiting_run_that_streamlit_stops_leaves_and_its_job_never_runs(here, sched, monkeypatch):
    class Stop(BaseException):
        pass

    release, stop_now, ran = threading.Event(), threading.Event(), []

    def check():                                     # Streamlit stops the waiting student's run only
        if stop_now.is_set() and threading.current_thread().name == "waiting":
            raise Stop()
    monkeypatch.setattr(worker, "_yield_check", lambda: check)
    blocker = threading.Thread(target=worker.run, args=(lambda progress: release.wait(30),), kwargs={"cost": 5.0})
    blocker.start()
    caught = []

    def waiting():
        here.session = "leaving"
        try:
            worker.run(lambda progress: ran.append(1), cost=5.0)
        except Stop:
            caught.append("stopped")
    t = threading.Thread(target=waiting, name="waiting")
    t.start()
    while len(sched) < 1:
        release.wait(0.01)
    stop_now.set()
    t.join(10)
    release.set()
    blocker.join(10)
    assert caught == ["stopped"] and len(sched) == 0 and not ran


def test_an_error_in_the_training_reaches_its_caller(here):
    def bad(progress):
        raise ValueError("hidden must be 1 to 32")
    with pytest.raises(ValueError, match="hidden must be"):
        worker.run(bad, cost=5.0)

"""The training worker process re-reads app.py the way Python's "spawn" start method does.

Before app.py guarded its body, every worker start ran the whole app in bare mode: dozens of
Streamlit warnings in the server log and a second copy of the sidebar's work.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from ui.serve import in_worker, worker

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow          # a fresh Python importing the app (seconds); in make test
def test_the_worker_reading_app_py_draws_nothing_and_logs_nothing():
    code = ("import runpy, multiprocessing; "
            "runpy.run_path('app.py', run_name='__mp_main__'); "
            "print(len(multiprocessing.active_children()))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == ""
    assert done.stdout.strip() == "0"  # and it starts no worker of its own


def test_work_sent_to_the_worker_comes_back_equal():
    from core import data, training
    prepared = data.prepare(data.load_income())
    here = training.train(prepared, n_hidden=2, epochs=5, seed=3)
    there = worker.run(training.train, prepared, n_hidden=2, epochs=5, seed=3, cost=10.0)   # to the worker
    assert there.losses.tolist() == here.losses.tolist()


@pytest.mark.slow          # starts a worker process of its own (seconds); in make test
def test_a_dead_worker_is_replaced_and_the_training_still_comes_back():
    from core import data, training
    prepared = data.prepare(data.load_income())
    here = training.train(prepared, n_hidden=2, epochs=5, seed=4)
    pool = worker.start()
    for process in list(pool._processes.values()):
        process.kill()
        process.join(10)
    there = worker.run(training.train, prepared, n_hidden=2, epochs=5, seed=4, cost=10.0)   # computed here
    assert there.losses.tolist() == here.losses.tolist()
    again = worker.run(training.train, prepared, n_hidden=2, epochs=5, seed=4, cost=10.0)   # a new worker
    assert worker.start() is not pool
    assert again.losses.tolist() == here.losses.tolist()


@pytest.mark.slow          # waits for the worker's orphan check (seconds); in make test
def test_a_server_killed_outright_leaves_no_worker_behind():
    import signal
    import time
    code = ("import sys, time; sys.path.insert(0, '.'); from ui.serve import in_worker, worker; "
            "pool = worker.start(); pool.submit(int, 1).result(60); "
            "print(*pool._processes, flush=True); time.sleep(600)")
    server = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        child = int(server.stdout.readline().split()[0])
        assert _alive(child)
        server.send_signal(signal.SIGKILL)      # no chance to stop its worker
        server.wait(10)
        deadline = time.monotonic() + 10 * in_worker.ORPHAN_CHECK_S
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(child), "the worker outlived the server that started it"
    finally:
        server.kill()


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie, dead but not yet collected by init, counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.slow          # starts a worker process of its own (seconds); in make test
def test_after_stop_no_worker_starts_and_training_runs_here(monkeypatch):
    import threading
    from core import data, training
    monkeypatch.setattr(worker, "_STOPPED", threading.Event())      # this test's own worker
    monkeypatch.setattr(worker, "_POOL", [])
    pool = worker.start()
    child = next(iter(pool._processes.values())) if pool._processes else None
    worker.stop()
    assert worker.start() is None
    if child is not None:
        child.join(10)
        assert not child.is_alive()
    prepared = data.prepare(data.load_income())
    here = training.train(prepared, n_hidden=2, epochs=5, seed=5)
    assert worker.run(training.train, prepared, n_hidden=2, epochs=5, seed=5, cost=10.0).losses.tolist() == \
        here.losses.tolist()


@pytest.mark.slow          # a real worker process and a long run (seconds); in make test
def test_a_run_nobody_waits_for_stops_in_the_worker_at_an_epoch_boundary(monkeypatch):
    import threading
    from core import data, training
    prepared = data.prepare(data.load_income())
    stop_now = threading.Event()

    class Stop(BaseException):
        pass

    def check():
        if stop_now.is_set():
            raise Stop()
    monkeypatch.setattr(worker, "_yield_check", lambda: check)
    seen = []
    waiter = threading.Thread(target=lambda: seen.append(_outcome(lambda: worker.run(
        training.train, prepared, n_hidden=(32, 32, 32), batch_size=1, epochs=20_000, cost=10.0))))
    waiter.start()
    channel = worker._SCHEDULER.channel
    while channel[in_worker.DONE] < 200:               # it runs, in the worker, and says how far it got
        threading.Event().wait(0.05)
    stop_now.set()                                     # the student's script run is told to stop
    waiter.join(60)
    assert seen == ["stopped"]
    pause = threading.Event()
    for _ in range(1200):                              # the worker gives up at its next epoch boundary
        if channel[in_worker.JOB] == 0:
            break
        pause.wait(0.05)
    assert channel[in_worker.JOB] == 0 and channel[in_worker.DONE] < 20_000, list(channel)
    stop_now.clear()
    after = worker.run(training.train, prepared, n_hidden=2, epochs=5, seed=6, cost=10.0)   # the worker is free
    assert after.losses.shape == (6, 2)


def _outcome(call):
    try:
        call()
        return "finished"
    except BaseException as e:          # noqa: BLE001 - what the waiting script run saw
        return "stopped" if type(e).__name__ == "Stop" else repr(e)

"""``deploy.server.Server.stop`` on a server that will not stop: it is killed, and so is everything it
started, without multiprocessing's resource tracker printing a warning into the log that the
browser tests read (a killed server leaves its semaphores behind, and the tracker says so)."""

from __future__ import annotations

import time

import pytest

from deploy import server as server_module
from deploy.server import Server, alive, descendants
from tests.aio import LoopThread
from tests.support.stclient import Session

pytestmark = pytest.mark.slow        # real servers and workers: seconds each

# Stands in for a server that is stuck: it ignores SIGTERM, and has started the training worker
# (and with it multiprocessing's resource tracker) exactly as app.py does.
STUCK = ("import signal, sys, time; sys.path.insert(0, '.'); signal.signal(signal.SIGTERM, signal.SIG_IGN); "
         "from ui.serve import worker; pool = worker.start(); pool.submit(int, 1).result(60); "
         "print('ready', flush=True); time.sleep(600)")


def test_a_server_that_ignores_sigterm_is_killed_with_its_worker_and_the_log_stays_clean(monkeypatch, tmp_path):
    monkeypatch.setattr(server_module, "STOP_S", 0.5)
    s = Server(launcher=("-c", STUCK), wait=False, log_path=tmp_path / "server.log")   # a killed server's log stays
    deadline = time.monotonic() + 60
    while "ready" not in s.log_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "ready" in s.log_text(), s.log_text()
    family = descendants(s.proc.pid)
    assert len(family) >= 2                 # the worker and the resource tracker
    s.stop()
    time.sleep(3)                           # time enough for a tracker left alive to complain
    log = s.log_text()
    assert s.proc.returncode is not None
    assert not [p for p in family if alive(p)]
    assert "Warning" not in log and "Traceback" not in log, log
    assert "still running 0.5 s after SIGTERM: killed" in log


def test_sigterm_ends_the_server_and_its_worker_without_a_warning():
    """Uvicorn ends the server by raising SIGTERM again after its shutdown; the app's lifespan has
    stopped the worker by then, so nothing is left for the resource tracker to complain about."""
    s = Server()
    try:
        session = Session(s.url, timeout=60)
        loop = LoopThread()
        try:
            loop.run(session.open())                    # a script run: app.py starts the worker
            deadline = time.monotonic() + 60
            while len(descendants(s.proc.pid)) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
            family = descendants(s.proc.pid)
            assert len(family) >= 2, "the worker and the resource tracker did not start"
            loop.run(session.close())
        finally:
            loop.close()
        s.proc.terminate()
        s.proc.wait(30)
        gone = time.monotonic() + 2                     # the worker's own orphan check takes 2 s
        while any(alive(p) for p in family) and time.monotonic() < gone:
            time.sleep(0.05)
        left = [p for p in family if alive(p)]
        time.sleep(1)
        log = s.log_text()
    finally:
        s.stop()
    assert not left, f"still running after the server ended: {left}"
    assert "Warning" not in log and "Traceback" not in log, log


def test_a_temporary_log_goes_when_the_server_stops_cleanly_and_stays_when_it_did_not():
    clean = Server(launcher=("-c", "import time; print('serving', flush=True); time.sleep(600)"), wait=False)
    deadline = time.monotonic() + 60
    while "serving" not in clean.log_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    clean.stop()                                        # SIGTERM ends it: a clean stop
    assert not clean.log_path.exists()
    assert clean.log_text() == "serving\n"              # still readable after the stop
    failed = Server(launcher=("-c", "import sys; print('Traceback: gave up'); sys.exit(3)"), wait=False)
    failed.proc.wait(60)
    failed.stop()
    try:
        assert failed.log_path.exists() and failed.log_path.name.startswith("app-server-")
        assert "gave up" in failed.log_text()
    finally:
        failed.log_path.unlink(missing_ok=True)

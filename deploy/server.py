"""``streamlit run app.py`` on a free local port, for the load script, the browser tests and ``make class``."""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STOP_S = 10          # how long ``Server.stop`` lets the server shut down before it kills it


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


try:
    _LIBC = ctypes.CDLL("libc.so.6", use_errno=True)      # loaded here: a forked child only calls it
except OSError:                                           # not Linux/glibc
    _LIBC = None


def die_with_parent() -> None:
    """In a child before exec: SIGTERM it when the process that started it dies, even by SIGKILL.

    So a crashed or killed launcher leaves no server behind (Linux's PR_SET_PDEATHSIG).
    """
    if _LIBC is not None:
        _LIBC.prctl(1, signal.SIGTERM)


def _parents() -> dict[int, int]:
    out = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = Path(f"/proc/{d}/stat").read_text()
            except OSError:
                continue
            out[int(d)] = int(stat.rsplit(")", 1)[1].split()[1])
    return out


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (the training worker, multiprocessing's resource tracker)."""
    parents = _parents()
    found, frontier = [], [pid]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parents.items() if pp == p]
        found += kids
        frontier += kids
    return found


def rss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def started(pid: int) -> int | None:
    """When ``pid`` started (clock ticks since boot), or None: with the pid, it names one process."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def kill_all(pids, sig=signal.SIGKILL, wait: float = 10) -> None:
    """Signal each of ``pids`` and wait (up to ``wait`` s) until none is running.

    Every one is stopped (SIGSTOP) before any is signalled: multiprocessing's resource tracker
    warns about "leaked semaphore objects" as soon as the last process holding its pipe dies, and
    it must not get to run between the worker's death and its own.
    """
    pids = list(pids)
    for s in ((signal.SIGSTOP, sig) if sig == signal.SIGKILL else (sig,)):
        for pid in pids:
            try:
                os.kill(pid, s)
            except OSError:
                pass
    deadline = time.time() + wait
    while time.time() < deadline and any(alive(p) for p in pids):
        time.sleep(0.05)


def wait_healthy(url: str, proc: subprocess.Popen | None, timeout: float, what: str) -> None:
    """Wait until ``url`` + /_stcore/health answers 200; RuntimeError if ``proc`` exits first or time runs out."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer {url}/_stcore/health within {timeout:g} s")


class Server:
    """The app on a free port (or ``port``), its output in ``log_path`` (a temporary file unless given:
    it goes once the server has stopped cleanly, and stays, as $TMPDIR/app-server-*.log, if not).

    ``launcher`` replaces ``-m streamlit`` (e.g. to run it under a profiler); ``options`` are
    Streamlit options as ``"section.name=value"``; ``env`` is added to this process's environment.
    With ``wait=False`` the constructor returns at once; call ``wait_ready()`` before using it.
    """

    def __init__(self, root: Path = ROOT, log_path: Path | None = None, options=(),
                 launcher: tuple[str, ...] = ("-m", "streamlit"), timeout: float = 60,
                 port: int | None = None, env: dict[str, str] | None = None, wait: bool = True):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.timeout = timeout
        self.log_path = log_path or Path(tempfile.mkstemp(prefix="app-server-", suffix=".log")[1])
        self._temporary_log = log_path is None
        self._final_log: str | None = None           # a temporary log's text once the file is gone
        self._log = open(self.log_path, "w")
        run = ["run", "app.py", "--server.port", str(self.port), "--server.address", "127.0.0.1",
               "--server.headless", "true", "--browser.gatherUsageStats", "false"]
        for option in options:                       # "runner.postScriptGC=false" -> --runner...
            name, _, value = option.partition("=")
            run += [f"--{name}", value]
        self.proc = subprocess.Popen([sys.executable, *launcher, *run], cwd=root,
                                     env={**os.environ, **(env or {})}, preexec_fn=die_with_parent,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        self.family: dict[int, int | None] = {}      # its descendants when last looked: pid -> start
        if wait:
            self.wait_ready()

    def wait_ready(self) -> None:
        try:
            wait_healthy(self.url, self.proc, self.timeout, "streamlit")
        except RuntimeError as e:
            self._temporary_log = False              # a server that never got ready keeps its log
            self.stop()
            raise RuntimeError(f"{e} (its log: {self.log_path}): {self.log_text()[-2000:]}") from None

    def look(self) -> None:
        """Note the server's descendants (its training worker and multiprocessing's resource tracker)."""
        if self.proc.poll() is None:
            self.family = {p: started(p) for p in descendants(self.proc.pid)}

    def leftovers(self) -> list[int]:
        """Descendants last noted that still run once the server is gone: a worker outlives a SIGKILL.
        The same pid *and* start time, so a pid reused by another process is never touched."""
        return [p for p, t in self.family.items() if t is not None and started(p) == t and alive(p)]

    def stop(self) -> None:
        """Stop the server and whatever it started."""
        self.look()
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(STOP_S)
        except subprocess.TimeoutExpired:       # e.g. a script thread waiting for a long training
            # Its worker and resource tracker are frozen first, so the tracker cannot warn of the
            # semaphores a killed server leaves behind (nor be started again by a server still
            # shutting down); then the server is killed, then they are. The log says so.
            family = self.leftovers()
            kill_all(family, signal.SIGSTOP, wait=0)
            self.proc.kill()
            self.proc.wait()
            kill_all(family)
            self._log.write(f"\n[deploy.server] still running {STOP_S:g} s after SIGTERM: killed\n")
        kill_all(self.leftovers())
        self._log.close()
        if self._temporary_log and self._final_log is None:
            text = self.log_text()
            # Uvicorn ends on SIGTERM by raising it again: -SIGTERM is a clean stop, as is 0.
            if self.proc.returncode in (0, -signal.SIGTERM) and "Traceback" not in text:
                self._final_log = text
                self.log_path.unlink(missing_ok=True)

    def log_text(self) -> str:
        if self._final_log is not None:
            return self._final_log
        return self.log_path.read_text(errors="replace")

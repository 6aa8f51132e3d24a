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
    """The app on a free port (or ``port``), its output in ``log_path`` (a temporary file unless given).

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
        self._log = open(self.log_path, "w")
        run = ["run", "app.py", "--server.port", str(self.port), "--server.address", "127.0.0.1",
               "--server.headless", "true", "--browser.gatherUsageStats", "false"]
        for option in options:                       # "runner.postScriptGC=false" -> --runner...
            name, _, value = option.partition("=")
            run += [f"--{name}", value]
        self.proc = subprocess.Popen([sys.executable, *launcher, *run], cwd=root,
                                     env={**os.environ, **(env or {})}, preexec_fn=die_with_parent,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        if wait:
            self.wait_ready()

    def wait_ready(self) -> None:
        try:
            wait_healthy(self.url, self.proc, self.timeout, "streamlit")
        except RuntimeError as e:
            self.stop()
            raise RuntimeError(f"{e}: {self.log_text()[-2000:]}") from None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

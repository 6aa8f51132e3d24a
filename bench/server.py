"""``streamlit run app.py`` on a free local port, for the load script and the browser tests."""

from __future__ import annotations

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


class Server:
    """The app on a free port, its output in ``log_path`` (a temporary file unless given).

    ``launcher`` replaces ``-m streamlit`` (e.g. to run it under a profiler); ``options`` are
    Streamlit options as ``"section.name=value"``.
    """

    def __init__(self, root: Path = ROOT, log_path: Path | None = None, options=(),
                 launcher: tuple[str, ...] = ("-m", "streamlit"), timeout: float = 60):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path or Path(tempfile.mkstemp(prefix="app-server-", suffix=".log")[1])
        self._log = open(self.log_path, "w")
        run = ["run", "app.py", "--server.port", str(self.port), "--server.address", "127.0.0.1",
               "--server.headless", "true", "--browser.gatherUsageStats", "false"]
        for option in options:                       # "runner.postScriptGC=false" -> --runner...
            name, _, value = option.partition("=")
            run += [f"--{name}", value]
        self.proc = subprocess.Popen([sys.executable, *launcher, *run], cwd=root,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                self._log.close()
                raise RuntimeError(f"streamlit exited: {self.log_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"streamlit did not start within {timeout:g} s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

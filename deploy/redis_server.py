"""Debian's redis-server for class mode: ``make class`` runs one beside its replicas, and the tests
run one of their own (``tests/serve/conftest.py``).

The replicas of ``make class`` share their classes through it (``ui/serve/classes/in_redis.py``).
It listens on 127.0.0.1 only, on a free port, and asks for a password (a random one per run, kept
in a config file only its owner can read, never on a command line), so other users of the machine
can neither read a class nor forge a lecturer's move. ``persist=True`` (``make class``) keeps an
append-only file in the state directory, so a Redis restarted after a crash has every class back;
the tests keep nothing on disk.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path

from deploy.server import die_with_parent, free_port

PACKAGE = "redis-server"


def find_redis(install: bool = False) -> str:
    """The redis-server binary; with ``install``, Debian's package is installed first when it is missing."""
    found = shutil.which("redis-server") or next(
        (p for p in ("/usr/bin/redis-server", "/usr/local/bin/redis-server") if os.access(p, os.X_OK)), None)
    if found or not install:
        if not found:
            raise RuntimeError(f"redis-server is not installed: apt-get install -y {PACKAGE} "
                               "(`make class` does it for you)")
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    print(f"redis-server is not installed: installing Debian's package "
          f"({' '.join(sudo + ['apt-get', 'install', '-y', PACKAGE])})", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update"], check=True, env=env)
    subprocess.run([*sudo, "apt-get", "install", "-y", PACKAGE], check=True, env=env)
    return find_redis(install=False)


def answers(port: int, password: str | None) -> bool:
    """Whether the Redis on 127.0.0.1:``port`` answers PING (after AUTH), in plain RESP: no client needed."""
    if not password:
        return False
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"*2\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\n*1\r\n$4\r\nPING\r\n" % (len(password), password.encode()))
            said = b""
            while said.count(b"\r\n") < 2 and (chunk := s.recv(256)):
                said += chunk
            return said == b"+OK\r\n+PONG\r\n"
    except OSError:
        return False


def password_in(config: Path) -> str | None:
    """The password a RedisServer's configuration file asks for (None if it cannot be read)."""
    try:
        return next((line.split(None, 1)[1] for line in config.read_text().splitlines()
                     if line.startswith("requirepass ")), None)
    except OSError:
        return None


class RedisServer:
    """redis-server on 127.0.0.1:``port`` (free unless given), its files and log in ``state_dir``."""

    def __init__(self, state_dir: Path, binary: str | None = None, port: int | None = None,
                 persist: bool = False, password: str | None = None, maxmemory: str = "256mb",
                 timeout: float = 30):
        self.state_dir = Path(state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.binary = binary or find_redis()
        self.port = port or free_port()
        self.password = password or secrets.token_hex(24)
        self.timeout = timeout
        self.config_path = self.state_dir / "redis.conf"
        self.log_path = self.state_dir / "redis.log"
        # appendfsync no: Redis writes each change to the file (the kernel's cache) before it answers,
        # which is what a Redis killed outright needs. With "everysec", Debian's Redis 7.0 lost a class
        # created a moment before a kill -9 in every try (tests/serve/test_cluster.py). noeviction: a
        # full Redis refuses new writes (the app says so) instead of dropping a class.
        lines = ["bind 127.0.0.1", f"port {self.port}", "protected-mode yes", f'dir "{self.state_dir}"',
                 'save ""', f"appendonly {'yes' if persist else 'no'}", "appendfsync no",
                 f"requirepass {self.password}", f"maxmemory {maxmemory}", "maxmemory-policy noeviction",
                 'logfile ""', "daemonize no"]
        fd = os.open(self.config_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.proc: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        """What the replicas get in BACKPROP_CLASS_STORE."""
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def start(self) -> None:
        """Start it (again, after a crash: on the same port, with the same files) and wait until it answers."""
        self._log = open(self.log_path, "a")
        self.proc = subprocess.Popen([self.binary, str(self.config_path)], cwd=self.state_dir,
                                     stdout=self._log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
        deadline = time.time() + self.timeout
        while not self.ping():
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not start: {self.log_path.read_text()[-1500:]}")
            time.sleep(0.05)

    def ping(self) -> bool:
        return answers(self.port, self.password)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()

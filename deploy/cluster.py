"""``make class``: several replicas of the app behind HAProxy, one address for a whole class.

One Streamlit server is one Python process, and a large class saturates it. This starts N servers
on local ports (each with its own training worker) and Debian's HAProxy in front of them on one
port, with the configuration rendered from ``deploy/haproxy.cfg.template``, and Debian's
redis-server (``deploy/redis_server.py``), where the replicas keep class mode's classes: a lecturer
and the students land on different replicas, and a replica that dies must lose no class. Every
replica gets its address in ``BACKPROP_CLASS_STORE``; one already set in the environment (a managed
Redis) is used instead.

- session affinity by cookie (``SERVERID``): Streamlit keeps a session, and the files it uploaded,
  in one process's memory, so a tab's page, websocket and upload requests must reach one replica;
- websocket timeouts for a whole lecture, health checks on ``/_stcore/health``;
- one cookie secret for every replica through ``STREAMLIT_SERVER_COOKIE_SECRET`` (Streamlit refuses
  ``--server.cookieSecret`` on the command line).

    python -m deploy.cluster start [--replicas N] [--host H] [--port P] [--install]
    python -m deploy.cluster status [--port P]     # memory per replica, what HAProxy sees
    python -m deploy.cluster stop [--port P]

Ctrl-C, ``stop`` or the launcher dying (even by SIGKILL) stops every process it started. A replica
that dies is restarted on its port; its students' browsers reconnect to a live one meanwhile. A
Redis that dies is restarted on its port from its append-only file, with every class.
Only the standard library: ``make class`` needs nothing beyond requirements.txt, HAProxy and Redis.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from deploy.haproxy import backend_status, check_config, find_haproxy, memory_report, render_config, stats_reply
from deploy.redis_server import RedisServer, find_redis
from deploy.server import ROOT, Server, alive, die_with_parent, free_port, kill_all, started, wait_healthy

SECRET_ENV = "STREAMLIT_SERVER_COOKIE_SECRET"
CLASS_STORE_ENV = "BACKPROP_CLASS_STORE"        # ui/serve/classes: where the replicas keep the classes


# ----------------------------------------------------------------------------- the cluster


@dataclass
class Replica:
    name: str
    server: Server

    @property
    def pid(self) -> int:
        return self.server.proc.pid

    def as_dict(self) -> dict:
        return {"name": self.name, "port": self.server.port, "pid": self.pid,
                "log": str(self.server.log_path)}


class Cluster:
    """N replicas of the app and HAProxy in front, on ``host:port`` (a free port unless given).

    Everything it starts stops with ``stop()``, including the replicas' training workers.
    """

    def __init__(self, replicas: int | None = None, port: int | None = None, host: str = "127.0.0.1",
                 state_dir: Path | None = None, options=(), timeout: float = 180,
                 install: bool = False, say=lambda text: None, root: Path = ROOT):
        self.n = replicas or os.cpu_count() or 1
        self.port = port or free_port()
        self.host = host
        self.url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{self.port}"
        self.state_dir = Path(state_dir or tempfile.mkdtemp(prefix="backprop-class-"))
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.options = tuple(options)
        self.root = root
        self.timeout = timeout
        self.say = say
        self.secret = os.environ.get(SECRET_ENV) or secrets.token_hex(32)
        self.replicas: list[Replica] = []
        self.haproxy: subprocess.Popen | None = None
        self.redis: RedisServer | None = None
        self.stats_socket = self.state_dir / "haproxy.sock"
        self.config_path = self.state_dir / "haproxy.cfg"
        haproxy = find_haproxy(install)
        self.class_store = os.environ.get(CLASS_STORE_ENV, "").strip()
        redis = None if self.class_store else find_redis(install)
        try:
            if redis:
                self.redis = RedisServer(self.state_dir / "redis", redis, persist=True)
                self.class_store = self.redis.url
                self.say(f"Redis {redis} (pid {self.redis.pid}) on 127.0.0.1:{self.redis.port}: "
                         f"the classes of class mode, files in {self.redis.state_dir}")
            else:
                self.say(f"classes in the Redis that {CLASS_STORE_ENV} names (set in the environment)")
            for i in range(1, self.n + 1):
                self.replicas.append(Replica(f"r{i}", self._start_server(f"r{i}")))
                self.say(f"replica r{i}: streamlit run app.py on 127.0.0.1:{self.replicas[-1].server.port}"
                         f" (pid {self.replicas[-1].pid}), log {self.replicas[-1].server.log_path}")
            for r in self.replicas:
                r.server.wait_ready()
            self.config_path.write_text(render_config(
                [(r.name, r.server.port) for r in self.replicas], f"{host}:{self.port}", self.stats_socket))
            ok, said = check_config(haproxy, self.config_path)
            if not ok:
                raise RuntimeError(f"haproxy -c rejected {self.config_path}:\n{said}")
            self._haproxy_log = open(self.state_dir / "haproxy.log", "w")
            self.haproxy = subprocess.Popen([haproxy, "-db", "-f", str(self.config_path)],
                                            stdout=self._haproxy_log, stderr=subprocess.STDOUT,
                                            preexec_fn=die_with_parent)
            self.say(f"HAProxy {haproxy} (pid {self.haproxy.pid}) on {host}:{self.port}, "
                     f"config {self.config_path}")
            wait_healthy(self.url, self.haproxy, 30, "haproxy")
            self.wait_all_up()
        except BaseException:
            self.stop()
            raise

    def _start_server(self, name: str, port: int | None = None) -> Server:
        log = self.state_dir / f"{name}.log"
        if log.exists():
            log.replace(log.with_suffix(".log.previous"))
        return Server(self.root, log_path=log, options=self.options, timeout=self.timeout, port=port,
                      env={SECRET_ENV: self.secret, CLASS_STORE_ENV: self.class_store}, wait=False)

    def wait_all_up(self, timeout: float = 30) -> None:
        """Until HAProxy's health checks have found every replica up."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            seen = backend_status(self.stats_socket)
            if len(seen) == self.n and all(s["status"] == "UP" for s in seen.values()):
                return
            time.sleep(0.2)
        raise RuntimeError(f"HAProxy does not see every replica up after {timeout:.0f} s: "
                           f"{backend_status(self.stats_socket)}; it says: {stats_reply(self.stats_socket)[:600]}")

    def warm_up(self, timeout: float = 180, urls: list[str] | None = None) -> list[float]:
        """Open the app once on each replica (directly), so Streamlit's imports and the training worker
        start now, not while the first students wait. Seconds per replica."""
        import asyncio

        # Only a script run starts them, and only the websocket asks for one: the client the tests
        # and `make load` play students with opens the app as a browser tab would.
        from tests.support.stclient import Session

        async def one(url):
            s = Session(url, timeout=timeout)
            try:
                r = await s.open()
            finally:
                await s.close()
            return r.seconds if r.finished else float("inf")

        async def all_():
            return await asyncio.gather(*(one(u) for u in urls or [r.server.url for r in self.replicas]))

        # In a thread of its own: the caller may be running an event loop (Playwright's sync API does).
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(lambda: asyncio.run(all_())).result()

    def replica(self, name: str) -> Replica:
        return next(r for r in self.replicas if r.name == name)

    def pids(self) -> list[int]:
        """Every process of the cluster that is running now."""
        out = [self.haproxy.pid] if self.haproxy and self.haproxy.poll() is None else []
        out += [self.redis.pid] if self.redis and self.redis.alive() else []
        for r in self.replicas:
            r.server.look()
            out += [p for p in [r.pid, *r.server.family] if alive(p)]
        return out

    def report(self) -> str:
        return memory_report([r.as_dict() for r in self.replicas],
                             self.haproxy.pid if self.haproxy else None, self.stats_socket, self._redis_state())

    def _redis_state(self) -> dict | None:
        return ({"pid": self.redis.pid, "port": self.redis.port, "config": str(self.redis.config_path)}
                if self.redis else None)

    def kill_replica(self, name: str, sig=signal.SIGKILL) -> None:
        """Kill one replica as a crash would; its orphaned worker is ended too (as the launcher does)."""
        r = self.replica(name)
        r.server.look()
        os.kill(r.pid, sig)
        r.server.proc.wait()
        kill_all(r.server.leftovers())

    def check(self, restart: bool = True) -> list[str]:
        """Sentences about replicas that died since the last check; each is restarted on its port."""
        news = []
        if self.redis is not None and not self.redis.alive():
            news.append(f"Redis (pid {self.redis.pid}) exited with code {self.redis.proc.returncode}; "
                        "restarting it on its port from its append-only file, with every class")
            self.redis.stop()
            self.redis.start()
        for i, r in enumerate(self.replicas):
            r.server.look()                             # while it runs: its worker outlives a SIGKILL
            code = r.server.proc.poll()
            if code is None:
                continue
            news.append(f"replica {r.name} (pid {r.pid}) exited with code {code}; HAProxy sends its "
                        "students to the others" + ("; restarting it" if restart else ""))
            r.server.stop()                             # ends the worker it left
            if restart:
                self.replicas[i] = Replica(r.name, self._start_server(r.name, r.server.port))
                threading.Thread(target=self._warm_when_up, args=(self.replicas[i].server,), daemon=True).start()
        return news

    def _warm_when_up(self, server: Server) -> None:
        try:
            wait_healthy(server.url, server.proc, self.timeout, "streamlit")
            self.warm_up(urls=[server.url])
        except Exception:       # noqa: BLE001 - a replica that does not come up is reported by check()
            pass

    def state(self) -> dict:
        return {"launcher_pid": os.getpid(), "launcher_started": started(os.getpid()),
                "url": self.url, "bind": f"{self.host}:{self.port}",
                "haproxy_pid": self.haproxy.pid if self.haproxy else None,
                "stats_socket": str(self.stats_socket), "config": str(self.config_path),
                "redis": self._redis_state(), "replicas": [r.as_dict() for r in self.replicas]}

    def stop(self) -> None:
        """Stop HAProxy, then every replica and whatever each started."""
        if self.haproxy is not None and self.haproxy.poll() is None:
            self.haproxy.terminate()
            try:
                self.haproxy.wait(10)
            except subprocess.TimeoutExpired:
                self.haproxy.kill()
                self.haproxy.wait()
        if self.haproxy is not None:
            self._haproxy_log.close()
        for r in self.replicas:                         # all at once, then each waited for
            r.server.look()
            if r.server.proc.poll() is None:
                r.server.proc.terminate()
        for r in self.replicas:
            r.server.stop()
        if self.redis is not None:                      # last: a replica may still be writing to it
            self.redis.stop()

    def __enter__(self) -> "Cluster":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


# ----------------------------------------------------------------------------- command line


def state_dir_for(port: int) -> Path:
    return Path(tempfile.gettempdir()) / f"backprop-class-{port}"


def _read_state(port: int) -> dict | None:
    path = state_dir_for(port) / "state.json"
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    # the same pid and start time: a launcher that died long ago may have left its pid to another process
    running = alive(state["launcher_pid"]) and started(state["launcher_pid"]) == state.get("launcher_started")
    return state if running else None


def start(args) -> int:
    if _read_state(args.port):
        print(f"a class is already running on port {args.port}: make class-stop PORT={args.port}")
        return 1
    state_dir = state_dir_for(args.port)
    if state_dir.exists():
        shutil.rmtree(state_dir)

    def say(text):
        print(text, flush=True)

    stopping = {"now": False}

    def on_signal(signum, _frame):
        stopping["now"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    report_now = {"now": False}
    signal.signal(signal.SIGUSR1, lambda *_: report_now.update(now=True))
    n = args.replicas or os.cpu_count() or 1
    say(f"starting {n} replica{'s' if n != 1 else ''} of the app and HAProxy in front "
        f"(one cookie secret for all, from {SECRET_ENV}"
        f"{'' if os.environ.get(SECRET_ENV) else ', generated for this class'})")
    try:
        cluster = Cluster(n, args.port, args.host, state_dir, args.st_option, install=args.install, say=say)
    except RuntimeError as e:
        say(f"could not start the class: {e}")
        return 1
    (state_dir / "state.json").write_text(json.dumps(cluster.state(), indent=2))
    times = cluster.warm_up()
    say("warmed up every replica (first run: " + ", ".join(f"{t:.1f} s" for t in times) + ")")
    say(f"\nthe class's address: {cluster.url}"
        + ("  (listening on every interface: give students this machine's address)"
           if args.host in ("0.0.0.0", "::") else ""))
    say(f"memory now (`make class-status` for more; Ctrl-C or `make class-stop` stops everything):\n"
        f"{cluster.report()}")
    last = time.time()
    try:
        while not stopping["now"]:
            time.sleep(0.5)
            if stopping["now"]:
                break
            for news in cluster.check(restart=not args.no_restart):
                say(news)
                (state_dir / "state.json").write_text(json.dumps(cluster.state(), indent=2))
            if report_now["now"] or (args.report_every and time.time() - last >= args.report_every):
                report_now["now"] = False
                last = time.time()
                say(f"{time.strftime('%H:%M:%S')} memory per replica:\n{cluster.report()}")
    finally:
        say("stopping HAProxy and every replica")
        cluster.stop()
        (state_dir / "state.json").unlink(missing_ok=True)
    return 0


def status(args) -> int:
    state = _read_state(args.port)
    if state is None:
        print(f"no class is running on port {args.port}")
        return 1
    print(f"class at {state['url']} (launcher pid {state['launcher_pid']}):")
    print(memory_report(state["replicas"], state["haproxy_pid"], Path(state["stats_socket"]), state.get("redis")))
    return 0


def stop(args) -> int:
    state = _read_state(args.port)
    if state is None:
        print(f"no class is running on port {args.port}")
        return 0
    os.kill(state["launcher_pid"], signal.SIGTERM)
    deadline = time.time() + 30
    while time.time() < deadline and alive(state["launcher_pid"]):
        time.sleep(0.2)
    print(f"stopped the class on port {args.port}" if not alive(state["launcher_pid"])
          else f"the launcher (pid {state['launcher_pid']}) is still stopping")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m deploy.cluster", description=__doc__.split("\n")[0])
    ap.add_argument("command", nargs="?", choices=("start", "status", "stop"), default="start")
    ap.add_argument("--replicas", type=int, default=0, help="app servers (default: number of cores)")
    ap.add_argument("--host", default="127.0.0.1", help="where HAProxy listens (0.0.0.0: every interface)")
    ap.add_argument("--port", type=int, default=8501)
    ap.add_argument("--install", action="store_true",
                    help="apt-get install haproxy and redis-server when they are missing")
    ap.add_argument("--report-every", type=float, default=300, help="print memory every N s (0: never)")
    ap.add_argument("--no-restart", action="store_true", help="do not restart a replica that died")
    ap.add_argument("--st-option", action="append", default=[], metavar="NAME=VALUE",
                    help="a Streamlit config option for every replica")
    args = ap.parse_args(argv)
    return {"start": start, "status": status, "stop": stop}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())

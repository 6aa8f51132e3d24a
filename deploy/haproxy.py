"""HAProxy for ``make class`` (deploy/cluster.py): its configuration rendered from
``deploy/haproxy.cfg.template``, finding (or installing) Debian's binary, checking a configuration,
what its stats socket says of each replica, and the memory report of a running class.
Only the standard library."""

from __future__ import annotations

import os
import shutil
import socket
import string
import subprocess
from pathlib import Path

from deploy.redis_server import answers as redis_answers
from deploy.redis_server import password_in
from deploy.server import ROOT, alive, descendants, rss_bytes

TEMPLATE = ROOT / "deploy" / "haproxy.cfg.template"
AFFINITY_COOKIE = "SERVERID"


def render_config(servers: list[tuple[str, int]], bind: str, stats_socket: Path,
                  template: Path = TEMPLATE) -> str:
    """The HAProxy configuration for replicas ``[(name, port), ...]`` on 127.0.0.1, listening on ``bind``."""
    lines = "\n".join(f"    server {name} 127.0.0.1:{port} check cookie {name}" for name, port in servers)
    return string.Template(template.read_text()).substitute(
        bind=bind, stats_socket=str(stats_socket), servers=lines)


def find_haproxy(install: bool = False) -> str:
    """The haproxy binary; with ``install``, Debian's package is installed first when it is missing."""
    found = shutil.which("haproxy") or next(
        (p for p in ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy") if os.access(p, os.X_OK)), None)
    if found or not install:
        if not found:
            raise RuntimeError("HAProxy is not installed: apt-get install -y haproxy "
                               "(`make class` does it for you)")
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    print("HAProxy is not installed: installing Debian's package "
          f"({' '.join(sudo + ['apt-get', 'install', '-y', 'haproxy'])})", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update"], check=True, env=env)
    subprocess.run([*sudo, "apt-get", "install", "-y", "haproxy"], check=True, env=env)
    return find_haproxy(install=False)


def check_config(haproxy: str, path: Path) -> tuple[bool, str]:
    """``haproxy -c -f path``: (valid, what it said)."""
    r = subprocess.run([haproxy, "-c", "-f", str(path)], capture_output=True, text=True, timeout=30)
    return r.returncode == 0, (r.stdout + r.stderr).strip()


def stats_reply(stats_socket: Path) -> str:
    """HAProxy's answer to ``show stat`` on its stats socket, or a sentence saying why there is none."""
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(2)
            s.connect(str(stats_socket))
            s.sendall(b"show stat\n")
            raw = b""
            while chunk := s.recv(65536):
                raw += chunk
    except OSError as e:
        return f"no answer on {stats_socket}: {e!r}"
    return raw.decode(errors="replace")


def backend_status(stats_socket: Path) -> dict[str, dict]:
    """What HAProxy says of each replica: {name: {"status": "UP"/"DOWN"/..., "connections": n}}."""
    lines = stats_reply(stats_socket).splitlines()
    if not lines or not lines[0].startswith("# "):
        return {}
    header = lines[0][2:].split(",")
    out = {}
    for line in lines[1:]:
        row = dict(zip(header, line.split(",")))
        if row.get("pxname") == "replicas" and row.get("svname") not in ("FRONTEND", "BACKEND"):
            out[row["svname"]] = {"status": row.get("status", "?"),
                                  "connections": int(row.get("scur") or 0),
                                  "total": int(row.get("stot") or 0)}
    return out


def memory_report(replicas: list[dict], haproxy_pid: int | None, stats_socket: Path | None,
                  redis: dict | None = None) -> str:
    """One line per replica: its RSS and its workers', and what HAProxy says of it; then HAProxy, Redis."""
    seen = backend_status(stats_socket) if stats_socket else {}
    lines, total = [], 0
    for r in replicas:
        own = rss_bytes(r["pid"]) if alive(r["pid"]) else 0
        kids = sum(rss_bytes(p) for p in descendants(r["pid"])) if own else 0
        total += own + kids
        hap = seen.get(r["name"], {})
        lines.append(f"  replica {r['name']}  127.0.0.1:{r['port']}  pid {r['pid']:>7}  "
                     + (f"RSS {own / 2**20:4.0f} MB + worker {kids / 2**20:4.0f} MB = "
                        f"{(own + kids) / 2**20:4.0f} MB" if own else "not running")
                     + (f"   HAProxy: {hap['status']}, {hap['connections']} open connections, "
                        f"{hap['total']} so far" if hap else ""))
    hap_rss = rss_bytes(haproxy_pid) if haproxy_pid else 0
    if redis:
        redis_rss = rss_bytes(redis["pid"]) if alive(redis["pid"]) else 0
        total += redis_rss
        answering = redis_answers(redis["port"], password_in(Path(redis["config"])))
        lines.append(f"  Redis pid {redis['pid']}  127.0.0.1:{redis['port']}  RSS {redis_rss / 2**20:.0f} MB  "
                     + ("answering; the classes live here" if answering else "NOT ANSWERING"))
    lines.append(f"  HAProxy pid {haproxy_pid}  RSS {hap_rss / 2**20:.0f} MB;  all together "
                 f"{(total + hap_rss) / 2**20:.0f} MB")
    return "\n".join(lines)

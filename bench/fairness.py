"""Can one session hog the class's server? ``python -m bench.fairness clicker|flood``.

clicker  10 students use the app at the lecture's settings (each click a new seed, so a new
         training) while one more session sits on the Training page at the maximum settings
         (hidden=32, epochs=20000) and changes the seed 20 times a second without waiting for a
         page. Reports the students' times from a click (or opening the link) to its run
         finished (p50, p95, max; target p95 < 2 s; ``clicks_p95`` leaves the openings out), the
         clicker's clicks, and the server's peak RSS.
flood    One session sends 40 uploads of 4.9 MB straight to Streamlit's upload endpoint, as the
         browser does (XSRF cookie and header), as fast as the server answers. Reports each
         status, the server's RSS before, at its peak, right after, and once the session has
         closed and the server has had time to free it (target: peak < 800 MB; uploads past the
         per-session cap refused).

Both start their own ``streamlit run app.py`` from ``--root`` (default: this checkout), so the same
command measures another version of the app (e.g. ``git archive <commit> | tar -x -C /tmp/old``).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import random
import sys
import threading
import time
import uuid
from pathlib import Path

import psutil
import requests

from deploy.server import Server
from tests.support.stclient import Session
from tests.support.student_files import upload_body

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024
MAX_LINK = "hidden=32&epochs=20000"
LECTURE_LINKS = ("", "seed=9&lr=0.01")
STUDENT_PAGES = ("training", "backprop", "network")


# ----------------------------------------------------------------------------- the server


class Rss(threading.Thread):
    """The server's RSS (the process and its children: the training worker), sampled every 0.2 s."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.proc = psutil.Process(pid)
        self.samples: list[tuple[float, float, float]] = []      # (t, server MB, with children MB)
        self._halt = threading.Event()
        self.t0 = time.perf_counter()

    def now(self) -> tuple[float, float]:
        server = self.proc.memory_info().rss
        total = server
        for child in self.proc.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
        return server / MB, total / MB

    def run(self) -> None:
        while not self._halt.wait(0.2):
            try:
                self.samples.append((time.perf_counter() - self.t0, *self.now()))
            except psutil.Error:
                return

    def stop(self) -> None:
        self._halt.set()
        self.join(2)

    def peak(self) -> tuple[float, float]:
        samples = self.samples or [(0, *self.now())]
        return max(s[1] for s in samples), max(s[2] for s in samples)


def stop_server(server: Server) -> None:
    """Stop the server and the worker it started (a worker busy training can outlive its parent)."""
    try:
        children = psutil.Process(server.proc.pid).children(recursive=True)
    except psutil.Error:
        children = []
    server.stop()
    for child in children:
        try:
            child.kill()
        except psutil.Error:
            pass


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, max(0, int(round(q * (len(values) - 1)))))]


# ----------------------------------------------------------------------------- clicker


async def clicker(url: str, stop: asyncio.Event, seed: int, stats: dict, link: str = MAX_LINK) -> None:
    """One session at the maximum settings, a new seed every 50 ms, never waiting for a page."""
    s = Session(url, timeout=120)
    opened = await s.open("training", link)
    stats["clicker_open_s"] = opened.seconds
    rng = random.Random(seed)
    w = s.widget("seed")
    sent = 0
    while not stop.is_set():
        w.value, w.has_value = float(rng.randrange(1, 2**31)), True
        s._set_query_param(w.query_key or "seed", str(int(w.value)))
        msg = s._rerun_msg(query_string=s.query, page_hash=s.page_hash, widgets=s._states())
        await s.ws.send(msg.SerializeToString())
        sent += 1
        try:
            await asyncio.wait_for(stop.wait(), 0.05)
        except asyncio.TimeoutError:
            pass
    stats["clicks_sent"] = sent
    # The clicker's last click: how long until a page at the maximum settings finishes now.
    w.value = float(rng.randrange(1, 2**31))
    last = await s.set_widget("seed", w.value)
    stats["clicker_last_click_s"] = last.seconds
    await s.close()


async def student(url: str, k: int, start_at: float, until: float, rng: random.Random, out: list) -> None:
    await asyncio.sleep(start_at)
    s = Session(url, timeout=120)
    r = await s.open("", rng.choice(LECTURE_LINKS))
    out.append(("open", r.seconds, len(r.exceptions)))
    t_end = time.perf_counter() + until
    while time.perf_counter() < t_end:
        await asyncio.sleep(rng.uniform(1.0, 3.0))
        if rng.random() < 0.7:
            r = await s.set_widget("seed", float(rng.randrange(1, 2**31)))   # a new training
            action = "seed"
        else:
            r = await s.switch_page(rng.choice(STUDENT_PAGES))
            action = "page"
        out.append((action, r.seconds, len(r.exceptions)))
    await s.close()


async def clicker_scenario(url: str, students: int, seconds: float, seed: int, with_clicker: bool,
                           link: str = MAX_LINK) -> dict:
    rng = random.Random(seed)
    runs: list[tuple[str, float | None, int]] = []
    stats: dict = {}
    stop = asyncio.Event()
    tasks = []
    teacher = Session(url, timeout=120)            # the teacher opened the lecture before class
    await teacher.open("training")
    await teacher.close()
    if with_clicker:
        tasks.append(asyncio.create_task(clicker(url, stop, seed, stats, link)))
        await asyncio.sleep(3)            # the clicker is in full swing before the class arrives
    tasks += [asyncio.create_task(student(url, k, rng.uniform(0, 3), seconds, random.Random(seed + k), runs))
              for k in range(students)]
    await asyncio.gather(*tasks[1:] if with_clicker else tasks)
    stop.set()
    if with_clicker:
        await tasks[0]
    done = [t for _, t, _ in runs if t is not None]
    clicks = [t for a, t, _ in runs if t is not None and a != "open"]
    return dict(
        runs=len(runs), unfinished=sum(t is None for _, t, _ in runs),
        exceptions=sum(e for _, _, e in runs),
        p50=percentile(done, 0.5), p95=percentile(done, 0.95), max=max(done, default=float("nan")),
        clicks_p95=percentile(clicks, 0.95), seed_clicks=sum(a == "seed" for a, _, _ in runs),
        **stats)


def run_clicker(args) -> dict:
    server = Server(args.root)
    rss = Rss(server.proc.pid)
    rss.start()
    try:
        summary = asyncio.run(clicker_scenario(server.url, args.students, args.seconds, args.seed,
                                               not args.no_clicker, args.clicker_link))
    finally:
        rss.stop()
        stop_server(server)
    summary["peak_rss_mb"] = round(rss.peak()[1])
    summary.update(log_summary(server))
    return summary


def log_summary(server: Server) -> dict:
    """Tracebacks in the server's log, and the first one's last lines."""
    log = server.log_text()
    first = log[log.find("Traceback"):][:3000].splitlines()[-6:] if "Traceback" in log else []
    return dict(server_tracebacks=log.count("Traceback"), first_traceback=first,
                server_log=str(server.log_path) if server.log_path.exists() else None)     # kept only if not clean


# ----------------------------------------------------------------------------- flood


async def settled(rss: Rss, within: float = 30.0) -> tuple[float, float]:
    """The RSS once the training worker has started and imported what it needs (steady for 2 s)."""
    deadline, last = time.perf_counter() + within, rss.now()
    while time.perf_counter() < deadline:
        await asyncio.sleep(2)
        now = rss.now()
        if abs(now[1] - last[1]) < 2:
            return now
        last = now
    return last


async def flood_scenario(server: Server, rss: Rss, n: int, size: int, wait_after: float,
                         sessions: int = 1) -> dict:
    """``sessions`` sessions one after another, each sending ``n`` uploads; then all of them close."""
    body = upload_body(size)
    opened = []
    for _ in range(sessions):
        s = Session(server.url, timeout=60)
        await s.open()
        opened.append(s)
    before = await settled(rss)
    t0 = time.perf_counter()
    statuses, messages = [], []
    for s in opened:
        http = requests.Session()
        http.get(f"{server.url}/_stcore/health", timeout=30)      # sets the XSRF cookie, as for a browser
        token = http.cookies.get("_streamlit_xsrf")

        def put(i):
            r = http.put(f"{server.url}/_stcore/upload_file/{s.session_id}/{uuid.uuid4()}",
                         files={"file": (f"big{i}.csv", io.BytesIO(body), "text/csv")},
                         headers={"X-Xsrftoken": token or ""}, timeout=60)
            return r.status_code, r.text[:300]

        for i in range(n):
            status, text = await asyncio.to_thread(put, i)
            statuses.append(status)
            if status != 204 and text not in messages:
                messages.append(text)
    seconds = time.perf_counter() - t0
    await asyncio.sleep(1)
    right_after = rss.now()
    flood_peak = rss.peak()
    for s in opened:
        await s.close()
    after = None
    if wait_after:
        await asyncio.sleep(wait_after)
        after = rss.now()
    return dict(sessions=sessions, uploads=n * sessions, size_mb=round(size / MB, 2), seconds=round(seconds, 2),
                accepted=statuses.count(204), refused=sum(st in (400, 413) for st in statuses),
                statuses=statuses, messages=messages,
                rss_before_mb=round(before[1]), rss_peak_mb=round(flood_peak[1]),
                rss_right_after_mb=round(right_after[1]),
                rss_after_close_mb=None if after is None else round(after[1]),
                server_only_before_mb=round(before[0]), server_only_peak_mb=round(flood_peak[0]),
                server_only_after_close_mb=None if after is None else round(after[0]),
                waited_after_close_s=wait_after)


def run_flood(args) -> dict:
    options = [f"server.disconnectedSessionTTL={args.ttl}"] if args.ttl is not None else []
    server = Server(args.root, options=options)
    rss = Rss(server.proc.pid)
    rss.start()
    try:
        summary = asyncio.run(flood_scenario(server, rss, args.uploads, int(args.size_mb * MB),
                                             args.wait_after, args.sessions))
    finally:
        rss.stop()
        stop_server(server)
    summary.update(log_summary(server))
    return summary


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scenario", choices=("clicker", "flood"))
    ap.add_argument("--root", type=Path, default=ROOT, help="the app to serve (a checkout)")
    ap.add_argument("--students", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=30, help="how long the students click")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--no-clicker", action="store_true", help="the students alone (a baseline)")
    ap.add_argument("--clicker-link", default=MAX_LINK,
                    help="the clicker's settings on the Training page (add &seeds=true for 20 seeds)")
    ap.add_argument("--uploads", type=int, default=40, help="uploads per session")
    ap.add_argument("--sessions", type=int, default=1, help="sessions sending uploads (the flood)")
    ap.add_argument("--size-mb", type=float, default=4.9)
    ap.add_argument("--ttl", type=int, default=None,
                    help="server.disconnectedSessionTTL for the flood (default: Streamlit's 120 s)")
    ap.add_argument("--wait-after", type=float, default=0,
                    help="seconds to wait after the session closes before measuring RSS again")
    ap.add_argument("--json", type=Path, help="also write the summary here")
    args = ap.parse_args(argv)
    summary = run_clicker(args) if args.scenario == "clicker" else run_flood(args)
    text = json.dumps(summary, indent=1, default=str)
    print(text)
    if args.json:
        args.json.write_text(text)
    return summary


if __name__ == "__main__":
    sys.exit(0 if main() else 1)

"""One server against one kind of trouble each: ``python -m bench.scenarios [names]``; ``make load``
runs them after the lecture mix and reports them beside it.

- ``storm`` — "now everyone press Play": ``--players`` students on Training press Play within
  ``--spread`` seconds of each other while ``--beside`` others click around (the lecture mix).
  A player opens the page, sends the browser's "play", lets its browser animate for the run's length
  at Normal speed (the server hears nothing meanwhile), then sends "stop". It reaches the end when it
  had the run (the browser draws every frame from it), and "play" and "stop" both came back. The same
  class is played again reading the page without playing; the server's CPU in the window where every
  player plays is compared with the same window of the reading class.
- ``heavy`` — one tab at the slowest settings with every comparison on, ``--beside`` clicking;
  ``heavy3`` — three such tabs (three seeds). Their click → page p95 must stay under 2 s.
- ``many`` — ``--many`` distinct slowest links opened one after another, each until drawn (a script
  trying to fill the server's memory): the peak memory of the server and its worker stays < 900 MB.
- ``class`` — a lecture in class mode (``bench/class_scenario.py``): one lecturer leads
  ``--class-students`` followers through the lesson behind ``--class-servers`` (2 replicas behind
  HAProxy, classes in Redis, as ``make class REPLICAS=2``): lecturer click → every student's page
  p95 < 3 s, every answer counted exactly once, no exception.

Each scenario starts a fresh server (``class``: its own replicas). Timings are the clients' own (``tests.support.stclient``).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import sys
import time
import urllib.parse

from bench import class_scenario
from bench.load import Classroom, RssSampler, Student, pct, play_student, read_app_shape
from deploy.server import Server
from tests.support.stclient import Session

SLOWEST = {"hidden": "32,32,32", "batch": "1", "epochs": "20000"}
HEAVY_TAB = {**SLOWEST, "seeds": "true", "sklearn": "true"}
NORMAL_S = 20.0                  # a whole run at Normal speed (ui/draw/playback.py)
CLICK_P95_S = {"storm": 0.5, "heavy": 2.0, "heavy3": 2.0}
CPU_RATIO = 1.2                  # playing costs the server at most 20% more than reading
MEMORY_MB = 900


def clicks(students: list[Student], since: float = 0.0, until: float = math.inf) -> list[float]:
    """Click → page times of the students' clicks made in [since, until] (unfinished: infinite)."""
    return [r.seconds if r.finished else math.inf for st in students for r in st.results
            if r.action != "open" and since <= r.started <= until]


async def clickers(url: str, n: int, seconds: float, seed: int, timeout: float) -> list[Student]:
    """``n`` students of the lecture mix clicking around for ``seconds`` (they arrive over 5 s)."""
    shape, _ = await read_app_shape(url, 180)
    room = Classroom(shape, "lecture", seed)
    students = [room.student(i) for i in range(n)]
    start = time.perf_counter()
    rng = random.Random(seed)
    await asyncio.gather(*(play_student(room, st, url, start, rng.uniform(0, 5), start + seconds, timeout, (2, 6))
                           for st in students))
    return students


# ----------------------------------------------------------------------------- storm


async def player(url: str, at: float, play: bool, out: list, timeout: float) -> None:
    """One student on Training: opens it, and (``play``) presses Play at ``at`` and stops at the end."""
    s = Session(url, timeout=timeout)
    rec = {"opened": False, "had_run": False, "played": False, "stopped": False, "play_s": None, "stop_s": None}
    out.append(rec)
    try:
        r = await s.open("training")
        rec["opened"] = r.finished and not r.exceptions
        run = (s.components.get("run") or {}).get("data") or {}
        last = (run.get("run") or {}).get("last")
        rec["had_run"] = isinstance(last, int) and bool((run.get("run") or {}).get("frames"))
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        if play and rec["had_run"]:
            r = await s.component_event("controls", "play", {"epoch": 0, "n": 1})
            rec["played"] = r.finished and s.components["controls"]["data"]["playing"] is True
            rec["play_s"], rec["play_at"] = r.seconds, time.perf_counter()
        await asyncio.sleep(max(0.0, at + NORMAL_S - time.perf_counter()))     # the browser animates
        if play and rec["played"]:
            rec["stop_at"] = time.perf_counter()
            r = await s.component_event("controls", "stop", {"epoch": last, "reason": "end", "n": 2})
            c = s.components["controls"]["data"]
            rec["stopped"] = r.finished and c["playing"] is False and c["epoch"] == last
            rec["stop_s"] = r.seconds
        rec["exceptions"] = s.background_exceptions[:3]
    except Exception as e:          # noqa: BLE001 - reported
        rec["error"] = f"{type(e).__name__}: {e}"
    finally:
        await s.close()


async def _storm(url: str, players: int, students: int, spread: float, play: bool, seed: int,
                 sampler: RssSampler, timeout: float) -> dict:
    rng = random.Random(seed)
    t0 = time.perf_counter() + 8.0                     # everyone has opened Training by then
    ats = sorted(t0 + rng.uniform(0, spread) for _ in range(players))
    window = (ats[-1] + 1.0, ats[0] + NORMAL_S)         # every player plays, none has stopped
    cpu = {}

    async def measure():
        for name, at in zip(("start", "end"), window):
            await asyncio.sleep(max(0.0, at - time.perf_counter()))
            cpu[name] = sampler.cpu_seconds()
    recs: list[dict] = []
    tasks = [player(url, at, play, recs, timeout) for at in ats]
    class_task = clickers(url, students, (ats[-1] + NORMAL_S + 5) - time.perf_counter(), seed, timeout)
    results = await asyncio.gather(class_task, measure(), *tasks)
    others = results[0]
    times = clicks(others, t0, ats[-1] + NORMAL_S)
    return {"players": recs, "clicks": times, "cpu_s": cpu["end"] - cpu["start"], "window_s": window[1] - window[0]}


def storm(args) -> dict:
    out = {}
    for mode, play in (("playing", True), ("reading", False)):
        server = Server()
        sampler = RssSampler([("server", server.proc.pid)])
        sampler.start()
        try:
            out[mode] = asyncio.run(_storm(server.url, args.players, args.beside, args.spread, play, args.seed,
                                           sampler, args.timeout))
        finally:
            sampler.stop()
            server.stop()
            out[mode]["tracebacks"] = server.log_text().count("Traceback (most recent call last)")
    p = out["playing"]
    recs = p["players"]
    ends = [r for r in recs if r["opened"] and r["had_run"] and r["played"] and r["stopped"] and not r.get("error")]
    ratio = p["cpu_s"] / out["reading"]["cpu_s"] if out["reading"]["cpu_s"] > 0 else math.inf
    return dict(scenario="storm", players=len(recs), reached_end=len(ends),
                play_p95=pct([r["play_s"] or math.inf for r in recs], 0.95),
                stop_p95=pct([r["stop_s"] or math.inf for r in recs], 0.95),
                click_n=len(p["clicks"]), click_p50=pct(p["clicks"], 0.5), click_p95=pct(p["clicks"], 0.95),
                reading_click_p95=pct(out["reading"]["clicks"], 0.95),
                cpu_playing_s=p["cpu_s"], cpu_reading_s=out["reading"]["cpu_s"], window_s=p["window_s"],
                cpu_ratio=ratio, tracebacks=p["tracebacks"] + out["reading"]["tracebacks"],
                errors=sorted({r["error"] for r in recs if r.get("error")})[:3],
                ok=len(ends) == len(recs) and pct(p["clicks"], 0.95) < CLICK_P95_S["storm"] and ratio <= CPU_RATIO)


# ----------------------------------------------------------------------------- heavy tabs


async def heavy_tab(url: str, link: dict, out: list, timeout: float) -> None:
    s = Session(url, timeout=timeout)
    try:
        r = await s.open("training", urllib.parse.urlencode(link))
        out.append({"seconds": r.seconds, "exceptions": r.exceptions + s.background_exceptions})
    except Exception as e:          # noqa: BLE001 - reported
        out.append({"seconds": None, "error": f"{type(e).__name__}: {e}"})
    finally:
        await s.close()


def heavy(args, tabs: int) -> dict:
    server = Server()
    sampler = RssSampler([("server", server.proc.pid)])
    sampler.start()

    async def scene():
        recs: list[dict] = []
        links = [{**HEAVY_TAB, "seed": str(1000 + k)} for k in range(tabs)]
        results = await asyncio.gather(clickers(server.url, args.beside, args.heavy_seconds, args.seed, args.timeout),
                                       *(heavy_tab(server.url, link, recs, 600) for link in links))
        return results[0], recs
    try:
        others, recs = asyncio.run(scene())
    finally:
        sampler.stop()
        server.stop()
    times = clicks(others)
    name = "heavy" if tabs == 1 else f"heavy{tabs}"
    return dict(scenario=name, tabs=tabs, heavy_seconds=[r.get("seconds") for r in recs],
                heavy_errors=[r.get("error") or r.get("exceptions") for r in recs if r.get("error") or r.get("exceptions")],
                click_n=len(times), click_p50=pct(times, 0.5), click_p95=pct(times, 0.95),
                rss_peak_mb=sampler.peak[1] / 2**20,
                tracebacks=server.log_text().count("Traceback (most recent call last)"),
                ok=pct(times, 0.95) < CLICK_P95_S["heavy"] and all(r.get("seconds") for r in recs))


# ----------------------------------------------------------------------------- many runs


def many(args) -> dict:
    server = Server()
    sampler = RssSampler([("server", server.proc.pid)], interval=0.25)
    start_mb = sampler.rss() / 2**20
    sampler.start()
    done, failed = 0, []

    async def scene():
        nonlocal done
        for k in range(args.many):
            s = Session(server.url, timeout=600)
            try:
                r = await s.open("training", urllib.parse.urlencode({**SLOWEST, "seed": str(50_000 + k)}))
                if r.finished and not r.exceptions:
                    done += 1
                else:
                    failed.append(r.exceptions[:1] or ["never finished"])
            finally:
                await s.close()
    t = time.perf_counter()
    try:
        asyncio.run(scene())
    finally:
        sampler.stop()
        end_mb = sampler.rss() / 2**20 if server.proc.poll() is None else float("nan")
        server.stop()
    peak = sampler.peak[1] / 2**20
    return dict(scenario="many", links=args.many, drawn=done, failed=failed[:3], seconds=time.perf_counter() - t,
                rss_start_mb=start_mb, rss_peak_mb=peak, rss_end_mb=end_mb,
                tracebacks=server.log_text().count("Traceback (most recent call last)"),
                ok=done == args.many and peak < MEMORY_MB)


# ----------------------------------------------------------------------------- report


def link_text(link: dict) -> str:
    return "&".join(f"{k}={v}" for k, v in link.items())


def report(r: dict) -> str:
    def s(x):
        return "never" if not math.isfinite(x) else f"{x:.2f}"
    verdict = "PASS" if r["ok"] else "FAIL"
    if r["scenario"] == "class":
        return class_scenario.report(r)
    if r["scenario"] == "storm":
        return (f"storm ({r['players']} press Play at Normal speed within the spread, beside the clicking class): "
                f"{r['reached_end']} of {r['players']} animations reached their end (had the run; play and stop "
                f"answered, p95 {s(r['play_p95'])} s and {s(r['stop_p95'])} s); other students' click -> page "
                f"p50 {s(r['click_p50'])} s, p95 {s(r['click_p95'])} s over {r['click_n']} clicks (reading, "
                f"not playing: p95 {s(r['reading_click_p95'])} s) [target < {CLICK_P95_S['storm']:g} s]; server CPU "
                f"while all play: {r['cpu_playing_s']:.2f} s in {r['window_s']:.1f} s, reading: "
                f"{r['cpu_reading_s']:.2f} s = {r['cpu_ratio']:.2f}x [target <= {CPU_RATIO:g}x]; "
                f"tracebacks {r['tracebacks']}" + (f"; errors {r['errors']}" if r["errors"] else "") + f"  {verdict}")
    if r["scenario"].startswith("heavy"):
        secs = ", ".join("never" if x is None else f"{x:.1f} s" for x in r["heavy_seconds"])
        return (f"{r['scenario']} ({r['tabs']} tab{'s' if r['tabs'] > 1 else ''} at "
                f"{link_text(HEAVY_TAB)}, drawn in {secs}): the clicking students' click -> page "
                f"p50 {s(r['click_p50'])} s, p95 {s(r['click_p95'])} s over {r['click_n']} clicks "
                f"[target < {CLICK_P95_S['heavy']:g} s]; peak memory {r['rss_peak_mb']:.0f} MB; tracebacks "
                f"{r['tracebacks']}" + (f"; errors {r['heavy_errors']}" if r["heavy_errors"] else "") + f"  {verdict}")
    return (f"many runs ({r['links']} distinct links at {link_text(SLOWEST)}, one after another, "
            f"{r['seconds']:.0f} s): {r['drawn']} drawn; server + worker memory {r['rss_start_mb']:.0f} MB at the "
            f"start, peak {r['rss_peak_mb']:.0f} MB, {r['rss_end_mb']:.0f} MB at the end [target < {MEMORY_MB} MB]; "
            f"tracebacks {r['tracebacks']}" + (f"; failed {r['failed']}" if r["failed"] else "") + f"  {verdict}")


SCENARIOS = {"storm": storm, "heavy": lambda a: heavy(a, 1), "heavy3": lambda a: heavy(a, 3), "many": many,
             "class": class_scenario.class_scene}


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--beside", type=int, default=10, help="students clicking around beside each scenario")
    ap.add_argument("--players", type=int, default=40, help="storm: students pressing Play")
    ap.add_argument("--spread", type=float, default=10.0, help="storm: seconds over which they press it")
    ap.add_argument("--heavy-seconds", type=float, default=60.0, help="heavy: how long the class clicks")
    ap.add_argument("--many", type=int, default=100, help="many: distinct slowest links opened in a row")
    class_scenario.add_arguments(ap)


def run(names: list[str], args) -> list[dict]:
    out = []
    for name in names:
        result = SCENARIOS[name](args)
        out.append(result)
        print(report(result), flush=True)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", default=list(SCENARIOS), choices=list(SCENARIOS))
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--timeout", type=float, default=30)
    add_arguments(ap)
    args = ap.parse_args(argv)
    results = run(args.names, args)
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

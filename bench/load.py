"""A class of students against a real ``streamlit run app.py`` server: ``python -m bench.load``.

Each student is a ``tests.support.stclient.Session`` (Streamlit's own websocket protocol, one browser tab).
Students arrive over the first ``--arrive`` seconds and open a link; then, until ``--seconds``
have passed, they read for 2–6 s and click: switch page, or change one sidebar setting.

Mixes (``--mix``):
  lecture  three in four open the lecture's settings (the defaults, or seed=9&lr=0.01), half of
           those with one control changed; the rest open random settings up to the maximums.
           Clicks change a setting nearby (random settings for the random students).
  max      every student on distinct maximum settings (the largest network and epoch count,
           each with a different seed); clicks switch page or change seed/η/activation, staying
           at the maximums with a seed no other student has.

The settings' ranges, options and pages come from the app itself (a first "teacher" session reads
the sidebar widgets and the navigation), so the player follows the app as it changes.

Where (``--servers``): ``single`` is one ``streamlit run app.py``; a number N is ``make class``'s
N replicas behind HAProxy (``deploy/cluster.py``); ``--servers single,2`` plays the same class against
each in turn in one run and compares them (``--repeat`` alternates them several times). ``--url``
plays against a server or balancer that is already running (its memory is then not measured).
Each student keeps cookies like a browser (the balancer's ``SERVERID``, Streamlit's XSRF cookie).

``--uploads F``: a fraction F of the students choose "Your CSV file" right after opening the app and
upload a small CSV of their own through Streamlit's upload endpoint (XSRF header and cookies, as the
browser does), then go on clicking. An upload failed unless the PUT was accepted and the next run
shows the student's own file name; another student's file name counts as a mix-up, and a later run
without it as a lost upload.

One session against the class: ``--clicker`` adds one session at the maximum settings that changes the seed
``--clicker-rate`` times a second without waiting (the students' timings are reported without it);
``--flood`` instead sends ``--flood-files`` direct upload requests of ``--flood-mb`` MB from one session
and reports the server's memory during and after, and how many were refused.

Reported: runs, exceptions shown to users, runs that never finished, time from a click to its run
finishing (p50/p95), the server's peak RSS (process and children, sampled every 0.5 s; per replica
behind the balancer), its CPU time, and the machine's load average. ``--profile`` instead runs every
page in-process (AppTest) under cProfile and says where a rerun's time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from deploy.cluster import Cluster
from deploy.haproxy import AFFINITY_COOKIE
from deploy.server import Server
from tests.support.stclient import FINISHED, RunResult, Session, UploadResult, Widget
from tests.support.student_files import student_csv

ROOT = Path(__file__).resolve().parents[1]
CONTROLS = ("seed", "hidden", "lr", "epochs", "act")      # the lecture's five settings (README, link parameters)
LECTURE_LINKS = ({}, {"seed": 9, "lr": 0.01})                # defaults, or the first-step demo
P95_TARGET_S = 2.0
RSS_TARGET_MB = 1024
FLOOD_RSS_TARGET_MB = 800                                  # one session's uploads must not take the server past this
SOURCE_KEY, UPLOAD_KEY = "source", "upload_file"            # the sidebar's data choice (ui/state/upload.py)


# ----------------------------------------------------------------------------- the server


def profiled_server(root: Path, profile_to: Path | None, options) -> Server:
    launcher = ("-m", "streamlit") if profile_to is None else \
        ("-m", "bench.load", "--serve-profiled", str(profile_to), "--")
    return Server(root, options=options, launcher=launcher)


class RssSampler(threading.Thread):
    """Samples the RSS of some processes and their children every ``interval`` seconds.

    ``roots`` is ``[(name, pid), ...]``: one server, or each replica and HAProxy. ``peaks`` keeps
    each root's own peak (with its children: a replica and its training worker).
    """

    def __init__(self, roots: list[tuple[str, int]], interval: float = 0.5):
        super().__init__(daemon=True)
        self.procs = [(name, psutil.Process(pid)) for name, pid in roots]
        self.interval = interval
        self.samples: list[tuple[float, int]] = []
        self.peaks = {name: 0 for name, _ in roots}
        self._halt = threading.Event()
        self.t0 = time.perf_counter()

    @staticmethod
    def _tree_rss(proc: psutil.Process) -> int:
        total = 0
        try:
            family = [proc, *proc.children(recursive=True)]
        except psutil.Error:
            return 0
        for p in family:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        return total

    def rss(self) -> int:
        total = 0
        for name, proc in self.procs:
            r = self._tree_rss(proc)
            self.peaks[name] = max(self.peaks[name], r)
            total += r
        return total

    def cpu_seconds(self) -> float:
        """CPU time of the server processes themselves (not their training workers)."""
        total = 0.0
        for _, proc in self.procs:
            try:
                t = proc.cpu_times()
            except psutil.Error:
                continue
            total += t.user + t.system
        return total

    def worker_cpu_seconds(self) -> float:
        """CPU time of the servers' live descendants: the training workers."""
        total = 0.0
        for _, proc in self.procs:
            try:
                kids = proc.children(recursive=True)
            except psutil.Error:
                continue
            for k in kids:
                try:
                    t = k.cpu_times()
                except psutil.Error:
                    continue
                total += t.user + t.system
        return total

    def run(self) -> None:
        while not self._halt.is_set():
            self.samples.append((time.perf_counter() - self.t0, self.rss()))
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()

    @property
    def peak(self) -> tuple[float, int]:
        return max(self.samples, key=lambda s: s[1]) if self.samples else (0.0, 0)


# ----------------------------------------------------------------------------- what students pick


@dataclass
class AppShape:
    """What the first session learned about the app: its pages and its settings' widgets."""

    pages: list[str]                     # URL paths; "" is the default page
    widgets: dict[str, Widget]           # the entry script's widgets, by user key


def option_labels(w: Widget) -> list[str]:
    """The labels a student can pick from (empty for numeric widgets)."""
    return list(getattr(w.proto, "options", ()))


def widget_range(w: Widget) -> tuple[float, float, float]:
    p = w.proto
    return p.min, p.max, p.step or 1


def random_value(w: Widget, rng: random.Random):
    """Any value the widget allows (what a curious student might pick)."""
    if w.kind in ("radio", "selectbox") or (w.kind == "slider" and option_labels(w)):
        return rng.choice(option_labels(w))
    if w.kind == "checkbox":
        return rng.random() < 0.5
    lo, hi, step = widget_range(w)
    n = int((hi - lo) // step)
    return type_like(w, lo + step * rng.randint(0, n))


def nearby_value(w: Widget, rng: random.Random, current=None):
    """A value one to three steps from ``current`` (default: the widget's value): a student nudging it."""
    current = current_label(w) if current is None else current
    options = option_labels(w)
    if w.kind in ("radio", "selectbox"):
        return rng.choice([o for o in options if o != current])
    if w.kind == "slider" and options:
        i = options.index(current) if current in options else 0
        j = min(len(options) - 1, max(0, i + rng.choice((-2, -1, 1, 2))))
        return options[j if j != i else (i + 1) % len(options)]
    if w.kind == "checkbox":
        return not current
    lo, hi, step = widget_range(w)
    current = float(current)
    new = min(hi, max(lo, current + step * rng.choice((-3, -2, -1, 1, 2, 3))))
    if new == current:
        new = current - step if current + step > hi else current + step
    return type_like(w, new)


def current_label(w: Widget):
    return w.value[0] if isinstance(w.value, list) else w.value


def type_like(w: Widget, v: float):
    p = w.proto
    is_int = (w.kind == "number_input" and p.data_type == type(p).INT) or \
             (w.kind == "slider" and p.data_type in (type(p).INT,))
    return int(round(v)) if is_int else float(v)


def url_value(w: Widget, v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def max_value(w: Widget):
    if w.kind == "slider" and option_labels(w):
        return option_labels(w)[-1]
    return type_like(w, widget_range(w)[1])


@dataclass
class Student:
    number: int
    kind: str                                  # "lecture", "lecture+1", "random", "max"
    page: str
    link: dict
    rng: random.Random
    results: list[RunResult] = field(default_factory=list)
    pages_seen: list[str] = field(default_factory=list)
    auto_reruns: int = 0
    error: str | None = None
    upload: bool = False                       # uploads a CSV of their own after opening the app
    uploads: list[UploadResult] = field(default_factory=list)
    replica: str = ""                          # the balancer's affinity cookie, if any


class Classroom:
    """Decides who opens what and which clicks follow."""

    def __init__(self, shape: AppShape, mix: str, seed: int, uploads: float = 0.0):
        self.shape = shape
        self.mix = mix
        self.seed = seed
        self.uploads = uploads if shape.widgets.get(UPLOAD_KEY) and shape.widgets.get(SOURCE_KEY) else 0.0
        self.rng = random.Random(seed)
        self.used_seeds: set[int] = set()

    def w(self, key: str) -> Widget | None:
        return self.shape.widgets.get(key)

    def distinct_seed(self, rng: random.Random) -> int:
        seed_w = self.w("seed")
        hi = int(widget_range(seed_w)[1]) if seed_w else 2**31
        while True:
            s = rng.randint(0, hi)
            if s not in self.used_seeds:
                self.used_seeds.add(s)
                return s

    def student(self, number: int) -> Student:
        st = self._student(number)
        # its own generator: the class's other choices stay those of a run without uploads
        st.upload = random.Random(f"upload-{self.seed}-{number}").random() < self.uploads
        return st

    def _student(self, number: int) -> Student:
        rng = random.Random(self.rng.getrandbits(64))
        page = rng.choice(self.shape.pages)
        if self.mix == "max":
            link = {"seed": self.distinct_seed(rng)}
            for key in ("hidden", "epochs"):
                if self.w(key):
                    link[key] = url_value(self.w(key), max_value(self.w(key)))
            for key in ("lr", "act"):
                if self.w(key) and rng.random() < 0.5:
                    link[key] = url_value(self.w(key), random_value(self.w(key), rng))
            return Student(number, "max", page, link, rng)
        if rng.random() < 0.75:
            link = dict(rng.choice(LECTURE_LINKS))
            kind = "lecture"
            if rng.random() < 0.5:
                key = rng.choice([k for k in CONTROLS if self.w(k)])
                w = self.w(key)
                current = link.get(key)
                if current is not None and option_labels(w):
                    current = url_value(w, current)          # the option's label, e.g. "0.01"
                link[key] = url_value(w, nearby_value(w, rng, current))
                kind = "lecture+1"
            return Student(number, kind, page, link, rng)
        link = {k: url_value(self.w(k), random_value(self.w(k), rng)) for k in CONTROLS if self.w(k)}
        return Student(number, "random", page, link, rng)

    def click(self, st: Student, s: Session):
        """The next click, as a function that performs it and returns its RunResult."""
        rng = st.rng
        pages = [p for p in self.shape.pages if p != s.page_path]
        p_page = 0.6 if self.mix == "max" else 0.4
        if pages and rng.random() < p_page:
            target = rng.choice(pages)
            return lambda: s.switch_page(target)
        extra = rng.random()
        if self.mix != "max" and extra < 0.04 and _has(s, "preset"):
            options = option_labels(s.widget("preset"))
            return lambda: s.set_widget("preset", rng.choice(options))
        if self.mix != "max" and extra < 0.08 and _has(s, "projector"):
            return lambda: s.set_widget("projector", not s.widget("projector").value)
        if self.mix == "max":
            key = rng.choice([k for k in ("seed", "lr", "act") if _has(s, k)])
            value = self.distinct_seed(rng) if key == "seed" else nearby_value(s.widget(key), rng)
        else:
            key = rng.choice([k for k in CONTROLS if _has(s, k)])
            w = s.widget(key)
            near = st.kind != "random" and (key != "seed" or rng.random() < 0.5)
            value = nearby_value(w, rng) if near else random_value(w, rng)
        return lambda: s.set_widget(key, value)


def _has(s: Session, key: str) -> bool:
    try:
        s.widget(key)
        return True
    except KeyError:
        return False


# ----------------------------------------------------------------------------- playing the class


async def read_app_shape(url: str, timeout: float) -> tuple[AppShape, RunResult]:
    """The teacher opens the app before class: learn its pages and sidebar widgets."""
    s = Session(url, timeout=timeout)
    r = await s.open()
    if not r.finished:
        raise RuntimeError("the app's first run did not finish")
    pages = [p.url_pathname if not p.is_default else "" for p in s.pages]
    widgets = {w.key: w for w in s.widgets.values() if w.script_hash == s.main_script_hash}
    await s.close()
    return AppShape(pages, widgets), r


def arrival_times(n: int, over: float, seed: int) -> list[float]:
    """When each of ``n`` students opens the app: uniformly over the first ``over`` seconds."""
    rng = random.Random(seed)
    return sorted(rng.uniform(0, over) for _ in range(n))


async def play_student(room: Classroom, st: Student, url: str, start: float, arrive_at: float,
                       end: float, timeout: float, think: tuple[float, float]) -> None:
    await asyncio.sleep(max(0.0, start + arrive_at - time.perf_counter()))
    s = Session(url, timeout=timeout)
    query = urllib.parse.urlencode(st.link)
    try:
        r = await s.open(st.page, query)
        st.results.append(r)
        st.pages_seen.append(s.page_label)
        st.replica = s.cookies.get(AFFINITY_COOKIE, "")
        if st.upload and r.finished:
            r = await upload_own_file(st, s)
        while r.finished and time.perf_counter() < end:
            await asyncio.sleep(st.rng.uniform(*think))
            if time.perf_counter() >= end:
                break
            r = await room.click(st, s)()
            st.results.append(r)
            st.pages_seen.append(s.page_label)
    except Exception as e:          # noqa: BLE001 - a student who cannot go on is reported
        st.error = f"{type(e).__name__}: {e}"
    finally:
        st.auto_reruns = s.auto_reruns
        await s.close()


async def upload_own_file(st: Student, s: Session) -> RunResult:
    """Choose "Your CSV file" and upload the student's own table, as in the browser."""
    options = option_labels(s.widget(SOURCE_KEY))
    own = next((o for o in options if "csv" in o.lower()), options[-1])
    r = await s.set_widget(SOURCE_KEY, own)
    st.results.append(r)
    st.pages_seen.append(s.page_label)
    name, content = student_csv(st.number)
    if not r.finished:
        st.uploads.append(UploadResult(name, error=f"choosing {own!r} never finished"))
        return r
    u = await s.upload(UPLOAD_KEY, name, content)
    st.uploads.append(u)
    if u.run is None:                        # refused or never sent: the student goes on with Income2
        return r
    st.results.append(u.run)
    st.pages_seen.append(s.page_label)
    return u.run


def upload_ok(u: UploadResult) -> bool:
    """Accepted, and the run that followed finished without an exception showing the student's own file."""
    return (u.stored and u.run is not None and u.run.finished and not u.run.exceptions
            and any(u.name in t for t in u.run.texts))


def upload_mixups(st: Student) -> int:
    """Runs that showed another student's file name (a session seeing someone else's data)."""
    return sum(1 for r in st.results for t in r.texts
               if "student-" in t and ".csv" in t and not (st.uploads and st.uploads[0].name in t))


def upload_lost(st: Student) -> int:
    """Finished runs after a good upload that no longer show the student's file."""
    if not st.uploads or not upload_ok(st.uploads[0]):
        return 0
    at = next(i for i, r in enumerate(st.results) if r is st.uploads[0].run)
    after = st.results[at + 1:]
    return sum(1 for r in after if r.status == FINISHED and not any(st.uploads[0].name in t for t in r.texts))


async def play_clicker(url: str, shape: AppShape, start: float, end: float, rate: float,
                       timeout: float, seed: int) -> dict:
    """The fast clicker: the maximum settings, a new seed ``rate`` times a second, never waiting."""
    await asyncio.sleep(max(0.0, start - time.perf_counter()))
    rng = random.Random(f"clicker-{seed}")
    link = {"seed": rng.randint(0, 2**31)}
    for key in ("hidden", "epochs"):
        w = shape.widgets.get(key)
        if w is not None:
            link[key] = url_value(w, max_value(w))
    page = "training" if "training" in shape.pages else ""
    s = Session(url, timeout=max(timeout, 120))
    out = dict(rate=rate, link=link, page=page, sent=0, error=None)
    try:
        r = await s.open(page, urllib.parse.urlencode(link))
        out["open_s"] = r.seconds
        hi = int(widget_range(s.widget("seed"))[1])
        t0 = t_next = time.perf_counter()
        while time.perf_counter() < end:
            await s.set_widget("seed", rng.randint(0, hi), wait=False)
            out["sent"] += 1
            t_next += 1 / rate
            await asyncio.sleep(max(0.0, t_next - time.perf_counter()))
        out["seconds"] = time.perf_counter() - t0
    except Exception as e:          # noqa: BLE001 - reported
        out["error"] = f"{type(e).__name__}: {e}"
    finally:
        out["runs_finished"] = s.runs_finished
        out["exceptions"] = s.background_exceptions[:5]
        await s.close()
    out["achieved_rate"] = out["sent"] / out["seconds"] if out.get("seconds") else 0.0
    return out


async def watch_lag(lags: list[float], stop: asyncio.Event, every: float = 0.05) -> None:
    """How late this client's own event loop wakes up: its lag inflates every timing it takes."""
    while not stop.is_set():
        t = time.perf_counter()
        await asyncio.sleep(every)
        lags.append(time.perf_counter() - t - every)


async def play(url: str, args, on_start=lambda: None, lags: list[float] | None = None,
               clicker: dict | None = None) -> tuple[list[Student], RunResult]:
    shape, teacher = await read_app_shape(url, max(args.timeout, 180))  # imports: slow, once
    room = Classroom(shape, args.mix, args.seed, args.uploads)
    arrivals = arrival_times(args.students, args.arrive, args.seed)
    students = [room.student(i) for i in range(args.students)]
    on_start()
    start = time.perf_counter()
    end = start + args.seconds
    think = (args.think_min, args.think_max)
    stop = asyncio.Event()
    watcher = asyncio.create_task(watch_lag(lags if lags is not None else [], stop))
    tasks = [play_student(room, st, url, start, a, end, args.timeout, think)
             for st, a in zip(students, arrivals)]
    if args.clicker:
        async def click():
            clicker.update(await play_clicker(url, shape, start, end, args.clicker_rate,
                                              args.timeout, args.seed))
        tasks.append(click())
    await asyncio.gather(*tasks)
    stop.set()
    await watcher
    return students, teacher


# ----------------------------------------------------------------------------- report


def pct(values: list[float], q: float) -> float:
    """Linear-interpolated percentile; an unfinished run counts as infinitely slow."""
    if not values:
        return float("nan")
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    if k == lo or values[hi] == values[lo]:
        return values[lo]
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def _secs(r: RunResult) -> float:
    return r.seconds if r.finished else math.inf


def summarise(students: list[Student], sampler: RssSampler, cpu_s: float, wall_s: float,
              log: str, args, load_before, load_after, start_rss: int, servers: str = "single",
              clicker: dict | None = None) -> dict:
    runs = [r for st in students for r in st.results]
    done = [r for r in runs if r.finished]
    first = min((r.started for r in runs), default=0.0)
    secs = [_secs(r) for r in runs]

    def group(pred):
        xs = [_secs(r) for r in runs if pred(r)]
        return dict(n=len(xs), p50=pct(xs, 0.5), p95=pct(xs, 0.95), max=max(xs, default=float("nan")))

    by_page: dict[str, dict] = {}
    for st in students:
        for r, page in zip(st.results, st.pages_seen):
            by_page.setdefault(page, []).append(r)
    pages = {}
    for page, rs in sorted(by_page.items()):
        xs = [_secs(r) for r in rs]
        pages[page] = dict(n=len(rs), p50=pct(xs, 0.5), p95=pct(xs, 0.95),
                           kb_per_run=statistics.mean(r.bytes for r in rs) / 1024 if rs else 0)
    peak_t, peak = sampler.peak
    tracebacks = log.count("Traceback (most recent call last)")
    uploads = [u for st in students for u in st.uploads]
    failed = [u for u in uploads if not upload_ok(u)]
    summary = dict(
        servers=servers, url=args.url,
        mix=args.mix, st_options=args.st_option, students=args.students, timeout=args.timeout, seconds=args.seconds, arrive=args.arrive,
        machine=dict(cpus=os.cpu_count(), load_before=load_before, load_after=load_after),
        runs=len(runs), finished=len(done),
        opens=sum(r.action == "open" for r in runs),
        setting_changes=sum(r.action.startswith(("set ", "click ")) for r in runs),
        page_switches=sum(r.action.startswith("page ") for r in runs),
        interrupted_by_rerun=sum(r.early_finishes for r in runs),
        fragment_auto_reruns=sum(st.auto_reruns for st in students),
        exceptions=sum(len(r.exceptions) for r in runs),
        exception_samples=sorted({e for r in runs for e in r.exceptions})[:5],
        warnings=sum(len(r.warnings) for r in runs),
        error_alerts=sum(r.error_alerts for r in runs),
        error_samples=sorted({t for r in runs for t in r.error_texts})[:5],
        unfinished=len(runs) - len(done),
        student_errors=[st.error for st in students if st.error],
        p50=pct(secs, 0.5), p95=pct(secs, 0.95), max=max(secs, default=float("nan")),
        by_action=dict(open=group(lambda r: r.action == "open"),
                       setting=group(lambda r: r.action.startswith(("set ", "click "))),
                       page=group(lambda r: r.action.startswith("page "))),
        by_page=pages,
        kb_per_run=statistics.mean(r.bytes for r in runs) / 1024 if runs else 0,
        cache_refs=sum(r.refs for r in runs),
        runs_raw=[(round(r.started - first, 3), r.action, page, r.seconds) for st in students
                  for r, page in zip(st.results, st.pages_seen)],
        rss_start_mb=start_rss / 2**20, rss_peak_mb=peak / 2**20, rss_peak_at_s=peak_t,
        rss_end_mb=(sampler.samples[-1][1] / 2**20) if sampler.samples else 0,
        rss_peak_per_process_mb={k: v / 2**20 for k, v in sampler.peaks.items()},
        rss_measured=bool(sampler.procs),
        server_cpu_s=cpu_s, wall_s=wall_s, server_log_tracebacks=tracebacks,
        upload_students=sum(st.upload for st in students),
        uploads=len(uploads), uploads_failed=len(failed),
        upload_failures=sorted({f"HTTP {u.status}" if u.status and not u.stored else
                                (u.error or "own file not shown") for u in failed})[:5],
        upload_p95=pct([u.seconds for u in uploads], 0.95),
        upload_mixups=sum(upload_mixups(st) for st in students),
        uploads_lost_later=sum(upload_lost(st) for st in students),
        students_per_replica=dict(Counter(st.replica or "-" for st in students)),
    )
    if clicker is not None:
        summary["clicker"] = clicker
    summary["p95_ok"] = summary["p95"] < P95_TARGET_S
    # Community Cloud's memory is per app; behind the balancer each replica is one such process.
    replicas = [v for k, v in summary["rss_peak_per_process_mb"].items() if k != "haproxy"]
    summary["rss_ok"] = max(replicas, default=summary["rss_peak_mb"]) < RSS_TARGET_MB
    summary["ok"] = (summary["exceptions"] == 0 and summary["unfinished"] == 0
                     and not summary["student_errors"] and summary["uploads_failed"] == 0
                     and summary["upload_mixups"] == 0)
    return summary


def report(s: dict) -> str:
    def f(x: float) -> str:
        return f"{x:.2f}" if math.isfinite(x) or math.isnan(x) else f">{s['timeout']:g}"

    lb, la = s["machine"]["load_before"], s["machine"]["load_after"]
    where = s["url"] or ("one server" if s["servers"] == "single" else
                         f"{s['servers']} replicas behind HAProxy (make class REPLICAS={s['servers']})")
    lines = [
        f"load test, {s['mix']} mix: {s['students']} students for {s['seconds']:g} s, "
        f"arriving over {s['arrive']:g} s, against {where}"
        + (f"; server options {s['st_options']}" if s["st_options"] else ""),
        f"machine: {s['machine']['cpus']} cores; load average before {lb[0]:.2f} {lb[1]:.2f} {lb[2]:.2f}, "
        f"after {la[0]:.2f} {la[1]:.2f} {la[2]:.2f}",
        f"runs: {s['runs']} ({s['opens']} opens, {s['setting_changes']} setting changes, "
        f"{s['page_switches']} page switches); {s['interrupted_by_rerun']} interrupted by a rerun; "
        f"{s['fragment_auto_reruns']} fragment reruns on a timer",
        f"exceptions shown to users: {s['exceptions']}"
        + (f"  e.g. {s['exception_samples']}" if s["exceptions"] else "")
        + f"   (warnings {s['warnings']}, st.error boxes {s['error_alerts']})"
        + (f"\n  error boxes said, e.g.: {s['error_samples']}" if s.get("error_samples") else ""),
        f"runs that never finished (no script_finished within {s['timeout']:g} s): {s['unfinished']}"
        + (f"   student errors: {s['student_errors']}" if s["student_errors"] else ""),
        f"click -> run finished (unfinished runs count as slowest): p50 {f(s['p50'])} s, "
        f"p95 {f(s['p95'])} s, max {f(s['max'])} s"
        f"   [p95 < {P95_TARGET_S:g} s: {'PASS' if s['p95_ok'] else 'FAIL'}]",
    ]
    if s["upload_students"]:
        lines.append(
            f"uploads: {s['upload_students']} students uploaded their own CSV; {s['uploads']} sent, "
            f"failed {s['uploads_failed']}" + (f" e.g. {s['upload_failures']}" if s["uploads_failed"] else "")
            + f"; another student's file shown {s['upload_mixups']} times; lost later "
            f"{s['uploads_lost_later']} times; upload -> run finished p95 {f(s['upload_p95'])} s")
    if set(s["students_per_replica"]) != {"-"}:
        lines.append("students per replica (affinity cookie): " + ", ".join(
            f"{k} {v}" for k, v in sorted(s["students_per_replica"].items())))
    if "clicker" in s:
        c = s["clicker"]
        lines.append(
            f"clicker ({c['page'] or 'default page'}, {c['link']}): {c['sent']} seed changes "
            f"at {c['achieved_rate']:.1f}/s (asked {c['rate']:g}/s); the server finished "
            f"{c['runs_finished']} of its runs; exceptions {c['exceptions'] or 0}"
            + (f"; error {c['error']}" if c["error"] else "")
            + f"\n  the students' timings above leave the clicker out: their p95 {f(s['p95'])} s"
            f"   [< {P95_TARGET_S:g} s: {'PASS' if s['p95_ok'] else 'FAIL'}]")
    for name, g in s["by_action"].items():
        lines.append(f"  {name:8s} n={g['n']:4d}  p50 {f(g['p50'])} s  p95 {f(g['p95'])} s  max {f(g['max'])} s")
    for page, g in s["by_page"].items():
        lines.append(f"  page {page:10s} n={g['n']:4d}  p50 {f(g['p50'])} s  p95 {f(g['p95'])} s  "
                     f"{g['kb_per_run']:.0f} KB/run")
    per = s["rss_peak_per_process_mb"]
    lines += [
        (f"server peak RSS: {s['rss_peak_mb']:.0f} MB at {s['rss_peak_at_s']:.0f} s "
         f"(start {s['rss_start_mb']:.0f} MB, end {s['rss_end_mb']:.0f} MB)"
         f"   [{'each replica ' if len(per) > 1 else ''}< {RSS_TARGET_MB} MB: {'PASS' if s['rss_ok'] else 'FAIL'}]"
         + ("\n  peak per process (with its workers): " + ", ".join(f"{k} {v:.0f} MB" for k, v in per.items())
            if len(per) > 1 else ""))
        if s["rss_measured"] else "server RSS: not measured (a server this script did not start)",
        f"server CPU: {s['server_cpu_s']:.0f} s in {s['wall_s']:.0f} s "
        f"({s['server_cpu_s'] / max(s['wall_s'], 1e-9):.2f} cores, "
        f"{1000 * s['server_cpu_s'] / max(s['runs'], 1):.0f} ms per run); "
        f"{s['kb_per_run']:.0f} KB sent per run, {s['cache_refs']} messages served from the browser cache",
        f"server log: {s['server_log_tracebacks']} tracebacks",
    ]
    if "cpu_elsewhere_s" in s:
        o = s["cpu_elsewhere_s"]
        lines.append(f"CPU elsewhere in the same time: training workers {o['workers']:.0f} s "
                     f"({o['workers'] / max(s['wall_s'], 1e-9):.2f} cores), this load client {o['client']:.0f} s "
                     f"({o['client'] / max(s['wall_s'], 1e-9):.2f} cores)")
    if "client_lag" in s:
        lag = s["client_lag"]
        lines.append(f"this client's own event-loop lag (adds to every timing above): "
                     f"p50 {lag['p50']:.3f} s, p95 {lag['p95']:.3f} s, max {lag['max']:.3f} s")
    busy = lb[0]              # after the run, the server's own threads are in the load average
    if busy > s["machine"]["cpus"]:
        lines.append(f"NOTE: load average was {busy:.1f} before the run on {s['machine']['cpus']} cores: other work "
                     "competed for the CPU, so the timings are pessimistic; re-run on a quiet machine "
                     "before quoting them")
    return "\n".join(lines)


class Target:
    """What the class connects to: one server ("single"), N replicas behind HAProxy ("2"), or ``--url``."""

    def __init__(self, servers: str, args, stats_path: Path | None = None):
        self.servers, self.server, self.cluster = servers, None, None
        if args.url:
            self.url, self.roots = args.url.rstrip("/"), []
        elif servers == "single":
            self.server = profiled_server(args.root, stats_path, args.st_option)
            self.url, self.roots = self.server.url, [("server", self.server.proc.pid)]
        else:
            if stats_path is not None:
                raise SystemExit("--server-profile needs --servers single")
            self.cluster = Cluster(int(servers), root=args.root, options=args.st_option)
            self.cluster.warm_up()        # as `make class` does: no replica's imports in the timings
            self.url = self.cluster.url
            self.roots = [(r.name, r.pid) for r in self.cluster.replicas] + [("haproxy", self.cluster.haproxy.pid)]

    def signal(self, sig) -> None:
        if self.server is not None:
            self.server.proc.send_signal(sig)

    def stop(self) -> str:
        """Stop everything; returns the servers' logs."""
        if self.server is not None:
            self.server.stop()
            log = self.server.log_text()
            self.server.log_path.unlink(missing_ok=True)
            return log
        if self.cluster is not None:
            self.cluster.stop()
            log = "".join(r.server.log_text() for r in self.cluster.replicas)
            shutil.rmtree(self.cluster.state_dir, ignore_errors=True)
            return log
        return ""


def run_load(args, servers: str = "single") -> dict:
    load_before = os.getloadavg()
    stats_path = Path(tempfile.mkstemp(prefix="load-profile-", suffix=".pstats")[1]) \
        if args.server_profile else None
    target = Target(servers, args, stats_path)
    try:
        sampler = RssSampler(target.roots)
        start_rss = sampler.rss()
        sampler.start()
        mark = {}

        def on_start():                # the teacher's first run is done: students start now
            if stats_path is not None:
                target.signal(signal.SIGUSR1)
            mark.update(cpu=sampler.cpu_seconds(), workers=sampler.worker_cpu_seconds(),
                        client=time.process_time(), t=time.perf_counter())

        lags: list[float] = []
        clicker: dict | None = {} if args.clicker else None
        students, _ = asyncio.run(play(target.url, args, on_start, lags, clicker))
        time.sleep(1.0)
        cpu_s, wall_s = sampler.cpu_seconds() - mark["cpu"], time.perf_counter() - mark["t"]
        other_cpu = {"workers": sampler.worker_cpu_seconds() - mark["workers"],
                     "client": time.process_time() - mark["client"]}
        sampler.stop()
        if stats_path is not None:
            dump_profile(target, stats_path)
    finally:
        log = target.stop()
    summary = summarise(students, sampler, cpu_s, wall_s, log, args, load_before, os.getloadavg(),
                        start_rss, servers, clicker)
    summary["cpu_elsewhere_s"] = other_cpu
    summary["client_lag"] = {"p50": pct(lags, 0.5), "p95": pct(lags, 0.95), "max": max(lags, default=0.0)}
    if summary["server_log_tracebacks"]:
        summary["server_log_tail"] = log[-3000:]
    if stats_path is not None:
        if stats_path.stat().st_size:
            summary["breakdown"] = server_breakdown(stats_path, summary["runs"], cpu_s)
        stats_path.unlink(missing_ok=True)
    return summary


def wait_for_quiet(below: float, at_most: float = 300) -> None:
    """Wait until the 1-minute load average drops below ``below`` (0: don't wait), up to ``at_most`` s."""
    if below <= 0:
        return
    deadline = time.time() + at_most
    while os.getloadavg()[0] >= below and time.time() < deadline:
        time.sleep(5)
    if os.getloadavg()[0] >= below:
        print(f"load average still {os.getloadavg()[0]:.2f} after {at_most:g} s; running anyway", flush=True)


def compare_table(runs: list[dict]) -> str:
    """The runs side by side, as a Markdown table (docs/class.md quotes it)."""
    def f(x):
        return f"{x:.2f}" if math.isfinite(x) else "never"

    out = ["| servers | load avg before | runs | exceptions | unfinished | uploads (failed) | "
           "p50 s | p95 s | max s | peak RSS, all | peak RSS per replica (with its worker) |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    for s in runs:
        per = {k: v for k, v in s["rss_peak_per_process_mb"].items() if k != "haproxy"}
        out.append(
            f"| {'1 server' if s['servers'] == 'single' else s['servers'] + ' replicas + HAProxy'} "
            f"| {s['machine']['load_before'][0]:.2f} | {s['runs']} | {s['exceptions']} | {s['unfinished']} "
            f"| {s['uploads']} ({s['uploads_failed']}) | {f(s['p50'])} | {f(s['p95'])} | {f(s['max'])} "
            f"| {s['rss_peak_mb']:.0f} MB | {', '.join(f'{v:.0f}' for v in per.values())} MB |")
    singles = [s["p95"] for s in runs if s["servers"] == "single"]
    for n in sorted({s["servers"] for s in runs} - {"single"}):
        many = [s["p95"] for s in runs if s["servers"] == n]
        if singles and many:
            ratio = max(many) / min(singles)
            # each run of n replicas against the one-server run just before it (the machine's load drifts)
            pairs = [b["p95"] / a["p95"] for a, b in zip(runs, runs[1:])
                     if a["servers"] == "single" and b["servers"] == n]
            out.append(f"\nworst p95 with {n} replicas / best p95 of one server: {ratio:.2f}"
                       f"   [<= 0.5: {'PASS' if ratio <= 0.5 else 'FAIL'}]"
                       + (f"; run by run: {', '.join(f'{x:.2f}' for x in pairs)}" if pairs else ""))
    return "\n".join(out)


# ----------------------------------------------------------------------------- flood: one session's uploads


async def _flood(url: str, args, sampler: RssSampler) -> dict:
    s = Session(url, timeout=max(args.timeout, 60))
    await s.open()
    out = dict(rss_open_mb=sampler.rss() / 2**20, statuses=[])
    size = int(args.flood_mb * 2**20)
    line = b"1.5,2.5,3.5\n"
    content = b"a,b,c\n" + line * ((size - 6) // len(line))
    names = [f"flood-{i}.csv" for i in range(args.flood_files)]
    urls = await s.upload_urls(names)
    t0 = time.perf_counter()
    for name, u in zip(names, urls):
        try:
            out["statuses"].append(str(await s.put_file(u, name, content)))
        except OSError as e:                          # the server closed the connection mid-upload
            out["statuses"].append(type(e).__name__)
    out["flood_s"] = time.perf_counter() - t0
    out["bytes_each"] = len(content)
    out["rss_flood_end_mb"] = sampler.rss() / 2**20
    out["peak_during_mb"] = max((r for _, r in sampler.samples), default=0) / 2**20
    await s.close()
    await asyncio.sleep(args.flood_after)
    out["rss_after_mb"] = sampler.rss() / 2**20
    return out


def run_flood(args, servers: str = "single") -> dict:
    load_before = os.getloadavg()
    target = Target(servers, args)
    try:
        sampler = RssSampler(target.roots, interval=0.1)
        rss_start = sampler.rss() / 2**20
        sampler.start()
        out = asyncio.run(_flood(target.url, args, sampler))
        sampler.stop()
    finally:
        target.stop()
    accepted = [st in ("200", "204") for st in out["statuses"]]
    out.update(servers=servers, files=args.flood_files, mb=args.flood_mb, after_s=args.flood_after,
               rss_start_mb=rss_start, rss_peak_mb=sampler.peak[1] / 2**20,
               refused=accepted.count(False), status_counts=dict(Counter(out["statuses"])),
               accepted_before_first_refusal=accepted.index(False) if False in accepted else len(accepted),
               load_before=load_before, load_after=os.getloadavg(), rss_measured=bool(sampler.procs))
    out["rss_ok"] = out["rss_peak_mb"] < FLOOD_RSS_TARGET_MB
    return out


def flood_report(o: dict) -> str:
    rss = (f"server RSS: {o['rss_start_mb']:.0f} MB at start, {o['rss_open_mb']:.0f} MB with the session open, "
           f"peak {o['rss_peak_mb']:.0f} MB, {o['rss_flood_end_mb']:.0f} MB when the last request was "
           f"answered, {o['rss_after_mb']:.0f} MB {o['after_s']:g} s after the session closed"
           f"   [peak < {FLOOD_RSS_TARGET_MB} MB: {'PASS' if o['rss_ok'] else 'FAIL'}]"
           if o["rss_measured"] else "server RSS: not measured (a server this script did not start)")
    return "\n".join([
        f"flood: one session sent {o['files']} direct upload requests of {o['bytes_each'] / 2**20:.2f} MB "
        f"in {o['flood_s']:.1f} s ({'one server' if o['servers'] == 'single' else o['servers'] + ' replicas'}); "
        f"load average before {o['load_before'][0]:.2f}, after {o['load_after'][0]:.2f}",
        f"answers: {o['status_counts']}; refused {o['refused']} of {o['files']}, the first refusal after "
        f"{o['accepted_before_first_refusal']} accepted",
        rss,
    ])


# ----------------------------------------------------------------------------- calibrate


async def _calibrate(url: str, sampler: RssSampler, reruns: int) -> list[str]:
    shape, _ = await read_app_shape(url, 180)
    out = []
    for name, link in (("lecture", ""), ("max", "hidden=32&epochs=20000")):
        s = Session(url, timeout=120)
        await s.open("", link)
        for page in shape.pages:
            await s.switch_page(page)
            cpu0, lat, kb = sampler.cpu_seconds(), [], []
            for _ in range(reruns):
                r = await s.rerun()
                lat.append(r.seconds)
                kb.append(r.bytes / 1024)
            cpu = 1000 * (sampler.cpu_seconds() - cpu0) / reruns
            out.append(f"  {name:8s} {s.page_label:10s} warm rerun: server CPU {cpu:6.0f} ms, "
                       f"latency median {1000 * statistics.median(lat):6.0f} ms, {statistics.mean(kb):5.0f} KB")
        for page in shape.pages:                  # a new seed: one training, then the page
            await s.switch_page(page)
            cpu0, lat = sampler.cpu_seconds(), []
            for i in range(3):
                r = await s.set_widget("seed", 1000 + 7 * i + 100 * len(out))
                lat.append(r.seconds)
            cpu = 1000 * (sampler.cpu_seconds() - cpu0) / 3
            out.append(f"  {name:8s} {s.page_label:10s} new seed:    server CPU {cpu:6.0f} ms, "
                       f"latency median {1000 * statistics.median(lat):6.0f} ms")
        await s.close()
    return out


def calibrate(args) -> str:
    """One student alone: server CPU and latency of a rerun on each page, warm and with a new seed."""
    load_before = os.getloadavg()
    server = Server(options=args.st_option)
    try:
        sampler = RssSampler([("server", server.proc.pid)])
        lines = asyncio.run(_calibrate(server.url, sampler, args.reruns))
    finally:
        server.stop()
        server.log_path.unlink(missing_ok=True)
    la = os.getloadavg()
    return "\n".join([f"calibration: one student alone, {args.reruns} reruns per page; load average "
                      f"before {load_before[0]:.2f}, after {la[0]:.2f}", *lines])


# ----------------------------------------------------------------------------- profile


def profile_pages(args) -> str:
    """Run each page in-process (AppTest) under cProfile, cold then warm, and say where time goes."""
    import cProfile
    import pstats

    from streamlit.testing.v1 import AppTest

    from ui.serve import cache
    from ui.serve.internals import ScriptRunner

    holder: dict = {"prof": None}
    orig = ScriptRunner._run_script

    def profiled(self, *a, **k):
        prof = holder["prof"]
        return prof.runcall(orig, self, *a, **k) if prof is not None else orig(self, *a, **k)

    ScriptRunner._run_script = profiled
    links = {"lecture": {}, "max": {"hidden": "32", "epochs": "20000", "seed": "12345"}}
    pages = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "app_pages").glob("*.py"))
    out = [f"profile: one rerun of each page in-process (AppTest), link {links[args.mix] or 'defaults'}; "
           "cold = caches cleared first, warm = the same rerun again",
           "inclusive ms per rerun; a column can contain another (vega contains altair, cache contains train)",
           "AppTest's runner skips Streamlit's post-run gc.collect(): the gc column stays 0 here; the real "
           "server's cost is in --calibrate and --server-profile"]
    header = ("page", "run", "total", "train", "cache", "pickle", "altair", "vega", "arrow", "hash", "gc")
    out.append("  ".join(f"{h:>8s}" for h in header))
    tops = []
    for page in pages:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        at.query_params.update(links[args.mix])
        at.run()
        cache.clear()
        at.switch_page(page)
        for run in ("cold", "warm"):
            holder["prof"] = cProfile.Profile()
            at.run()
            stats = pstats.Stats(holder["prof"])
            holder["prof"] = None
            row = _categories(stats)
            note = f"  exception: {str(at.exception[0].value)[:80]}" if at.exception else ""
            out.append("  ".join([f"{Path(page).stem:>8s}", f"{run:>8s}"]
                                 + [f"{row[c]:8.0f}" for c in header[2:]]) + note)
            if run == "warm":
                tops.append((page, _top_app_functions(stats)))
    ScriptRunner._run_script = orig
    out.append("columns: train = core.training; cache = st.cache_data/cache_resource calls (incl. training on a miss);"
               " pickle = copies in and out of the cache; altair = Chart.to_dict; vega = st.altair_chart/"
               "vega_lite marshalling; arrow = DataFrame -> Arrow; hash = ForwardMsg serialise+hash;"
               " gc = Streamlit's gc.collect() after every run (runner.postScriptGC)")
    for page, top in tops:
        out.append(f"warm {page}: slowest project functions (cumulative ms): "
                   + ", ".join(f"{name} {ms:.0f}" for name, ms in top))
    return "\n".join(out)


def _categories(stats) -> dict:
    def cum(pred) -> float:
        # inclusive time of matching functions that are not called by another matching one
        total = 0.0
        for key, (cc, nc, tt, ct, callers) in stats.stats.items():
            if pred(key) and not any(pred(c) for c in callers):
                total += ct
        return total * 1000

    def f(path_part, names=None):
        return lambda k: path_part in k[0].replace(os.sep, "/") and (names is None or k[2] in names)

    return dict(
        total=cum(lambda k: k[2] == "_run_script"),
        train=cum(f("/core/training.py", {"train", "train_many"})),
        cache=cum(f("streamlit/runtime/caching/cache_utils.py", {"__call__"})),
        pickle=cum(lambda k: k[0] == "~" and ("pickle" in k[2] or "_pickle" in k[2])),
        altair=cum(f("altair/", {"to_dict"})),
        vega=cum(f("streamlit/elements/vega_charts.py", {"altair_chart", "vega_lite_chart"})),
        arrow=cum(f("streamlit/dataframe_util.py", {"convert_anything_to_arrow_bytes",
                                                     "convert_pandas_df_to_arrow_bytes"})),
        hash=cum(f("streamlit/runtime/forward_msg_cache.py", {"populate_hash_if_needed"})),
        gc=cum(lambda k: k[0] == "~" and k[2] == "<built-in method gc.collect>"),
    )


def _top_app_functions(stats, n: int = 6) -> list[tuple[str, float]]:
    rows = []
    for key, (cc, nc, tt, ct, callers) in stats.stats.items():
        path = key[0]
        if any(path.startswith(str(ROOT / d)) for d in ("app_pages", "ui", "core")):
            rows.append((f"{Path(path).parent.name}/{Path(path).name}:{key[2]}", ct * 1000))
    rows.sort(key=lambda r: -r[1])
    return [r for r in rows if not r[0].endswith(":<module>")][:n]


def serve_profiled(out: Path, streamlit_args: list[str]) -> None:
    """``streamlit <args>`` with every script run profiled (thread CPU time); stats to ``out`` at exit."""
    import atexit
    import cProfile
    import pstats
    import runpy

    from ui.serve.internals import ScriptRunner

    lock = threading.Lock()
    agg: dict = {"stats": None, "calls": 0}
    orig = ScriptRunner._run_script

    def profiled(self, *a, **k):
        prof = cProfile.Profile(time.thread_time)      # CPU of this thread: waiting is not cost
        try:
            return prof.runcall(orig, self, *a, **k)
        finally:
            with lock:
                agg["calls"] += 1
                if agg["stats"] is None:
                    agg["stats"] = pstats.Stats(prof)
                else:
                    agg["stats"].add(prof)

    loop_prof = cProfile.Profile(time.thread_time)     # the main thread runs the event loop

    def start_of_class(*_):
        """SIGUSR1: forget start-up and the teacher's first run (imports); measure from here."""
        loop_prof.clear()
        with lock:
            agg.update(stats=None, calls=0)

    def dump():
        loop_prof.disable()
        loop_prof.dump_stats(str(out) + ".loop")
        with lock:
            if agg["stats"] is not None:
                agg["stats"].dump_stats(str(out))

    ScriptRunner._run_script = profiled
    signal.signal(signal.SIGUSR1, start_of_class)
    # SIGUSR2: write the profile now. The server ends on SIGTERM without running atexit handlers, so
    # the load driver asks for the profile before it stops the server (``dump_profile``).
    signal.signal(signal.SIGUSR2, lambda *_: dump())
    atexit.register(dump)
    sys.argv = ["streamlit", *streamlit_args]
    loop_prof.enable()
    runpy.run_module("streamlit", run_name="__main__")      # what `python -m streamlit` runs


def dump_profile(target: "Target", stats_path: Path, at_most: float = 60.0) -> None:
    """Ask the profiled server to write its profile (SIGUSR2) and wait until it has."""
    target.signal(signal.SIGUSR2)
    deadline = time.perf_counter() + at_most
    while time.perf_counter() < deadline and not (stats_path.exists() and stats_path.stat().st_size
                                                    and Path(str(stats_path) + ".loop").exists()):
        time.sleep(0.5)
    time.sleep(0.5)                                 # the last file being written


def server_breakdown(stats_path: Path, clicks: int, server_cpu_s: float) -> dict:
    """Where the server's script CPU went during the load run, in ms per click."""
    import pstats

    stats = pstats.Stats(str(stats_path))
    row = _categories(stats)
    per = {k: v / max(clicks, 1) for k, v in row.items()}
    per["server_cpu_per_click"] = 1000 * server_cpu_s / max(clicks, 1)
    per["top"] = [(name, ms / max(clicks, 1)) for name, ms in _top_app_functions(stats, 8)]
    loop_path = Path(str(stats_path) + ".loop")
    if loop_path.exists() and loop_path.stat().st_size:
        loop = pstats.Stats(str(loop_path))
        per["loop"] = 1000 * loop.total_tt / max(clicks, 1)
        per["loop_top"] = [(f"{Path(k[0]).name}:{k[2]}", 1000 * v[2] / max(clicks, 1))
                           for k, v in sorted(loop.stats.items(), key=lambda kv: -kv[1][2])[:8]]
        loop_path.unlink()
    return per


def breakdown_report(b: dict) -> str:
    cols = ("total", "train", "cache", "pickle", "altair", "vega", "arrow", "hash", "gc")
    return "\n".join([
        "where the server's CPU went (cProfile on thread CPU time, ms per click; profiling slows the "
        "server, so use the timings above only from a run without --server-profile):",
        f"  server process {b['server_cpu_per_click']:.0f}; in scripts: "
        + ", ".join(f"{c} {b[c]:.1f}" for c in cols),
        "  slowest project functions: " + ", ".join(f"{n} {ms:.1f}" for n, ms in b["top"]),
    ] + ([f"  event loop (main thread: websocket, sessions, messages) {b['loop']:.1f}; most self time: "
          + ", ".join(f"{n} {ms:.1f}" for n, ms in b["loop_top"])] if "loop" in b else []))


# ----------------------------------------------------------------------------- entry point


def parse_args(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n")[0])
    ap.add_argument("--students", type=int, default=40)
    ap.add_argument("--seconds", type=float, default=60, help="how long students keep clicking")
    ap.add_argument("--arrive", type=float, default=10, help="students arrive over this many seconds")
    ap.add_argument("--mix", choices=("lecture", "max"), default="lecture")
    ap.add_argument("--timeout", type=float, default=30,
                    help="a run with no script_finished after this many seconds never finished")
    ap.add_argument("--think-min", type=float, default=2.0)
    ap.add_argument("--think-max", type=float, default=6.0)
    ap.add_argument("--seed", type=int, default=2024, help="seed of the class's random choices")
    ap.add_argument("--st-option", action="append", default=[], metavar="NAME=VALUE",
                    help="a Streamlit config option for the server, e.g. runner.postScriptGC=false")
    ap.add_argument("--servers", default="single",
                    help="'single' (one server), N (N replicas behind HAProxy), or a list to compare "
                         "in one run, e.g. single,2")
    ap.add_argument("--repeat", type=int, default=1, help="play the --servers list this many times, alternating")
    ap.add_argument("--quiet-below", type=float, default=0.0, metavar="LOAD",
                    help="before each run, wait (up to 5 min) until the 1-minute load average is below LOAD: "
                         "on a shared machine, so that compared runs meet similar competition")
    ap.add_argument("--url", help="play against a server or balancer already running at this address")
    ap.add_argument("--uploads", type=float, default=0.0, metavar="F",
                    help="fraction of students who upload a CSV of their own after opening the app")
    ap.add_argument("--clicker", action="store_true",
                    help="add one session at the maximum settings changing the seed --clicker-rate times a second")
    ap.add_argument("--clicker-rate", type=float, default=20.0)
    ap.add_argument("--flood", action="store_true",
                    help="instead of the class: one session sends --flood-files direct uploads of --flood-mb MB")
    ap.add_argument("--flood-files", type=int, default=40)
    ap.add_argument("--flood-mb", type=float, default=4.9)
    ap.add_argument("--flood-after", type=float, default=30.0,
                    help="seconds to wait after the flood's session closed before the last RSS sample")
    ap.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)  # another checkout
    ap.add_argument("--json", type=Path, help="also write the summary as JSON to this file")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target (p95, RSS) is missed")
    ap.add_argument("--server-profile", action="store_true",
                    help="profile every script run in the server and say where its CPU went")
    ap.add_argument("--calibrate", action="store_true",
                    help="instead of the class: one student alone, server CPU per rerun of each page")
    ap.add_argument("--reruns", type=int, default=10, help="reruns per page for --calibrate")
    ap.add_argument("--profile", action="store_true",
                    help="instead of the class: profile one rerun of every page in-process")
    ap.add_argument("--scenarios", default="", metavar="NAMES",
                    help="after the class, these scenarios of bench/scenarios.py, reported beside it "
                         "(storm, heavy, heavy3, many, class; comma-separated)")
    from bench import scenarios
    scenarios.add_arguments(ap)
    return ap.parse_args(argv)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--serve-profiled"]:
        serve_profiled(Path(argv[1]), argv[3:])
        return 0
    args = parse_args(argv)
    if args.profile:
        print(profile_pages(args))
        return 0
    if args.calibrate:
        print(calibrate(args))
        return 0
    plan = [x.strip() for x in args.servers.split(",") if x.strip()] * max(args.repeat, 1)
    if any(x != "single" and not x.isdigit() for x in plan) or not plan:
        raise SystemExit(f"--servers: 'single' or a number of replicas, not {args.servers!r}")
    if args.flood:
        floods = [run_flood(args, x) for x in plan]
        for o in floods:
            print(flood_report(o))
        if args.json:
            args.json.write_text(json.dumps(floods[0] if len(floods) == 1 else {"runs": floods},
                                            indent=2, default=str))
        return 1 if args.strict and not all(o["rss_ok"] for o in floods) else 0
    summaries = []
    for x in plan:
        wait_for_quiet(args.quiet_below)
        summary = run_load(args, x)
        summaries.append(summary)
        print(report(summary), flush=True)
        if summary.get("breakdown"):
            print(breakdown_report(summary["breakdown"]))
        if summary.get("server_log_tail"):
            print("--- server log (tail) ---\n" + summary["server_log_tail"])
        print(flush=True)
    if len(summaries) > 1:
        print(compare_table(summaries))
    extra = []
    if args.scenarios:
        from bench import scenarios
        print("beside the lecture mix, one server per scenario:", flush=True)
        extra = scenarios.run([n.strip() for n in args.scenarios.split(",") if n.strip()], args)
    if args.json:
        args.json.write_text(json.dumps(summaries[0] if len(summaries) == 1 else {"runs": summaries},
                                        indent=2, default=str))
    if not all(s["ok"] for s in summaries):
        return 1
    if args.strict and not all(s["p95_ok"] and s["rss_ok"] for s in summaries):
        return 1
    if args.strict and not all(r["ok"] for r in extra):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A lecture in class mode: one lecturer leads ``--class-students`` followers (``make load``'s ``class``).

    python -m bench.class_scenario [--class-students 300] [--class-servers 2] [--json out.json]
    make load-lecture                # the same, alone, its figures written into docs/performance.md

Everything is played as the browsers do it (``ui/browser/classroom.js``, ``ui/draw/classroom.py``):

- **The lecturer** is one Streamlit session (``tests.support.stclient``). It opens the app, presses
  *Start a class*, reads the class code and the lecturer key from the class component's data, and
  offers the key back as the component's trigger, as the browser does with a new key. Then it gives
  the lesson (``LESSON``): every ``--class-every`` seconds one move — another page, *Next →* on
  *Backprop step by step*, sample n, the epoch slider on *Training & results* — which is a rerun of
  its own, then ``POST /_class/<code>/lead`` with the view ``classroom.js`` builds (the page, the
  address without ``class``, the page's controls from the hidden mount), sent within the script's
  250 ms tick. On ``--class-questions`` of the moves it also picks a question in the sidebar's *Ask
  the class*, presses *Ask*, leaves it open ``QUESTION_OPEN_S``, presses *Close answers* and *Reveal
  the answer*. Its browser also long-polls the class as the projector does (live counts, how many
  follow).
- **Each student** opens the join link ``/?class=<code>`` (they arrive over ``--class-arrive``
  seconds), long-polls ``GET /_class/<code>/wait`` with a random follower id of its own, and when the
  version rises and the lecturer's view differs from its page, runs the view's page with the new
  address as a "popstate" does (the same session, also for another page). Each answers every open question once, one in five changes
  its answer once, by ``POST /_class/<code>/answer``.

Measured: lecturer click (its widget change sent) → each student's run showing that move finished
(``script_finished``), per kind of move; answers each student had taken against the counts the
projector shows after *Reveal*; exceptions shown to users; tracebacks in the servers' logs; each
server's CPU and peak memory; this client's own CPU and event-loop lag. All sessions live in this one
process, which competes with the servers for the machine's cores: its lag inflates every timing.
A browser's page load also fetches the app's JavaScript; a new session here fetches only the page
and Streamlit's two start-up requests.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import math
import os
import random
import sys
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import psutil

from bench.load import (ROOT, RssSampler, Target, arrival_times, breakdown_report, dump_profile, option_labels, pct,
                        server_breakdown, wait_for_quiet, watch_lag)
from tests.support.stclient import RunResult, Session
from ui.state.class_view import CONTROLS

P95_TARGET_S = 3.0
QUESTION_OPEN_S = 6.0             # a question stays open this long, then is closed and revealed
LEAD_TICK_S = 0.1                 # classroom.js looks at the address this often (LEAD_EVERY_MS)
CHANGE_MIND = 0.2                 # the share of students who change their answer once
MOUNT, LEAD = "class-mode", "class-lead"      # the class component's two mounts (ui/draw/classroom.py)


class Move(NamedTuple):
    kind: str           # "page" (another page), "step", "sample", "epoch"
    arg: object         # the page's path, the sample n, the epoch as a share of the run
    question: bool      # the lecturer also asks a question after this move


LESSON = (Move("page", "network", False), Move("page", "backprop", False),
          Move("step", None, True), Move("step", None, False), Move("step", None, True),
          Move("step", None, False), Move("step", None, True), Move("sample", 2, False),
          Move("sample", 3, False), Move("page", "training", True), Move("epoch", 0.5, False),
          Move("epoch", 0.1, True), Move("page", "", False))


def lesson(moves: int, questions: int) -> list[Move]:
    """The first ``moves`` moves of the lesson, asking at the first ``questions`` that ask."""
    out, asked = [], 0
    for m in LESSON[:moves]:
        ask = m.question and asked < questions
        asked += ask
        out.append(m._replace(question=ask))
    return out


# ----------------------------------------------------------------------------- the browser's fetch


async def fetch(url: str, body: dict | None = None, cookies: dict | None = None,
                timeout: float = 60) -> tuple[int, dict]:
    """One HTTP/1.1 request as the browser's ``fetch`` (a JSON POST when ``body`` is given): (status, JSON).

    Plain asyncio: hundreds of long-polls held at once would need as many threads with urllib.
    """
    u = urllib.parse.urlsplit(url)
    reader, writer = await asyncio.wait_for(asyncio.open_connection(u.hostname, u.port), timeout)
    try:
        head = [f"{'POST' if body is not None else 'GET'} {u.path}{'?' + u.query if u.query else ''} HTTP/1.1",
                f"Host: {u.netloc}", "Connection: close", "Accept: */*", "Cache-Control: no-store"]
        if cookies:
            head.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
        data = b""
        if body is not None:
            data = json.dumps(body).encode()
            head += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
        raw = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    header, _, payload = raw.partition(b"\r\n\r\n")
    lines = header.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    if any(h.lower().startswith("transfer-encoding:") and "chunked" in h.lower() for h in lines[1:]):
        payload = _dechunk(payload)
    # Not JSON (the balancer's HTML 503 page): ValueError, as the browser's ``r.json()`` throws, and
    # classroom.js then waits and tries again as for a dropped connection.
    return status, json.loads(payload) if payload.strip() else {}


def _dechunk(payload: bytes) -> bytes:
    out = b""
    while payload:
        size, _, rest = payload.partition(b"\r\n")
        n = int(size.split(b";")[0] or b"0", 16)
        if n == 0:
            break
        out, payload = out + rest[:n], rest[n + 2:]
    return out


def query_of(search: str) -> dict:
    """classroom.js's ``query()``: the address's parameters without ``class``, the last of each, sorted."""
    out = {k: v for k, v in urllib.parse.parse_qsl(search, keep_blank_values=True) if k != "class"}
    return dict(sorted(out.items()))


def shows(s: Session, view: dict) -> bool:
    """Whether the session's page is the lecturer's ``view``: the same page and the same values, except
    the pages' own controls at their defaults, which the lead carries and Streamlit leaves out of the
    follower's address."""
    want, here = view.get("query") or {}, query_of(s.query)
    return s.page_path == view.get("page") and all(want.get(k) == v for k, v in here.items()) \
        and all(k in here for k in want if k not in CONTROLS)


def mount(s: Session, name: str) -> dict | None:
    """The data of the class component's mount ``name`` as the session last drew it."""
    for role, c in s.components.items():
        if role.endswith("-" + name):
            return c["data"]
    return None


def shown_exceptions(runs: list[RunResult], s: Session | None) -> list[str]:
    return [e for r in runs for e in r.exceptions] + (list(s.background_exceptions) if s else [])


# ----------------------------------------------------------------------------- the lecturer


class Lecturer:
    """The lecturer's tab: a session, the key its browser holds, the class as its projector shows it."""

    def __init__(self, url: str, timeout: float, rng: random.Random):
        self.url, self.rng = url, rng
        self.s = Session(url, timeout=timeout)
        self.code = self.key = self.sent = None
        self.runs: list[RunResult] = []
        self.state: dict | None = None
        self.states = asyncio.Event()           # set at each new state the projector gets
        self.following_max = 0
        self.errors: list[str] = []
        self.running = True

    async def run(self, what) -> RunResult:
        r = await what
        self.runs.append(r)
        if not r.finished:
            raise RuntimeError(f"the lecturer's run '{r.action}' did not finish")
        return r

    async def start(self) -> None:
        """Open the app, press *Start a class*, and offer the key back (the browser's first mount)."""
        await self.run(self.s.open())
        await self.run(self.s.press(self.s.labelled("button", "Start a class")))
        data = mount(self.s, MOUNT) or {}
        self.code, self.key = data.get("code"), data.get("newKey")
        if not (self.code and self.key and data.get("lecturer")):
            raise RuntimeError(f"Start a class gave the browser no class and key: {data}")
        role = next(k for k in self.s.components if k.endswith("-" + MOUNT))
        await self.run(self.s.component_event(role, "key", self.key))
        await self.lead()

    def view(self) -> dict:
        """What classroom.js leads with: the page, the page's controls, the address's values over them."""
        here = self.s.page_path
        controls = mount(self.s, LEAD) or {}
        own = (controls.get("controls") or {}) if controls.get("page") == here else {}
        return {"page": here, "query": dict(sorted({**own, **query_of(self.s.query)}.items()))}

    async def lead(self, give_up_s: float = 30.0) -> int | None:
        """POST the view if it moved; the class's new version. As classroom.js, a lead that did not get
        through (the balancer's 503, a dropped connection) is sent again at the next tick; a refusal
        (403, 404) stops it."""
        view = self.view()
        text = json.dumps(view, sort_keys=True)
        if text == self.sent:
            return None
        deadline = time.perf_counter() + give_up_s
        while True:
            try:
                status, body = await fetch(f"{self.url}/_class/{self.code}/lead", {"key": self.key, **view},
                                           self.s.cookies)
            except (OSError, asyncio.TimeoutError, ValueError, IndexError) as e:
                status, body = None, {"error": f"{type(e).__name__}: {e}"}
            if status == 200:
                self.sent = text
                return body["version"]
            if status in (403, 404) or time.perf_counter() > deadline:
                raise RuntimeError(f"the lead was refused ({status}): {str(body.get('error'))[:100]}")
            self.errors.append(f"lead sent again after {status}: {str(body.get('error'))[:60]}")
            await asyncio.sleep(LEAD_TICK_S)

    async def move(self, m: Move) -> tuple[float, int | None]:
        """One move: (the moment its widget change was sent, the class version it led to)."""
        s = self.s
        if m.kind == "page":
            r = await self.run(s.switch_page(m.arg))
        elif m.kind == "step":
            r = await self.run(s.click_button("next"))
        elif m.kind == "sample":
            r = await self.run(s.set_widget("sample", m.arg))
        else:
            top = int(s.widget("epoch").proto.max)
            r = await self.run(s.set_widget("epoch", max(1, round(m.arg * top))))
        await asyncio.sleep(self.rng.uniform(0, LEAD_TICK_S))       # the browser's next look at the address
        return r.started, await self.lead()

    async def ask(self, number: int) -> dict:
        """Pick a question of this page, ask it, close it after QUESTION_OPEN_S, reveal it; the
        question as the projector showed it revealed, with its counts."""
        s = self.s
        options = option_labels(s.widget("question"))
        await self.run(s.set_widget("question", options[number % len(options)]))
        await self.run(s.press(s.labelled("button", "Ask")))
        await asyncio.sleep(QUESTION_OPEN_S)
        await self.run(s.press(s.labelled("button", "Close answers")))
        await self.run(s.press(s.labelled("button", "Reveal the answer")))
        return await self.until(lambda st: (st.get("question") or {}).get("state") == "revealed", 30)

    async def until(self, ok, timeout: float) -> dict:
        deadline = time.perf_counter() + timeout
        while not (self.state and ok(self.state)):
            if time.perf_counter() > deadline:
                raise RuntimeError("the projector never showed the revealed question")
            self.states.clear()
            try:
                await asyncio.wait_for(self.states.wait(), deadline - time.perf_counter())
            except asyncio.TimeoutError:
                pass
        return self.state

    async def projector(self) -> None:
        """classroom.js's Lecturer.poll: the class, again as soon as the counts or the following change."""
        version = -1
        while self.running:
            extra = f"&answers={self.state['answers']}&following={self.state['following']}" if self.state else ""
            try:
                status, body = await fetch(f"{self.url}/_class/{self.code}/wait?since={version}{extra}",
                                           cookies=self.s.cookies)
            except (OSError, asyncio.TimeoutError, ValueError, IndexError) as e:
                self.errors.append(f"projector: {type(e).__name__}: {e}")
                await asyncio.sleep(0.5)
                continue
            if status != 200:
                self.errors.append(f"projector: {status} {body.get('error')}")
                await asyncio.sleep(2)
                continue
            self.state, version = body, body["version"]
            self.following_max = max(self.following_max, body["following"])
            self.states.set()


# ----------------------------------------------------------------------------- a student


@dataclass
class Follower:
    """One student's tab: its session (a new one for each page loaded) and what it saw and sent."""

    number: int
    id: str
    rng: random.Random
    s: Session | None = None
    sessions: list[Session] = field(default_factory=list)
    runs: list[RunResult] = field(default_factory=list)
    shown: list[tuple[int, float]] = field(default_factory=list)   # (version shown, when its run finished)
    applied: int = -1
    version: int = -1
    answered: set = field(default_factory=set)
    changed: set = field(default_factory=set)                        # questions it changed its answer to
    taken: dict = field(default_factory=dict)                        # question id -> the choice the class took
    posts: int = 0
    refused: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    opened: list | None = None                                       # the last view it opened
    lost: bool = False                                               # a page load failed: no app, no class
    applying: asyncio.Task | None = None
    answering: list[asyncio.Task] = field(default_factory=list)


class Student:
    """What a follower's browser does, against the class ``code`` at ``url``."""

    def __init__(self, f: Follower, url: str, code: str, timeout: float):
        self.f, self.url, self.code, self.timeout = f, url, code, timeout
        self.running = True

    async def join(self) -> None:
        s = Session(self.url, timeout=self.timeout)
        self.f.s = s
        self.f.sessions.append(s)
        r = await s.open("", f"class={self.code}")
        self.f.runs.append(r)
        data = mount(s, MOUNT) or {}
        if not r.finished or data.get("code") != self.code or data.get("lecturer"):
            raise RuntimeError(f"the join link did not put the student in the class: {data}")

    async def follow(self) -> None:
        """classroom.js's Follower.poll."""
        pause = 0.5
        while self.running:
            try:
                status, body = await fetch(f"{self.url}/_class/{self.code}/wait?since={self.f.version}"
                                           f"&follower={self.f.id}", cookies=self.f.s.cookies)
            except (OSError, asyncio.TimeoutError, ValueError, IndexError) as e:
                self.f.errors.append(f"wait: {type(e).__name__}: {e}")
                await asyncio.sleep(pause)
                pause = min(2 * pause, 5)
                continue
            pause = 0.5
            if status != 200:
                self.f.errors.append(f"wait: {status} {body.get('error')}")
                if status in (403, 404):
                    return
                await asyncio.sleep(2)
                continue
            self.f.version = body["version"]
            self.arrived(body)
            q = body.get("question")
            if q and q["state"] == "open" and q["id"] not in self.f.answered:
                self.f.answered.add(q["id"])
                self.f.answering.append(asyncio.create_task(self.answer(q)))

    def arrived(self, state: dict) -> None:
        view = state.get("view") or {}
        if state.get("ended") or not isinstance(view.get("page"), str) or state["version"] <= self.f.applied:
            return
        self.f.applied = state["version"]
        prior = self.f.applying
        self.f.applying = asyncio.create_task(self.open_view(state["version"], view, prior))

    async def open_view(self, version: int, view: dict, prior: asyncio.Task | None) -> None:
        if prior is not None:                    # one run at a time in this tab
            await prior
        s, want = self.f.s, dict(view.get("query") or {})
        # as classroom.js: nothing to open when the view is the one this tab last opened (a question
        # posed, closed or revealed) or what its address already shows
        wanted = [view["page"], query_of(urllib.parse.urlencode(want))]
        opened, self.f.opened = self.f.opened, wanted
        if wanted in (opened, [s.page_path, query_of(s.query)]):
            self.f.shown.append((version, time.perf_counter()))
            return
        search = urllib.parse.urlencode({**want, "class": self.code})
        try:
            r = await s.history_navigation(search, view["page"])    # this page or another, the same session
        except Exception as e:                   # noqa: BLE001 - reported
            self.f.errors.append(f"open view: {type(e).__name__}: {e}")
            return
        self.f.runs.append(r)
        if r.finished:
            self.f.shown.append((version, r.started + r.seconds))

    async def answer(self, q: dict) -> None:
        """Tap a choice 0.5-3 s after the question appears; one in five changes it once."""
        rng = self.f.rng
        await asyncio.sleep(rng.uniform(0.5, 3.0))
        choice = rng.choice(q["choices"])
        await self.post(q["id"], choice)
        if rng.random() < CHANGE_MIND:
            await asyncio.sleep(rng.uniform(0.3, 1.5))
            self.f.changed.add(q["id"])
            await self.post(q["id"], rng.choice([c for c in q["choices"] if c != choice]))

    async def post(self, qid: int, choice: str) -> None:
        self.f.posts += 1
        try:
            status, body = await fetch(f"{self.url}/_class/{self.code}/answer",
                                       {"follower": self.f.id, "question": qid, "choice": choice}, self.f.s.cookies)
        except (OSError, asyncio.TimeoutError, ValueError, IndexError) as e:
            self.f.errors.append(f"answer: {type(e).__name__}: {e}")
            return
        if status == 200 and body.get("counted") is True:
            self.f.taken[qid] = choice
        else:
            self.f.refused.append(f"{status} {body}")


def follower_id(rng: random.Random) -> str:
    """classroom.js's randomId(): 16 characters of 64."""
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") for _ in range(16))


# ----------------------------------------------------------------------------- the lecture


async def lecture(url: str, students: int, moves: list[Move], every: float, arrive: float, seed: int,
                  timeout: float, on_start=lambda: None, lags: list | None = None) -> dict:
    loop = asyncio.get_running_loop()
    loop.set_default_executor(concurrent.futures.ThreadPoolExecutor(64))    # Session.open's HTTP warm-up
    rng = random.Random(seed)
    lecturer = Lecturer(url, timeout, random.Random(seed + 1))
    await lecturer.start()
    projector = asyncio.create_task(lecturer.projector())
    on_start()
    stop = asyncio.Event()
    lag_task = asyncio.create_task(watch_lag(lags if lags is not None else [], stop))
    class_ = [Follower(i, follower_id(rng), random.Random(seed * 1000 + i)) for i in range(students)]
    tabs = [Student(f, url, lecturer.code, timeout) for f in class_]
    polls: list[asyncio.Task] = []
    t0 = time.perf_counter()

    async def arrive_at(tab: Student, at: float):
        await asyncio.sleep(max(0.0, t0 + at - time.perf_counter()))
        try:
            await tab.join()
        except Exception as e:                   # noqa: BLE001 - reported
            tab.f.errors.append(f"join: {type(e).__name__}: {e}")
            return
        polls.append(asyncio.create_task(tab.follow()))
    await asyncio.gather(*(arrive_at(t, a) for t, a in zip(tabs, arrival_times(students, arrive, seed))))

    done: list[dict] = []
    questions: list[dict] = []
    start = time.perf_counter() + 2.0
    for k, m in enumerate(moves):
        await asyncio.sleep(max(0.0, start + k * every - time.perf_counter()))
        rec = {"kind": m.kind, "arg": m.arg}
        try:
            rec["click"], rec["version"] = await lecturer.move(m)
            if m.question:
                q = await lecturer.ask(len(questions))
                questions.append({"id": q["question"]["id"], "choices": q["question"]["choices"],
                                  "counts": q["counts"]})
        except Exception as e:                   # noqa: BLE001 - reported
            rec["error"] = f"{type(e).__name__}: {e}"
        done.append(rec)
    await asyncio.sleep(min(every, 10.0))        # the last move reaches the class
    for tab in tabs:
        tab.running = False
    lecturer.running = False
    for t in polls + [projector]:
        t.cancel()
    for f in class_:
        for t in f.answering + ([f.applying] if f.applying else []):
            t.cancel()
    stop.set()
    await lag_task
    for batch in range(0, len(class_), 50):
        await asyncio.gather(*(s.close() for f in class_[batch:batch + 50] for s in f.sessions),
                             return_exceptions=True)
    await lecturer.s.close()
    return {"lecturer": lecturer, "followers": class_, "moves": done, "questions": questions}


def _short(error: str) -> str:
    """An error without its variable part (an HTML page's text, a number), to count alike ones."""
    error = error.replace("<html><body><h1>", "").split("</h1>")[0]
    return error[:90]


def tally(played: dict) -> dict:
    """The measurements of one lecture: click → view per move and student, answers sent vs counted."""
    followers, moves = played["followers"], played["moves"]
    per_kind: dict[str, list[float]] = {}
    unreached = 0
    for m in moves:
        if m.get("version") is None:
            continue
        for f in followers:
            t = min((at for v, at in f.shown if v >= m["version"]), default=math.inf)
            seconds = t - m["click"]
            unreached += not math.isfinite(seconds)
            per_kind.setdefault(m["kind"], []).append(seconds)
    every = [x for xs in per_kind.values() for x in xs]
    answers = []
    for q in played["questions"]:
        sent = Counter(f.taken[q["id"]] for f in followers if q["id"] in f.taken)
        counted = dict(zip(q["choices"], q["counts"] or []))
        answers.append({"id": q["id"], "sent": {c: sent.get(c, 0) for c in q["choices"]}, "counted": counted,
                        "answering": sum(q["id"] in f.taken for f in followers),
                        "changed": sum(q["id"] in f.changed for f in followers)})
    lecturer = played["lecturer"]
    shown = shown_exceptions(lecturer.runs, lecturer.s) + [
        e for f in followers for e in shown_exceptions(f.runs, None)] + [
        e for f in followers for s in f.sessions for e in s.background_exceptions]
    last = (lecturer.state or {}).get("view") or {}
    at_last = sum(1 for f in followers if f.s is not None and shows(f.s, last))
    return dict(
        students=len(followers), at_last_view=at_last, last_view=last,
        student_runs=sum(len(f.runs) for f in followers), joined=sum(1 for f in followers if f.runs and f.runs[0].finished),
        moves=[{k: v for k, v in m.items() if k != "click"} for m in moves],
        views={k: {"n": len(v), "p50": pct(v, 0.5), "p95": pct(v, 0.95), "max": max(v)} for k, v in per_kind.items()},
        p50=pct(every, 0.5), p95=pct(every, 0.95), max=max(every, default=math.nan), unreached=unreached,
        questions=answers, posts=sum(f.posts for f in followers),
        refused=[r for f in followers for r in f.refused][:5], refused_n=sum(len(f.refused) for f in followers),
        answers_exact=bool(answers) and all(a["sent"] == a["counted"] for a in answers),
        following_max=lecturer.following_max, following_end=(lecturer.state or {}).get("following"),
        exceptions=len(shown), exception_samples=sorted(set(shown))[:3],
        lost=sum(f.lost for f in followers),
        errors=[f"{n} x {e}" for e, n in Counter(_short(e) for f in followers for e in f.errors).most_common(4)]
        + [f"{n} x {e}" for e, n in Counter(_short(e) for e in lecturer.errors).most_common(3)]
        + [m["error"] for m in moves if m.get("error")],
    )


# ----------------------------------------------------------------------------- one run, measured


def settle(procs, at_most: float = 90.0) -> None:
    """Wait until the servers have run the reruns still queued (a server stopped busy is killed, and
    a profiled one then writes no profile)."""
    deadline = time.perf_counter() + at_most
    while time.perf_counter() < deadline:
        try:
            busy = sum(p.cpu_percent(interval=None) for p in procs)
            time.sleep(1.0)
            busy = sum(p.cpu_percent(interval=None) for p in procs)
        except psutil.Error:
            return
        if busy < 15:
            return


def class_scene(args) -> dict:
    """``make load``'s ``class``: the lecture against ``--class-servers`` (2: `make class REPLICAS=2`)."""
    servers = str(getattr(args, "class_servers", "2"))
    where = argparse.Namespace(url=getattr(args, "url", None), root=getattr(args, "root", ROOT),
                               st_option=getattr(args, "st_option", []))
    load_before = os.getloadavg()
    profile = getattr(args, "server_profile", False) and servers == "single"
    stats_path = Path(f"/tmp/class-profile-{os.getpid()}.pstats") if profile else None
    try:
        target = Target(servers, where, stats_path)
    except (RuntimeError, OSError) as e:          # no HAProxy or Redis: the scenario cannot run
        return dict(scenario="class", servers=servers, error=str(e), ok=False, load_before=load_before)
    moves = lesson(args.class_moves, args.class_questions)
    procs = {name: psutil.Process(pid) for name, pid in target.roots}
    mark: dict = {}
    lags: list[float] = []

    def cpu() -> dict:
        out = {}
        for name, p in procs.items():
            try:
                t = p.cpu_times()
                out[name] = t.user + t.system
            except psutil.Error:
                out[name] = math.nan
        return out

    def on_start():
        if stats_path is not None:
            import signal
            target.signal(signal.SIGUSR1)
        mark.update(cpu=cpu(), client=time.process_time(), t=time.perf_counter())
    sampler = RssSampler(target.roots)
    sampler.start()
    played, error = None, None
    try:
        played = asyncio.run(lecture(target.url, args.class_students, moves, args.class_every, args.class_arrive,
                                     args.seed, max(args.timeout, 60), on_start, lags))
    except Exception as e:                       # noqa: BLE001 - reported as the scenario's failure
        error = f"{type(e).__name__}: {e}"
    finally:
        wall = time.perf_counter() - mark.get("t", time.perf_counter())
        used = {k: v - mark.get("cpu", {}).get(k, 0.0) for k, v in cpu().items()}
        client = time.process_time() - mark.get("client", time.process_time())
        sampler.stop()
        settle(procs.values())
        if stats_path is not None:
            dump_profile(target, stats_path)
        log = target.stop()
    out = dict(scenario="class", servers=servers, load_before=load_before, load_after=os.getloadavg(),
               error=error, wall_s=wall, cpu_s=used, client_cpu_s=client,
               rss_peak_mb={k: v / 2**20 for k, v in sampler.peaks.items()},
               client_lag={"p50": pct(lags, 0.5), "p95": pct(lags, 0.95), "max": max(lags, default=0.0)},
               tracebacks=log.count("Traceback (most recent call last)"), every=args.class_every,
               lesson=len(moves), asked=sum(m.question for m in moves))
    if played is not None:
        out.update(tally(played))
    if stats_path is not None and stats_path.exists():
        if stats_path.stat().st_size:
            runs = sum(len(f.runs) for f in played["followers"]) if played else 1
            out["breakdown"] = server_breakdown(stats_path, runs, sum(used.values()))
        if getattr(args, "profile_out", None):
            stats_path.replace(args.profile_out)       # for pstats: python -m pstats <file>
        stats_path.unlink(missing_ok=True)
    if out["tracebacks"]:
        out["log_tail"] = log[-2000:]
    out["targets"] = {
        "p95": error is None and out.get("p95", math.inf) < P95_TARGET_S,
        "answers": error is None and out.get("answers_exact", False),
        "exceptions": error is None and out.get("exceptions", 1) == 0 and out["tracebacks"] == 0,
        "followed": error is None and out.get("unreached", 1) == 0 and out.get("lost", 1) == 0
        and out.get("joined") == args.class_students,
    }
    out["ok"] = all(out["targets"].values())
    return out


def report(r: dict) -> str:
    def s(x):
        return "never" if not math.isfinite(x) else f"{x:.2f} s"

    def ok(name):
        return "PASS" if r["targets"].get(name) else "FAIL"
    where = "one server" if r["servers"] == "single" else f"{r['servers']} replicas behind HAProxy, classes in Redis"
    if "students" not in r:
        return f"class ({where}): could not run: {r['error']}  FAIL"
    kinds = "; ".join(f"{k} p50 {s(v['p50'])}, p95 {s(v['p95'])}, max {s(v['max'])} ({v['n']})"
                      for k, v in r["views"].items())
    answers = ", ".join(f"Q{a['id']} {a['answering']} answered ({a['changed']} changed their mind): "
                        f"sent {sum(a['sent'].values())} / counted {sum(a['counted'].values())}"
                        + ("" if a["sent"] == a["counted"] else f" (sent {a['sent']}, counted {a['counted']})")
                        for a in r["questions"])
    cpu = ", ".join(f"{k} {v:.0f} s = {100 * v / r['wall_s']:.0f}% of a core" for k, v in r["cpu_s"].items())
    rss = ", ".join(f"{k} {v:.0f} MB" for k, v in r["rss_peak_mb"].items())
    lines = [
        f"class ({r['students']} students and 1 lecturer, {where}; {r['lesson']} moves {r['every']:g} s apart, "
        f"{r['asked']} questions each open {QUESTION_OPEN_S:g} s; load average before {r['load_before'][0]:.2f}" + "):",
        f"  lecturer click -> student's view updated: p50 {s(r['p50'])}, p95 {s(r['p95'])}, max {s(r['max'])} "
        f"over {sum(v['n'] for v in r['views'].values())} views, {r['unreached']} never "
        f"[target p95 < {P95_TARGET_S:g} s: {ok('p95')}]; every student followed every move [{ok('followed')}]",
        f"  by move: {kinds}",
        f"  {r['joined']} of {r['students']} joined, {r['lost']} lost on a page that did not load; the projector "
        f"showed up to {r['following_max']} following; {r['student_runs']} runs of the students' pages",
        f"  answers: {answers}; {r['posts']} posts, {r['refused_n']} refused "
        f"[every answer counted exactly once: {ok('answers')}]",
        f"  exceptions shown to users {r['exceptions']}, server tracebacks {r['tracebacks']} "
        f"[target 0: {ok('exceptions')}]" + (f"; e.g. {r['exception_samples']}" if r["exception_samples"] else ""),
        f"  servers' CPU over {r['wall_s']:.0f} s: {cpu}; peak memory: {rss}",
        f"  this load client (all {r['students'] + 1} sessions in one process, on the same cores as the servers): "
        f"CPU {r['client_cpu_s']:.0f} s = {100 * r['client_cpu_s'] / r['wall_s']:.0f}% of a core, event-loop lag "
        f"p50 {r['client_lag']['p50'] * 1000:.0f} ms, p95 {r['client_lag']['p95'] * 1000:.0f} ms, "
        f"max {r['client_lag']['max'] * 1000:.0f} ms (it inflates the timings above)",
    ]
    if r.get("errors"):
        lines.append(f"  errors: {r['errors']}")
    if r.get("error"):
        lines.append(f"  stopped by: {r['error']}")
    if r.get("breakdown"):
        lines.append(breakdown_report(r["breakdown"]).replace("per click", "per student run"))
    lines.append(f"  class: {'PASS' if r['ok'] else 'FAIL'}")
    return "\n".join(lines)


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--class-students", type=int, default=300, help="class: students following the lecturer")
    ap.add_argument("--class-servers", default="2", help="class: 'single' or N replicas behind HAProxy (default 2)")
    ap.add_argument("--class-every", type=float, default=10.0, help="class: seconds between the lecturer's moves")
    ap.add_argument("--class-arrive", type=float, default=20.0, help="class: students arrive over this many seconds")
    ap.add_argument("--class-moves", type=int, default=len(LESSON), help="class: moves of the lesson to make")
    ap.add_argument("--class-questions", type=int, default=5, help="class: how many of them ask a question")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.class_scenario", description=__doc__.split("\n")[0])
    add_arguments(ap)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--server-profile", action="store_true", help="with --class-servers single: where its CPU went")
    ap.add_argument("--profile-out", type=Path, help="with --server-profile: keep the profile (pstats) in this file")
    ap.add_argument("--quiet-below", type=float, default=0.0, metavar="LOAD",
                    help="first wait (up to 5 min) until the 1-minute load average is below LOAD")
    ap.add_argument("--json", type=Path, help="also write the result as JSON to this file")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args(argv)
    wait_for_quiet(args.quiet_below)
    r = class_scene(args)
    print(report(r), flush=True)
    if args.json:
        args.json.write_text(json.dumps(r, indent=2, default=str))
    return 1 if args.strict and not r["ok"] else 0


if __name__ == "__main__":
    sys.exit(main())

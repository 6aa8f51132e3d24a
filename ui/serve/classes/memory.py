"""Classes in this process's memory: one server, nothing to install (the default).

One lock guards every class; each operation is a few dict lookups. A class past its lifetime is
dropped when it is next asked for, and all of them when a class is created.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field

from ui.serve.classes import (ANSWERS_PER_MINUTE, CLASS_ANSWERS_PER_MINUTE, CREATES_PER_HOUR, ENDED_KEEP_S,
                              LIFETIME_S, MAX_MEMBERS, MAX_QUESTIONS, PRESENT_S, ClassState, QuestionSummary,
                              checked_follower, checked_qid, checked_question, checked_view, minute,
                              new_code, new_key, normal_code, public_question, refusal, same_key)


@dataclass
class _Question:
    asked: dict                       # text, choices, answer, explain
    state: str = "open"
    counts: list[int] = field(default_factory=list)
    by: dict[str, int] = field(default_factory=dict)      # follower -> index of its choice


@dataclass
class _Class:
    key_hash: str
    used: float                       # last use: the lifetime counts from here
    version: int = 0
    view: str = "{}"                  # JSON text, as Redis keeps it
    answers: int = 0
    ended: bool = False
    seen: dict[str, float] = field(default_factory=dict)  # follower -> last seen
    questions: list[_Question] = field(default_factory=list)
    current: int = 0                  # id of the current question (1-based), 0 for none
    window: int = -1                  # the flood window and its counts
    sent: dict[str, int] = field(default_factory=dict)
    sent_all: int = 0


class MemoryClassStore:
    """``ClassStore`` in memory. ``clock`` (seconds) is injectable for tests."""

    def __init__(self, clock=time.time):
        self.clock = clock
        self._lock = threading.Lock()
        self._classes: dict[str, _Class] = {}
        self._created: tuple[int, int] = (-1, 0)          # (hour, classes created in it)

    def __repr__(self) -> str:
        return f"MemoryClassStore({len(self._classes)} classes)"

    # --------------------------------------------------------------- finding a class

    def _get(self, code) -> _Class | None:
        """The class (live or ended) for ``code``, dropping it if its time is up."""
        code = normal_code(code)
        c = self._classes.get(code) if code else None
        if c is not None and self.clock() - c.used > (ENDED_KEEP_S if c.ended else LIFETIME_S):
            del self._classes[code]
            return None
        return c

    def _live(self, code) -> _Class:
        c = self._get(code)
        if c is None or c.ended:
            raise refusal("ended" if c else "gone", code)
        return c

    def _lecturer(self, code, key) -> _Class:
        c = self._live(code)
        if not same_key(c.key_hash, key):
            raise refusal("lecturer")
        return c

    @staticmethod
    def _question(c: _Class, qid: int) -> _Question:
        if qid > len(c.questions):
            raise refusal("question")
        return c.questions[qid - 1]

    def _use(self, c: _Class) -> None:
        c.used = self.clock()

    # --------------------------------------------------------------- the lecturer

    def create(self) -> tuple[str, str]:
        with self._lock:
            now = self.clock()
            for code in list(self._classes):
                self._get(code)                                   # drops what has expired
            hour, made = self._created
            if hour == int(now // 3600) and made >= CREATES_PER_HOUR:
                raise refusal("creates")
            self._created = (int(now // 3600), made + 1 if hour == int(now // 3600) else 1)
            code = new_code()
            while code in self._classes:
                code = new_code()
            key, hashed = new_key()
            self._classes[code] = _Class(hashed, now)
            return code, key

    def is_lecturer(self, code, key) -> bool:
        with self._lock:
            c = self._get(code)
            return c is not None and same_key(c.key_hash, key)

    def lead(self, code, key, view) -> int:
        text = checked_view(view)
        with self._lock:
            c = self._lecturer(code, key)
            c.view = text
            c.version += 1
            self._use(c)
            return c.version

    def pose(self, code, key, question) -> int:
        asked = json.loads(checked_question(question))
        with self._lock:
            c = self._lecturer(code, key)
            if len(c.questions) >= MAX_QUESTIONS:
                raise refusal("questions")
            if c.current and c.questions[c.current - 1].state == "open":
                c.questions[c.current - 1].state = "closed"
            c.questions.append(_Question(asked, counts=[0] * len(asked["choices"])))
            c.current = len(c.questions)
            c.version += 1
            self._use(c)
            return c.current

    def close(self, code, key, qid) -> None:
        self._set_state(code, key, qid, "closed")

    def reveal(self, code, key, qid) -> None:
        self._set_state(code, key, qid, "revealed")

    def _set_state(self, code, key, qid, state: str) -> None:
        qid = checked_qid(qid)
        with self._lock:
            c = self._lecturer(code, key)
            q = self._question(c, qid)
            if q.state not in ("revealed", state):
                q.state = state
                c.version += 1
            self._use(c)

    def summary(self, code, key) -> list[QuestionSummary]:
        with self._lock:
            c = self._get(code)
            if c is None:
                raise refusal("gone", code)
            if not same_key(c.key_hash, key):
                raise refusal("lecturer")
            return [QuestionSummary(q.asked["text"], list(q.asked["choices"]),
                                    dict(zip(q.asked["choices"], q.counts)), q.asked["answer"])
                    for q in c.questions]

    def end(self, code, key) -> None:
        with self._lock:
            c = self._lecturer(code, key)
            c.ended, c.view = True, "{}"
            c.version += 1
            c.seen.clear()
            c.sent.clear()
            for q in c.questions:
                q.by.clear()
            self._use(c)

    # --------------------------------------------------------------- followers

    def exists(self, code) -> bool:
        with self._lock:
            c = self._get(code)
            return c is not None and not c.ended

    def view(self, code) -> tuple[int, dict] | None:
        with self._lock:
            c = self._get(code)
            return None if c is None or c.ended else (c.version, json.loads(c.view))

    def seen(self, code, follower) -> None:
        follower = checked_follower(follower)
        with self._lock:
            c = self._live(code)
            if follower not in c.seen and len(c.seen) >= MAX_MEMBERS:
                raise refusal("full")
            c.seen[follower] = self.clock()

    def following(self, code) -> int:
        with self._lock:
            return self._following(self._live(code))

    def _following(self, c: _Class) -> int:
        since = self.clock() - PRESENT_S
        return sum(t >= since for t in c.seen.values())

    def answer(self, code, follower, qid, choice) -> bool:
        follower, qid = checked_follower(follower), checked_qid(qid)
        with self._lock:
            c = self._live(code)
            if follower not in c.seen:
                raise refusal("stranger")
            window = minute(self.clock())
            if c.window != window:
                c.window, c.sent, c.sent_all = window, {}, 0
            c.sent[follower] = c.sent.get(follower, 0) + 1
            if c.sent[follower] > ANSWERS_PER_MINUTE:
                raise refusal("flood")
            c.sent_all += 1
            if c.sent_all > CLASS_ANSWERS_PER_MINUTE:
                raise refusal("class flood")
            q = self._question(c, qid)
            if q.state != "open":
                raise refusal("closed")
            if choice not in q.asked["choices"]:
                raise refusal("choice")
            i, before = q.asked["choices"].index(choice), q.by.get(follower)
            if before == i:
                self._use(c)
                return False
            if before is not None:
                q.counts[before] -= 1
            q.by[follower] = i
            q.counts[i] += 1
            c.answers += 1
            self._use(c)
            return True

    def counts(self, code, qid) -> dict[str, int]:
        qid = checked_qid(qid)
        with self._lock:
            c = self._get(code)
            if c is None:
                raise refusal("gone", code)
            q = self._question(c, qid)
            return dict(zip(q.asked["choices"], q.counts))

    def current_question(self, code) -> dict | None:
        with self._lock:
            c = self._live(code)
            if not c.current:
                return None
            q = c.questions[c.current - 1]
            return public_question(c.current, q.asked, q.state)

    # --------------------------------------------------------------- the endpoint

    def stamp(self, code) -> tuple[int, int, int] | None:
        with self._lock:
            c = self._get(code)
            return None if c is None else (c.version, c.answers, self._following(c))

    def state(self, code) -> ClassState | None:
        with self._lock:
            c = self._get(code)
            if c is None:
                return None
            question = counts = None
            if c.current and not c.ended:
                q = c.questions[c.current - 1]
                question, counts = public_question(c.current, q.asked, q.state), list(q.counts)
            return ClassState(c.version, json.loads(c.view), question, counts, self._following(c),
                              c.answers, c.ended)

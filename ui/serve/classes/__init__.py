"""Class mode's store: one lecturer's screen leads a class of followers, who answer its questions.

The pages talk to one small interface, ``ClassStore``, with two implementations that behave the
same (tests/serve/test_classes.py runs one suite against both):

- ``MemoryClassStore`` (``classes.memory``): one server keeps its classes in memory. The default:
  nothing to install, and right for one ``streamlit run`` (Community Cloud).
- ``RedisClassStore`` (``classes.in_redis``): classes live in Redis, so several replicas behind one
  balancer (``make class``) share them, and a replica that dies loses none.

``store()`` returns the configured one, the same object for the whole process. The one setting is
``BACKPROP_CLASS_STORE``: unset (or ``memory``) for memory, a ``redis://``, ``rediss://`` or
``unix://`` URL for Redis. It is read from the environment, or from a root-level entry of the app's
secrets (``.streamlit/secrets.toml``, Community Cloud's Secrets box), which Streamlit copies there.

What a class holds, and for how long: the hash of the lecturer's key (never the key), the lecturer's
current view (an opaque dict of at most ``VIEW_MAX_BYTES``), the questions and their counts, and
per follower (a random id its browser made, no name) when it was last seen and its answer to each
question. A class ends when its lecturer ends it, or ``LIFETIME_S`` after its last use (anything its
lecturer does, or an answer; followers merely watching do not keep it alive). An ended class forgets
its followers at once and keeps its questions and counts ``ENDED_KEEP_S`` for the lecturer's summary.

Every refusal is a ``ClassError`` whose text is one sentence for the user.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import re
import secrets
import threading
from typing import NamedTuple, Protocol

SETTING = "BACKPROP_CLASS_STORE"
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"   # no 0/O, 1/I/L: a code read off a projector
CODE_LENGTH = 6                                 # 31**6: about 900 million codes
LIFETIME_S = 4 * 3600                           # a class ends this long after its last use
ENDED_KEEP_S = 10 * 60                          # an ended class's questions and counts, for the summary
PRESENT_S = 15.0                                # "following": seen within this many seconds
MAX_MEMBERS = 1000                              # distinct followers in one class
MAX_QUESTIONS = 100                             # questions posed in one class
VIEW_MAX_BYTES = 8192                           # the lecturer's view, as JSON
ANSWERS_PER_MINUTE = 30                         # answers (and attempts) one follower may send a minute
CLASS_ANSWERS_PER_MINUTE = 5000                 # ... and a whole class
CREATES_PER_HOUR = 200                          # classes started on one store in an hour
TEXT_MAX = 500                                  # a question's text, its explanation
CHOICE_MAX = 120                                # one choice's text
CHOICES = (2, 12)                               # how many choices a question has
FOLLOWER_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
STATES = ("open", "closed", "revealed")


class ClassError(Exception):
    """A refusal; ``str(error)`` is one sentence for the user."""


class NoSuchClass(ClassError, LookupError):
    """The code names no live class (never one, expired, or ended)."""


class NotLecturer(ClassError, PermissionError):
    """A lecturer's action without the class's lecturer key."""


class Refused(ClassError):
    """A limit or a rule: the class is full, the question is closed, too many answers, ..."""


class Invalid(ClassError, ValueError):
    """A malformed argument: a follower id, a view, a question."""


class Unavailable(ClassError):
    """The store cannot be reached (Redis down or out of memory)."""


class ClassState(NamedTuple):
    """What the follow endpoint sends: everything a student's or the projector's browser shows."""
    version: int                  # bumped by every lecturer action (lead, pose, close, reveal, end)
    view: dict                    # the lecturer's last ``lead`` (``{}`` before the first)
    question: dict | None         # the current question as students may see it (``public_question``)
    counts: list[int] | None      # its answer counts, aligned with ``question["choices"]``
    following: int                # followers seen in the last PRESENT_S seconds
    answers: int                  # bumped by every answer counted or changed (live counts)
    ended: bool                   # the lecturer ended the class


class QuestionSummary(NamedTuple):
    """One row of a class's summary (the CSV download): anonymous, counts only."""
    text: str
    choices: list[str]
    counts: dict[str, int]
    answer: str


class ClassStore(Protocol):
    """Classes by join code. Every lecturer action takes the lecturer key and raises NotLecturer
    without it; an unknown, expired or ended code raises NoSuchClass. Safe from many threads."""

    def create(self) -> tuple[str, str]:
        """A new class: (join code, lecturer key). Only the key's hash is stored: keep the key secret."""

    def exists(self, code: str) -> bool:
        """Whether ``code`` names a live class (not ended, not expired)."""

    def is_lecturer(self, code: str, key: str) -> bool:
        """Whether ``key`` is the lecturer key of ``code`` (constant time; also for an ended class)."""

    def lead(self, code: str, key: str, view: dict) -> int:
        """The lecturer's ``view`` becomes the class's; returns the new version."""

    def view(self, code: str) -> tuple[int, dict] | None:
        """(version, view) of a live class, or None."""

    def seen(self, code: str, follower: str) -> None:
        """``follower`` is present now. Refused once the class has MAX_MEMBERS other followers."""

    def following(self, code: str) -> int:
        """Followers seen in the last PRESENT_S seconds."""

    def pose(self, code: str, key: str, question: dict) -> int:
        """Ask the class ``question`` (``checked_question``); it becomes the current one, open, and
        the previous current one closes. Returns its id (1, 2, ...)."""

    def close(self, code: str, key: str, qid: int) -> None:
        """No more answers to question ``qid``."""

    def reveal(self, code: str, key: str, qid: int) -> None:
        """Close question ``qid`` and show its answer to the class."""

    def answer(self, code: str, follower: str, qid: int, choice: str) -> bool:
        """``follower``'s answer to open question ``qid``: True if counted (new or changed), False if
        it was already this one. Only followers ``seen`` may answer; floods are refused."""

    def counts(self, code: str, qid: int) -> dict[str, int]:
        """{choice: answers} for question ``qid``, every choice present (live or ended class)."""

    def current_question(self, code: str) -> dict | None:
        """The current question as students may see it (``public_question``), or None."""

    def summary(self, code: str, key: str) -> list[QuestionSummary]:
        """Every question posed, in order, with its counts and answer (lecturer only; ended too)."""

    def end(self, code: str, key: str) -> None:
        """End the class: followers are forgotten at once; the summary stays ENDED_KEEP_S."""

    def stamp(self, code: str) -> tuple[int, int, int] | None:
        """(version, answers, following), or None when gone: cheap, for the endpoint to poll."""

    def state(self, code: str) -> ClassState | None:
        """Everything the endpoint sends, read at once; None when gone (an ended class: ``ended``)."""


# ----------------------------------------------------------------------------- shared rules


def normal_code(text) -> str | None:
    """A join code as typed (``k7qf 2m``, ``K7Q-F2M``) in its one form (``K7QF2M``), or None."""
    if not isinstance(text, str):
        return None
    code = re.sub(r"[\s-]", "", text).upper()
    return code if len(code) == CODE_LENGTH and all(c in ALPHABET for c in code) else None


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def new_key() -> tuple[str, str]:
    """(lecturer key, its hash). 256 random bits: a plain SHA-256 is enough to store it."""
    key = secrets.token_urlsafe(32)
    return key, key_hash(key)


def key_hash(key) -> str:
    """The hash stored for ``key``; "" for anything that is not a non-empty string."""
    if not isinstance(key, str) or not key or len(key) > 200:
        return ""
    return hashlib.sha256(key.encode()).hexdigest()


def same_key(stored: str | None, key) -> bool:
    """Constant-time: whether ``key`` hashes to ``stored``."""
    given = key_hash(key)
    return bool(stored and given) and hmac.compare_digest(stored, given)


def checked_follower(follower) -> str:
    if not isinstance(follower, str) or not FOLLOWER_ID.fullmatch(follower):
        raise Invalid("This browser's follower id is malformed: reload the page.")
    return follower


def checked_view(view) -> str:
    """``view`` as JSON text: a dict, JSON-safe, at most VIEW_MAX_BYTES."""
    try:
        if not isinstance(view, dict):
            raise TypeError
        text = json.dumps(view, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError):
        raise Invalid("The lecturer's view must be a dict of plain JSON values.") from None
    if len(text.encode()) > VIEW_MAX_BYTES:
        raise Invalid(f"The lecturer's view is too large to share (over {VIEW_MAX_BYTES:,} bytes).")
    return text


def checked_question(question) -> str:
    """``question`` as JSON text: {"text", "choices", "answer", "explain" (optional)}.

    ``text``: what students read; ``choices``: 2 to 12 distinct texts; ``answer``: one of them,
    shown only once revealed; ``explain``: the line of the lesson shown with the answer.
    """
    if not isinstance(question, dict) or not {"text", "choices", "answer"} <= question.keys() \
            or not question.keys() <= {"text", "choices", "answer", "explain"}:
        raise Invalid('A question is a dict with "text", "choices", "answer" and, optionally, "explain".')
    text, choices, answer = question["text"], question["choices"], question["answer"]
    explain = question.get("explain") or ""
    if not (isinstance(text, str) and 0 < len(text) <= TEXT_MAX and isinstance(explain, str)
            and len(explain) <= TEXT_MAX):
        raise Invalid(f"A question's text (and explanation) must be 1 to {TEXT_MAX} characters.")
    if not (isinstance(choices, (list, tuple)) and CHOICES[0] <= len(choices) <= CHOICES[1]
            and all(isinstance(c, str) and 0 < len(c) <= CHOICE_MAX for c in choices)
            and len(set(choices)) == len(choices)):
        raise Invalid(f"A question needs {CHOICES[0]} to {CHOICES[1]} different choices, "
                      f"each 1 to {CHOICE_MAX} characters.")
    if answer not in choices:
        raise Invalid("A question's answer must be one of its choices.")
    return json.dumps({"text": text, "choices": list(choices), "answer": answer, "explain": explain},
                      ensure_ascii=False)


def public_question(qid: int, question: dict, state: str) -> dict:
    """What students may see of a question: its answer and explanation only once revealed."""
    shown = state == "revealed"
    return {"id": qid, "text": question["text"], "choices": list(question["choices"]), "state": state,
            "answer": question["answer"] if shown else None,
            "explain": (question["explain"] or None) if shown else None}


def checked_qid(qid) -> int:
    if isinstance(qid, bool) or not isinstance(qid, int) or not 0 < qid <= MAX_QUESTIONS:
        raise Refused("There is no such question in this class.")
    return qid


# Every refusal, by reason: both stores raise exactly these.
_REFUSALS = {
    "gone": (NoSuchClass, "There is no class with the code {code}: check the code, or ask for the link again."),
    "ended": (NoSuchClass, "The class {code} has ended."),
    "lecturer": (NotLecturer, "Only the lecturer of this class can do that."),
    "full": (Refused, f"This class is full: it already has {MAX_MEMBERS:,} students."),
    "stranger": (Refused, "Join the class before answering: open its link again."),
    "questions": (Refused, f"This class has had {MAX_QUESTIONS} questions: start a new class to ask more."),
    "question": (Refused, "There is no such question in this class."),
    "closed": (Refused, "This question is closed: answers are no longer taken."),
    "choice": (Refused, "That is not one of the question's choices."),
    "flood": (Refused, "That is a lot of answers in a minute: wait a moment, then answer again."),
    "class flood": (Refused, "The class is sending a great many answers: wait a moment, then answer again."),
    "creates": (Refused, "Too many classes were started on this server in the last hour: try again later."),
}


def refusal(reason: str, code="") -> ClassError:
    """The error for ``reason``; ``code`` as typed is shown only as letters and digits."""
    kind, sentence = _REFUSALS[reason]
    return kind(sentence.format(code=re.sub(r"[^A-Za-z0-9]", "", str(code))[:12].upper()))


def minute(now: float) -> int:
    """The flood window ``now`` falls in."""
    return math.floor(now / 60)


# ----------------------------------------------------------------------------- the configured store

_lock = threading.Lock()
_made: dict[str, ClassStore] = {}
_secrets_read = False


def setting() -> str:
    """``BACKPROP_CLASS_STORE`` from the environment or the app's secrets; "memory" when unset."""
    global _secrets_read
    if SETTING not in os.environ and not _secrets_read:
        _secrets_read = True
        try:
            import streamlit as st
            st.secrets.load_if_toml_exists()      # copies root-level secrets into os.environ
        except Exception:                          # noqa: BLE001 - no secrets is the common case
            pass
    return os.environ.get(SETTING, "").strip() or "memory"


def store() -> ClassStore:
    """The configured store, one per process (the endpoint and every page share it)."""
    where = setting()
    with _lock:
        if where not in _made:
            _made[where] = make(where)
        return _made[where]


def make(where: str) -> ClassStore:
    """A new store for a setting's value: "memory", or a Redis URL."""
    if where == "memory":
        from ui.serve.classes.memory import MemoryClassStore
        return MemoryClassStore()
    if where.split("://", 1)[0] in ("redis", "rediss", "unix"):
        from ui.serve.classes.in_redis import RedisClassStore
        return RedisClassStore(where)
    scheme = where.split(":", 1)[0][:20]          # never the rest: a URL may carry a password
    raise ValueError(f"{SETTING} must be 'memory' or a redis://, rediss:// or unix:// URL; it starts with {scheme!r}.")

"""Class mode's store: one suite, run against the memory store and a real Redis (started by the
tests: tests/serve/conftest.py). Time is an injected clock: nothing here sleeps."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from deploy.server import free_port
from ui.serve import classes
from ui.serve.classes import (ALPHABET, ENDED_KEEP_S, LIFETIME_S, MAX_MEMBERS, PRESENT_S, Invalid, NoSuchClass,
                              NotLecturer, Refused, normal_code)
from ui.serve.classes.in_redis import RedisClassStore
from ui.serve.classes.memory import MemoryClassStore

ROOT = Path(__file__).resolve().parents[2]
QUESTION = {"text": "Will L go down after this step?", "choices": ["yes", "no"], "answer": "yes",
            "explain": "η is small enough: the step follows −∂L/∂W."}
SIGN = {"text": "What sign does δ of h₂ have?", "choices": ["δ > 0", "δ < 0", "δ = 0"], "answer": "δ < 0"}


class Clock:
    """Seconds, moved by hand."""

    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture(params=["memory", "redis"])
def store(request, clock):
    if request.param == "memory":
        yield MemoryClassStore(clock)
        return
    s = RedisClassStore(request.getfixturevalue("redis_server").url, clock)
    s.db.flushdb()
    yield s
    s.db.close()


@pytest.fixture
def limits(monkeypatch):
    """Lower a limit in both stores: ``limits(CLASS_ANSWERS_PER_MINUTE=50)``."""
    def lower(**values):
        for name, value in values.items():
            for module in ("ui.serve.classes.memory", "ui.serve.classes.in_redis"):
                monkeypatch.setattr(f"{module}.{name}", value)
    return lower


def follower(i: int) -> str:
    return f"student-{i:04d}"


def joined(store, n: int = 1, qid_question=QUESTION):
    """A class with ``n`` followers seen and one open question: (code, key, qid)."""
    code, key = store.create()
    for i in range(n):
        store.seen(code, follower(i))
    return code, key, store.pose(code, key, qid_question)


# ----------------------------------------------------------------------------- codes and keys


def test_codes_are_six_unambiguous_characters_unique_and_keys_are_long_secrets(store):
    made = [store.create() for _ in range(100)]
    codes = [c for c, _ in made]
    assert len(set(codes)) == 100 and len({k for _, k in made}) == 100
    assert all(len(c) == 6 and set(c) <= set(ALPHABET) for c in codes)
    assert not set("0O1IL") & set(ALPHABET)
    assert all(len(k) >= 40 for _, k in made)
    assert all(store.exists(c) and store.view(c) == (0, {}) for c in codes)


def test_a_code_typed_loosely_finds_its_class(store):
    code, key = store.create()
    typed = f" {code[:3].lower()}-{code[3:]} "
    assert normal_code(typed) == code
    assert store.exists(typed) and store.lead(typed, key, {"page": "network"}) == 1


def test_only_a_hash_of_the_lecturer_key_is_stored(store):
    code, key = store.create()
    if isinstance(store, RedisClassStore):
        stored = repr([store.db.keys("*"), store.db.hgetall(store.keys(code)[0])])
    else:
        stored = repr(vars(store._classes[code]))
    assert classes.key_hash(key) in stored and key not in stored


@pytest.mark.parametrize("forge", ["empty", "none", "number", "other class", "one letter off", "padded", "upper"])
def test_no_lecturer_action_works_without_the_lecturer_key(store, forge):
    code, key, qid = joined(store, 1)
    store.lead(code, key, {"page": "backprop", "step": 3})
    other_code, other_key = store.create()
    forged = {"empty": "", "none": None, "number": 12345, "other class": other_key,
              "one letter off": key[:-1] + ("A" if key[-1] != "A" else "B"), "padded": f" {key}",
              "upper": key.upper() if key.upper() != key else key.lower()}[forge]
    before = store.state(code)
    assert not store.is_lecturer(code, forged) and store.is_lecturer(code, key)
    for act in (lambda: store.lead(code, forged, {"page": "nope"}), lambda: store.pose(code, forged, SIGN),
                lambda: store.close(code, forged, qid), lambda: store.reveal(code, forged, qid),
                lambda: store.end(code, forged), lambda: store.summary(code, forged)):
        with pytest.raises(NotLecturer, match="Only the lecturer of this class can do that"):
            act()
    assert store.state(code) == before and store.exists(code)
    assert store.current_question(code)["answer"] is None


def test_an_unknown_code_gets_one_sentence_and_nothing_else(store):
    code, key = store.create()
    missing = "ZZZZZZ" if code != "ZZZZZZ" else "YYYYYY"
    assert not store.exists(missing) and store.view(missing) is None
    assert store.state(missing) is None and store.stamp(missing) is None
    assert not store.is_lecturer(missing, key)
    with pytest.raises(NoSuchClass, match=f"^There is no class with the code {missing}: check the code"):
        store.lead(missing, key, {})
    with pytest.raises(NoSuchClass, match=r"code SCRIPTALERT1: "):
        store.seen("<script>alert(1)</script>", follower(1))
    assert store.state("<b>") is None and not store.exists(None)


# ----------------------------------------------------------------------------- the lecturer's view


def test_leading_replaces_the_view_and_bumps_the_version(store):
    code, key = store.create()
    assert store.lead(code, key, {"page": "backprop", "query": "step=2&n=1", "play": None}) == 1
    assert store.lead(code, key, {"page": "training", "epochs": (1, 2)}) == 2
    assert store.view(code) == (2, {"page": "training", "epochs": [1, 2]})


@pytest.mark.parametrize("view", [["page"], {"x": float("nan")}, {"x": object()}, {"q": "x" * 9000}])
def test_a_view_that_is_not_small_json_is_refused_and_changes_nothing(store, view):
    code, key = store.create()
    store.lead(code, key, {"page": "data"})
    with pytest.raises(Invalid):
        store.lead(code, key, view)
    assert store.view(code) == (1, {"page": "data"})


# ----------------------------------------------------------------------------- followers


def test_following_counts_those_seen_in_the_last_seconds(store, clock):
    code, _ = store.create()
    store.seen(code, follower(1))
    store.seen(code, follower(2))
    assert store.following(code) == 2
    clock.advance(PRESENT_S - 5)
    store.seen(code, follower(1))
    clock.advance(6)                        # follower 2 last seen PRESENT_S + 1 ago
    assert store.following(code) == 1
    clock.advance(PRESENT_S)
    assert store.following(code) == 0 and store.stamp(code)[2] == 0


@pytest.mark.parametrize("bad", ["", "short", "x" * 65, "has spaces!", "é" * 10, None, 12345678])
def test_a_malformed_follower_id_is_refused(store, bad):
    code, key, qid = joined(store)
    with pytest.raises(Invalid, match="follower id"):
        store.seen(code, bad)
    with pytest.raises(Invalid):
        store.answer(code, bad, qid, "yes")


def test_a_class_takes_at_most_max_members_followers(store):
    code, _ = store.create()
    for i in range(MAX_MEMBERS):
        store.seen(code, follower(i))
    with pytest.raises(Refused, match="This class is full"):
        store.seen(code, "one-too-many")
    store.seen(code, follower(7))           # those already in stay in
    assert store.following(code) == MAX_MEMBERS


# ----------------------------------------------------------------------------- questions


def test_a_question_shows_its_answer_only_once_revealed(store):
    code, key, qid = joined(store)
    shown = store.current_question(code)
    assert shown == {"id": qid, "text": QUESTION["text"], "choices": ["yes", "no"], "state": "open",
                     "answer": None, "explain": None}
    store.close(code, key, qid)
    assert store.current_question(code)["state"] == "closed" and store.state(code).question["answer"] is None
    store.reveal(code, key, qid)
    assert store.current_question(code) == {**shown, "state": "revealed", "answer": "yes",
                                            "explain": QUESTION["explain"]}


def test_posing_a_question_closes_the_previous_one(store):
    code, key, first = joined(store, 1)
    second = store.pose(code, key, SIGN)
    assert second == first + 1 and store.current_question(code)["text"] == SIGN["text"]
    with pytest.raises(Refused, match="closed"):
        store.answer(code, follower(0), first, "yes")
    assert store.answer(code, follower(0), second, "δ < 0")
    assert store.counts(code, second) == {"δ > 0": 0, "δ < 0": 1, "δ = 0": 0}


def test_one_answer_per_follower_changeable_until_closed(store):
    code, key, qid = joined(store, 2)
    assert store.answer(code, follower(0), qid, "yes")
    assert not store.answer(code, follower(0), qid, "yes")         # the same again: nothing changes
    assert store.answer(code, follower(1), qid, "yes")
    assert store.counts(code, qid) == {"yes": 2, "no": 0}
    assert store.answer(code, follower(0), qid, "no")
    assert store.counts(code, qid) == {"yes": 1, "no": 1}
    store.close(code, key, qid)
    with pytest.raises(Refused, match="This question is closed"):
        store.answer(code, follower(1), qid, "no")
    assert store.counts(code, qid) == {"yes": 1, "no": 1} and store.state(code).counts == [1, 1]


@pytest.mark.parametrize("choice", ["Maybe", "", "YES", None, 1, ["yes"]])
def test_only_a_questions_choices_are_counted(store, choice):
    code, _, qid = joined(store)
    with pytest.raises(Refused, match="not one of the question's choices"):
        store.answer(code, follower(0), qid, choice)
    assert store.counts(code, qid) == {"yes": 0, "no": 0}


@pytest.mark.parametrize("qid", [0, 2, -1, True, "1", 10**9])
def test_an_answer_to_no_such_question_is_refused(store, qid):
    code, _, _ = joined(store)
    with pytest.raises(Refused, match="no such question"):
        store.answer(code, follower(0), qid, "yes")


def test_only_a_follower_who_joined_may_answer(store):
    code, _, qid = joined(store, 0)
    with pytest.raises(Refused, match="Join the class"):
        store.answer(code, follower(0), qid, "yes")


@pytest.mark.parametrize("question", [{}, {**QUESTION, "secret": 1}, {**QUESTION, "answer": "maybe"},
                                      {**QUESTION, "choices": ["yes"]}, {**QUESTION, "choices": ["yes", "yes"]},
                                      {**QUESTION, "choices": [str(i) for i in range(13)], "answer": "1"},
                                      {**QUESTION, "text": ""}, {**QUESTION, "text": "x" * 501}, "yes?"])
def test_a_malformed_question_is_refused(store, question):
    code, key = store.create()
    with pytest.raises(Invalid):
        store.pose(code, key, question)
    assert store.current_question(code) is None and store.view(code) == (0, {})


def test_a_class_poses_at_most_max_questions(store, limits):
    limits(MAX_QUESTIONS=3)
    code, key = store.create()
    assert [store.pose(code, key, QUESTION) for _ in range(3)] == [1, 2, 3]
    with pytest.raises(Refused, match="start a new class to ask more"):
        store.pose(code, key, QUESTION)


# ----------------------------------------------------------------------------- floods


def test_one_follower_may_send_30_answers_a_minute(store, clock):
    clock.now = 60 * round(clock.now / 60) + 1             # at the start of a minute
    code, _, qid = joined(store, 2)
    for i in range(30):
        store.answer(code, follower(0), qid, ["yes", "no"][i % 2])
    with pytest.raises(Refused, match="a lot of answers in a minute"):
        store.answer(code, follower(0), qid, "yes")
    assert store.answer(code, follower(1), qid, "yes")     # the others are not held back
    clock.advance(60)
    assert store.answer(code, follower(0), qid, "yes")
    assert store.counts(code, qid) == {"yes": 2, "no": 0}


def test_a_whole_class_has_a_bound_too(store, clock, limits):
    limits(CLASS_ANSWERS_PER_MINUTE=50)
    clock.now = 60 * round(clock.now / 60) + 1
    code, _, qid = joined(store, 60)
    for i in range(50):
        store.answer(code, follower(i), qid, "yes")
    with pytest.raises(Refused, match="The class is sending a great many answers"):
        store.answer(code, follower(55), qid, "yes")
    clock.advance(60)
    assert store.answer(code, follower(55), qid, "no")
    assert store.counts(code, qid) == {"yes": 50, "no": 1}


def test_classes_started_in_an_hour_are_bounded(store, clock, limits):
    limits(CREATES_PER_HOUR=3)
    clock.now = 3600 * round(clock.now / 3600) + 1
    for _ in range(3):
        store.create()
    with pytest.raises(Refused, match="Too many classes"):
        store.create()
    clock.advance(3600)
    assert store.exists(store.create()[0])


# ----------------------------------------------------------------------------- concurrency


def test_every_answer_sent_at_once_from_many_threads_is_counted_exactly_once(store):
    code, key, qid = joined(store, 0, SIGN)
    choices, people = SIGN["choices"], 240
    last: dict[str, str] = {}
    counted = []

    def student(first: int) -> None:
        rng = random.Random(first)
        for i in range(first, people, 8):
            store.seen(code, follower(i))
            for _ in range(rng.randint(1, 4)):              # some change their minds
                pick = rng.choice(choices)
                counted.append(store.answer(code, follower(i), qid, pick))
                last[follower(i)] = pick

    threads = [threading.Thread(target=student, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expected = {c: sum(v == c for v in last.values()) for c in choices}
    assert len(last) == people and sum(expected.values()) == people
    assert store.counts(code, qid) == expected
    assert store.state(code).answers == sum(counted)
    assert [r.counts for r in store.summary(code, key)] == [expected]


# ----------------------------------------------------------------------------- ending, expiry, the summary


def test_ending_forgets_the_followers_and_keeps_the_summary_for_the_lecturer(store, clock):
    code, key, qid = joined(store, 3)
    store.answer(code, follower(0), qid, "no")
    version = store.state(code).version
    store.end(code, key)
    assert not store.exists(code) and store.view(code) is None
    assert store.state(code) == (version + 1, {}, None, None, 0, 1, True)
    for act in (lambda: store.lead(code, key, {}), lambda: store.seen(code, follower(0)),
                lambda: store.answer(code, follower(0), qid, "yes"), lambda: store.following(code)):
        with pytest.raises(NoSuchClass, match=f"The class {code} has ended"):
            act()
    assert store.is_lecturer(code, key)
    assert store.summary(code, key)[0].counts == {"yes": 0, "no": 1}
    if isinstance(store, RedisClassStore):
        meta, seen, *_ = store.keys(code)
        assert 0 < store.db.ttl(meta) <= ENDED_KEEP_S and not store.db.exists(seen)
    else:
        clock.advance(ENDED_KEEP_S + 1)
        assert store.state(code) is None


def test_the_summary_holds_counts_and_answers_and_no_follower(store):
    code, key, first = joined(store, 3)
    for i, pick in enumerate(["yes", "yes", "no"]):
        store.answer(code, follower(i), first, pick)
    second = store.pose(code, key, SIGN)
    store.answer(code, follower(2), second, "δ > 0")
    rows = store.summary(code, key)
    assert [tuple(r) for r in rows] == [
        (QUESTION["text"], ["yes", "no"], {"yes": 2, "no": 1}, "yes"),
        (SIGN["text"], SIGN["choices"], {"δ > 0": 1, "δ < 0": 0, "δ = 0": 0}, "δ < 0")]
    assert "student-" not in repr(rows)


def test_a_memory_class_expires_four_hours_after_its_last_use(clock):
    store = MemoryClassStore(clock)
    code, key, qid = joined(store, 1)
    clock.advance(LIFETIME_S - 10)
    store.seen(code, follower(0))           # watching is not a use
    store.lead(code, key, {"page": "training"})
    clock.advance(LIFETIME_S - 10)
    assert store.exists(code)
    store.answer(code, follower(0), qid, "yes")   # an answer is
    clock.advance(LIFETIME_S - 1)
    store.seen(code, follower(0))
    clock.advance(2)
    assert not store.exists(code) and store.state(code) is None
    with pytest.raises(NoSuchClass):
        store.lead(code, key, {})


def test_redis_keys_expire_four_hours_after_the_last_use(redis_server, clock):
    store = RedisClassStore(redis_server.url, clock)
    code, key, qid = joined(store, 1)
    store.answer(code, follower(0), qid, "yes")
    keys = store.keys(code)
    assert all(LIFETIME_S - 5 <= store.db.ttl(k) <= LIFETIME_S for k in keys[:5])
    for k in keys:
        store.db.expire(k, 100)
    store.seen(code, follower(0))           # watching is not a use: presence follows the class
    assert all(store.db.ttl(k) <= 100 for k in keys)
    store.lead(code, key, {"page": "training"})
    assert all(LIFETIME_S - 5 <= store.db.ttl(k) <= LIFETIME_S for k in keys[:5])
    assert 0 < store.db.ttl(keys[5]) <= 120     # the flood counts: one minute's worth


# ----------------------------------------------------------------------------- what the endpoint reads


def test_the_stamp_moves_with_the_lecturer_the_answers_and_the_followers(store):
    code, key, qid = joined(store, 1)
    start = store.stamp(code)
    store.answer(code, follower(0), qid, "no")
    after_answer = store.stamp(code)
    store.seen(code, follower(1))
    after_join = store.stamp(code)
    store.lead(code, key, {})
    assert after_answer == (start[0], start[1] + 1, 1) and after_join == (start[0], start[1] + 1, 2)
    assert store.stamp(code)[0] == start[0] + 1
    assert store.state(code)[:2] == (start[0] + 1, {}) and store.state(code).counts == [0, 1]


def test_the_setting_chooses_the_store_once_per_process(monkeypatch, redis_server):
    monkeypatch.setattr(classes, "_made", {})
    monkeypatch.delenv(classes.SETTING, raising=False)
    assert isinstance(classes.store(), MemoryClassStore) and classes.store() is classes.store()
    monkeypatch.setenv(classes.SETTING, redis_server.url)
    assert isinstance(classes.store(), RedisClassStore) and classes.store() is classes.store()
    monkeypatch.setenv(classes.SETTING, "mysql://user:hunter2@db/0")
    with pytest.raises(ValueError, match="BACKPROP_CLASS_STORE must be") as refused:
        classes.store()
    assert "hunter2" not in str(refused.value)


def test_a_redis_that_cannot_be_reached_is_one_sentence(clock):
    store = RedisClassStore(f"redis://127.0.0.1:{free_port()}/0", clock)
    with pytest.raises(classes.Unavailable, match="^The class server cannot be reached just now"):
        store.create()
    with pytest.raises(classes.Unavailable):
        store.state("ABCDEF")


@pytest.mark.slow          # a fresh interpreter reads the secrets file: make test
def test_the_setting_may_be_a_root_level_secret_as_on_community_cloud(tmp_path, redis_server):
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(f'BACKPROP_CLASS_STORE = "{redis_server.url}"\n')
    code = "from ui.serve import classes; print(type(classes.store()).__name__)"
    env = {k: v for k, v in os.environ.items() if k != classes.SETTING}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.strip() == "RedisClassStore", done.stderr

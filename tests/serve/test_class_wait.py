"""The follow endpoint (ui/serve/classes/wait.py) in this process, over the memory store: what a
follower's browser and the projector get, and when. tests/serve/test_class_server.py checks the
same route under a real `streamlit run app.py`. Waits are an hour long here unless a test needs the
timeout, so an answer that should come at once cannot pass by timing out."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware

from tests.aio import run_async
from ui.serve.addresses import AppAddresses
from ui.serve.classes import ClassState
from ui.serve.classes.in_redis import RedisClassStore
from ui.serve.classes.memory import MemoryClassStore
from ui.serve.classes.wait import Follow
from deploy.server import free_port

QUESTION = {"text": "Will L go down after this step?", "choices": ["yes", "no"], "answer": "yes"}
HOUR = 3600.0
FETCH = [(b"accept", b"*/*")]
NAVIGATE = [(b"accept", b"text/html,application/xhtml+xml,*/*;q=0.8")]


class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self):
        return self.now


class Counting:
    """A store that counts the calls the endpoint makes."""

    def __init__(self, inner):
        self.inner, self.calls = inner, {}

    def __getattr__(self, name):
        def call(*args):
            self.calls[name] = self.calls.get(name, 0) + 1
            return getattr(self.inner, name)(*args)
        return call


def app_over(store, wait_s=HOUR, **kw):
    follow = Follow(lambda: store, wait_s=wait_s, tick_s=0.01, **kw)
    return Starlette(routes=follow.routes(), middleware=[Middleware(AppAddresses)]), follow


async def get(app, path: str, query: str = "", headers=FETCH, method: str = "GET", closed=None):
    """One request through the ASGI app, as uvicorn would make it: (status, JSON body, headers). The
    browser stays connected, or closes the connection when the event ``closed`` is set."""
    sent, asked = [], []
    closed = closed or asyncio.Event()

    async def receive():
        if not asked:
            asked.append(1)
            return {"type": "http.request", "body": b"", "more_body": False}
        await closed.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
             "query_string": query.encode(), "headers": headers, "server": ("test", 80),
             "client": ("127.0.0.1", 5000)}
    await app(scope, receive, send)
    body = b"".join(m.get("body", b"") for m in sent[1:])
    content = json.loads(body) if body and dict(sent[0]["headers"]).get(b"content-type", b"").startswith(
        b"application/json") else body
    return sent[0]["status"], content, dict(sent[0]["headers"])


async def until(condition, what: str, steps: int = 2000):
    """Let the loop run until ``condition()`` holds (at most ``steps`` short sleeps)."""
    for _ in range(steps):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"never happened: {what}")


@pytest.fixture
def store():
    return MemoryClassStore(Clock())


def test_a_newer_version_is_answered_at_once_with_what_students_may_see(store):
    code, key = store.create()
    store.lead(code, key, {"page": "backprop", "query": "step=3"})
    store.seen(code, "projector-1")
    qid = store.pose(code, key, QUESTION)
    app, _ = app_over(store)
    status, body, headers = run_async(asyncio.wait_for(get(app, f"/_class/{code}/wait", "since=0"), 60))
    assert status == 200 and headers[b"cache-control"] == b"no-store"
    assert body == {"version": 2, "view": {"page": "backprop", "query": "step=3"},
                    "question": {"id": qid, "text": QUESTION["text"], "choices": ["yes", "no"], "state": "open",
                                 "answer": None, "explain": None},
                    "counts": [0, 0], "following": 1, "answers": 0, "ended": False}
    assert set(body) == set(ClassState._fields)


def test_every_answer_tells_this_servers_clock_against_which_a_play_has_run(store):
    code, key = store.create()
    store.lead(code, key, {"page": "training", "query": {}, "play": {"playing": True, "from": 0, "since": 5.0}})
    app, _ = app_over(store)
    before = time.time()
    status, body, headers = run_async(asyncio.wait_for(get(app, f"/_class/{code}/wait", "since=0"), 60))
    after = time.time()
    assert status == 200 and body["view"]["play"]["since"] == 5.0
    assert before - 0.001 <= float(headers[b"x-class-now"]) <= after + 0.001


def test_a_follower_waits_until_the_lecturer_moves_and_is_counted_meanwhile(store):
    code, key = store.create()
    store.lead(code, key, {"page": "network"})
    app, _ = app_over(store)

    async def go():
        waiting = asyncio.ensure_future(get(app, f"/_class/{code}/wait", "since=1&follower=browser-abc123"))
        await until(lambda: store.stamp(code)[2] == 1, "the follower is marked present")
        await asyncio.sleep(0.05)
        assert not waiting.done(), "nothing changed: the request should still be waiting"
        await asyncio.to_thread(store.lead, code, key, {"page": "training", "play": True})
        return await asyncio.wait_for(waiting, 60)

    status, body, _ = run_async(go())
    assert status == 200 and (body["version"], body["view"]) == (2, {"page": "training", "play": True})
    assert body["following"] == 1


def test_a_wait_ends_as_soon_as_its_browser_closes_the_connection(store):
    code, key = store.create()
    store.lead(code, key, {"page": "network"})
    app, _ = app_over(store, refresh_s=HOUR)            # nothing else would end it within the test

    async def go():
        closed = asyncio.Event()
        waiting = asyncio.ensure_future(get(app, f"/_class/{code}/wait", "since=1&follower=browser-abc123",
                                            closed=closed))
        await until(lambda: store.stamp(code)[2] == 1, "the follower is marked present")
        await asyncio.sleep(0.05)
        assert not waiting.done(), "nothing changed: the request should still be waiting"
        closed.set()                                     # the tab is closed (or the server is stopping)
        return await asyncio.wait_for(waiting, 60)

    status, _, _ = run_async(go())
    assert status == 204


def test_with_nothing_new_the_wait_ends_with_the_same_version(store):
    code, key = store.create()
    store.lead(code, key, {"page": "data"})
    app, _ = app_over(store, wait_s=0.05)
    status, body, _ = run_async(get(app, f"/_class/{code}/wait", "since=1"))
    assert status == 200 and body["version"] == 1 and body["view"] == {"page": "data"}


def test_the_projector_sees_answers_live_while_students_are_not_woken_by_them(store):
    code, key = store.create()
    qid = store.pose(code, key, QUESTION)
    store.seen(code, "student-0001")
    app, _ = app_over(store)

    async def go():
        student = asyncio.ensure_future(get(app, f"/_class/{code}/wait", "since=1&follower=student-0001"))
        projector = asyncio.ensure_future(get(app, f"/_class/{code}/wait", "since=1&answers=0&following=1"))
        await asyncio.sleep(0.05)
        assert not student.done() and not projector.done()
        await asyncio.to_thread(store.answer, code, "student-0001", qid, "no")
        counted = await asyncio.wait_for(projector, 60)
        await asyncio.sleep(0.05)
        assert not student.done(), "an answer must not wake every student"
        await asyncio.to_thread(store.close, code, key, qid)
        return counted, await asyncio.wait_for(student, 60)

    (_, counted, _), (_, closed, _) = run_async(go())
    assert counted["counts"] == [0, 1] and counted["answers"] == 1 and counted["version"] == 1
    assert closed["version"] == 2 and closed["question"]["state"] == "closed" and closed["question"]["answer"] is None


def test_the_projector_sees_a_student_join(store):
    code, _ = store.create()
    app, _ = app_over(store)

    async def go():
        projector = asyncio.ensure_future(get(app, f"/_class/{code}/wait", "since=0&following=0"))
        await asyncio.sleep(0.05)
        assert not projector.done()
        await asyncio.to_thread(store.seen, code, "student-0001")
        return await asyncio.wait_for(projector, 60)

    assert run_async(go())[1]["following"] == 1


def test_a_waiting_follower_learns_at_once_that_the_class_ended(store):
    code, key = store.create()
    app, _ = app_over(store)

    async def go():
        waiting = asyncio.ensure_future(get(app, f"/_class/{code}/wait", "since=0&follower=student-0001"))
        await until(lambda: store.stamp(code)[2] == 1, "the follower is marked present")
        await asyncio.to_thread(store.end, code, key)
        return await asyncio.wait_for(waiting, 60)

    status, body, _ = run_async(go())
    assert status == 200 and body["ended"] is True and body["version"] == 1 and body["question"] is None


def test_many_waiting_followers_cost_one_read_of_the_class_per_change(store):
    code, key = store.create()
    for i in range(50):
        store.seen(code, f"student-{i:04d}")
    counting = Counting(store)
    app, follow = app_over(counting)

    async def go():
        waiting = [asyncio.ensure_future(get(app, f"/_class/{code}/wait", f"since=0&follower=student-{i:04d}"))
                   for i in range(50)]
        await until(lambda: counting.calls.get("seen") == 50, "every follower marked present")
        await asyncio.sleep(0.05)
        assert len(follow._watches) == 1 and not any(w.done() for w in waiting)
        await asyncio.to_thread(store.lead, code, key, {"page": "training"})
        answers = await asyncio.wait_for(asyncio.gather(*waiting), 60)
        await until(lambda: not follow._watches, "the class is no longer polled once nobody waits")
        return answers

    answers = run_async(go())
    assert {(s, b["version"], b["view"]["page"]) for s, b, _ in answers} == {(200, 1, "training")}
    assert counting.calls["state"] == 2          # once when the first follower came, once for the move


@pytest.mark.parametrize("path", ["/_class/ZZZZZZ/wait", "/_class/not-a-code/wait", "/_class/%3Cb%3E/wait"])
def test_an_unknown_code_is_404_with_one_sentence(store, path):
    app, _ = app_over(store)
    status, body, headers = run_async(get(app, path, "since=0&follower=student-0001"))
    assert status == 404 and list(body) == ["error"] and body["error"].startswith("There is no class with the code")
    assert "<" not in body["error"] and headers[b"cache-control"] == b"no-store"


@pytest.mark.parametrize("query,word", [("since=abc", "since"), ("since=-5", "since"), ("since=0&answers=1e3", "answers"),
                                        ("since=0&follower=bad id!", "follower id"), ("follower=x", "follower id")])
def test_a_malformed_request_is_400_with_one_sentence(store, query, word):
    code, _ = store.create()
    app, _ = app_over(store)
    status, body, _ = run_async(get(app, f"/_class/{code}/wait", query))
    assert status == 400 and word in body["error"]


def test_a_full_class_refuses_one_more_follower_with_403(store, monkeypatch):
    monkeypatch.setattr("ui.serve.classes.memory.MAX_MEMBERS", 1)
    code, _ = store.create()
    app, _ = app_over(store, wait_s=0.01)
    assert run_async(get(app, f"/_class/{code}/wait", "since=-1&follower=student-0001"))[0] == 200
    status, body, _ = run_async(get(app, f"/_class/{code}/wait", "since=-1&follower=student-0002"))
    assert status == 403 and "full" in body["error"]


def test_a_browser_opening_the_address_reaches_the_endpoint_also_below_a_prefix(store):
    code, _ = store.create()
    app, _ = app_over(store)
    for path in (f"/_class/{code.lower()}/wait", f"/course/_class/{code}/wait"):
        status, body, _ = run_async(get(app, path, "since=-1", headers=NAVIGATE))
        assert status == 200 and body["version"] == 0, path


def test_only_get_is_served(store):
    code, _ = store.create()
    app, _ = app_over(store)
    assert run_async(get(app, f"/_class/{code}/wait", method="POST"))[0] == 405


def test_a_store_that_is_not_set_up_or_not_reachable_is_503_with_one_sentence():
    def misconfigured():
        raise ValueError("BACKPROP_CLASS_STORE must be 'memory' or a redis URL.")
    app = Starlette(routes=Follow(misconfigured).routes())
    status, body, _ = run_async(get(app, "/_class/ABCDEF/wait", "since=0"))
    assert status == 503 and body["error"].startswith("Class mode is not set up on this server")
    unreachable = RedisClassStore(f"redis://127.0.0.1:{free_port()}/0")
    app, _ = app_over(unreachable)
    status, body, _ = run_async(asyncio.wait_for(get(app, "/_class/ABCDEF/wait", "since=0"), 60))
    assert status == 503 and body["error"].startswith("The class server cannot be reached")


def test_a_follower_still_waiting_stays_counted_as_following(store):
    clock = store.clock
    code, _ = store.create()
    app, _ = app_over(store, refresh_s=0.02)

    async def go():
        waiting = asyncio.ensure_future(get(app, f"/_class/{code}/wait", "since=0&follower=student-0001"))
        await until(lambda: store.stamp(code)[2] == 1, "the follower is marked present")
        clock.now += 60                         # long past PRESENT_S: only a refresh keeps it counted
        await until(lambda: store.stamp(code)[2] == 1, "the waiting follower is marked present again")
        waiting.cancel()

    run_async(go())

"""The routes a class's browsers POST to (ui/serve/classes/actions.py), in this process over the
memory store: the lecturer's key moves the class and nothing else does; answers are counted once."""

from __future__ import annotations

import json
import time

import pytest
from starlette.applications import Starlette

from tests.aio import run_async
from ui.serve.classes import MAX_MEMBERS
from ui.serve.classes.actions import Actions
from ui.serve.classes.memory import MemoryClassStore

QUESTION = {"text": "Will L go down after this step?", "choices": ["yes", "no"], "answer": "yes"}
JSON = "application/json"


@pytest.fixture
def store():
    return MemoryClassStore()


def post(store, path: str, body, content_type: str = JSON):
    """One POST through the ASGI app: (status, JSON answer)."""
    app = Starlette(routes=Actions(lambda: store).routes())
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    sent = []

    async def receive():
        return {"type": "http.request", "body": raw, "more_body": False}

    async def send(message):
        sent.append(message)

    async def go():
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
                 "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
                 "headers": [(b"content-type", content_type.encode())], "server": ("test", 80),
                 "client": ("127.0.0.1", 5000)}
        await app(scope, receive, send)

    run_async(go())
    return sent[0]["status"], json.loads(b"".join(m.get("body", b"") for m in sent[1:]))


def test_the_lecturer_key_leads_with_the_view_narrowed_to_what_the_class_shares(store):
    code, key = store.create()
    status, body = post(store, f"/_class/{code}/lead",
                        {"key": key, "page": "backprop", "query": {"step": "3", "seed": "9", "projector": "true"}})
    assert (status, body) == (200, {"version": 1})
    assert store.view(code) == (1, {"page": "backprop", "query": {"seed": "9", "step": "3"}})


def test_a_running_play_is_stored_with_its_start_on_this_servers_clock(store):
    code, key = store.create()
    before = time.time()
    play = {"playing": True, "from": 40, "speed": "Fast", "elapsed": 2.5}
    status, _ = post(store, f"/_class/{code}/lead",
                     {"key": key, "page": "training", "query": {"seed": "9"}, "play": play})
    after = time.time()
    play = store.view(code)[1]["play"]
    assert status == 200 and {k: play[k] for k in ("playing", "from", "speed")} == {"playing": True, "from": 40,
                                                                                  "speed": "Fast"}
    assert before - 2.5 - 0.001 <= play["since"] <= after - 2.5 + 0.001 and "elapsed" not in play


def test_under_a_prefix_too(store):
    code, key = store.create()
    assert post(store, f"/course/_class/{code}/lead", {"key": key, "page": "network", "query": {}})[0] == 200


@pytest.mark.parametrize("forged", [None, "", "not-the-key", 12, ["k"]])
def test_a_student_cannot_lead_whatever_key_they_send(store, forged):
    code, key = store.create()
    store.lead(code, key, {"page": "backprop", "query": {"step": "2"}})
    status, body = post(store, f"/_class/{code}/lead", {"key": forged, "page": "training", "query": {}})
    assert status == 403 and body == {"error": "Only the lecturer of this class can do that."}
    assert store.view(code) == (1, {"page": "backprop", "query": {"step": "2"}})


def test_a_page_followers_could_not_open_is_refused_in_one_sentence(store):
    code, key = store.create()
    status, body = post(store, f"/_class/{code}/lead", {"key": key, "page": "https://evil.example", "query": {}})
    assert status == 400 and body["error"].endswith(".") and store.view(code) == (0, {})


def test_a_wrong_or_ended_code_gets_one_sentence(store):
    status, body = post(store, "/_class/ZZZZZZ/answer", {"follower": "student-0001", "question": 1, "choice": "yes"})
    assert status == 404 and body["error"].startswith("There is no class with the code ZZZZZZ")
    code, key = store.create()
    store.end(code, key)
    status, body = post(store, f"/_class/{code}/lead", {"key": key, "page": "", "query": {}})
    assert status == 404 and body == {"error": f"The class {code} has ended."}


def test_an_answer_is_counted_once_and_can_be_changed_while_open(store):
    code, key = store.create()
    qid = store.pose(code, key, QUESTION)
    store.seen(code, "student-0001")
    answer = {"follower": "student-0001", "question": qid, "choice": "yes"}
    assert post(store, f"/_class/{code}/answer", answer) == (200, {"counted": True})
    assert post(store, f"/_class/{code}/answer", answer) == (200, {"counted": False})
    assert store.counts(code, qid) == {"yes": 1, "no": 0}
    assert post(store, f"/_class/{code}/answer", {**answer, "choice": "no"}) == (200, {"counted": True})
    assert store.counts(code, qid) == {"yes": 0, "no": 1}
    store.close(code, key, qid)
    status, body = post(store, f"/_class/{code}/answer", answer)
    assert status == 403 and body == {"error": "This question is closed: answers are no longer taken."}


def test_a_full_class_refuses_a_newcomer_in_one_sentence(store):
    code, key = store.create()
    for i in range(MAX_MEMBERS):
        store.seen(code, f"student-{i:06d}")
    qid = store.pose(code, key, QUESTION)
    status, body = post(store, f"/_class/{code}/answer", {"follower": "late-student", "question": qid, "choice": "yes"})
    assert status == 403 and body["error"] == "Join the class before answering: open its link again."
    with pytest.raises(Exception, match="This class is full"):
        store.seen(code, "late-student")


@pytest.mark.parametrize("body, content_type", [(b"{}", "text/plain"), (b"not json", JSON), (b"[1, 2]", JSON),
                                                (b"{" + b" " * 20_000 + b"}", JSON)])
def test_a_malformed_request_is_refused_in_one_sentence(store, body, content_type):
    code, key = store.create()
    status, answer = post(store, f"/_class/{code}/lead", body, content_type)
    assert status == 400 and set(answer) == {"error"} and answer["error"].endswith(".")
    assert store.view(code) == (0, {})

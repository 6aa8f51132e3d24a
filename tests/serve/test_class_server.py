"""The follow endpoint under a real `streamlit run app.py` (deploy/server.py), its classes in a
Redis the tests started: the route is reached (also by a browser opening it), a follower waits for
the lecturer's move, and wrong codes and bad requests get one sentence. No script runs for it."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from deploy.server import Server
from ui.serve.classes import SETTING
from ui.serve.classes.in_redis import RedisClassStore

pytestmark = pytest.mark.slow
NAVIGATE = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture(scope="module")
def served(redis_server):
    url = redis_server.url.rsplit("/", 1)[0] + "/1"     # a database of its own: the store's suite empties /0
    server = Server(env={SETTING: url})
    yield server, RedisClassStore(url)
    server.stop()
    assert "Traceback" not in server.log_text()


def wait(server, code, timeout=60, headers=None, **query):
    return requests.get(f"{server.url}/_class/{code}/wait", params=query, headers=headers, timeout=timeout)


def test_the_app_serves_the_endpoint_and_a_browser_opening_it_gets_it_too(served):
    server, store = served
    code, key = store.create()
    store.lead(code, key, {"page": "backprop", "query": "step=2"})
    for headers in (None, NAVIGATE):
        r = wait(server, code.lower(), headers=headers, since=0)
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        assert r.json()["version"] == 1 and r.json()["view"] == {"page": "backprop", "query": "step=2"}
        assert r.headers["cache-control"] == "no-store"


def test_a_follower_waits_until_the_lecturer_moves(served):
    server, store = served
    code, key = store.create()
    version = store.lead(code, key, {"page": "network"})
    got = {}
    asking = threading.Thread(target=lambda: got.update(r=wait(server, code, since=version,
                                                                 follower="phone-0123456789")))
    asking.start()
    deadline = time.time() + 60
    while store.following(code) == 0 and time.time() < deadline:     # the request has arrived
        time.sleep(0.02)
    assert store.following(code) == 1
    assert asking.is_alive(), "nothing changed: the request should be waiting"
    store.lead(code, key, {"page": "training", "play": {"epoch": 40}})
    asking.join(60)
    body = got["r"].json()
    assert got["r"].status_code == 200 and body["version"] == version + 1
    assert body["view"] == {"page": "training", "play": {"epoch": 40}} and body["following"] == 1


def test_a_question_reaches_the_class_without_its_answer(served):
    server, store = served
    code, key = store.create()
    qid = store.pose(code, key, {"text": "Which weight moves most?", "choices": ["w₁", "w₂"], "answer": "w₂"})
    body = wait(server, code, since=0).json()
    assert body["question"] == {"id": qid, "text": "Which weight moves most?", "choices": ["w₁", "w₂"],
                                "state": "open", "answer": None, "explain": None}
    store.reveal(code, key, qid)
    assert wait(server, code, since=body["version"]).json()["question"]["answer"] == "w₂"


@pytest.mark.parametrize("code,query,status,sentence", [
    ("ZZZZZZ", {"since": 0}, 404, "There is no class with the code ZZZZZZ"),
    ("nope", {"since": 0}, 404, "There is no class with the code NOPE"),
    ("{live}", {"since": "x"}, 400, "?since= must be a whole number"),
    ("{live}", {"since": 0, "follower": "<img>"}, 400, "This browser's follower id is malformed")])
def test_wrong_codes_and_bad_requests_get_one_sentence(served, code, query, status, sentence):
    server, store = served
    live, _ = store.create()
    r = wait(server, code.replace("{live}", live), headers=NAVIGATE, **query)
    assert r.status_code == status and r.json()["error"].startswith(sentence)


def test_waiting_runs_no_streamlit_script(served):
    server, store = served
    code, _ = store.create()
    for i in range(5):
        assert wait(server, code, since=-1, follower=f"student-{i:04d}").status_code == 200
    metrics = requests.get(f"{server.url}/_stcore/metrics", timeout=30).text
    sessions = [line for line in metrics.splitlines() if line.startswith("active_sessions")]
    assert sessions and all(line.split()[-1] == "0" for line in sessions), sessions

"""Addresses of two or more segments go to the app's "no such page"; everything Streamlit serves is untouched."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.aio import run_async
from ui.serve.addresses import OneSegmentAddresses, deep_path
from ui.serve.internals import discover_asgi_app

ROOT = Path(__file__).resolve().parents[2]
HTML = [(b"accept", b"text/html,application/xhtml+xml,*/*;q=0.8")]


@pytest.mark.parametrize("path", ["/network/extra", "/a/b/c", "/network/extra/", "/Data/x"])
def test_a_deep_page_address_is_caught(path):
    assert deep_path(path)


@pytest.mark.parametrize("path", ["/", "/network", "/nope", "/network/", "/static/js/index.abc.js",
                                  "/network/_stcore/health", "/nope/_stcore/host-config", "/_stcore/stream",
                                  "/media/abc.png", "/component/x/index.html", "/app/static/x", "/a/b.js",
                                  "/_class/K7QF2M/wait", "/course/_class/K7QF2M/wait"])
def test_streamlit_own_paths_and_one_segment_pages_are_left_alone(path):
    assert not deep_path(path)


def call(path: str, headers=HTML, query: bytes = b"", method="GET", root=""):
    """The middleware's answer to one request: (status, headers) or "passed on"."""
    sent = []

    async def app(scope, receive, send):
        sent.append("passed on")

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": method, "path": root + path, "root_path": root,
             "query_string": query, "headers": headers}
    run_async(OneSegmentAddresses(app)(scope, None, send))
    if sent == ["passed on"]:
        return "passed on"
    return sent[0]["status"], dict(sent[0]["headers"])


def test_a_browser_opening_a_deep_address_is_sent_to_no_such_page_with_its_settings():
    status, headers = call("/network/extra", query=b"seed=9&lr=0.01")
    assert status == 302
    assert headers[b"location"] == b"/no-such-page?address=%2Fnetwork%2Fextra&seed=9&lr=0.01"


def test_under_a_base_path_the_redirect_stays_under_it():
    status, headers = call("/network/extra", root="/course")
    assert headers[b"location"] == b"/course/no-such-page?address=%2Fnetwork%2Fextra"


def test_a_non_ascii_address_is_quoted():
    _, headers = call("/netzwerk/über")
    assert headers[b"location"] == b"/no-such-page?address=%2Fnetzwerk%2F%C3%BCber"


@pytest.mark.parametrize("headers,method", [([(b"accept", b"*/*")], "GET"), ([], "GET"), (HTML, "POST")])
def test_fetches_and_other_methods_pass_through(headers, method):
    assert call("/network/extra", headers=headers, method=method) == "passed on"


def test_websockets_pass_through():
    seen = []

    async def app(scope, receive, send):
        seen.append(scope["type"])
    run_async(OneSegmentAddresses(app)({"type": "websocket", "path": "/a/b"}, None, None))
    assert seen == ["websocket"]


def test_streamlit_run_app_py_serves_the_middleware():
    """`streamlit run app.py` looks for `app = st.App(...)` in the file and then serves it (ASGI mode)."""
    found = discover_asgi_app(ROOT / "app.py")
    assert found.is_asgi_app and found.import_string == "app:app"


def test_importing_app_py_builds_the_asgi_app_and_draws_nothing():
    code = ("import runpy, streamlit as st; from ui.serve.internals import app_middleware; "
            "g = runpy.run_path('app.py', run_name='app'); "
            "print(isinstance(g['app'], st.App), app_middleware(g['app']))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith("True") and "OneSegmentAddresses" in done.stdout
    assert done.stderr.strip() == ""

"""Every address a browser opens answers with the app: a page, or the app's own "no such page".

The middleware alone (``ui/serve/addresses.py``), then the app object ``streamlit run app.py``
serves, answering real requests in a process of its own (Streamlit's routes and files, no server,
no browser). ``tests/e2e/test_addresses_browser.py`` opens the same addresses in Chromium.
"""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.aio import run_async
from ui.serve.addresses import AppAddresses, carried_query, page_name, tidy_query
from ui.serve.internals import discover_asgi_app

ROOT = Path(__file__).resolve().parents[2]
HTML = [(b"accept", b"text/html,application/xhtml+xml,*/*;q=0.8")]


@pytest.mark.parametrize("path,name", [("/", ""), ("/network", "network"), ("/network/", "network"),
                                       ("/nope", "nope"), ("/extra.html", "extra.html"),
                                       ("/%C3%BCber", "über"), ("/a%20b", "a b"), ("/overview", "overview")])
def test_an_address_of_one_segment_is_the_page_name_streamlit_asks_for(path, name):
    assert page_name(path) == name


@pytest.mark.parametrize("path", [
    "/network/extra", "/network/extra.html", "/a/b/c/d/e.f", "/-/x/y", "/app/static/app.py", "/~/+/", "/~/+",
    "/app_pages/data.py", "/network%2Fextra.js", "/network%2fextra", "/%ZZ", "/%E0", "/a%", "/%20", "/%20a",
    "/a%09", "/%00", "/a%5Cb", "//network", "/_stcore/stream", "/static/js/nope.js"])
def test_an_address_no_page_can_have_has_no_page_name(path):
    assert page_name(path) is None


def call(path: str, headers=HTML, query: bytes = b"", method="GET", root="", served=frozenset(), base=""):
    """The middleware's answer to one request: (status, headers) or "passed on"."""
    sent = []

    async def app(scope, receive, send):
        sent.append("passed on")

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": method, "path": root + path, "raw_path": (root + path).encode(),
             "root_path": root, "query_string": query, "headers": headers}
    middleware = AppAddresses(app, served=lambda s: s["path"][len(root):] in served, base=base)
    run_async(middleware(scope, None, send))
    if sent == ["passed on"]:
        return "passed on"
    return sent[0]["status"], dict(sent[0]["headers"])


def location(path: str, **kw) -> str:
    status, headers = call(path, **kw)
    assert status == 302
    return headers[b"location"].decode()


def test_a_browser_opening_a_deep_address_is_sent_to_no_such_page_with_its_settings():
    assert location("/network/extra", query=b"seed=9&lr=0.01") == \
        "/no-such-page?address=%2Fnetwork%2Fextra&seed=9&lr=0.01"


@pytest.mark.parametrize("path,shown", [
    ("/network/extra.html", "/network/extra.html"), ("/-/x/y", "/-/x/y"), ("/~/+/", "/~/+/"),
    ("/app/static/app.py", "/app/static/app.py"), ("/network%2Fextra.js", "/network/extra.js"),
    ("/%ZZ", "/%ZZ"), ("/%E0", "/\ufffd"), ("/%20", "/ ")])
def test_each_kind_of_address_goes_to_no_such_page_named_as_asked(path, shown):
    target = location(path)
    assert target.startswith("/no-such-page?address=")
    from urllib.parse import parse_qs, urlsplit
    assert parse_qs(urlsplit(target).query)["address"] == [shown]


def test_a_link_that_brings_its_own_address_parameter_cannot_change_the_one_shown():
    assert location("/a/b", query=b"address=%2Fevil&seed=9") == "/no-such-page?address=%2Fa%2Fb&seed=9"
    assert carried_query("seed=9&addr%65ss=x&x=1") == "seed=9&x=1"


def test_under_a_mount_point_or_a_base_path_the_redirect_stays_under_it():
    assert location("/network/extra", root="/course") == "/course/no-such-page?address=%2Fnetwork%2Fextra"
    assert call("/course/network", base="/course") == "passed on"
    assert location("/course/network/extra", base="/course") == "/course/no-such-page?address=%2Fnetwork%2Fextra"


def test_a_non_ascii_address_is_quoted():
    assert location("/netzwerk/%C3%BCber") == "/no-such-page?address=%2Fnetzwerk%2F%C3%BCber"


def test_a_link_writing_allowed_values_another_way_is_sent_to_the_tidy_link_before_the_page_loads():
    assert location("/training", query=b"l2=1e0&lr=+0.01&utm=x+y&seed=9") == "/training?l2=1&lr=0.01&utm=x+y&seed=9"
    assert location("/", query=b"hidden=8.0,%204&step=3.0") == "/?hidden=8,4&step=3"
    assert location("/network/", root="/course", query=b"epoch=7e0") == "/course/network/?epoch=7"
    assert location("/a/b", query=b"l2=1e0") == "/no-such-page?address=%2Fa%2Fb&l2=1"


@pytest.mark.parametrize("query", [b"", b"l2=1&lr=0.01", b"lr=0.03", b"seed=1e0&seed=2", b"act=RELU", b"x=1e0",
                                   b"upload=abc&address=%2Fa"])
def test_a_tidy_link_or_one_with_values_the_page_must_report_passes_through(query):
    assert call("/training", query=query) == "passed on"
    assert tidy_query(query.decode()) == query.decode()


@pytest.mark.parametrize("path", ["/", "/network", "/nope", "/network/", "/extra.html"])
def test_one_segment_addresses_are_left_to_the_app(path):
    assert call(path) == "passed on"


@pytest.mark.parametrize("path", ["/_stcore/health", "/static/js/index.abc.js", "/media/abc.png",
                                  "/component/x/index.html"])
def test_what_streamlit_serves_is_left_alone(path):
    assert call(path, served={path}) == "passed on"


@pytest.mark.parametrize("headers,method", [([(b"accept", b"*/*")], "GET"), ([], "GET"), (HTML, "POST")])
def test_fetches_and_other_methods_pass_through(headers, method):
    assert call("/network/extra", headers=headers, method=method) == "passed on"


def test_websockets_pass_through():
    seen = []

    async def app(scope, receive, send):
        seen.append(scope["type"])
    run_async(AppAddresses(app, served=lambda s: False, base="")({"type": "websocket", "path": "/a/b"}, None, None))
    assert seen == ["websocket"]


def test_streamlit_run_app_py_serves_the_middleware():
    """`streamlit run app.py` looks for `app = st.App(...)` in the file and then serves it (ASGI mode)."""
    found = discover_asgi_app(ROOT / "app.py")
    assert found.is_asgi_app and found.import_string == "app:app"


@pytest.mark.slow          # a fresh Python importing Streamlit (seconds); in make test
def test_importing_app_py_builds_the_asgi_app_and_draws_nothing():
    code = ("import runpy, streamlit as st; from ui.serve.internals import app_middleware; "
            "g = runpy.run_path('app.py', run_name='app'); "
            "print(isinstance(g['app'], st.App), app_middleware(g['app']))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith("True") and "AppAddresses" in done.stdout
    assert done.stderr.strip() == ""


# ----------------------------------------------------------------------------- the app as served

# Runs in a process of its own: the app object starts Streamlit's runtime, one per process.
ASK = textwrap.dedent('''
    import asyncio, json, runpy, sys

    app = runpy.run_path("app.py", run_name="app")["app"]

    async def ask(path, accept):
        sent, done, first = [], asyncio.Event(), [True]

        async def receive():
            if first[0]:
                first[0] = False
                return {"type": "http.request", "body": b"", "more_body": False}
            await done.wait()
            return {"type": "http.disconnect"}

        async def send(message):
            sent.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                done.set()

        raw, _, query = path.partition("?")
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                 "scheme": "http", "path": raw, "raw_path": raw.encode(), "root_path": "",
                 "query_string": query.encode(), "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
                 "headers": [(b"host", b"x"), (b"accept", accept.encode())]}
        from urllib.parse import unquote
        scope["path"] = unquote(raw)
        await app(scope, receive, send)
        start = sent[0]
        headers = {k.decode(): v.decode() for k, v in start["headers"]}
        body = b"".join(m.get("body", b"") for m in sent[1:])
        return [start["status"], headers.get("content-type", ""), headers.get("location", ""), body[:40].decode("latin-1")]

    async def main():
        asked = json.loads(sys.argv[1])
        print(json.dumps([await ask(path, accept) for path, accept in asked]))

    asyncio.run(main())
''')
PAGE = "text/html,application/xhtml+xml,*/*;q=0.8"


def served_answers(asked):
    done = subprocess.run([sys.executable, "-c", ASK, json.dumps(asked)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def index_script() -> str:
    """The path of the script Streamlit's index.html loads (its name changes with each release)."""
    import importlib.util
    import re

    html = (Path(importlib.util.find_spec("streamlit").origin).parent / "static" / "index.html").read_text()
    return re.search(r'src="\./(static/js/index\.[^"]+\.js)"', html)[1]


@pytest.mark.slow          # a fresh Python importing Streamlit (seconds); in make test
def test_the_served_app_sends_every_address_no_page_can_answer_to_no_such_page_and_leaves_streamlit_alone():
    script = index_script()
    addresses = ["/network/extra.html", "/a/b/c/d/e.f", "/-/x/y", "/app/static/app.py", "/~/+", "/app_pages/data.py",
                 "/network%2Fextra.js", "/%ZZ", "/_stcore/stream", "/static/js/nope.js", "/network/_stcore/health"]
    own = [("/_stcore/health", "ok"), ("/favicon.png", ""), (f"/{script}", ""), ("/media/nothing.png", ""),
           ("/_stcore/metrics", "")]
    pages = ["/", "/network", "/overview", "/nope", "/no-such-page"]
    asked = ([(a, PAGE) for a in addresses] + [(p, PAGE) for p, _ in own] + [(p, PAGE) for p in pages]
             + [(a, "*/*") for a in addresses])                       # the page's own fetches
    answers = dict(zip([f"{a} {h}" for a, h in asked], served_answers(asked)))
    for a in addresses:
        status, _, where, _ = answers[f"{a} {PAGE}"]
        assert status == 302 and where.startswith("/no-such-page?address="), (a, answers[f"{a} {PAGE}"])
        assert answers[f"{a} */*"][0] != 302, a                     # a script's fetch gets Streamlit's answer
    health = answers[f"/_stcore/health {PAGE}"]
    assert health[0] == 200 and health[3] == "ok"
    assert answers[f"/favicon.png {PAGE}"][:2] == [200, "image/png"]
    assert answers[f"/{script} {PAGE}"][0] == 200 and "javascript" in answers[f"/{script} {PAGE}"][1]
    assert answers[f"/media/nothing.png {PAGE}"][0] == 404            # Streamlit's media route answers
    assert answers[f"/_stcore/metrics {PAGE}"][0] == 200
    for p in pages:
        status, kind, _, _ = answers[f"{p} {PAGE}"]
        assert status == 200 and kind.startswith("text/html"), (p, answers[f"{p} {PAGE}"])

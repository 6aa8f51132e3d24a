"""The door to Streamlit's private modules (ui/serve/internals.py): each reach-in still works, and
no other file reaches past it.

requirements.txt pins Streamlit. Before raising the pin, run this file on the new version: a test
that fails names the reach-in that moved and what the app or the tests lose with it.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import io
import re
import textwrap
import types
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
import streamlit as st
from starlette.middleware import Middleware
from streamlit.testing.v1 import AppTest

from ui.serve import internals

ROOT = Path(__file__).resolve().parents[2]
DOOR = ROOT / "ui" / "serve" / "internals.py"


def moved(number: int, name: str, loses: str, detail: object = "") -> str:
    return (f"Streamlit reach-in {number} ({name}, ui/serve/internals.py) has moved or changed in this "
            f"Streamlit version: {loses}. {detail}".strip())


def run_script(body: str) -> AppTest:
    at = AppTest.from_string(textwrap.dedent(body), default_timeout=60)
    at.run()
    return at


# ----------------------------------------------------------------------------- one test per reach-in


def test_1_the_script_run_context_gives_the_session_id_the_stop_check_and_the_asked_page():
    at = run_script("""
        import streamlit as st
        from ui.serve import internals
        check = internals.yield_check()
        st.text(repr([internals.session_id(), callable(check), internals.intended_page_name()]))
        check()                                       # nothing asked this run to stop
        ctx = internals.get_script_run_ctx(suppress_warning=True)
        st.text(repr([ctx.session_id == internals.session_id(), ctx.yield_check is check]))
    """)
    loses = ("the upload cap, the fair training queue's per-session turns and stop check, and the "
             "'No such page' page need it")
    assert not at.exception, moved(1, "get_script_run_ctx", loses, [e.value for e in at.exception])
    session, has_check, asked = eval(at.text[0].value)
    assert isinstance(session, str) and session, moved(1, "get_script_run_ctx().session_id", loses, session)
    assert has_check, moved(1, "get_script_run_ctx().yield_check", loses)
    assert asked == "", moved(1, "get_script_run_ctx().pages_manager.intended_page_name", loses, asked)
    assert at.text[1].value == "[True, True]", moved(1, "get_script_run_ctx", loses, at.text[1].value)
    assert internals.session_id() is None and internals.yield_check() is None   # outside a script run


def test_2_streamlit_still_turns_chart_data_into_arrow_bytes():
    frame = pd.DataFrame({"epoch": [0, 1, 2], "loss": [3.5, 2.25, 1.0], "split": ["training"] * 3})
    try:
        raw = internals.streamlit_arrow_bytes(frame)
        back = pa.ipc.open_stream(io.BytesIO(raw)).read_all().to_pandas()
    except Exception as e:          # noqa: BLE001 - reported with the reach-in's name
        pytest.fail(moved(2, "dataframe_util.convert_anything_to_arrow_bytes",
                          "every chart's data is converted with it", repr(e)))
    assert back[["epoch", "loss", "split"]].to_dict("list") == frame.to_dict("list"), \
        moved(2, "dataframe_util.convert_anything_to_arrow_bytes", "chart data would arrive changed", back)


def test_3_the_in_memory_upload_store_keeps_files_per_session_as_the_upload_cap_expects():
    loses = "the per-session upload cap and the freeing of a closed tab's files (ui/serve/uploads.py) need it"
    runtime_class = internals.runtime.Runtime
    for name in ("exists", "instance", "uploaded_file_mgr", "is_active_session"):
        assert hasattr(runtime_class, name), moved(3, f"Runtime.{name}", loses)
    add = inspect.signature(internals.MemoryUploadedFileManager.add_file)
    assert list(add.parameters)[1:] == ["session_id", "file"], moved(3, "MemoryUploadedFileManager.add_file", loses, add)
    manager = internals.MemoryUploadedFileManager("/_stcore/upload_file")
    record = internals.UploadedFileRec(file_id="f1", name="a.csv", type="text/csv", data=b"x,y\n1,2\n")
    manager.add_file(session_id="s1", file=record)
    assert dict(manager.file_storage) == {"s1": {"f1": record}}, moved(3, "MemoryUploadedFileManager.file_storage", loses)
    assert manager.get_files("s1", ["f1"]) == [record], moved(3, "MemoryUploadedFileManager.get_files", loses)
    manager.add_file(session_id="s1", file=internals.UploadedFileRec(file_id="f2", name="b.csv", type="text/csv",
                                                                     data=b"1"))
    manager.remove_file("s1", "f2")
    assert manager.get_files("s1", ["f1", "f2"]) == [record], moved(3, "MemoryUploadedFileManager.remove_file", loses)
    manager.remove_session_files("s1")
    assert "s1" not in manager.file_storage, moved(3, "MemoryUploadedFileManager.remove_session_files", loses)
    assert internals.upload_manager() is None       # no server in this process: nothing to cap


def test_4_apptest_compiles_page_scripts_through_the_script_cache(monkeypatch):
    loses = "tests/support/apptest.py would no longer keep pages compiled, and every AppTest run recompiles"
    asked = []
    real = internals.ScriptCache.get_bytecode
    assert list(inspect.signature(real).parameters) == ["self", "script_path"], moved(4, "ScriptCache.get_bytecode", loses)

    def counting(self, script_path):
        asked.append(script_path)
        return real(self, script_path)

    monkeypatch.setattr(internals.ScriptCache, "get_bytecode", counting)
    run_script("import streamlit as st\nst.text('compiled')")
    assert asked, moved(4, "ScriptCache.get_bytecode", loses, "AppTest did not call it")


# The websocket protocol as tests/support/stclient.py speaks it: messages, fields and enum values.
PROTOCOL = {
    "ForwardMsg": ["new_session", "navigation", "page_info_changed", "delta", "session_event", "ref_hash",
                   "file_urls_response", "auto_rerun", "stop_auto_rerun", "page_not_found", "script_finished",
                   "metadata", "hash"],
    "BackMsg": ["rerun_script", "file_urls_request"],
    "ClientState": ["query_string", "page_script_hash", "page_name", "widget_states", "cached_message_hashes",
                    "context_info", "fragment_id", "is_auto_rerun"],
    "WidgetState": ["id", "trigger_value", "double_value", "int_value", "string_value", "bool_value"],
    "FileURLs": ["file_id", "upload_url", "delete_url"],
    "UploadedFileInfo": ["file_id", "name", "size"],
}


def test_5_the_websocket_messages_carry_what_the_test_client_reads_and_writes():
    loses = "tests/support/stclient.py (the load tests, make load, make class's warm-up) speaks this protocol"
    messages = {"ForwardMsg": internals.ForwardMsg, "BackMsg": internals.BackMsg, "WidgetState": internals.WidgetState,
                "FileURLs": internals.FileURLs, "UploadedFileInfo": internals.UploadedFileInfo,
                "ClientState": type(internals.BackMsg().rerun_script)}       # what a rerun request carries
    for name, fields in PROTOCOL.items():
        missing = [f for f in fields if f not in messages[name].DESCRIPTOR.fields_by_name]
        assert not missing, moved(5, f"streamlit.proto {name}", loses, f"missing fields {missing}")
    for status in ("FINISHED_SUCCESSFULLY", "FINISHED_EARLY_FOR_RERUN", "FINISHED_WITH_COMPILE_ERROR",
                   "FINISHED_FRAGMENT_RUN_SUCCESSFULLY"):
        assert hasattr(internals.ForwardMsg, status), moved(5, f"ForwardMsg.{status}", loses)


def test_6_every_script_run_goes_through_the_script_runners_run_script(monkeypatch):
    loses = "bench/load.py --profile and --server-profile time the script runs through it"
    runs = []
    real = internals.ScriptRunner._run_script

    def counting(self, *args, **kwargs):
        runs.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(internals.ScriptRunner, "_run_script", counting)
    run_script("import streamlit as st\nst.text('run')")
    assert runs, moved(6, "ScriptRunner._run_script", loses, "AppTest's run did not call it")


def test_7_apptest_builds_its_media_store_from_a_class_a_test_can_record(monkeypatch):
    loses = "tests/app/test_training_page.py reads the CSV files the download buttons hold through it"
    assert internals.app_test.MediaFileManager is internals.MediaFileManager, moved(7, "app_test.MediaFileManager", loses)
    made = []

    class Recording(internals.MediaFileManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(internals.app_test, "MediaFileManager", Recording)
    at = run_script("import streamlit as st\nst.download_button('Get', data='a,b\\n1,2\\n', file_name='x.csv')")
    assert made, moved(7, "app_test.MediaFileManager", loses, "AppTest no longer builds its store from it")
    button = at.get("download_button")[0].proto
    url = made[-1].execute_deferred(button.deferred_file_id) if button.deferred_file_id else button.url
    content = made[-1]._storage.get_file(url.rsplit("/", 1)[-1]).content
    assert content == b"a,b\n1,2\n", moved(7, "MediaFileManager._storage.get_file", loses, content)


def test_8_the_xsrf_cookie_is_written_as_the_upload_store_reads_it():
    token = internals.generate_xsrf_token_string(bytes(range(16)))
    assert re.fullmatch(r"2\|[0-9a-f]+\|[0-9a-f]+\|\d+", token), moved(
        8, "generate_xsrf_token_string", "tests/state/test_upload_store.py makes browser cookies with it", token)


def test_9_streamlit_run_finds_the_app_object_and_its_middleware():
    loses = "tests/serve/test_addresses.py checks without a server that the not-found middleware is served"
    found = internals.discover_asgi_app(ROOT / "app.py")
    assert found.is_asgi_app and found.import_string == "app:app", moved(9, "discover_asgi_app", loses, found)

    class Nothing:
        def __init__(self, app):
            self.app = app

    app = st.App(str(ROOT / "app.py"), middleware=[Middleware(Nothing)])
    assert internals.app_middleware(app) == [Nothing], moved(9, "st.App._user_middleware", loses)


def test_10_a_components_events_arrive_under_the_trigger_id_the_helper_writes():
    loses = "tests/app/helpers.py can no longer send the Training page's play and stop as the browser does"
    at = run_script("""
        import streamlit as st
        probe = st.components.v2.component("door_probe", js="export default function () {}")
        got = probe(key="probe", data={"x": 1}, on_go_change=lambda: None)
        st.text(repr(got.go))
    """)
    [element] = at.get("bidi_component")
    states = at._tree.get_widget_states()
    trigger = states.widgets.add()
    trigger.id = internals.component_trigger_id(element.proto.id)
    trigger.json_trigger_value = '[{"event": "go", "value": {"n": 7}}]'
    at._run(states)
    assert at.text[0].value == "{'n': 7}", moved(10, "component_trigger_id", loses, at.text[0].value)


# Runs in a process of its own: an App answering a request starts Streamlit's runtime, one per process.
SERVES = textwrap.dedent("""
    import asyncio, json, re, sys
    from pathlib import Path
    import streamlit as st
    from starlette.middleware import Middleware
    from ui.serve import internals

    seen = {}

    class Probe:
        def __init__(self, app):
            self.app = app

        async def __call__(self, scope, receive, send):
            seen[scope["path"]] = internals.streamlit_serves(scope)
            await self.app(scope, receive, send)

    async def ask(app, path):
        done, first = asyncio.Event(), [True]

        async def receive():
            if first[0]:
                first[0] = False
                return {"type": "http.request", "body": b"", "more_body": False}
            await done.wait()
            return {"type": "http.disconnect"}

        async def send(message):
            if message["type"] == "http.response.body" and not message.get("more_body"):
                done.set()

        await app({"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                   "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
                   "headers": [(b"host", b"x")], "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)},
                  receive, send)

    async def main():
        app = st.App("app.py", middleware=[Middleware(Probe)])
        for path in json.loads(sys.argv[1]):
            await ask(app, path)
        print(json.dumps(seen))

    asyncio.run(main())
""")


def test_11_streamlit_says_which_paths_it_serves_and_which_get_its_index_page():
    import json
    import subprocess
    import sys

    loses = ("ui/serve/addresses.py can no longer tell Streamlit's own paths from addresses it would leave "
             "blank: either every odd address stays blank, or Streamlit's own files are redirected")
    html = (Path(importlib.util.find_spec("streamlit").origin).parent / "static" / "index.html").read_text()
    script = "/" + re.search(r'src="\./(static/js/index\.[^"]+\.js)"', html)[1]
    own = ["/_stcore/health", "/_stcore/metrics", "/favicon.png", script, "/media/x.png", "/component/x/index.html"]
    not_own = ["/", "/network/extra", "/static/js/nope.js", "/_stcore/stream", "/app/static/app.py", "/%00"]
    done = subprocess.run([sys.executable, "-c", SERVES, json.dumps(own + not_own)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, moved(11, "streamlit_serves", loses, done.stderr[-2000:])
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert {p: seen.get(p) for p in own} == dict.fromkeys(own, True), moved(11, "streamlit_serves", loses, seen)
    assert {p: seen.get(p) for p in not_own} == dict.fromkeys(not_own, False), moved(11, "streamlit_serves", loses, seen)
    assert internals.streamlit_serves({"type": "http", "path": "/a"}) is False        # no app in the scope


# ----------------------------------------------------------------------------- nobody else reaches in


PUBLIC = {"streamlit", "streamlit.column_config", "streamlit.components", "streamlit.components.v1",
          "streamlit.components.v2", "streamlit.testing", "streamlit.testing.v1"}
SKIP = {".venv", ".git", ".hypothesis", "test-artifacts", "__pycache__"}


def private_module(module: str) -> bool:
    """Whether the dotted name ``module`` is one of Streamlit's private modules."""
    return module.split(".")[0] == "streamlit" and module not in PUBLIC


def submodule(package: str, name: str) -> bool:
    """Whether ``package.name`` is a module (``st.proto``) rather than a function or class (``st.dataframe``)."""
    value = getattr(importlib.import_module(package), name, None)
    if value is not None:
        return isinstance(value, types.ModuleType)
    try:
        return importlib.util.find_spec(f"{package}.{name}") is not None
    except (ImportError, ValueError):
        return False


def private_reaches(source: str) -> list[tuple[int, str]]:
    """(line, private Streamlit module) for each reach in ``source``: imports, ``import_module("streamlit...")``,
    ``st.<module>`` attributes, and the same inside strings that are Python code (``python -c``)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found, aliases = [], set()
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "streamlit":
                    aliases.add(a.asname or a.name)
                elif private_module(a.name):
                    found.append((line, a.name))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "streamlit":
            if private_module(node.module):
                found.append((line, node.module))
            else:
                found += [(line, f"{node.module}.{a.name}") for a in node.names
                          if a.name.startswith("_") or (submodule(node.module, a.name)
                                                        and private_module(f"{node.module}.{a.name}"))]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("import_module", "__import__") \
                and isinstance(node.args[0].value, str) and private_module(node.args[0].value):
            found.append((line, node.args[0].value))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "streamlit" in node.value:
            found += [(line, module) for _, module in private_reaches(node.value)]
    exists = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "exists"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            dotted = f"streamlit.{node.attr}"
            public = dotted in PUBLIC or (dotted == "streamlit.runtime" and id(node) in exists)  # st.runtime.exists()
            if node.attr.startswith("_") or (not public and submodule("streamlit", node.attr)):
                found.append((node.lineno, dotted))
    return found


def python_files() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py") if not SKIP & set(p.relative_to(ROOT).parts))


def test_12_a_whole_float_a_widget_writes_into_the_link_reads_as_a_whole_number():
    qp = internals._query_params                                     # what the door wraps
    internals.write_whole_numbers_plainly()
    internals.write_whole_numbers_plainly()                          # once is enough; twice changes nothing
    coerce = qp._coerce_value_for_query_url
    assert getattr(coerce, "plain_whole_numbers", False), moved(12, "write_whole_numbers_plainly",
                                                                "a preset writes batch=5.0 into the link")
    assert [coerce(5.0, "double_value"), coerce(0.5, "double_value"), coerce(1e21, "double_value"),
            coerce("5.0", "string_value"), coerce(True, "bool_value"), coerce([2.0, 0.5], "double_array_value")] \
        == ["5", "0.5", "1000000000000000000000", "5.0", "true", ["2", "0.5"]]
    at = run_script("""
        import streamlit as st
        from ui.serve import internals
        internals.write_whole_numbers_plainly()
        if st.button("preset"):
            st.session_state["batch"] = 5.0
        st.number_input("batch", 1.0, 100.0, 15.0, format="%.0f", key="batch", bind="query-params")
    """)
    at.button[0].click().run()
    assert at.query_params.get("batch") == "5", moved(12, "write_whole_numbers_plainly",
                                                       "a preset writes batch=5.0 into the link", at.query_params)


def test_13_apptest_finds_packaged_components_through_the_manifest_scanner(monkeypatch):
    loses = "tests/support/apptest.py would no longer scan the installed packages once, and every AppTest scans them"
    scanner = internals.manifest_scanner
    assert "max_workers" in inspect.signature(scanner.scan_component_manifests).parameters, \
        moved(13, "manifest_scanner.scan_component_manifests", loses)
    asked = []

    def counting(max_workers=None):
        asked.append(max_workers)
        return []

    monkeypatch.setattr(scanner, "scan_component_manifests", counting)
    run_script("import streamlit as st\nst.text('scanned')")
    assert len(asked) == 1, moved(13, "manifest_scanner.scan_component_manifests", loses,
                                  f"AppTest's first run called it {len(asked)} times")


@pytest.mark.slow          # reads every Python file of the repository: make test
def test_no_file_but_the_door_imports_a_private_streamlit_module():
    files = python_files()
    assert DOOR in files and len(files) > 100, "the scan did not find the repository's Python files"
    outside = [f"{p.relative_to(ROOT)}:{line} {module}" for p in files if p != DOOR
               for line, module in private_reaches(p.read_text())]
    assert not outside, ("private Streamlit imports outside ui/serve/internals.py; add each reach-in to the "
                         f"door (with why, and a test here) and import it from there: {outside}")


def test_the_scan_catches_each_way_of_reaching_in():
    # Indented here, so that the scan of this very file does not read the sample as code.
    sample = textwrap.dedent('''
        import streamlit as st
        import streamlit.runtime.scriptrunner
        from streamlit import config, dataframe_util, cache_data
        from streamlit.testing.v1 import AppTest, app_test
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        importlib.import_module("streamlit.web.cli")
        st.proto.ForwardMsg_pb2
        st.runtime.exists()
        st.runtime.get_instance()
        CODE = "import streamlit; from streamlit.elements import lib"
    ''')
    assert sorted(module for _, module in private_reaches(sample)) == [
        "streamlit.config", "streamlit.dataframe_util", "streamlit.elements", "streamlit.proto",
        "streamlit.proto.ForwardMsg_pb2", "streamlit.runtime", "streamlit.runtime.scriptrunner",
        "streamlit.testing.v1.app_test", "streamlit.web.cli"]
    public = "import streamlit as st\nst.dataframe(x)\nst.navigation([])\nfrom streamlit.testing.v1 import AppTest\n"
    assert private_reaches(public) == []

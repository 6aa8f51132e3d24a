"""Every reach into Streamlit's private modules, behind one door.

Streamlit's public API is what its documentation lists (``st.*``, ``st.context``, ``st.get_option``,
``st.runtime.exists``, ``streamlit.testing.v1``). Anything else may move in any release. The app
and its tests need a few such things that no public API serves; each is imported here and nowhere
else, with what it is for and why nothing public does the job. requirements.txt pins Streamlit;
``tests/serve/test_internals.py`` has one test per reach-in, which fails with a sentence naming it
when an upgrade moves it, and one that fails on a private Streamlit import anywhere but here.

The app's reach-ins:

1. ``get_script_run_ctx`` — the running script's context. Read for three things:
   ``session_id`` (``session_id()``), the key of the per-session upload cap (``ui.serve.uploads``,
   because the upload endpoint's URLs carry that id) and of the fair training queue
   (``ui.serve.worker``); ``yield_check``, Streamlit's "stop or rerun now" check, which lets a run
   waiting in that queue leave it when the student clicks again; and
   ``pages_manager.intended_page_name`` (``intended_page_name()``), the address the browser asked
   for, which ``ui.draw.page`` turns into the app's own "no such page". ``st.context`` has no
   session id, no stop check, and its ``url`` already has the unknown address replaced.
2. ``streamlit_arrow_bytes`` — ``dataframe_util.convert_anything_to_arrow_bytes``: the bytes
   ``st.vega_lite_chart`` sends for a chart's data. Charts are finished once and replayed to every
   student (``ui.draw.chart``, ``ui.serve.arrow``); no public call returns the bytes.
3. ``upload_manager`` and ``is_active_session`` — the server's ``MemoryUploadedFileManager``
   (``file_storage``, ``add_file``, ``get_files``, ``remove_file``, ``remove_session_files``) and
   ``Runtime.is_active_session``. No option bounds the bytes one session may upload, a session
   dropped after the reconnect window never frees its files, and a file a student asks to forget
   would stay until the session ends; ``ui.serve.uploads`` does all three.

What only the tests and the benchmarks reach for:

4. ``ScriptCache`` — ``get_bytecode``: ``tests/support/apptest.py`` keeps each page compiled, as a
   server does; AppTest compiles every script again on every run and has no option not to.
5. The websocket protocol's messages — ``BackMsg``, ``ForwardMsg``, ``WidgetState``, ``FileURLs``,
   ``UploadedFileInfo``: ``tests/support/stclient.py`` plays a browser tab; there is no public client.
6. ``ScriptRunner`` — ``_run_script``: ``bench/load.py --profile`` and ``--server-profile`` profile
   exactly the script runs; Streamlit has no profiling hook.
7. ``MediaFileManager`` and ``app_test`` (the module that builds AppTest's media store):
   ``tests/app/test_training_page.py`` records the store to read a download button's file
   (``execute_deferred``, ``_storage.get_file``); AppTest's download button exposes no content.
8. ``generate_xsrf_token_string`` — the XSRF cookie value as Streamlit writes it:
   ``tests/state/test_upload_store.py`` checks that the browser's id survives a fresh mask.
9. ``discover_asgi_app`` and ``app_middleware`` — how ``streamlit run app.py`` finds ``app = st.App``,
   and the middleware that App holds (``_user_middleware``): ``tests/serve/test_addresses.py``
   checks the not-found middleware is served, without starting a server.
10. ``component_trigger_id`` — the widget id under which Streamlit's frontend sends a custom
   component's events (``setTriggerValue``): ``tests/app/helpers.py`` sends the Training page's
   "play" and "stop" as the browser does; AppTest has no way to drive a custom component.
13. ``manifest_scanner`` — ``scan_component_manifests``: the first run of every AppTest reads the
   metadata of every installed package, looking for packaged custom components (most of an AppTest's
   time); ``tests/support/apptest.py`` scans once per process, as a server does at its start.
   AppTest has no option to skip or share the scan.

And one that reads how the server is laid out rather than importing a private module:

11. ``streamlit_serves`` — whether Streamlit's router answers a request with something of its own
   (an endpoint such as ``/_stcore/health``, or one of its files such as ``/static/js/…``) or
   with the index.html it returns for any path it does not know. ``ui.serve.addresses`` sends a
   browser opening such a path to the app's "No such page"; Streamlit offers no way to ask. It
   walks the routes of the Starlette app in the request's scope and looks the path up in the
   static-files mount, so it depends on Streamlit keeping its files in such a mount.

And one that changes what Streamlit writes:

12. ``write_whole_numbers_plainly`` — Streamlit writes a float-typed widget bound to the link with
   ``str(value)`` when Python sets it (a preset, Reset): "batch=5.0", "seed=9.0", while the browser
   writes "5". The app's whole-number boxes are float-typed on purpose (``ui.state.sidebar``), so a
   preset would put "5.0" into a link a lecturer shares. Streamlit already writes whole floats as
   "5" for its array values (``_format_number_for_query_url``); this wraps
   ``query_params._coerce_value_for_query_url`` to do the same for single values. Nothing else in
   what it writes changes.
"""

from __future__ import annotations

from collections.abc import Callable

from streamlit import dataframe_util, runtime
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import FileURLs, UploadedFileInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.runtime.scriptrunner.script_runner import ScriptRunner
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit.runtime.state import query_params as _query_params
from streamlit.runtime.uploaded_file_manager import UploadedFileRec
from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string

__all__ = [
    "BackMsg", "FileURLs", "ForwardMsg", "MediaFileManager", "MemoryUploadedFileManager", "ScriptCache",
    "ScriptRunner", "UploadedFileInfo", "UploadedFileRec", "WidgetState", "app_middleware", "app_test",
    "discover_asgi_app", "generate_xsrf_token_string", "get_script_run_ctx", "intended_page_name",
    "is_active_session", "session_id", "streamlit_arrow_bytes", "upload_manager", "component_trigger_id",
    "streamlit_serves", "write_whole_numbers_plainly", "manifest_scanner",
]


# ----------------------------------------------------------------------------- 1. the script run


def session_id() -> str | None:
    """The Streamlit session this thread's script run belongs to, or None outside a script run."""
    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx.session_id if ctx is not None else None


def yield_check() -> Callable[[], None] | None:
    """Streamlit's "stop or rerun now" check for this script run (raises to end it), or None."""
    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx.yield_check if ctx is not None else None


def intended_page_name() -> str:
    """The page name the browser asked for ("nope" for /nope; "" for the app's root or no script run)."""
    ctx = get_script_run_ctx(suppress_warning=True)
    return str(ctx.pages_manager.intended_page_name or "") if ctx is not None else ""


# ----------------------------------------------------------------------------- 2. chart data


def streamlit_arrow_bytes(data) -> bytes:
    """``data`` (a DataFrame, a list of records, ...) as the Arrow bytes Streamlit itself would send."""
    return dataframe_util.convert_anything_to_arrow_bytes(data)


# ----------------------------------------------------------------------------- 3. uploads


def upload_manager() -> MemoryUploadedFileManager | None:
    """The server's in-memory upload store; None outside a server (AppTest, scripts) or if it is another kind."""
    if not runtime.exists():
        return None
    manager = runtime.get_instance().uploaded_file_mgr
    return manager if isinstance(manager, MemoryUploadedFileManager) else None


def is_active_session(session_id: str) -> bool:
    """Whether the server still holds ``session_id`` with a browser connected (not waiting for a reconnect)."""
    return runtime.get_instance().is_active_session(session_id)


# ----------------------------------------------------------------------------- 9. how the app is served


def discover_asgi_app(path):
    """What ``streamlit run`` finds in the script at ``path``: ``.is_asgi_app``, ``.import_string``."""
    from streamlit.web.server.app_discovery import discover_asgi_app as discover
    return discover(path)


def app_middleware(app) -> list[type]:
    """The middleware classes given to ``st.App(..., middleware=[...])``."""
    return [m.cls for m in app._user_middleware]


# ----------------------------------------------------------------------------- 10. a component's events


def component_trigger_id(element_id: str) -> str:
    """The widget id of a custom component's events, as the frontend writes it for ``setTriggerValue``."""
    from streamlit.components.v2.bidi_component.main import _make_trigger_id
    return _make_trigger_id(element_id, "events")


# ----------------------------------------------------------------------------- 11. what the server answers


def streamlit_serves(scope) -> bool:
    """Whether Streamlit answers this HTTP request (an ASGI scope that has passed through its
    Starlette app, so ``scope["app"]`` is set) with an endpoint or a file of its own, not with the
    index.html it returns for any path it does not know."""
    import stat

    from starlette.routing import Match, Mount
    from starlette.staticfiles import StaticFiles

    for route in getattr(scope.get("app"), "routes", ()):
        match, child = route.matches(scope)
        if match == Match.NONE:
            continue
        if not (isinstance(route, Mount) and isinstance(route.app, StaticFiles)):
            return True                              # an endpoint: health, media, upload, component, …
        files = route.app
        try:
            _, found = files.lookup_path(files.get_path({**scope, **child}))
        except (OSError, ValueError):                # a name too long, a null byte: no file
            found = None
        if found is not None and stat.S_ISREG(found.st_mode):
            return True
    return False


# ----------------------------------------------------------------------------- 12. numbers in the link


def write_whole_numbers_plainly() -> None:
    """From now on a whole float a widget writes into the link reads "5", not "5.0" (idempotent)."""
    coerce = _query_params._coerce_value_for_query_url
    if getattr(coerce, "plain_whole_numbers", False):
        return

    def plain(value, value_type):
        if value_type == "double_value" and isinstance(value, float):
            return _query_params._format_number_for_query_url(value)
        return coerce(value, value_type)

    plain.plain_whole_numbers = True
    _query_params._coerce_value_for_query_url = plain


def __getattr__(name: str):
    """``app_test`` (7.) and ``manifest_scanner`` (13.) are loaded only when a test asks: the server
    never needs the testing framework."""
    if name == "app_test":
        from streamlit.testing.v1 import app_test
        return app_test
    if name == "manifest_scanner":
        from streamlit.components.v2 import manifest_scanner
        return manifest_scanner
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

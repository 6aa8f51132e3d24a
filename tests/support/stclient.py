"""A minimal Streamlit client that speaks the browser's websocket protocol (``streamlit.proto``).

One ``Session`` is one browser tab: it opens a link, keeps every widget's value the way the
frontend does, and sends the same ``rerun_script`` BackMsgs a click would. It knows nothing of
the app's pages: a click is "set the widget with this key" or "go to the page at this URL path".

What the frontend does and this client copies (Streamlit 1.67):

- First the page itself and ``/_stcore/health``, ``/_stcore/host-config`` over HTTP, then a
  websocket to ``/_stcore/stream`` with sub-protocol ``streamlit``. The server runs nothing until
  the client's first ``rerun_script`` (query string, and the link's path as ``page_name``).
- Widgets are identified by the ``id`` in their element proto; a keyed widget's id ends in
  ``-<key>``. The frontend keeps a value per widget (the element's ``value`` when ``set_value``
  is on, else what it had, else ``default``) and sends all of them with every rerun; widgets
  missing from a finished run are forgotten.
- A page change sends the page's ``page_script_hash`` (from the ``navigation`` message) with only
  the widgets of the entry script (its sidebar) and only their query-bound parameters.
- Forward-message cache: large ``new_element`` deltas carry ``metadata.cacheable``; the client
  keeps them and lists their hashes in ``cached_message_hashes``, and the server then sends only
  a ``ref_hash``. Entries unused for ``max_cached_message_age`` runs are dropped, as in the browser.

- Cookies, per tab as a browser keeps them: Streamlit's XSRF cookie (``_streamlit_xsrf``, set by
  ``/_stcore/health``) and a load balancer's affinity cookie (HAProxy's ``SERVERID``) go with every
  HTTP request and the websocket handshake, whose sub-protocols are ``streamlit`` and the XSRF token.
- An upload (``st.file_uploader``): a ``file_urls_request`` BackMsg, answered by ``file_urls_response``
  with an upload URL per file; a multipart PUT to it with the ``X-Xsrftoken`` header (the cookie's
  value); then the widget's value is the files' ``UploadedFileInfo`` and the script reruns. Behind
  several replicas without affinity the PUT reaches a server that does not know the session: 400.

- ``auto_rerun`` (a fragment with ``run_every``): the browser reruns that fragment on a timer
  (``fragment_id``, ``is_auto_rerun``) until ``stop_auto_rerun`` or a page change; so does this client.
- A custom component (``bidi_component``) draws in the browser and says something to the server by
  ``setTriggerValue``: a rerun — of its fragment, when it sits in one — whose widget states carry a
  JSON list of ``{event, value}`` under the component's trigger id. ``components`` keeps each
  mount's id, fragment and data (by its ``role``, for the Training page's player);
  ``component_event`` sends an event as the frontend does.

A run ends with ``script_finished`` (``FINISHED_EARLY_FOR_RERUN`` means another run follows; a
fragment's run ends with ``FINISHED_FRAGMENT_RUN_SUCCESSFULLY`` and is not what a click waits for).
Exceptions shown to the user are ``Exception`` elements (not warnings), compile errors, and a
``script_finished`` with ``FINISHED_WITH_COMPILE_ERROR``.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

import websockets

from ui.serve.internals import BackMsg, FileURLs, ForwardMsg, UploadedFileInfo, WidgetState, component_trigger_id

FINISHED = ForwardMsg.FINISHED_SUCCESSFULLY
EARLY = ForwardMsg.FINISHED_EARLY_FOR_RERUN
COMPILE_ERROR = ForwardMsg.FINISHED_WITH_COMPILE_ERROR
FRAGMENT_FINISHED = ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY

WIDGET_KINDS = ("number_input", "slider", "radio", "selectbox", "checkbox", "button", "file_uploader")
XSRF_COOKIE = "_streamlit_xsrf"


class ProtocolError(RuntimeError):
    """The server sent something this client cannot follow (e.g. a ref to an unknown message)."""


@dataclass
class Widget:
    """What the client knows of one widget: its proto, and the value it would send."""

    id: str
    kind: str
    proto: Any
    script_hash: str                  # the script that drew it (entry script or a page)
    value: Any = None                 # python value in WidgetState terms (see ``state``)
    has_value: bool = False

    @property
    def key(self) -> str:
        return self.id.rsplit("-", 1)[-1] if self.id.startswith("$$ID-") else self.id

    @property
    def query_key(self) -> str:
        return getattr(self.proto, "query_param_key", "")

    def state(self) -> WidgetState | None:
        """The WidgetState the browser would send for this widget, or None if it sends none."""
        if not self.has_value or self.kind == "button":
            return None
        ws = WidgetState(id=self.id)
        kind, p, v = self.kind, self.proto, self.value
        if v is None:
            return None
        if kind == "number_input":
            if p.data_type == type(p).INT:
                ws.int_value = int(v)
            else:
                ws.double_value = float(v)
        elif kind == "slider":
            if p.type == type(p).SELECT_SLIDER:
                ws.string_array_value.data.extend(v)
            else:
                ws.double_array_value.data.extend(v)
        elif kind in ("radio", "selectbox"):
            ws.string_value = v
        elif kind == "checkbox":
            ws.bool_value = bool(v)
        elif kind == "file_uploader":
            ws.file_uploader_state_value.uploaded_file_info.extend(v)
        return ws


def _initial_value(kind: str, p) -> tuple[bool, Any]:
    """The value the frontend takes for an element it has no value for, or after ``set_value``."""
    if kind == "number_input":
        return True, _opt(p, "value") if p.set_value else _opt(p, "default")
    if kind == "slider":
        if p.type == type(p).SELECT_SLIDER:
            if p.set_value and len(p.raw_value):
                return True, list(p.raw_value)
            idx = list(p.value) if p.set_value else list(p.default)
            return True, [p.options[int(i)] for i in idx]
        return True, list(p.value) if p.set_value else list(p.default)
    if kind in ("radio", "selectbox"):
        if p.set_value:
            return True, _opt(p, "raw_value")
        index = _opt(p, "default")
        return True, p.options[index] if index is not None and 0 <= index < len(p.options) else None
    if kind == "checkbox":
        return True, p.value if p.set_value else p.default
    return False, None


def _opt(p, name: str):
    """A field's value, or None when it is an unset optional field (``index=None``, ``value=None``)."""
    field = p.DESCRIPTOR.fields_by_name[name]
    if field.has_presence and not p.HasField(name):
        return None
    return getattr(p, name)


@dataclass
class RunResult:
    """What one click produced: how long until the run finished, and what the user saw."""

    action: str
    seconds: float | None = None          # None: no script_finished before the timeout
    status: int | None = None
    messages: int = 0
    bytes: int = 0
    refs: int = 0                          # ForwardMsgs sent as a ref to the client's cache
    early_finishes: int = 0                # runs interrupted by a rerun (callbacks, st.rerun)
    exceptions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error_alerts: int = 0
    error_texts: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)     # st.text bodies (the first few)
    started: float = 0.0                   # time.perf_counter() when the click was sent

    @property
    def finished(self) -> bool:
        return self.seconds is not None


@dataclass
class UploadResult:
    """One upload: the HTTP status of the PUT (None: never sent) and the rerun that used it."""

    name: str
    status: int | None = None
    error: str = ""
    run: RunResult | None = None
    seconds: float = 0.0

    @property
    def stored(self) -> bool:
        return self.status in (200, 204)


class Session:
    """One browser tab on a Streamlit server at ``base_url`` (``http://host:port``)."""

    def __init__(self, base_url: str, timeout: float = 30.0, http_warmup: bool = True):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.http_warmup = http_warmup
        self.cookies: dict[str, str] = {}
        self._url_requests: dict[str, asyncio.Future] = {}
        self.runs_finished = 0                 # every run that finished, waited for or not
        self.background_exceptions: list[str] = []   # shown during runs nobody waited for
        self.ws = None
        self.widgets: dict[str, Widget] = {}
        self.pages: list[Any] = []             # AppPage protos from the navigation message
        self.page_hash = ""
        self.main_script_hash = ""
        self.query = ""
        self.session_id = ""
        self._cache: dict[str, tuple[ForwardMsg, int]] = {}
        self._max_cache_age = 2
        self._run_count = 0
        self._seen: set[str] = set()
        self._run: RunResult | None = None
        self._done: asyncio.Event | None = None
        self._reader: asyncio.Task | None = None
        self._timers: dict[str, tuple[float, asyncio.Task]] = {}   # fragment id -> auto-rerun
        self.auto_reruns = 0
        self.closed_reason: str | None = None
        self.components: dict[str, dict] = {}      # a custom component's role (or id) -> id, fragment, data
        self._fragment_wait = False

    # ------------------------------------------------------------------ connection

    async def open(self, page: str = "", query: str = "") -> RunResult:
        """Open ``/<page>?<query>`` as a browser would, and wait for the first run to finish."""
        self.query = query.lstrip("?")
        url = f"{self.base_url}/{page}" + (f"?{self.query}" if self.query else "")
        if self.http_warmup:
            for u in (url, f"{self.base_url}/_stcore/health", f"{self.base_url}/_stcore/host-config"):
                status, _ = await asyncio.to_thread(self.http, "GET", u)
                if status >= 400:
                    raise ProtocolError(f"GET {u}: HTTP {status}")
        ws_url = self.base_url.replace("http", "ws", 1) + "/_stcore/stream"
        protocols = ["streamlit"] + ([self.cookies[XSRF_COOKIE]] if XSRF_COOKIE in self.cookies else [])
        headers = {"Cookie": self.cookie_header()} if self.cookies else {}
        self.ws = await websockets.connect(ws_url, subprotocols=protocols, max_size=None,
                                           ping_interval=None, open_timeout=self.timeout,
                                           origin=self.base_url, additional_headers=headers)
        self._reader = asyncio.create_task(self._read())
        msg = self._rerun_msg(query_string=self.query, page_name=page, widgets=[])
        return await self._send_and_wait("open", msg)

    async def close(self) -> None:
        self._stop_timers()
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            self._reader.cancel()
            try:
                await self._reader
            except (asyncio.CancelledError, Exception):
                pass

    # ------------------------------------------------------------------ HTTP, as the browser's fetch

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def http(self, method: str, url: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        """One request with this tab's cookies (blocking); Set-Cookie answers update them."""
        req = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
        if self.cookies:
            req.add_header("Cookie", self.cookie_header())
        try:
            with urllib.request.urlopen(req, timeout=max(self.timeout, 30)) as r:
                status, data, got = r.status, r.read(), r.headers.get_all("Set-Cookie") or []
        except urllib.error.HTTPError as e:
            status, data, got = e.code, e.read(), e.headers.get_all("Set-Cookie") or []
        for line in got:
            name, _, value = line.split(";", 1)[0].strip().partition("=")
            self.cookies[name] = value
        return status, data

    # ------------------------------------------------------------------ uploads

    async def upload_urls(self, names: list[str]) -> list[FileURLs]:
        """Ask the server where to PUT each file (``file_urls_request``), as the uploader widget does."""
        request_id = uuid.uuid4().hex
        answer = asyncio.get_running_loop().create_future()
        self._url_requests[request_id] = answer
        msg = BackMsg()
        msg.file_urls_request.request_id = request_id
        msg.file_urls_request.session_id = self.session_id
        msg.file_urls_request.file_names.extend(names)
        await self.ws.send(msg.SerializeToString())
        try:
            response = await asyncio.wait_for(answer, self.timeout)
        finally:
            self._url_requests.pop(request_id, None)
        if response.error_msg:
            raise ProtocolError(f"file_urls_response: {response.error_msg}")
        return list(response.file_urls)

    async def put_file(self, urls: FileURLs, name: str, content: bytes,
                       mime: str = "text/csv") -> int:
        """PUT one file to its upload URL as the frontend does: multipart, XSRF header, cookies."""
        boundary = "----stclient" + uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}\"\r\n"
                f"Content-Type: {mime}\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Origin": self.base_url}
        if XSRF_COOKIE in self.cookies:
            headers["X-Xsrftoken"] = self.cookies[XSRF_COOKIE]
        url = urls.upload_url if "://" in urls.upload_url else self.base_url + urls.upload_url
        status, _ = await asyncio.to_thread(self.http, "PUT", url, body, headers)
        return status

    async def upload(self, key: str, name: str, content: bytes, mime: str = "text/csv") -> UploadResult:
        """Choose ``name`` in the file uploader with key ``key``: get its URL, PUT it, rerun with it."""
        result = UploadResult(name)
        t0 = time.perf_counter()
        try:
            (urls,) = await self.upload_urls([name])
            result.status = await self.put_file(urls, name, content, mime)
            if result.stored:
                w = self.widget(key)
                info = UploadedFileInfo(file_id=urls.file_id, name=name, size=len(content))
                info.file_urls.CopyFrom(urls)
                w.value, w.has_value = [info], True
                msg = self._rerun_msg(query_string=self.query, page_hash=self.page_hash,
                                      widgets=self._states())
                result.run = await self._send_and_wait(f"upload {key}", msg)
        except (ProtocolError, asyncio.TimeoutError, OSError, KeyError, ValueError) as e:
            result.error = f"{type(e).__name__}: {e}"
        result.seconds = time.perf_counter() - t0
        return result

    # ------------------------------------------------------------------ clicks

    def widget(self, key: str) -> Widget:
        """The widget whose user key is ``key`` (KeyError if the current view has none)."""
        for w in self.widgets.values():
            if w.key == key:
                return w
        raise KeyError(key)

    async def set_widget(self, key: str, value: Any, wait: bool = True) -> RunResult | None:
        """Change a widget as a user would and wait for the rerun (``wait=False``: just send it).

        ``value`` is what the user picks: a number for number inputs and sliders, the option's
        label for radios, select boxes and select sliders, a bool for checkboxes and toggles.
        """
        w = self.widget(key)
        if w.kind == "button":
            return await self.click_button(key)
        if w.kind == "slider":
            value = [value] if not isinstance(value, (list, tuple)) else list(value)
        w.value, w.has_value = value, True
        if w.query_key:
            self._set_query_param(w.query_key, _url_value(w))
        msg = self._rerun_msg(query_string=self.query, page_hash=self.page_hash,
                              widgets=self._states())
        if not wait:                  # a fast clicker: the next click comes before this run ends
            await self.ws.send(msg.SerializeToString())
            return None
        return await self._send_and_wait(f"set {key}", msg)

    def labelled(self, kind: str, label: str) -> Widget:
        """The widget of ``kind`` showing ``label`` (a button without a key has no key to find it by)."""
        for w in self.widgets.values():
            if w.kind == kind and getattr(w.proto, "label", None) == label:
                return w
        raise KeyError(f"no {kind} labelled {label!r}")

    async def click_button(self, key: str) -> RunResult:
        return await self.press(self.widget(key))

    async def press(self, w: Widget) -> RunResult:
        """Click the button ``w``, as ``click_button`` does for a keyed one."""
        states = self._states()
        states.append(WidgetState(id=w.id, trigger_value=True))
        msg = self._rerun_msg(query_string=self.query, page_hash=self.page_hash, widgets=states)
        return await self._send_and_wait(f"click {w.key}", msg)

    async def switch_page(self, url_path: str) -> RunResult:
        """Follow the navigation link to the page at ``url_path`` ("" for the default page)."""
        target = self.page_by_path(url_path)
        entry = [w for w in self.widgets.values() if w.script_hash == self.main_script_hash]
        bound = {w.query_key for w in entry if w.query_key}
        params = [(k, v) for k, v in urllib.parse.parse_qsl(self.query, keep_blank_values=True)
                  if k in bound]
        self.query = urllib.parse.urlencode(params)
        states = [s for s in (w.state() for w in entry) if s is not None]
        self._stop_timers()                   # the browser drops a page's timers when it leaves
        msg = self._rerun_msg(query_string=self.query, page_hash=target.page_script_hash,
                              widgets=states)
        return await self._send_and_wait(f"page {url_path or 'default'}", msg)

    async def history_navigation(self, query: str, url_path: str | None = None) -> RunResult:
        """This page, or the page at ``url_path``, at another address without loading it
        (``history.pushState`` then a "popstate"): the frontend runs the page the path names with the
        whole new query string, the entry script's widgets and ``is_history_navigation``, so the
        address's values win over the widgets' own."""
        self.query = query.lstrip("?")
        page_hash = self.page_hash if url_path is None else self.page_by_path(url_path).page_script_hash
        entry = [w for w in self.widgets.values() if w.script_hash == self.main_script_hash]
        self._stop_timers()
        msg = self._rerun_msg(query_string=self.query, page_hash=page_hash,
                              widgets=[s for s in (w.state() for w in entry) if s is not None])
        msg.rerun_script.is_history_navigation = True
        return await self._send_and_wait("history", msg)

    async def component_event(self, role: str, event: str, value: Any) -> RunResult:
        """What a custom component's ``setTriggerValue(event, value)`` makes the frontend send."""
        c = self.components[role]
        states = self._states()
        states.append(WidgetState(id=component_trigger_id(c["id"]),
                                  json_trigger_value=json.dumps([{"event": event, "value": value}])))
        msg = self._rerun_msg(query_string=self.query, page_hash=self.page_hash, widgets=states)
        msg.rerun_script.fragment_id = c["fragment"]
        return await self._send_and_wait(f"{role} {event}", msg, fragment=bool(c["fragment"]))

    async def rerun(self) -> RunResult:
        msg = self._rerun_msg(query_string=self.query, page_hash=self.page_hash,
                              widgets=self._states())
        return await self._send_and_wait("rerun", msg)

    def page_by_path(self, url_path: str):
        for p in self.pages:
            if p.url_pathname == url_path or (url_path == "" and p.is_default):
                return p
        raise KeyError(f"no page at /{url_path}; pages: {[p.url_pathname for p in self.pages]}")

    @property
    def page_label(self) -> str:
        """The current page's URL path, or its lower-cased title for the default page."""
        for p in self.pages:
            if p.page_script_hash == self.page_hash:
                return p.url_pathname or p.page_name.lower()
        return "?"

    @property
    def page_path(self) -> str:
        for p in self.pages:
            if p.page_script_hash == self.page_hash:
                return p.url_pathname
        return ""

    # ------------------------------------------------------------------ internals

    def _start_timer(self, fragment_id: str, interval: float) -> None:
        """``auto_rerun``: like the browser's setInterval, rerun the fragment every ``interval`` s."""
        if fragment_id in self._timers and self._timers[fragment_id][0] == interval:
            return
        self._stop_timers([fragment_id])

        async def tick():
            while True:
                await asyncio.sleep(interval)
                msg = self._rerun_msg(query_string=self.query, page_hash=self.page_hash,
                                      widgets=self._states())
                msg.rerun_script.fragment_id = fragment_id
                msg.rerun_script.is_auto_rerun = True
                try:
                    await self.ws.send(msg.SerializeToString())
                except websockets.ConnectionClosed:
                    return
                self.auto_reruns += 1

        self._timers[fragment_id] = (interval, asyncio.create_task(tick()))

    def _stop_timers(self, fragment_ids=None) -> None:
        for fid in list(self._timers if fragment_ids is None else fragment_ids):
            if fid in self._timers:
                self._timers.pop(fid)[1].cancel()

    def _states(self) -> list[WidgetState]:
        return [s for s in (w.state() for w in self.widgets.values()) if s is not None]

    def _set_query_param(self, name: str, value: str | None) -> None:
        params = [(k, v) for k, v in urllib.parse.parse_qsl(self.query, keep_blank_values=True)
                  if k != name]
        if value is not None:
            params.append((name, value))
        self.query = urllib.parse.urlencode(params)

    def _rerun_msg(self, query_string: str, widgets: list[WidgetState], page_hash: str = "",
                   page_name: str = "") -> BackMsg:
        msg = BackMsg()
        rs = msg.rerun_script
        rs.query_string = query_string
        rs.page_script_hash = page_hash
        rs.page_name = page_name
        rs.widget_states.widgets.extend(widgets)
        rs.widget_states.SetInParent()
        rs.cached_message_hashes.extend(self._cache)
        url = f"{self.base_url}/{self.page_path if page_hash else page_name}"
        ci = rs.context_info
        ci.timezone, ci.timezone_offset, ci.locale = "UTC", 0, "en-US"
        ci.url = url + (f"?{query_string}" if query_string else "")
        ci.is_embedded, ci.color_scheme = False, "light"
        return msg

    async def _send_and_wait(self, action: str, msg: BackMsg, fragment: bool = False) -> RunResult:
        if self.closed_reason:
            raise ProtocolError(f"session closed: {self.closed_reason}")
        self._fragment_wait = fragment
        self._run = RunResult(action)
        self._done = asyncio.Event()
        t0 = self._run.started = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        try:
            await asyncio.wait_for(self._done.wait(), self.timeout)
            self._run.seconds = time.perf_counter() - t0
        except asyncio.TimeoutError:
            pass
        run, self._run = self._run, None
        if self.closed_reason and not run.finished:
            raise ProtocolError(f"session closed during {action}: {self.closed_reason}")
        return run

    async def _read(self) -> None:
        try:
            async for data in self.ws:
                fm = ForwardMsg()
                fm.ParseFromString(data)
                self._handle(fm, len(data))
        except websockets.ConnectionClosed as e:
            self.closed_reason = f"websocket closed ({e})"
        except Exception as e:                      # noqa: BLE001 - reported to the caller
            self.closed_reason = f"{type(e).__name__}: {e}"
        else:
            self.closed_reason = "websocket closed by the server"
        if self._done is not None:
            self._done.set()

    def _handle(self, fm: ForwardMsg, size: int) -> None:
        run = self._run
        if run is not None:
            run.messages += 1
            run.bytes += size
        kind = fm.WhichOneof("type")
        if kind == "ref_hash":
            if fm.ref_hash not in self._cache:
                raise ProtocolError(f"ref to a message the client never cached: {fm.ref_hash}")
            cached, _ = self._cache[fm.ref_hash]
            self._cache[fm.ref_hash] = (cached, self._run_count)
            resolved = ForwardMsg()
            resolved.CopyFrom(cached)
            resolved.metadata.CopyFrom(fm.metadata)
            if run is not None:
                run.refs += 1
            fm, kind = resolved, resolved.WhichOneof("type")
        elif fm.metadata.cacheable and fm.hash:
            self._cache[fm.hash] = (fm, self._run_count)

        if kind == "new_session":
            ns = fm.new_session
            self.page_hash = ns.page_script_hash
            self.main_script_hash = ns.main_script_hash
            self._max_cache_age = ns.config.max_cached_message_age or 2
            if ns.initialize.session_id:
                self.session_id = ns.initialize.session_id
            self._seen = set()
        elif kind == "navigation":
            self.pages = list(fm.navigation.app_pages)
            if fm.navigation.page_script_hash:     # the page this run resolved to
                self.page_hash = fm.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query = fm.page_info_changed.query_string
        elif kind == "delta":
            self._delta(fm, run)
        elif kind == "session_event":
            if fm.session_event.HasField("script_compilation_exception") and run is not None:
                exc = fm.session_event.script_compilation_exception
                run.exceptions.append(f"{exc.type}: {exc.message}")
        elif kind == "file_urls_response":
            answer = self._url_requests.get(fm.file_urls_response.response_id)
            if answer is not None and not answer.done():
                answer.set_result(fm.file_urls_response)
        elif kind == "auto_rerun" and fm.auto_rerun.fragment_id:
            self._start_timer(fm.auto_rerun.fragment_id, fm.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            self._stop_timers(list(fm.stop_auto_rerun.fragment_ids))
        elif kind == "page_not_found" and run is not None:
            run.exceptions.append(f"page not found: {fm.page_not_found.page_name}")
        elif kind == "script_finished":
            status = fm.script_finished
            if status == EARLY:
                if run is not None:
                    run.early_finishes += 1
                return
            if status in (FINISHED, COMPILE_ERROR):
                self.runs_finished += 1
                # the frontend forgets widgets that this run did not draw
                self.widgets = {k: w for k, w in self.widgets.items() if k in self._seen}
                self._run_count += 1
                self._cache = {h: (m, n) for h, (m, n) in self._cache.items()
                               if self._run_count - n <= self._max_cache_age}
            if status == FRAGMENT_FINISHED and not self._fragment_wait:
                return                 # a timer's fragment run, not the run a click waits for
            if run is not None:
                run.status = status
                if status == COMPILE_ERROR:
                    run.exceptions.append("script finished with a compile error")
            if self._done is not None:
                self._done.set()

    def _delta(self, fm: ForwardMsg, run: RunResult | None) -> None:
        delta = fm.delta
        if delta.WhichOneof("type") != "new_element":
            return
        el = delta.new_element
        which = el.WhichOneof("type")
        if which == "exception" and run is None and not el.exception.is_warning:
            self.background_exceptions.append(f"{el.exception.type}: {el.exception.message}"[:300])
        elif which == "exception" and run is not None:
            (run.warnings if el.exception.is_warning else run.exceptions).append(
                f"{el.exception.type}: {el.exception.message}"[:300])
        elif which == "alert" and run is not None and el.alert.format == type(el.alert).ERROR:
            run.error_alerts += 1
            run.error_texts.append(el.alert.body[:120])
        elif which == "text" and run is not None and len(run.texts) < 20:
            run.texts.append(el.text.body[:200])
        elif which == "bidi_component":
            c = el.bidi_component
            data = json.loads(c.json) if c.WhichOneof("data") == "json" and c.json else None
            role = data.get("role") if isinstance(data, dict) and data.get("role") else c.id
            self.components[role] = {"id": c.id, "fragment": delta.fragment_id, "data": data}
        elif which in WIDGET_KINDS:
            p = getattr(el, which)
            self._seen.add(p.id)
            w = self.widgets.get(p.id)
            if w is None or w.kind != which:
                w = Widget(p.id, which, p, fm.metadata.active_script_hash)
                w.has_value, w.value = _initial_value(which, p)
                self.widgets[p.id] = w
            else:
                w.proto, w.script_hash = p, fm.metadata.active_script_hash
                if getattr(p, "set_value", False):
                    w.has_value, w.value = _initial_value(which, p)


def _url_value(w: Widget) -> str | None:
    """The query-string value the frontend writes for a bound widget (None: drop the parameter)."""
    state = w.state()
    if state is None:
        return None
    which = state.WhichOneof("value")
    v = getattr(state, which)
    if which in ("double_array_value", "string_array_value"):
        v = list(v.data)
        v = v[0] if len(v) == 1 else ",".join(map(str, v))
    if which == "bool_value":
        return "true" if v else "false"
    if which == "double_value" and float(v).is_integer():
        return str(int(v))
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


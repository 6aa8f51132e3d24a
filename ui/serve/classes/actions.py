"""What a class's browsers send without running a Streamlit script: the lecturer's moves, the answers.

    POST /_class/{code}/lead    {"key": <lecturer key>, "page": "backprop", "query": {"step": "3", ...},
                                 "play": {"playing": true, "from": 0, "speed": "Normal", "elapsed": 0.1}}
    POST /_class/{code}/answer  {"follower": <id>, "question": <id>, "choice": "yes"}

The lecturer's browser holds the lecturer key (never in a link) and sends its view whenever its
address changes (``ui/browser/classroom.js``); the view is narrowed to what the class shares
(``ui.state.class_view.lead_view``; a running Play's start is stamped with this server's clock) before
``ClassStore.lead``, which refuses any other key. A
follower's browser sends its answer with the random id it made. Both answer JSON: ``{"version"}``
for a lead, ``{"counted"}`` for an answer; a refusal is ``{"error": "<one sentence>"}`` with 404 (no
such class), 403 (not the lecturer, a closed question, a flood, a full class), 400 (malformed).

Only ``application/json`` bodies are read: a page of another site cannot send that type without the
browser asking this server first (CORS preflight), which it does not allow.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ui.serve.classes import ClassError, ClassStore, Invalid, Unavailable, normal_code, refusal, store
from ui.serve.classes.wait import NO_STORE, PREFIX, error_response
from ui.state.class_view import lead_view, stamped

BODY_MAX = 16_384                 # bytes: a view is at most 8 kB as stored


class Actions:
    """The two POST routes over ``get_store()`` (``classes.store`` unless a test gives another)."""

    def __init__(self, get_store: Callable[[], ClassStore] = store):
        self.get_store = get_store

    def routes(self) -> list[Route]:
        out = []
        for name, handler in (("lead", self.lead), ("answer", self.answer)):
            out += [Route(f"/{PREFIX}/{{code}}/{name}", handler, methods=["POST"]),
                    Route(f"/{{prefix:path}}/{PREFIX}/{{code}}/{name}", handler, methods=["POST"])]
        return out

    async def lead(self, request: Request) -> Response:
        try:
            code, body = await _read(request)
            try:
                view = stamped(lead_view(body.get("page"), body.get("query"), body.get("play")), time.time())
            except ValueError as e:
                raise Invalid(str(e)) from None
            version = await asyncio.to_thread(self._store().lead, code, body.get("key"), view)
        except ClassError as e:
            return error_response(e)
        return _json({"version": version})

    async def answer(self, request: Request) -> Response:
        try:
            code, body = await _read(request)
            counted = await asyncio.to_thread(self._store().answer, code, body.get("follower"),
                                              body.get("question"), body.get("choice"))
        except ClassError as e:
            return error_response(e)
        return _json({"counted": counted})

    def _store(self) -> ClassStore:
        try:
            return self.get_store()
        except ValueError as e:                   # a malformed BACKPROP_CLASS_STORE
            raise Unavailable(f"Class mode is not set up on this server: {e}") from None


async def _read(request: Request) -> tuple[str, dict]:
    """The class code of the path and the JSON object of the body, or the refusal to send."""
    code = normal_code(request.path_params["code"])
    if code is None:
        raise refusal("gone", request.path_params["code"])
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise Invalid("A class action must be sent as application/json.")
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > BODY_MAX:
            raise Invalid("That class action is too large.")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise Invalid("A class action must be a JSON object.")
    return code, body


def _json(value: dict) -> Response:
    return Response(json.dumps(value), media_type="application/json", headers=NO_STORE)


def routes() -> list[Route]:
    """The routes ``app.py`` gives ``st.App`` beside the follow endpoint's."""
    return Actions().routes()

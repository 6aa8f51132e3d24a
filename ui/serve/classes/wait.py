"""The follow endpoint: a follower's browser (and the projector's) long-polls its class here.

    GET /_class/{code}/wait?since=<version>[&follower=<id>][&answers=<n>][&following=<n>]

answers as soon as the class's version is above ``since`` (the lecturer moved, posed, closed,
revealed or ended), or ``answers`` / ``following`` differ from the numbers given (the projector's
live counts), else after WAIT_S with the same version. JSON: {"version", "view", "question",
"counts", "following", "answers", "ended"} (``ClassState``; ``counts`` is aligned with
``question["choices"]``), and the header ``X-Class-Now`` this server's clock (seconds), against
which a follower reads how long the lecturer's Play has run (``view["play"]["since"]``).
``follower`` marks that browser present, also while it waits. Errors are {"error": "<one sentence>"}:
404 no such class, 400 a malformed request, 403 a full class, 503 no store.

It runs no Streamlit script and costs little per waiting browser: per class, one task in this
process polls the store's cheap ``stamp`` every TICK_S while anyone waits, reads the whole state
once when it changes, and wakes every waiter of that class with the same encoded answer. So an
answer may show the class as it was up to TICK_S earlier; a browser that sends the version it has
always gets a newer one or waits, so it never goes back. A browser that closes the connection (a tab
closed, a page left) ends its wait at once, so a stopping server is not held by waits nobody reads. The path
also answers below any prefix (``/course/_class/...``), so a page can use a relative URL under a
``server.baseUrlPath``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ui.serve.classes import (ClassError, ClassStore, ClassState, Invalid, NoSuchClass, NotLecturer, Refused,
                              Unavailable, checked_follower, normal_code, refusal, store)

PREFIX = "_class"                 # ui/serve/addresses.py leaves it to this route
WAIT_S = 20.0                     # the longest a request is held (HAProxy's `timeout server` is 60 s)
TICK_S = 0.1                      # how often a class being waited on is polled (one cheap look-up per process)
REFRESH_S = 5.0                   # a waiting follower is marked present again this often
BIG = 2**53                       # the largest number a browser sends exactly
NO_STORE = {"Cache-Control": "no-store"}
NOW = "X-Class-Now"               # the server's clock as it answers (a running Play's "since" is on it)


class _Watch:
    """One class as this process last read it, while anyone waits on it."""

    def __init__(self):
        self.changed = asyncio.Event()            # replaced by a fresh one at every change
        self.ready = False
        self.state: ClassState | None = None
        self.body = b""
        self.error: ClassError | None = None
        self.waiters = 0
        self.task: asyncio.Task | None = None     # held here: the loop keeps only a weak reference

    def publish(self, state: ClassState | None = None, error: ClassError | None = None) -> None:
        self.state, self.error, self.ready = state, error, True
        self.body = json.dumps(state._asdict(), ensure_ascii=False).encode() if state else b""
        woken, self.changed = self.changed, asyncio.Event()
        woken.set()


class Follow:
    """The endpoint over ``get_store()`` (``classes.store`` unless a test gives another)."""

    def __init__(self, get_store: Callable[[], ClassStore] = store, wait_s: float = WAIT_S,
                 tick_s: float = TICK_S, refresh_s: float = REFRESH_S):
        self.get_store, self.wait_s, self.tick_s, self.refresh_s = get_store, wait_s, tick_s, refresh_s
        self._watches: dict[tuple[int, str], _Watch] = {}

    def routes(self) -> list[Route]:
        return [Route(f"/{PREFIX}/{{code}}/wait", self.wait, methods=["GET"]),
                Route(f"/{{prefix:path}}/{PREFIX}/{{code}}/wait", self.wait, methods=["GET"])]

    async def wait(self, request: Request) -> Response:
        try:
            code = normal_code(request.path_params["code"])
            if code is None:
                raise refusal("gone", request.path_params["code"])
            since = _number(request, "since", -1)
            answers, following = _number(request, "answers"), _number(request, "following")
            follower = request.query_params.get("follower")
            s = self._store()
            if follower is not None:
                await asyncio.to_thread(s.seen, code, checked_follower(follower))
        except ClassError as e:
            return error_response(e)
        key = (id(asyncio.get_running_loop()), code)
        watch = self._watches.get(key)
        if watch is None:
            watch = self._watches[key] = _Watch()
            watch.task = asyncio.get_running_loop().create_task(self._poll(key, watch, s))
        watch.waiters += 1
        try:
            return await self._until_news(request, watch, code, since, answers, following, follower, s)
        finally:
            watch.waiters -= 1

    async def _until_news(self, request, watch: _Watch, code: str, since: int, answers, following,
                          follower, s: ClassStore) -> Response:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait_s
        gone = loop.create_task(_disconnect(request))     # a closed tab ends its wait at once
        try:
            return await self._wait(request, watch, code, since, answers, following, follower, s, deadline, gone)
        finally:
            gone.cancel()

    async def _wait(self, request, watch: _Watch, code: str, since: int, answers, following, follower,
                    s: ClassStore, deadline: float, gone: asyncio.Task) -> Response:
        loop = asyncio.get_running_loop()
        while True:
            changed = watch.changed
            if watch.ready:
                if watch.error is not None:
                    return error_response(watch.error)
                st = watch.state
                if st is None:
                    return error_response(refusal("gone", code))
                if st.version > since or answers not in (None, st.answers) \
                        or following not in (None, st.following):
                    break
            left = deadline - loop.time()
            if left <= 0:
                if watch.ready:
                    break
                return error_response(Unavailable("The class server did not answer in time: try again in a moment."))
            news = loop.create_task(changed.wait())
            try:
                done, _ = await asyncio.wait({news, gone}, timeout=min(left, self.refresh_s),
                                             return_when=asyncio.FIRST_COMPLETED)
            finally:
                news.cancel()
            if gone in done:
                return Response(status_code=204)
            if news not in done:
                if follower is not None:
                    try:
                        await asyncio.to_thread(s.seen, code, follower)
                    except ClassError as e:
                        return error_response(e)
        return Response(watch.body, media_type="application/json", headers={**NO_STORE, NOW: f"{time.time():.3f}"})

    async def _poll(self, key, watch: _Watch, s: ClassStore) -> None:
        """Read the class while anyone waits on it: its stamp every tick, its state when that moves."""
        last = None
        try:
            while watch.waiters > 0 or not watch.ready:
                try:
                    stamp = await asyncio.to_thread(s.stamp, key[1])
                    if stamp != last or not watch.ready or watch.error is not None:
                        state = await asyncio.to_thread(s.state, key[1]) if stamp is not None else None
                        last = stamp
                        watch.publish(state)
                except ClassError as e:
                    last = None
                    watch.publish(error=e)
                await asyncio.sleep(self.tick_s)
        finally:
            self._watches.pop(key, None)

    def _store(self) -> ClassStore:
        try:
            return self.get_store()
        except ValueError as e:                   # a malformed BACKPROP_CLASS_STORE
            raise Unavailable(f"Class mode is not set up on this server: {e}") from None


async def _disconnect(request: Request) -> None:
    """Return once the browser has closed the connection (the request has no body to read)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


def _number(request: Request, name: str, default: int | None = None) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not -1 <= value <= BIG:
        raise Invalid(f"?{name}= must be a whole number from -1 up.")
    return value


def error_response(error: ClassError) -> Response:
    """A refusal as the browser gets it: its sentence, with the status its kind calls for."""
    status = {NoSuchClass: 404, Invalid: 400, Refused: 403, NotLecturer: 403, Unavailable: 503}.get(type(error), 400)
    return Response(json.dumps({"error": str(error)}, ensure_ascii=False), status_code=status,
                    media_type="application/json", headers=NO_STORE)


def routes() -> list[Route]:
    """The routes ``app.py`` gives ``st.App``: the follow endpoint over the configured store."""
    return Follow().routes()

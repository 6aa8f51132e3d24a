"""Training runs in one worker process, fed by a fair queue, so no student waits behind a fast clicker.

A pure-Python training loop holds the GIL: in the server process a 1-second run would stall every
other student's page; in the worker it uses the second core while the server keeps drawing pages.
"spawn", not fork: the server process runs threads. A second worker halves the queue when every
visitor asks for the maximum settings but costs about 250 MB (README), so the app keeps one.

The queue holds at most one request per session, and the worker next serves the waiting session it
served longest ago. Streamlit starts a new script run for every click (``runner.fastReruns``) and only
asks the old one to stop, so a session changing the seed 20 times a second used to queue 20 trainings
a second while a newcomer waited behind all of them (53 s for a 0.24 s run). Now a session's newer
request replaces its queued older one, and a waiting run that Streamlit asked to stop or rerun leaves
the queue at once (``yield_check``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import gc
import itertools
import multiprocessing
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from core import training
from ui.serve.internals import get_script_run_ctx

WORKERS = 1
POLL_S = 0.05                 # how often a waiting run checks whether Streamlit asked it to stop
REQUEUES = 2                  # times a replaced request that is still wanted asks again
REMEMBERED_SESSIONS = 4096    # sessions whose last turn the queue remembers (bounded)
ORPHAN_CHECK_S = 2.0          # how often the worker checks that the server that started it still lives

_POOL_LOCK = threading.Lock()
_POOL: list[concurrent.futures.ProcessPoolExecutor] = []
_STOPPED = threading.Event()      # the server is shutting down: no new worker, training runs here


class Superseded(RuntimeError):
    """A newer training request from the same session replaced this one before it started."""

    def __init__(self):
        super().__init__("A newer request from the same page replaced this training before it started.")


class Request:
    """One call waiting for the worker: ``fn(*args, **kwargs)`` and, once settled, its outcome."""

    def __init__(self, fn: Callable, args: tuple = (), kwargs: dict | None = None):
        self.fn, self.args, self.kwargs = fn, args, kwargs or {}
        self.settled = threading.Event()
        self.started = False                 # taken by a server thread: it will run to the end
        self.value: Any = None
        self.error: BaseException | None = None

    def settle(self, value: Any = None, error: BaseException | None = None) -> None:
        self.value, self.error = value, error
        self.settled.set()

    def outcome(self):
        """The value, or the exception the call raised (Superseded if it never ran)."""
        if self.error is not None:
            raise self.error
        return self.value

    def __repr__(self) -> str:
        state = "settled" if self.settled.is_set() else "running" if self.started else "queued"
        return f"Request({getattr(self.fn, '__name__', self.fn)}, {state})"


class FairQueue:
    """Requests waiting for the worker: at most one per session, served in turn.

    ``put`` replaces a session's queued request (the old one is settled with ``Superseded`` and keeps
    its place in line); ``take`` returns the request of the waiting session served longest ago (a
    session never served comes first; ties go to the earlier arrival). So with N sessions waiting, a
    session gets one turn in every N, however fast it clicks.
    """

    def __init__(self):
        self._cond = threading.Condition()
        self._waiting: dict[Hashable, tuple[int, Request]] = {}        # session -> (arrival, request)
        self._last_turn: OrderedDict[Hashable, int] = OrderedDict()   # session -> turn number (LRU)
        self._arrivals = itertools.count()
        self._turns = itertools.count()

    def __len__(self) -> int:
        with self._cond:
            return len(self._waiting)

    def put(self, session: Hashable, request: Request) -> Request | None:
        """Queue ``request`` for ``session``; return the older request it replaced, if any."""
        with self._cond:
            older = self._waiting.get(session)
            arrival = older[0] if older else next(self._arrivals)
            self._waiting[session] = (arrival, request)
            self._cond.notify()
        if older:
            older[1].settle(error=Superseded())
            return older[1]
        return None

    def withdraw(self, request: Request) -> bool:
        """Take ``request`` out of the queue if it is still waiting there (True if it was)."""
        with self._cond:
            for session, (_, queued) in self._waiting.items():
                if queued is request:
                    del self._waiting[session]
                    return True
        return False

    def take(self, timeout: float | None = None) -> Request | None:
        """The next request to run (marked started), or None after ``timeout`` seconds of an empty queue."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._waiting, timeout):
                return None
            session = min(self._waiting, key=lambda s: (self._last_turn.get(s, -1), self._waiting[s][0]))
            _, request = self._waiting.pop(session)
            request.started = True
            self._last_turn[session] = next(self._turns)
            self._last_turn.move_to_end(session)
            while len(self._last_turn) > REMEMBERED_SESSIONS:
                self._last_turn.popitem(last=False)
            return request


_QUEUE = FairQueue()
_SERVERS: list[threading.Thread] = []


def start() -> concurrent.futures.ProcessPoolExecutor | None:
    """The training worker and the thread that feeds it, started once and kept for the server's life
    (None once ``stop`` has run: the server is shutting down).

    Starting it submits a trivial task, so the worker imports numpy and ``core`` while the first
    student is still reading the Data page, not while their first training waits for it.
    """
    with _POOL_LOCK:
        if _STOPPED.is_set():
            return None
        if not _POOL:
            pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=WORKERS, mp_context=multiprocessing.get_context("spawn"),
                initializer=_exit_with_parent, initargs=(os.getpid(),))
            pool.submit(training.check_settings, 1, 0.05, 1, "sigmoid")
            _POOL.append(pool)
        while len(_SERVERS) < WORKERS:
            thread = threading.Thread(target=_serve, args=(_QUEUE,), name="training-queue", daemon=True)
            thread.start()
            _SERVERS.append(thread)
        return _POOL[0]


def stop() -> None:
    """End the worker and release what its queues hold; later training runs in this process.

    Uvicorn, which serves ``st.App``, ends a server on SIGTERM by raising the signal again once it
    has shut down, which kills the process before any exit handler runs. Without this, the worker
    would linger until it noticed, and multiprocessing's resource tracker would log a warning about
    the queues' semaphores, left behind. A training already running is waited for.
    """
    with _POOL_LOCK:
        _STOPPED.set()
        pools = list(_POOL)
        _POOL.clear()
    while pools:
        pools.pop().shutdown(wait=True, cancel_futures=True)
    gc.collect()            # the queues' semaphores are unlinked when their objects are collected


@contextlib.asynccontextmanager
async def lifespan(_app):
    """``st.App(lifespan=...)``: at the server's shutdown, ``stop`` the worker."""
    yield
    await asyncio.to_thread(stop)


def _exit_with_parent(parent: int) -> None:
    """In the worker: end when the server that started it is gone.

    A server killed outright (``kill -9``, the out-of-memory killer) cannot tell its worker to stop,
    and the worker, waiting on a pipe it holds both ends of, would wait forever with its ~200 MB.
    """
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(ORPHAN_CHECK_S)
        os._exit(0)
    threading.Thread(target=watch, name="exit-with-server", daemon=True).start()


def _pool_run(fn, args, kwargs):
    """``fn(*args, **kwargs)`` in the worker process, or here if the worker is gone."""
    pool = start()
    try:
        future = pool.submit(fn, *args, **kwargs) if pool is not None else None
    except (concurrent.futures.process.BrokenProcessPool, RuntimeError, OSError):
        future = None
    if future is not None:
        try:
            return future.result()
        except (concurrent.futures.process.BrokenProcessPool, concurrent.futures.CancelledError, OSError):
            pass
    # The worker died, could not start (e.g. out of memory) or was stopped: replace it next time
    # (unless the server is stopping), and compute this result here, so the student still gets it.
    with _POOL_LOCK:
        if _POOL and _POOL[0] is pool:
            _POOL.clear()
    return fn(*args, **kwargs)


def _serve(queue: FairQueue) -> None:
    """A server thread: run the queue's requests one at a time, forever."""
    while True:
        request = queue.take()
        try:
            request.settle(_pool_run(request.fn, request.args, request.kwargs))
        except BaseException as exc:          # noqa: BLE001 - handed to the caller, who raises it
            request.settle(error=exc)


def session_key() -> Hashable | None:
    """The Streamlit session this thread's script run belongs to, or None outside a session."""
    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx.session_id if ctx is not None else None


def _yield_check() -> Callable[[], None] | None:
    """Streamlit's "stop or rerun now" check for this script run (raises StopException/RerunException)."""
    ctx = get_script_run_ctx(suppress_warning=True)
    return getattr(ctx, "yield_check", None) if ctx is not None else None


def run(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` in the training worker, when it is this session's turn.

    While the request waits, a newer request of the same session replaces it, and a stop or rerun of
    this script run takes it out of the queue and ends the run the way any Streamlit call would.
    Outside a session (tests, scripts) every call is its own session and nothing is replaced.
    """
    start()
    session = session_key()
    key = object() if session is None else session
    check = _yield_check()
    if check is not None:
        check()                       # a run Streamlit has already told to stop queues nothing
    for _ in range(1 + REQUEUES):
        request = Request(fn, args, kwargs)
        _QUEUE.put(key, request)
        _wait(request, check)
        if not isinstance(request.error, Superseded) or check is None:
            break
        check()                       # the usual case: this run was told to stop
        # Still wanted: an older run of this session, told to stop just after its last check,
        # queued after this one. Ask again (that older request is the one replaced now).
    return request.outcome()


def _wait(request: Request, check: Callable[[], None] | None) -> None:
    """Until ``request`` is settled; while it waits in the queue, give up when Streamlit says stop."""
    while not request.settled.wait(POLL_S if check else None):
        if not request.started:
            try:
                check()
            except BaseException:
                _QUEUE.withdraw(request)
                raise

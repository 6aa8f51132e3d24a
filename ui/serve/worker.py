"""Training where it costs the class least, in an order that keeps everyone's wait short.

Two lanes. A job that costs milliseconds (the lecture's settings train in about 20 ms) runs at once
in the script thread that asked for it: it never waits behind anybody. Heavier work (large
networks, mini-batches of one, twenty seeds, the scikit-learn check) goes to one worker process: a
pure-Python loop holds its interpreter's lock, and in the server process a long run would stall
every other student's page. "spawn", not fork: the server process runs threads. A second worker
halves the queue when every visitor asks for the maximum settings but costs about 250 MB, which
the host's memory cannot spare; the app keeps one.

The worker's queue serves next the job whose waiters have waited longest, counting a session's
recent use of the worker against it (``USE_WEIGHT``): a fresh tab does not jump ahead of students
already waiting, and a session that has just had the worker for a while gives way to the others.

Equal requests (the same function and arguments, ``key``) are one job, however many students ask.
Each waiting script run is a waiter; a session's new request takes it off its older job. A job
nobody waits for any more — tabs closed, settings changed, a newer click — leaves the queue, or,
if it is running, stops at its next epoch boundary (``in_worker``). The worker reports the epochs
done, so a page waiting for a long run can show a bar with the time left (``Status``).
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
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from core import training
from ui.serve import in_worker, internals
from ui.serve.in_worker import Cancelled

WORKERS = 1
POLL_S = 0.05                 # how often a waiting run checks whether Streamlit asked it to stop
LIGHT_S = 0.1                 # a job estimated to cost at most this runs at once, in the asking thread
USE_WEIGHT = 1.0              # a second of the worker used recently counts as a second less waited
USE_WINDOW_S = 300.0          # how far back a session's use of the worker counts
REMEMBERED_SESSIONS = 4096    # sessions whose recent use is remembered (bounded)

clock = time.monotonic        # replaceable in tests

_POOL_LOCK = threading.Lock()
_POOL: list[concurrent.futures.ProcessPoolExecutor] = []
_STOPPED = threading.Event()      # the server is shutting down: no new worker, training runs here


@dataclass(frozen=True)
class Status:
    """Where a job is, for a page that waits for it: ``ahead`` jobs before it in the queue (None
    once it runs), its ``done`` of ``total`` epochs, the seconds it has been waiting or running, and
    its pace in epochs per second since its first report (None before there is one)."""

    running: bool
    ahead: int | None
    done: int
    total: int
    seconds: float
    pace: float | None = None

    def seconds_left(self) -> float | None:
        """The time left at the pace so far, once there is a pace to go by."""
        if not self.running or not self.pace or self.total <= 0:
            return None
        return (self.total - self.done) / self.pace


class Job:
    """One computation: ``fn(*args, progress=…, **kwargs)``, who waits for it, and its outcome."""

    _ids = itertools.count(1)

    def __init__(self, key: Hashable, fn: Callable, args: tuple, kwargs: dict, cost: float):
        self.id = next(Job._ids)
        self.key, self.fn, self.args, self.kwargs, self.cost = key, fn, args, kwargs, cost
        self.waiters: dict[Hashable, int] = {}          # session -> script runs of it waiting
        self.queued_at = clock()
        self.started_at: float | None = None
        self.first_report: tuple[float, int] | None = None     # (when, epochs done) first seen running
        self.settled = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None

    def settle(self, value: Any = None, error: BaseException | None = None) -> None:
        self.value, self.error = value, error
        self.settled.set()

    def outcome(self):
        if self.error is not None:
            raise self.error
        return self.value

    def __repr__(self) -> str:
        state = "settled" if self.settled.is_set() else "running" if self.started_at else "queued"
        return f"Job({self.id}, {getattr(self.fn, '__name__', self.fn)}, {state}, {len(self.waiters)} waiting)"


class Scheduler:
    """The worker's queue: equal requests shared, the longest-waiting first, abandoned work dropped.

    ``channel`` is where the worker reports progress and hears "stop" (``in_worker``).
    """

    def __init__(self, channel=None):
        self.channel = channel if channel is not None else multiprocessing.get_context("spawn").RawArray("q", 4)
        self._cond = threading.Condition()
        self._queued: list[Job] = []
        self._by_key: dict[Hashable, Job] = {}
        self._running: Job | None = None
        self._current: dict[Hashable, Job] = {}                  # session -> the job it waits for
        self._use: dict[Hashable, deque] = {}                     # session -> [(end, seconds)] recently

    def __len__(self) -> int:
        with self._cond:
            return len(self._queued)

    # ------------------------------------------------------------------ the asking side

    def submit(self, session: Hashable, key: Hashable | None, fn: Callable, args: tuple, kwargs: dict,
               cost: float) -> Job:
        """The job for ``key`` (a new one, or the one already queued or running), with ``session`` waiting."""
        with self._cond:
            job = self._by_key.get(key) if key is not None else None
            if job is None:
                job = Job(key, fn, args, kwargs, cost)
                if key is not None:
                    self._by_key[key] = job
                self._queued.append(job)
                self._cond.notify_all()
            older = self._current.get(session)
            if older is not None and older is not job:
                self._leave(session, older, all_runs=True)      # a newer request of the session replaces it
            job.waiters[session] = job.waiters.get(session, 0) + 1
            self._current[session] = job
            return job

    def leave(self, session: Hashable, job: Job) -> None:
        """One waiting script run of ``session`` gives up on ``job`` (stopped, or a newer click)."""
        with self._cond:
            self._leave(session, job)

    def _leave(self, session: Hashable, job: Job, all_runs: bool = False) -> None:
        left = 0 if all_runs else job.waiters.get(session, 0) - 1
        if left > 0:
            job.waiters[session] = left
        else:
            job.waiters.pop(session, None)
            if self._current.get(session) is job:
                del self._current[session]
        if job.waiters or job.settled.is_set():
            return
        if job in self._queued:                         # nobody waits: it never runs
            self._queued.remove(job)
            self._forget(job)
            job.settle(error=Cancelled(f"job {job.id} left the queue: nobody waits for it"))
        elif job is self._running:                      # it stops at its next epoch boundary
            self.channel[in_worker.STOP] = job.id

    def status(self, job: Job) -> Status:
        with self._cond:
            now = clock()
            if job is self._running and job.started_at is not None:
                same = self.channel[in_worker.JOB] == job.id
                done, total = (int(self.channel[in_worker.DONE]), int(self.channel[in_worker.TOTAL])) if same else (0, 0)
                pace = None
                if total and job.first_report is None:
                    job.first_report = (now, done)             # the worker's start-up is not the pace
                elif total and now > job.first_report[0] and done > job.first_report[1]:
                    pace = (done - job.first_report[1]) / (now - job.first_report[0])
                return Status(True, None, done, total, now - job.started_at, pace)
            order = sorted(self._queued, key=self._priority)
            ahead = order.index(job) + (self._running is not None) if job in order else 0
            return Status(False, ahead, 0, 0, now - job.queued_at)

    # ------------------------------------------------------------------ the serving side

    def recent_use(self, session: Hashable) -> float:
        """Seconds of the worker that ``session``'s jobs took within the last ``USE_WINDOW_S``."""
        use = self._use.get(session)
        if not use:
            return 0.0
        while use and use[0][0] < clock() - USE_WINDOW_S:
            use.popleft()
        return sum(s for _, s in use)

    def _priority(self, job: Job) -> float:
        """When the job's most patient waiter asked, moved later by that session's recent use."""
        return job.queued_at + USE_WEIGHT * min((self.recent_use(s) for s in job.waiters), default=0.0)

    def take(self, timeout: float | None = None) -> Job | None:
        """The next job to run (marked running), or None after ``timeout`` seconds with none queued."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._queued, timeout):
                return None
            job = min(self._queued, key=self._priority)
            self._queued.remove(job)
            job.started_at = clock()
            self._running = job
            self.channel[in_worker.STOP] = 0
            return job

    def finish(self, job: Job, value: Any = None, error: BaseException | None = None) -> None:
        """``job`` ran: its outcome to every waiter, its time to its waiters' recent use."""
        with self._cond:
            seconds = clock() - (job.started_at or clock())
            for session in job.waiters:
                self._use.setdefault(session, deque()).append((clock(), seconds / max(len(job.waiters), 1)))
            while len(self._use) > REMEMBERED_SESSIONS:
                del self._use[next(iter(self._use))]
            if self._running is job:
                self._running = None
            self._forget(job)
            for session in list(job.waiters):
                if self._current.get(session) is job:
                    del self._current[session]
        job.settle(value, error)

    def _forget(self, job: Job) -> None:
        if job.key is not None and self._by_key.get(job.key) is job:
            del self._by_key[job.key]


_SCHEDULER = Scheduler()
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
                initializer=in_worker.init, initargs=(os.getpid(), _SCHEDULER.channel))
            pool.submit(training.check_settings, 1, 0.05, 1, "sigmoid")
            _POOL.append(pool)
        while len(_SERVERS) < WORKERS:
            thread = threading.Thread(target=_serve, args=(_SCHEDULER,), name="training-queue", daemon=True)
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


def _pool_run(job: Job, channel):
    """``job`` in the worker process, or here if the worker is gone (the channel reports either way)."""
    pool = start()
    try:
        future = pool.submit(in_worker.call, job.id, job.fn, job.args, job.kwargs) if pool is not None else None
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
    return in_worker.call(job.id, job.fn, job.args, job.kwargs, channel)


def _serve(scheduler: Scheduler) -> None:
    """A server thread: run the queue's jobs one at a time, forever."""
    while True:
        job = scheduler.take()
        try:
            scheduler.finish(job, _pool_run(job, scheduler.channel))
        except BaseException as exc:          # noqa: BLE001 - handed to the waiters, who raise it
            scheduler.finish(job, error=exc)


def session_key() -> Hashable | None:
    """The Streamlit session this thread's script run belongs to, or None outside a session."""
    return internals.session_id()


def _yield_check() -> Callable[[], None] | None:
    """Streamlit's "stop or rerun now" check for this script run (raises StopException/RerunException)."""
    return internals.yield_check()


def run(fn: Callable, *args, key: Hashable | None = None, cost: float = 0.0,
        on_wait: Callable[[Status], None] | None = None, **kwargs):
    """``fn(*args, progress=…, **kwargs)``: at once here if its estimated ``cost`` (seconds) is light,
    else in the training worker when its turn comes, shared with every request of the same ``key``.

    ``fn`` takes a ``progress(done, total)`` keyword (core's training does). While the job waits or
    runs, ``on_wait`` is told its ``Status`` every ``POLL_S``; a stop or rerun of this script run gives
    up waiting (and the job stops if nobody else waits for it) the way any Streamlit call would.
    """
    check = _yield_check()
    if check is not None:
        check()                       # a run Streamlit has already told to stop starts nothing
    if cost <= LIGHT_S:
        def progress(done, total):
            if check is not None:
                check()
        return fn(*args, progress=progress, **kwargs)
    start()
    session = session_key()
    session = object() if session is None else session
    while True:
        job = _SCHEDULER.submit(session, key, fn, args, kwargs, cost)
        try:
            while not job.settled.wait(POLL_S):
                if check is not None:
                    check()
                if on_wait is not None:
                    on_wait(_SCHEDULER.status(job))
        finally:
            if not job.settled.is_set():
                _SCHEDULER.leave(session, job)
        if isinstance(job.error, Cancelled):
            # Dropped because this session made a newer request while this run was ending; if
            # Streamlit has not stopped this run, it still wants the result: ask again.
            if check is not None:
                check()
            continue
        return job.outcome()

"""Training runs in one worker process, so a long run never stalls the pages of the class.

A pure-Python training loop holds the GIL: in the server process a 1-second run would stall every
other student's page; in the worker it uses the second core while the server keeps drawing pages.
"spawn", not fork: the server process runs threads. A second worker halves the queue when every
visitor asks for the maximum settings but costs about 250 MB (README), so the app keeps one.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import threading

from core import training

WORKERS = 1
_POOL_LOCK = threading.Lock()
_POOL: list[concurrent.futures.ProcessPoolExecutor] = []


def start() -> concurrent.futures.ProcessPoolExecutor:
    """The training worker, started on first use and kept for the life of the server.

    Starting it submits a trivial task, so the worker imports numpy and ``core`` while the first
    student is still reading the Data page, not while their first training waits for it.
    """
    with _POOL_LOCK:
        if not _POOL:
            pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=WORKERS, mp_context=multiprocessing.get_context("spawn"))
            pool.submit(training.check_settings, 1, 0.05, 1, "sigmoid")
            _POOL.append(pool)
        return _POOL[0]


def run(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` in the training worker, or in this process if the worker is gone."""
    pool = start()
    try:
        return pool.submit(fn, *args, **kwargs).result()
    except (concurrent.futures.process.BrokenProcessPool, RuntimeError, OSError):
        # The worker died or could not start (e.g. out of memory): replace it next time, and
        # compute this result here, so the student still gets it.
        with _POOL_LOCK:
            if _POOL and _POOL[0] is pool:
                _POOL.clear()
        return fn(*args, **kwargs)

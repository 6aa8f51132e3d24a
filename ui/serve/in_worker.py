"""What runs inside the training worker process: each job, with its progress written where the server
reads it, and stopped at an epoch boundary when the server says nobody waits for it any more.

The channel is four shared integers (``multiprocessing.RawArray``), handed to the worker when it
starts: the job running, its epochs done, its epochs in all, and a job to stop. One worker runs one
job at a time, so one slot is enough. Nothing here imports Streamlit.
"""

from __future__ import annotations

import os
import threading
import time

JOB, DONE, TOTAL, STOP = range(4)
ORPHAN_CHECK_S = 2.0          # how often the worker checks that the server that started it still lives

_channel = None


class Cancelled(RuntimeError):
    """Nobody waits for this job any more: it stopped at an epoch boundary."""


def init(parent: int, channel) -> None:
    """The worker's initializer: keep the channel, and end when the server that started it is gone.

    A server killed outright (``kill -9``, the out-of-memory killer) cannot tell its worker to stop,
    and the worker, waiting on a pipe it holds both ends of, would wait forever with its memory.
    """
    global _channel
    _channel = channel

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(ORPHAN_CHECK_S)
        os._exit(0)
    threading.Thread(target=watch, name="exit-with-server", daemon=True).start()


def call(job: int, fn, args: tuple, kwargs: dict, channel=None):
    """``fn(*args, progress=…, **kwargs)`` for job number ``job``, reporting into the channel.

    ``channel`` is the worker's own unless given (the server runs a job itself when its worker is gone).
    """
    ch = channel if channel is not None else _channel
    if ch is None:
        return fn(*args, **kwargs)
    ch[DONE], ch[TOTAL], ch[JOB] = 0, 0, job

    def progress(done: int, total: int) -> None:
        ch[DONE], ch[TOTAL] = done, total
        if ch[STOP] == job:
            raise Cancelled(f"job {job}: nobody waits for it any more")

    try:
        return fn(*args, progress=progress, **kwargs)
    finally:
        ch[JOB] = 0

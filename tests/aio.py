"""asyncio in tests that also run after browser tests.

Playwright's sync API, once a browser test of the session has started it, keeps an event loop
running in the main thread, so ``asyncio.run`` there fails. These run coroutines on a thread of
their own instead.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading


def run_async(coro):
    """``asyncio.run(coro)`` in a thread of its own."""
    return in_thread(asyncio.run, coro)


def in_thread(function, *args, **kwargs):
    """``function(*args, **kwargs)`` on a thread of its own: for code that calls ``asyncio.run`` itself."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(function, *args, **kwargs).result()


class LoopThread:
    """One event loop on a thread of its own, for a connection kept across several tests."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="test-loop", daemon=True)
        self._thread.start()

    def run(self, coro, timeout: float = 120):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()

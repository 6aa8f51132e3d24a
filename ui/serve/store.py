"""Every expensive result the server keeps, shared or one session's own, in one place bounded in bytes.

A class can ask for any number of distinct runs (one script opening links with seed=1, 2, 3 …), and
a 20,000-epoch run at the largest settings is about 20 MB: bounded in entries, a cache can grow past
the host's memory. Here every result counts its bytes, and the least recently used go first once
the total passes the budget. Results on a session's own upload are stored under that session's
name, so they are never shared, and count against the same budget. Pure: no Streamlit.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
from collections import OrderedDict
from collections.abc import Hashable

import numpy as np


def nbytes(value, _seen=None) -> int:
    """A generous estimate of the memory ``value`` holds: numpy buffers, text, containers, fields."""
    seen = _seen if _seen is not None else set()
    if id(value) in seen:
        return 0
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        base = value.base if isinstance(value.base, np.ndarray) else None
        return value.nbytes + 112 if base is None else nbytes(base, seen)
    if isinstance(value, (str, bytes, bytearray)):
        return sys.getsizeof(value)
    if isinstance(value, dict):
        return 64 + sum(nbytes(k, seen) + nbytes(v, seen) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return 56 + sum(nbytes(v, seen) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return 64 + sum(nbytes(getattr(value, f.name), seen) for f in dataclasses.fields(value))
    if hasattr(value, "__dict__") and not isinstance(value, type):
        return 64 + nbytes(vars(value), seen)
    return sys.getsizeof(value)


class Store:
    """Results by key, at most ``budget`` bytes of them, the least recently used dropped first.

    A single result larger than the budget is still returned to its caller, just not kept.
    """

    def __init__(self, budget: int):
        self.budget = int(budget)
        self._lock = threading.Lock()
        self._items: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._bytes = 0

    def get(self, key: Hashable, default=None):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return default
            self._items.move_to_end(key)
            return item[0]

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._items

    def put(self, key: Hashable, value, size: int | None = None) -> None:
        size = nbytes(value) if size is None else int(size)
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            if size > self.budget:
                return
            self._items[key] = (value, size)
            self._bytes += size
            while self._bytes > self.budget:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    @property
    def bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)

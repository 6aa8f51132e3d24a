"""Uploads kept across a reload: a small, bounded store of file bytes, each readable by one browser only.

A session's upload lives in its ``st.session_state``, which a reload (or reopening the link)
throws away. So the bytes are also kept here, under a random token (128 bits,
``secrets.token_urlsafe``) that the app puts in the address (``?upload=<token>``), and bound to
the browser that uploaded them: a hash of the token in Streamlit's XSRF cookie, a per-browser
secret that Streamlit already sets and checks on every upload. The token alone opens nothing:
a shared or leaked link shows the recipient the bundled data and a sentence, never the file.

Bounded: at most ``max_bytes`` in all (least recently used entries go first), at most
``per_browser`` entries per browser, each kept ``ttl`` seconds (an hour) after its last use: a
page using it, a reload bringing it back. A student can also have it forgotten at once
(``forget``): on a shared computer whose browser stays open, the next student could otherwise
reopen the file from the browser's history. The store then remembers only that the token was
forgotten, so that the link can say so to that browser. Never written to disk, so a restarted
server has none. Pure Python (no Streamlit), so it is tested directly.
"""

from __future__ import annotations

import binascii
import hashlib
import re
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable

MAX_BYTES = 50 * 2**20          # all uploads together; the upload limit is 5 MB each
TTL_SECONDS = 3600              # an upload is kept one hour after its last use
PER_BROWSER = 3                 # a few tabs of one browser; the oldest goes first
FORGOTTEN_KEPT = 1000           # forgotten tokens remembered (token and browser hash only), the oldest go first
TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")     # secrets.token_urlsafe(16): 16 random bytes


@dataclass
class Entry:
    """One kept upload: the file as sent and the column choice last used with it."""

    browser: str
    name: str
    content: bytes
    used: float                  # when a page last used it (clock seconds)
    choice: dict = field(default_factory=dict)


class UploadStore:
    """Token → Entry, bounded by total bytes, entries per browser and age; safe across threads."""

    def __init__(self, max_bytes: int = MAX_BYTES, ttl: float = TTL_SECONDS, per_browser: int = PER_BROWSER,
                 clock: Callable[[], float] = time.monotonic):
        self.max_bytes, self.ttl, self.per_browser, self.clock = max_bytes, ttl, per_browser, clock
        self._entries: OrderedDict[str, Entry] = OrderedDict()     # least recently used first
        self._forgotten: OrderedDict[str, str] = OrderedDict()     # token → browser, oldest first
        self._lock = threading.Lock()

    def put(self, browser: str, name: str, content: bytes, choice: dict | None = None) -> str | None:
        """Keep ``content`` for ``browser``; its new token, or None when it cannot be kept."""
        if not browser or len(content) > self.max_bytes:
            return None
        token = new_token()
        with self._lock:
            self._expire()
            self._entries[token] = Entry(browser, name, bytes(content), self.clock(), dict(choice or {}))
            mine = [t for t, e in self._entries.items() if e.browser == browser]
            for old in mine[:-self.per_browser]:
                del self._entries[old]
            while self.total_bytes() > self.max_bytes:
                self._entries.popitem(last=False)
        return token

    def get(self, token: str, browser: str | None) -> Entry | None:
        """The entry under ``token`` if ``browser`` made it and it has not expired; else None.
        Getting it is a use: it is kept another ``ttl`` seconds."""
        if not browser or not isinstance(token, str) or not TOKEN.fullmatch(token):
            return None
        with self._lock:
            self._expire()
            entry = self._entries.get(token)
            if entry is None or not secrets.compare_digest(entry.browser, browser):
                return None
            entry.used = self.clock()
            self._entries.move_to_end(token)
            return entry

    def touch(self, token: str, browser: str | None) -> bool:
        """A page used the upload (renews it); whether it is still kept."""
        return self.get(token, browser) is not None

    def forget(self, token: str, browser: str | None) -> bool:
        """Delete the upload now, at its browser's request, and remember that it was forgotten;
        whether there was one to forget."""
        with self._lock:
            entry = self._entries.get(token) if isinstance(token, str) else None
            if entry is None or not browser or not secrets.compare_digest(entry.browser, browser):
                return False
            del self._entries[token]
            self._forgotten[token] = browser
            while len(self._forgotten) > FORGOTTEN_KEPT:
                self._forgotten.popitem(last=False)
            return True

    def was_forgotten(self, token: str, browser: str | None) -> bool:
        """Whether ``browser`` had the upload under ``token`` forgotten (no one else learns it)."""
        with self._lock:
            owner = self._forgotten.get(token) if isinstance(token, str) else None
        return owner is not None and bool(browser) and secrets.compare_digest(owner, browser)

    def remember_choice(self, token: str, browser: str | None, choice: dict) -> None:
        """Record the column choice in use with this upload, so a reload brings it back too."""
        entry = self.get(token, browser)
        if entry is not None:
            entry.choice = dict(choice)

    def drop(self, token: str, browser: str | None) -> None:
        """Forget the entry (a newer upload in the same session replaces it)."""
        with self._lock:
            entry = self._entries.get(token)
            if entry is not None and browser and secrets.compare_digest(entry.browser, browser):
                del self._entries[token]

    def total_bytes(self) -> int:
        return sum(len(e.content) for e in self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def _expire(self) -> None:
        now = self.clock()
        for token in [t for t, e in self._entries.items() if now - e.used > self.ttl]:
            del self._entries[token]


def new_token() -> str:
    """128 random bits, URL-safe (22 characters)."""
    return secrets.token_urlsafe(16)


def browser_id(xsrf_cookie: str | None) -> str | None:
    """A stable id of the browser from Streamlit's XSRF cookie ("2|mask|masked token|time"), or None.

    The cookie's mask changes whenever the server sets it again; the token under the mask does not.
    Hashed, so the store never holds the secret itself.
    """
    try:
        version, mask, masked, _ = str(xsrf_cookie).strip("\"'").split("|")
        mask_b, masked_b = binascii.a2b_hex(mask), binascii.a2b_hex(masked)
    except (ValueError, binascii.Error):
        return None
    if version != "2" or len(mask_b) != 4 or len(masked_b) < 16:
        return None
    token = bytes(b ^ mask_b[i % 4] for i, b in enumerate(masked_b))
    return hashlib.sha256(b"backprop-explainer upload owner|" + token).hexdigest()


STORE = UploadStore()          # the one store of this server process

"""A cap on the upload bytes Streamlit holds for each session, and freeing them once a session is gone.

Streamlit keeps every uploaded file's bytes in memory (``MemoryUploadedFileManager.file_storage``,
session id → file id → bytes) until the session shuts down. Nothing bounds how many files one
session may store: the upload endpoint (``PUT /_stcore/upload_file/<session>/<file>``) checks only
each file against ``server.maxUploadSize``. Measured: 40 direct 4.9 MB uploads in one session took
the server from 312 to 611 MB in 1.3 s. And a closed tab's session is kept for a reconnect
(``server.disconnectedSessionTTL``, 120 s) and then dropped without a shutdown, so its files were
never freed (still 687 MB minutes later).

``apply()`` wraps the manager's ``add_file``: an upload that would take the session past
``SESSION_CAP_BYTES`` is refused with HTTP 413 and a sentence, and ``refused_for(session_id)`` gives
that sentence to the page. A sweep on Streamlit's event loop frees the files of sessions that have
been disconnected for longer than the reconnect window. (glibc gives the freed blocks back by
itself: with ``malloc_trim`` after each sweep the server ended 3 MB lower, so it was left out.)
A file a student asks to forget is freed on the next run of that session (``free``).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import OrderedDict

import streamlit as st
from starlette.exceptions import HTTPException

from ui.serve import internals
from ui.serve.internals import MemoryUploadedFileManager
from ui.state import upload

MB = 1024 * 1024
SESSION_CAP_BYTES = 12 * MB          # two files of the 5 MB maximum, not three
SWEEP_EVERY_S = 10.0
REMEMBERED = 1024                    # sessions whose refusal is remembered (bounded)

_LOCK = threading.Lock()
_refused: OrderedDict[str, str] = OrderedDict()      # session id -> the sentence


def refusal(held: int, size: int, cap: int = SESSION_CAP_BYTES) -> str:
    """The sentence for an upload refused because the session already holds ``held`` bytes."""
    return (f"That file ({size / MB:.1f} MB) was not accepted: this page already holds {held / MB:.1f} MB "
            f"of uploads and the limit is {cap / MB:.0f} MB per visitor. Remove a file from the uploader "
            "(its ✕) and try again.")


def refused_for(session_id: str | None = None) -> str | None:
    """The sentence to show if this session's last upload was refused (None if not).

    ``session_id`` defaults to the session of the current script run. It stays until an upload of
    the session fits again or the session ends.
    """
    if session_id is None:
        session_id = internals.session_id()
        if session_id is None:
            return None
    with _LOCK:
        return _refused.get(session_id)


def _remember(session_id: str, sentence: str | None) -> None:
    with _LOCK:
        if sentence is None:
            _refused.pop(session_id, None)
            return
        _refused[session_id] = sentence
        _refused.move_to_end(session_id)
        while len(_refused) > REMEMBERED:
            _refused.popitem(last=False)


class UploadCap:
    """Wraps one ``MemoryUploadedFileManager``: the per-session cap and the sweep of ended sessions."""

    def __init__(self, manager: MemoryUploadedFileManager, is_active, cap: int = SESSION_CAP_BYTES,
                 grace_s: float | None = None, clock=time.monotonic):
        self.manager, self.is_active, self.cap, self.clock = manager, is_active, cap, clock
        self.grace_s = float(st.get_option("server.disconnectedSessionTTL")) if grace_s is None else grace_s
        self._add_file = manager.add_file
        self._lock = threading.Lock()
        self._inactive_since: dict[str, float] = {}
        self._sweeping = False

    def held(self, session_id: str, but: str | None = None) -> int:
        """Bytes stored for ``session_id`` (leaving out the file ``but``, which a new upload replaces)."""
        files = self.manager.get_files(session_id, list(self.manager.file_storage.get(session_id, {})))
        return sum(len(f.data) for f in files if f.file_id != but)

    def add_file(self, session_id: str, file) -> None:
        """``add_file`` with the cap: HTTP 413 and a remembered sentence when the session would exceed it."""
        self._start_sweeping()
        with self._lock:
            held = self.held(session_id, but=file.file_id)
            if held + len(file.data) > self.cap:
                sentence = refusal(held, len(file.data), self.cap)
                _remember(session_id, sentence)
                raise HTTPException(status_code=413, detail=sentence)
            self._add_file(session_id=session_id, file=file)
        _remember(session_id, None)

    def sweep(self) -> int:
        """Free the files of sessions disconnected for longer than the reconnect window; bytes freed."""
        now, freed = self.clock(), 0
        for session_id in list(self.manager.file_storage):
            if self.is_active(session_id):
                self._inactive_since.pop(session_id, None)
                continue
            since = self._inactive_since.setdefault(session_id, now)
            if now - since >= self.grace_s:
                freed += self.held(session_id)
                self.manager.remove_session_files(session_id)
                self._inactive_since.pop(session_id, None)
                _remember(session_id, None)
        for session_id in [s for s in self._inactive_since if s not in self.manager.file_storage]:
            del self._inactive_since[session_id]
        return freed

    def _start_sweeping(self) -> None:
        """On the first upload, sweep every ``SWEEP_EVERY_S`` on the event loop the uploads arrive on."""
        if self._sweeping:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:                 # called outside the server (tests)
            return
        self._sweeping = True

        def tick():
            try:
                self.sweep()
            finally:
                loop.call_later(SWEEP_EVERY_S, tick)

        loop.call_later(SWEEP_EVERY_S, tick)


def free(manager: MemoryUploadedFileManager, session_id: str, file_ids) -> int:
    """Drop ``session_id``'s copies of ``file_ids`` from Streamlit's upload store (a student's *Forget
    my file*: the file leaves the server's memory now, not when the session ends); bytes freed."""
    held = {f.file_id: len(f.data) for f in manager.get_files(session_id, list(file_ids))}
    for file_id in held:
        manager.remove_file(session_id, file_id)
    return sum(held.values())


def apply() -> UploadCap | None:
    """Cap this server's uploads per session and sweep ended sessions (once per process), and free
    the files this session's student just asked to forget (``ui.state.upload.forget``).

    ``app.py`` calls it on every run, before the sidebar. Outside a server (AppTest, scripts) there
    is no shared upload manager to cap, and it does nothing.
    """
    manager, session = internals.upload_manager(), internals.session_id()
    forgotten = upload.pop_forgotten_files() if session is not None else []
    if manager is None:
        return None
    with _LOCK:
        cap = getattr(manager, "_session_cap", None)
        if cap is None:
            cap = UploadCap(manager, internals.is_active_session)
            manager.add_file = cap.add_file
            manager._session_cap = cap
    if forgotten:
        free(manager, session, forgotten)
    return cap

"""Play: the Training page's epoch, animated in the student's browser, told to the server twice.

The browser draws every frame (``ui/browser/player.js``), at the speed chosen there; while it plays
the server does no work for that student. It sends two messages per run of Play:

- ``play`` when it starts: the page then hides the epoch slider (the browser shows the epoch as a
  bar) and the downloads of the paused epoch;
- ``stop`` with the epoch reached, at the end or on Pause: the epoch goes into the slider and so
  into the link, once — at most two browser-history entries per run, as the slider bound to the
  link replaces the address rather than adding to it.

Each message carries a count, echoed back as ``seen``, so a reply the server sent before the
browser's latest message cannot move the browser back. A page left while playing is found playing
on return with nothing animating; the browser then says ``stop`` and all is as before.
"""

from __future__ import annotations

import streamlit as st

from ui.draw import player

SPEEDS = {"Slow": 40.0, "Normal": 20.0, "Fast": 8.0}   # seconds for a whole run
PLAY = "training_play"            # True while the browser plays (this page's own state, not in the link)
SEEN = "training_seen"            # the count of the latest message from the browser


def playing() -> bool:
    return bool(st.session_state.get(PLAY))


def _count(message) -> None:
    n = message.get("n") if isinstance(message, dict) else None
    if isinstance(n, int) and not isinstance(n, bool) and 0 <= n < 2**31:
        st.session_state[SEEN] = max(n, st.session_state.get(SEEN, 0))


def on_play() -> None:
    """The browser started playing."""
    message = player.sent("play")
    if message is not None:
        st.session_state[PLAY] = True
        _count(message)


def on_stop(last: int, key: str = "epoch") -> None:
    """The browser stopped at an epoch (the end, or Pause): the slider, and so the link, get it."""
    message = player.sent("stop")
    if message is None:
        return
    st.session_state[PLAY] = False
    _count(message)
    epoch = message.get("epoch") if isinstance(message, dict) else None
    if isinstance(epoch, (int, float)) and not isinstance(epoch, bool) and epoch == epoch:
        st.session_state[key] = int(min(max(round(epoch), 0), last))


def state(epoch: int, frame_epochs, exact) -> dict:
    """What the controls tell the browser: the epoch, whether the server thinks it plays, the count
    of the browser's messages handled, the speeds, and the exact numbers of ``epoch`` when it is
    not one of the shipped frames (``exact(epoch)`` makes them)."""
    import bisect

    i = bisect.bisect_left(frame_epochs, epoch)
    shipped = i < len(frame_epochs) and frame_epochs[i] == epoch
    return {"epoch": int(epoch), "playing": playing(), "seen": st.session_state.get(SEEN, 0),
            "speeds": SPEEDS, "pinned": None if shipped else exact(epoch)}

"""Play: the Training page's epoch moved forward by a timer, one fragment rerun per frame.

How it works, and why this way:

- Streamlit fixes whether a fragment reruns on a timer when the fragment is *declared*
  (``@st.fragment(run_every=...)``). The page declares it with ``run_every()``: a timer while
  playing, none while paused. Play and Pause sit inside the fragment; when a click changes whether
  the page plays, ``frame`` sees that the fragment was declared the other way and asks for a full
  run, which declares it again.
- The position comes from the clock, not from counting frames: after t seconds of playing, the
  epoch is ``start + t / duration × last``. A busy server shows fewer frames but the run still takes
  the chosen time. Epochs land on multiples of the history's stride, where weights are stored.
- While playing, the epoch is shown by a progress bar, not by the epoch slider: the slider is
  bound to the link, and moving it every frame would add a browser-history entry per frame (Back
  would no longer leave the page) and echo old frames back after the end. The link gets the epoch
  once, when playing stops (at the end or on Pause): at most two history entries per run.
- Play and Pause do nothing when repeated: on a busy server one click can reach its callback twice.
"""

from __future__ import annotations

import time

import streamlit as st

SPEEDS = {"Slow": 40.0, "Normal": 20.0, "Fast": 8.0}   # seconds for a whole run
FRAME_SECONDS = 0.25
# This page's own state (not in the link):
PLAY = "training_play"            # {"start": epoch, "t0": clock} while playing, else None
FRAME = "training_frame"          # the epoch of the latest frame drawn
SPEED = "training_speed"
clock = time.monotonic            # replaceable in tests


def epoch_at(start: int, elapsed: float, last: int, stride: int, seconds: float) -> int:
    """The epoch ``elapsed`` seconds after playing from ``start``, a whole run taking ``seconds``.

    Rounded down to a multiple of ``stride`` (a stored epoch), never before ``start``, never past
    ``last``.
    """
    stride = max(1, int(stride))
    target = start + max(elapsed, 0.0) / seconds * last
    if target >= last:
        return last
    return max(int(target // stride) * stride, start)


def playing() -> bool:
    return st.session_state.get(PLAY) is not None


def run_every() -> float | None:
    """The fragment's timer: a frame every FRAME_SECONDS while playing, none while paused."""
    return FRAME_SECONDS if playing() else None


def _stop(key: str, epoch: int) -> None:
    st.session_state[PLAY] = None
    st.session_state[key] = epoch              # the one write of the epoch into the link


def _pause(key: str) -> None:
    if playing():                              # a repeated click: already paused
        _stop(key, st.session_state.get(FRAME, st.session_state.get(key, 0)))


def _play(key: str, last: int) -> None:
    state = st.session_state
    if playing():                              # a repeated click: already playing
        return
    start = int(state.get(key, last))
    start = 0 if start >= last else start      # play from the start, not from the end
    state[FRAME] = start
    state[PLAY] = {"start": start, "t0": clock()}


def _re_anchor() -> None:
    """A new speed keeps the position: playing continues from the latest frame."""
    if playing():
        st.session_state[PLAY] = {"start": st.session_state.get(FRAME, 0), "t0": clock()}


def controls(last: int, key: str = "epoch", where=st) -> None:
    """Play/Pause and the speed, drawn into ``where``."""
    on = playing() and last >= 1
    c1, c2 = where.columns([1, 1.9], vertical_alignment="bottom")
    c1.button("Pause" if on else "Play", icon=":material/pause:" if on else ":material/play_arrow:",
              type="primary", on_click=_pause if on else _play, args=(key,) if on else (key, last),
              disabled=last < 1, width="stretch", key="play",
              help="Animate training from epoch 0 (or from the chosen epoch) to the end.")
    c2.segmented_control("Speed", list(SPEEDS), default="Normal", required=True, key=SPEED,
                         on_change=_re_anchor,
                         help="A whole run takes about " + ", ".join(f"{v:g} s ({k.lower()})"
                                                                      for k, v in SPEEDS.items()) + ".")


def frame(last: int, stride: int, declared_playing: bool, key: str = "epoch") -> int | None:
    """At the top of the fragment: the epoch of this frame while playing, None when paused.

    When the fragment was declared the other way (Play or Pause was just clicked inside it, or a
    late tick arrived after the end), a full run declares it again.
    """
    state = st.session_state
    play = state.get(PLAY)
    if (play is not None) != declared_playing:
        st.rerun()
    if play is None:
        return None
    seconds = SPEEDS.get(state.get(SPEED), SPEEDS["Normal"])
    epoch = epoch_at(min(play["start"], last), clock() - play["t0"], last, stride, seconds)
    state[FRAME] = epoch
    return epoch


def finish_frame(epoch: int | None, last: int, key: str = "epoch") -> None:
    """At the bottom of the fragment: after the last frame, stop and let a full run drop the timer."""
    if epoch is not None and epoch >= last:
        _stop(key, last)
        st.rerun()


def progress(epoch: int, last: int, where=st) -> None:
    """The epoch while playing: a bar and its number (no widget, so nothing goes into the link)."""
    where.progress(min(epoch / max(last, 1), 1.0), text=f"Epoch **{epoch:,}** of {last:,} — playing")

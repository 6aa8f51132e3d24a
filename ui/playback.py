"""Play: the epoch slider moved forward by a timer, one fragment rerun per frame.

How it works, and why this way:

- Streamlit fixes whether a fragment reruns on a timer when the fragment is *declared*
  (``@st.fragment(run_every=...)``). Play, Pause and the speed therefore live outside the fragment:
  clicking them reruns the whole page, which declares the fragment again with or without a timer.
- The position comes from the clock, not from counting frames: after t seconds of playing, the
  epoch is ``start + t / duration × last``. A busy server shows fewer frames but the run still takes
  the chosen time, and a frame that arrives late never repeats or skips ahead.
- The play position lives in this module's own session key; each frame writes it into the slider's
  state *before* the slider is created in that run (Streamlit allows a widget's state to be set only
  then). The browser's timer sends the slider value it shows, which can be a frame old when frames
  are slow; reading the slider would replay that stale value, so it is never read while playing. The
  slider is disabled while playing ("Pause" to choose an epoch by hand).
- Epochs land on multiples of the history's stride, where weights are stored: a frame never replays
  training steps.
- At the last epoch playing stops. The fragment is still declared with a timer until the next full
  run, so the next tick finds "declared as playing, but stopped" and asks for one.
- A tick the browser sent before it saw the last frame can still arrive after playing stopped (or
  after Pause), carrying a slider value a frame or two old. For a moment after stopping, the
  slider is therefore held at the epoch where playing stopped.
"""

from __future__ import annotations

import time

import streamlit as st

SPEEDS = {"Slow": 40.0, "Normal": 20.0, "Fast": 8.0}   # seconds for a whole run
FRAME_SECONDS = 0.25
SETTLE_SECONDS = 2.0              # how long stale ticks may still arrive after playing stops
PLAY = "training_play"            # {"start": epoch, "t0": clock} while playing; this page's own state
FRAME = "training_frame"          # the epoch of the latest frame
STOPPED = "training_stopped"      # (epoch, clock) where and when playing last stopped
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


def _toggle(key: str, last: int) -> None:
    state = st.session_state
    if state.get(PLAY) is not None:                    # pause where the last frame was
        state[PLAY] = None
        state[key] = min(state.get(FRAME, state.get(key, last)), last)
        state[STOPPED] = (state[key], clock())
        return
    start = int(state.get(key, last))
    if start >= last:
        start = 0                                      # play from the start, not from the end
    state[key] = state[FRAME] = start
    state[PLAY] = {"start": start, "t0": clock()}
    state[STOPPED] = None


def _re_anchor(key: str) -> None:
    """A new speed keeps the position: playing continues from the current frame."""
    state = st.session_state
    if state.get(PLAY) is not None:
        state[PLAY] = {"start": int(state.get(FRAME, 0)), "t0": clock()}


def controls(last: int, key: str = "epoch") -> float | None:
    """Play/Pause and the speed; returns the fragment's ``run_every`` (None while paused)."""
    state = st.session_state
    if last < 1:
        state[PLAY] = None
    on = playing()
    c1, c2 = st.columns([1, 2], vertical_alignment="bottom")
    c1.button("Pause" if on else "Play", icon=":material/pause:" if on else ":material/play_arrow:",
              type="primary", on_click=_toggle, args=(key, last), disabled=last < 1, width="stretch",
              help="Animate training from epoch 0 (or from the chosen epoch) to the end.")
    c2.segmented_control("Speed", list(SPEEDS), default="Normal", required=True, key=SPEED,
                         on_change=_re_anchor, args=(key,),
                         help="A whole run takes about " + ", ".join(f"{v:g} s ({k.lower()})"
                                                                      for k, v in SPEEDS.items()) + ".")
    return FRAME_SECONDS if on else None


def advance(last: int, stride: int, declared_playing: bool, key: str = "epoch") -> None:
    """At the top of the fragment, before the slider: move the epoch to where the clock says."""
    state = st.session_state
    play = state.get(PLAY)
    if play is None:
        stopped = state.get(STOPPED)
        if stopped is not None and clock() - stopped[1] < SETTLE_SECONDS:
            state[key] = min(stopped[0], last)         # not a stale slider value from a late tick
        if declared_playing:                           # stale timer: a full run declares no timer
            st.rerun()
        return
    seconds = SPEEDS.get(state.get(SPEED), SPEEDS["Normal"])
    epoch = epoch_at(min(play["start"], last), clock() - play["t0"], last, stride, seconds)
    state[key] = state[FRAME] = epoch
    if epoch >= last:
        state[PLAY] = None
        state[STOPPED] = (epoch, clock())

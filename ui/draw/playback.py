"""Play: the epoch slider moved forward by a timer, one fragment rerun per frame.

How it works, and why this way:

- Streamlit fixes whether a fragment reruns on a timer when the fragment is *declared*
  (``@st.fragment(run_every=...)``). Play, Pause and the speed therefore live outside the fragment:
  clicking them reruns the whole page, which declares the fragment again with or without a timer.
- The position comes from the clock, not from counting frames: after t seconds of playing, the
  epoch is ``start + t / duration × last``. A busy server shows fewer frames but the run still takes
  the chosen time, and a frame that arrives late never repeats or skips ahead.
- Each frame writes its epoch into the slider's state *before* the slider is created in that run
  (Streamlit allows a widget's state to be set only then); the slider, bound to the URL, shows it.
  The slider is disabled while playing: press Pause to choose an epoch by hand.
- Epochs land on multiples of the history's stride, where weights are stored: a frame never replays
  training steps.
- The button calls "play" or "pause", never "toggle": on a busy server one click can reach the
  callback twice (once in a timer's fragment run, once more in the full run that follows), and a
  toggle would then undo itself. Pausing a paused run, or playing a playing one, changes nothing.
- At the last epoch playing stops: once that frame is drawn, ``finish_frame`` asks for a full run,
  which declares the fragment without a timer. Should a tick come first, it finds "declared as
  playing, but stopped" and asks for the full run itself.
- The browser's timer sends the slider value of the last frame *it has drawn*. A busy browser can be
  seconds behind the server, so after playing stops, ticks can still arrive carrying the epochs of
  earlier frames. Playing always stops at the latest frame, so such a value — one of the frames of
  this play, other than where it stopped — is an echo, not a choice: it is replaced by the stopping
  epoch until the browser echoes that one (it has drawn the latest frame, so no earlier echo can
  follow) or the student picks an epoch no frame showed.
"""

from __future__ import annotations

import time

import streamlit as st

SPEEDS = {"Slow": 40.0, "Normal": 20.0, "Fast": 8.0}   # seconds for a whole run
FRAME_SECONDS = 0.25
SETTLE_SECONDS = 10.0             # after this, no echo of a frame is expected any more
# This page's own state (not in the link):
PLAY = "training_play"            # {"start": epoch, "t0": clock} while playing, else None
SHOWN = "training_shown"          # epochs the frames of the latest play put on the slider
STOPPED = "training_stopped"      # {"epoch", "at", "fresh"} after playing stopped, until settled
_ENDED = "training_ended"         # the frame just drawn was the last one
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


def _stop(key: str, epoch: int) -> None:
    state = st.session_state
    state[PLAY] = None
    state[key] = epoch
    state[STOPPED] = {"epoch": epoch, "at": clock(), "fresh": True}


def _pause(key: str, last: int) -> None:
    state = st.session_state
    if state.get(PLAY) is None:
        return                                         # a repeated click: already paused
    # Pause at the latest frame. (Not at the browser's slider, which may lag: frames still on their
    # way would then echo epochs after the stopping one, and could not be told apart from an echo
    # of the stopping frame itself.)
    _stop(key, min(max(state.get(SHOWN, set()), default=last), last))


def _play(key: str, last: int) -> None:
    state = st.session_state
    if state.get(PLAY) is not None:
        return                                         # a repeated click: already playing
    start = int(state.get(key, last))
    if start >= last:
        start = 0                                      # play from the start, not from the end
    state[key] = start
    state[SHOWN] = {start}
    state[STOPPED] = None
    state[PLAY] = {"start": start, "t0": clock()}


def _re_anchor(key: str) -> None:
    """A new speed keeps the position: playing continues from the latest frame."""
    state = st.session_state
    if state.get(PLAY) is not None:
        state[PLAY] = {"start": max(state.get(SHOWN, {0})), "t0": clock()}


def _settle(key: str, last: int) -> None:
    """After playing stopped: replace echoes of earlier frames by the epoch where it stopped."""
    state = st.session_state
    stopped = state.get(STOPPED)
    if stopped is None:
        return
    value, epoch = state.get(key), min(stopped["epoch"], last)
    fresh, stopped["fresh"] = stopped["fresh"], False
    caught_up = value == epoch and not fresh
    chosen = value != epoch and value not in state.get(SHOWN, ())
    if caught_up or chosen or clock() - stopped["at"] > SETTLE_SECONDS:
        state[STOPPED], state[SHOWN] = None, set()
    elif value != epoch:
        state[key] = epoch                             # an echo of an earlier frame


def controls(last: int, key: str = "epoch") -> float | None:
    """Play/Pause and the speed; returns the fragment's ``run_every`` (None while paused)."""
    state = st.session_state
    if last < 1:
        state[PLAY] = None
    on = playing()
    c1, c2 = st.columns([1, 2], vertical_alignment="bottom")
    c1.button("Pause" if on else "Play", icon=":material/pause:" if on else ":material/play_arrow:",
              type="primary", on_click=_pause if on else _play, args=(key, last), disabled=last < 1,
              width="stretch",
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
        _settle(key, last)
        if declared_playing:                           # stale timer: a full run declares no timer
            st.rerun()
        return
    seconds = SPEEDS.get(state.get(SPEED), SPEEDS["Normal"])
    epoch = epoch_at(min(play["start"], last), clock() - play["t0"], last, stride, seconds)
    state[key] = epoch
    state.setdefault(SHOWN, set()).add(epoch)
    if epoch >= last:
        _stop(key, epoch)
        state[_ENDED] = True


def finish_frame() -> None:
    """At the bottom of the fragment: after the last frame, a full run turns the timer off."""
    if st.session_state.pop(_ENDED, False):
        st.rerun()

"""The Training page's views, drawn and animated in the browser by one custom component.

``ui/browser/player.js`` is mounted in three roles (see its opening comment): ``run`` carries the
whole run (``ui.views.frames``) and is mounted outside the page's fragment, so its message does not
change from rerun to rerun and Streamlit sends the browser a reference to it instead of the data;
``controls`` (Play/Pause, speed) and ``view`` (the charts and scores, by rows of columns) are small,
and mounted through ``ui/browser/player_part.js``: a component's message carries its script, and the
controls' message changes with the epoch, so it must not carry player.js's.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

_BROWSER = Path(__file__).resolve().parents[1] / "browser"
NAME = "backprop_player"
RUN_KEY = "training-run"
CONTROLS_KEY = "training-controls"

_player = st.components.v2.component(NAME, js=(_BROWSER / "player.js").read_text(encoding="utf-8"))
_part = st.components.v2.component(
    f"{NAME}_part", js=(_BROWSER / "player_part.js").read_text(encoding="utf-8"),
    css=(_BROWSER / "player.css").read_text(encoding="utf-8"))


def carrier(run: dict) -> None:
    """The run, once: the browser keeps it and every part draws from it."""
    _player(key=RUN_KEY, data={"role": "run", "run": run}, height="content")


def controls(run_id: str, state: dict, look: dict, on_play, on_stop) -> None:
    """Play/Pause and the speed; ``state`` is what the page knows: epoch, playing, pinned, seen, speeds."""
    _part(key=CONTROLS_KEY, data={"role": "controls", "run": run_id, "look": look, **state},
          on_play_change=on_play, on_stop_change=on_stop)


def view(key: str, run_id: str, parts: list[list[str]], look: dict, captions: dict[str, str]) -> None:
    """Some of the run's views at the current epoch, ``parts`` as rows of columns."""
    _part(key=key, data={"role": "view", "run": run_id, "parts": parts, "look": look, "captions": captions})


def sent(name: str):
    """What the browser sent with event ``name`` in this run (None if it sent nothing)."""
    value = st.session_state.get(CONTROLS_KEY)
    return getattr(value, name, None) if value is not None else None

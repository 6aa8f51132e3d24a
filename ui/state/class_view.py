"""Class mode's view of the app: what a lecturer's screen leads with, and where a follower goes (pure).

A view is what the lecturer's address bar shows, minus what belongs to that browser alone:
``{"page": "backprop", "query": {"seed": "9", "step": "3"}}``. ``page`` is the page's one path
segment ("" for the Data page at the app's root); ``query`` holds only link parameters of the
settings table (``params.LINKED``) and the pages' other controls bound to the link, not ``projector`` (a student's phone is not a projector),
``upload`` (the file lives in the lecturer's browser) or ``class`` (the follower has its own).
A follower's browser (``ui/browser/classroom.js``) opens ``<page>?<query>&class=<code>``: the same
page with the same link, so every setting, step, sample, unit and epoch is the lecturer's.

The Training page's Play lives in each browser, not in the link, so the view may also hold
``play``: ``{"playing": True, "from": 0, "speed": "Normal", "since": <server time it started>}`` while
the lecturer's animation runs (each follower's browser animates itself from there, ``since``
telling it how far along the lecturer is), ``{"playing": False, "epoch": 812}`` once it stopped.
The lecturer's browser sends ``elapsed`` (seconds since it started) instead of ``since``: the
server that receives it stamps it with its own clock (``stamped``), so no two browsers' clocks
are ever compared.
"""

from __future__ import annotations

import re
from typing import Mapping

from ui.state.params import BY_NAME, LINKED, NO_LAYER, TABLE, Settings, default
from ui.views import derived

CLASS_KEY = "class"                                     # the join code in a link: ?class=K7QF2M
PRIVATE = frozenset({"projector", "upload"})            # the lecturer's own, never led
CONTROLS = frozenset({"show", "weight", "nudge", "nudge_w"})    # pages' own bound widgets outside the table
LEAD_KEYS = (frozenset(LINKED) | CONTROLS) - PRIVATE
PAGE_NAME = re.compile(r"[a-z0-9-]{0,40}")
VALUE_MAX = 100                                         # characters of one led value
SPEED_NAME = re.compile(r"[A-Za-z]{1,12}")              # a player speed's name (the browser knows its seconds)
EPOCH_MAX = 10**9
ELAPSED_MAX = 24 * 3600.0                               # seconds a lecturer's Play may have run


def followed_settings(link: Mapping[str, list[str]]) -> Settings:
    """The settings of a following student's page, read from the link alone (no sidebar widget: the
    lecturer drives them, and a page run without them costs a server a fraction of one with them).

    Each setting is the link's last value when the settings table allows it, else its default (η's
    by task); a no-hidden-layer network only when classifying. The data is the bundled set, or the
    toy set the link names when classifying (a lecturer's upload is never led).
    """
    values = {p.name: p.from_link(link.get(p.key)) for p in TABLE}
    task = values["task"] if values["task"] is not None else BY_NAME["task"].default
    if values["hidden"] == NO_LAYER and task != "classification":
        values["hidden"] = None
    values = {name: default(name, task) if v is None else v for name, v in values.items()}
    if task == "classification":
        values.update(data="toy", features=derived.columns(values["inputs"]), target=derived.LABEL)
    return Settings(**values)


def lead_view(page, query, play=None) -> dict:
    """The view to lead with, from the lecturer's page segment, query (key → value or values) and
    player state (``play_state``; absent when there is none).

    Keys the class does not share are left out, and so is a value that is not a short printable
    text; a page that is not one plain path segment is refused (ValueError), since followers open it.
    """
    if not isinstance(page, str) or not PAGE_NAME.fullmatch(page):
        raise ValueError("The lecturer's page must be one path segment of the app.")
    if not isinstance(query, Mapping):
        raise ValueError("The lecturer's query must be a mapping of keys to values.")
    kept = {}
    for key in sorted(LEAD_KEYS & {k for k in query if isinstance(k, str)}):
        value = query[key]
        if isinstance(value, (list, tuple)):
            value = value[-1] if value else None
        if isinstance(value, str) and len(value) <= VALUE_MAX and value.isprintable():
            kept[key] = value
    view = {"page": page, "query": kept}
    if (state := play_state(play)) is not None:
        view["play"] = state
    return view


def _whole(x, top) -> int | None:
    ok = isinstance(x, (int, float)) and not isinstance(x, bool) and x == x and 0 <= x <= top and x == int(x)
    return int(x) if ok else None


def play_state(play) -> dict | None:
    """The lecturer's player as the class shares it, or None for anything malformed.

    Playing: ``{"playing": True, "from": <epoch it started from>, "speed": <name>, "elapsed": <s>}``;
    stopped: ``{"playing": False, "epoch": <epoch it stopped at>}``.
    """
    if not isinstance(play, Mapping):
        return None
    if play.get("playing") is True:
        start, speed, elapsed = _whole(play.get("from"), EPOCH_MAX), play.get("speed"), play.get("elapsed")
        if start is None or not isinstance(speed, str) or not SPEED_NAME.fullmatch(speed) \
                or isinstance(elapsed, bool) or not isinstance(elapsed, (int, float)) \
                or not 0 <= elapsed <= ELAPSED_MAX:           # a NaN fails this too
            return None
        return {"playing": True, "from": start, "speed": speed, "elapsed": round(float(elapsed), 3)}
    if play.get("playing") is False and (epoch := _whole(play.get("epoch"), EPOCH_MAX)) is not None:
        return {"playing": False, "epoch": epoch}
    return None


def stamped(view: dict, now: float) -> dict:
    """``view`` with a running Play's ``elapsed`` turned into ``since`` (``now`` − elapsed): the time,
    on the server's clock, at which the lecturer's animation started."""
    play = view.get("play")
    if not play or not play.get("playing"):
        return view
    started = {k: v for k, v in play.items() if k != "elapsed"}
    started["since"] = round(now - play["elapsed"], 3)
    return {**view, "play": started}

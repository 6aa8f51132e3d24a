"""Class mode's view of the app: what a lecturer's screen leads with, and where a follower goes (pure).

A view is what the lecturer's address bar shows, minus what belongs to that browser alone:
``{"page": "backprop", "query": {"seed": "9", "step": "3"}}``. ``page`` is the page's one path
segment ("" for the Data page at the app's root); ``query`` holds only link parameters of the
settings table (``params.LINKED``) and the pages' other controls bound to the link, not ``projector`` (a student's phone is not a projector),
``upload`` (the file lives in the lecturer's browser) or ``class`` (the follower has its own).
A follower's browser (``ui/browser/classroom.js``) opens ``<page>?<query>&class=<code>``: the same
page with the same link, so every setting, step, sample, unit and epoch is the lecturer's.
"""

from __future__ import annotations

import re
from typing import Mapping

from ui.state.params import LINKED

CLASS_KEY = "class"                                     # the join code in a link: ?class=K7QF2M
PRIVATE = frozenset({"projector", "upload"})            # the lecturer's own, never led
CONTROLS = frozenset({"show", "weight", "nudge", "nudge_w"})    # pages' own bound widgets outside the table
LEAD_KEYS = (frozenset(LINKED) | CONTROLS) - PRIVATE
PAGE_NAME = re.compile(r"[a-z0-9-]{0,40}")
VALUE_MAX = 100                                         # characters of one led value


def lead_view(page, query) -> dict:
    """The view to lead with, from the lecturer's page segment and query (key → value or values).

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
    return {"page": page, "query": kept}

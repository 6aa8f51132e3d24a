"""Nothing says "hover" alone: on a phone or a touch screen there is no hover, so wherever a page
invites a student to hover over something, it says "tap" too."""

from __future__ import annotations

import re

import pytest

from tests.app.helpers import PAGES, no_exception, open_app, texts


def helps(block) -> list[str]:
    """Every widget's and metric's help text (its tooltip) in ``block`` and below it."""
    found = []
    for node in getattr(block, "children", {}).values():
        help_text = getattr(node, "help", None) or getattr(getattr(node, "proto", None), "help", None)
        if isinstance(help_text, str) and help_text:
            found.append(help_text)
        found += helps(node)
    return found


@pytest.mark.parametrize("name", list(PAGES))
@pytest.mark.parametrize("query", [{}, {"projector": "true"}], ids=["laptop", "projector"])
def test_every_invitation_to_hover_also_works_on_touch(name, query):
    at = open_app(name, query)
    no_exception(at)
    shown = texts(at).split("\n") + helps(at.main) + helps(at.sidebar)
    sentences = [s for text in shown for s in re.split(r"(?<=[.!?])\s+", text)]
    hovering = [s for s in sentences if "hover" in s.lower()]
    assert all("tap" in s.lower() for s in hovering), [s for s in hovering if "tap" not in s.lower()]
    if name in ("data", "network"):
        assert hovering, "the page's invitation to hover was not found: the test would not see it"

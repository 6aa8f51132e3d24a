"""Reading the Training page's browser player from a test: what it shows, and what it sends.

The player (ui/browser/player.js) draws inside shadow roots; Playwright's locators reach into them.
Its host elements carry ``data-epoch`` (shown), ``data-frames`` (drawn so far), ``data-playing``,
and after a run of Play ``data-last-play`` ("frames seconds", as the page measured them).
"""

from __future__ import annotations

import json

from playwright.sync_api import expect
from ui.serve.internals import BackMsg

MAIN = '[data-testid="stMain"]'
NAMES = [f"{split} {m}" for split in ("Training", "Test") for m in ("loss", "loss per row", "RMSE", "R²")]


def controls(page):
    """The host of the controls (Play/Pause, speed), carrying the player's state as attributes."""
    return page.locator(f"{MAIN} [data-playing]").first


def play_button(page):
    return page.get_by_role("button", name="Play")


def pause_button(page):
    return page.get_by_role("button", name="Pause")


def drawn(page) -> None:
    """Wait until the player has drawn the run: heading, eight numbers and its charts."""
    expect(page.locator(f"{MAIN} .bpx-head").first).to_contain_text("At epoch", timeout=60_000)
    expect(page.locator(f"{MAIN} .bpx-metric")).to_have_count(8, timeout=30_000)
    expect(page.locator(f"{MAIN} .bpx-part canvas").first).to_be_visible(timeout=30_000)


def shown(page) -> tuple[int, str, dict[str, str]]:
    """The epoch the player shows, its heading and its eight numbers by name."""
    values = {m.get_attribute("data-label"): m.locator(".bpx-value").inner_text()
              for m in page.locator(f"{MAIN} .bpx-metric").all()}
    head = page.locator(f"{MAIN} .bpx-head").first.inner_text()
    return int(controls(page).get_attribute("data-epoch")), head, values


def last_play(page) -> tuple[int, float]:
    """(frames drawn, seconds) of the last run of Play, as the page measured them."""
    frames, seconds = controls(page).get_attribute("data-last-play").split()
    return int(frames), float(seconds)


class Requests:
    """Every rerun request the page sends the server over its websocket, decoded.

    ``events()`` names each one by the component events it carries ("play", "stop") or "rerun"
    for any other (a widget, a page change).
    """

    def __init__(self, page):
        self.sent: list[BackMsg] = []
        page.on("websocket", lambda ws: ws.on("framesent", self._frame))

    def _frame(self, payload) -> None:
        if isinstance(payload, str):
            return
        msg = BackMsg()
        msg.ParseFromString(payload)
        if msg.WhichOneof("type") == "rerun_script":
            self.sent.append(msg)

    def mark(self) -> int:
        return len(self.sent)

    def events(self, since: int = 0) -> list[str]:
        out = []
        for msg in self.sent[since:]:
            names = [p["event"] for w in msg.rerun_script.widget_states.widgets
                     if w.WhichOneof("value") == "json_trigger_value"
                     for p in json.loads(w.json_trigger_value or "[]") if isinstance(p, dict)]
            out.append("+".join(names) if names else "rerun")
        return out

"""Running the app under AppTest: the entry script always runs, as in the browser."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.support.apptest import browser_sends, component_data  # noqa: F401  (the Training page's player)

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGES = {
    "data": "app_pages/data.py",
    "network": "app_pages/network.py",
    "backprop": "app_pages/backprop.py",
    "training": "app_pages/training.py",
}


def open_app(page: str = "data", query: dict | None = None, timeout: float = 60) -> AppTest:
    """The app after its first run on ``page`` (opened with ``query`` in the URL, if given)."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    if query:
        at.query_params.update(query)
    at.run()
    if page != "data":
        at.switch_page(PAGES[page]).run()
    return at


def texts(at: AppTest) -> str:
    """Everything a student can read as text on the page, joined: markdown, latex, metrics, alerts."""
    parts = [m.value for m in at.markdown] + [l.value for l in at.latex]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [e.value for e in at.warning] + [e.value for e in at.info] + [e.value for e in at.error]
    parts += [e.value for e in at.success] + [c.value for c in at.caption] + [t.value for t in at.text]
    return "\n".join(str(p) for p in parts)


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


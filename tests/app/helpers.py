"""Running the app under AppTest: the entry script always runs, as in the browser."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

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


# ----------------------------------------------------------------------------- the Training page's player


def component_data(at: AppTest, role: str) -> list[dict]:
    """The data of every mount of the browser player with ``role`` ("run", "controls", "view")."""
    import json

    found = [json.loads(e.proto.json) for e in at.get("bidi_component")]
    return [d for d in found if d.get("role") == role]


def browser_sends(at: AppTest, event: str, value) -> AppTest:
    """A run as after the browser player sent ``event`` with ``value`` (``play`` or ``stop``), as
    Streamlit's frontend sends a component's trigger: one JSON list of {event, value} on the
    component's trigger widget."""
    import json

    from ui.serve.internals import component_trigger_id

    controls = next(e for e in at.get("bidi_component") if json.loads(e.proto.json).get("role") == "controls")
    states = at._tree.get_widget_states()
    trigger = states.widgets.add()
    trigger.id = component_trigger_id(controls.proto.id)
    trigger.json_trigger_value = json.dumps([{"event": event, "value": value}])
    return at._run(states)

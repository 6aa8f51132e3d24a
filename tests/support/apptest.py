"""AppTest as a server runs a page: each page script compiled once, not on every run; and the
Training page's browser player read and driven as the browser does."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

from ui.serve import internals
from ui.serve.internals import ScriptCache, component_trigger_id

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest


def compile_once() -> None:
    """Keep each compiled page script for the life of this process, as a server's ScriptCache does
    (AppTest makes a new ScriptCache for every run). A script edited on disk is compiled again. And
    scan the installed packages for packaged components once, as a server does at its start (each
    AppTest scans them again at its first run; no package is installed while the tests run)."""
    scan_manifests_once()
    if getattr(ScriptCache.get_bytecode, "compiled_once", False):
        return
    compiled: dict[tuple[str, int], object] = {}
    original = ScriptCache.get_bytecode

    def get_bytecode(self, script_path: str):
        key = (os.path.abspath(script_path), os.stat(script_path).st_mtime_ns)
        if key not in compiled:
            compiled[key] = original(self, script_path)
        return compiled[key]

    get_bytecode.compiled_once = True
    ScriptCache.get_bytecode = get_bytecode


def scan_manifests_once() -> None:
    scanner = internals.manifest_scanner
    if getattr(scanner.scan_component_manifests, "scanned_once", False):
        return
    original = scanner.scan_component_manifests
    found: list = []

    def scan_component_manifests(max_workers: int | None = None):
        if not found:
            found.append(original(max_workers))
        return list(found[0])

    scan_component_manifests.scanned_once = True
    scanner.scan_component_manifests = scan_component_manifests


# ----------------------------------------------------------------------------- the Training page's player


def component_data(at: AppTest, role: str) -> list[dict]:
    """The data of every mount of the browser player with ``role`` ("run", "controls", "view")."""
    found = [json.loads(e.proto.json) for e in at.get("bidi_component")]
    return [d for d in found if d.get("role") == role]


def browser_sends(at: AppTest, event: str, value) -> AppTest:
    """A run as after the browser player sent ``event`` with ``value`` (``play`` or ``stop``), as
    Streamlit's frontend sends a component's trigger: one JSON list of {event, value} on the
    component's trigger widget."""
    controls = next(e for e in at.get("bidi_component") if json.loads(e.proto.json).get("role") == "controls")
    states = at._tree.get_widget_states()
    trigger = states.widgets.add()
    trigger.id = component_trigger_id(controls.proto.id)
    trigger.json_trigger_value = json.dumps([{"event": event, "value": value}])
    return at._run(states)

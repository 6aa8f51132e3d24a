"""AppTest as a server runs a page: each page script compiled once, not on every run."""

from __future__ import annotations

import os

from ui.serve.internals import ScriptCache


def compile_once() -> None:
    """Keep each compiled page script for the life of this process, as a server's ScriptCache does
    (AppTest makes a new ScriptCache for every run). A script edited on disk is compiled again."""
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

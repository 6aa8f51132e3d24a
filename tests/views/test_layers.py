"""The presentation code's layers and the one direction of their imports.

    app.py → app_pages/ → ui/draw → ui/serve → ui/state → ui/views → core

A module may import its own layer and the layers below it, never one above. ``ui/views`` and the
settings table ``ui/state/params.py`` import no Streamlit, so they are tested as plain functions.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ORDER = ["core", "ui.views", "ui.state", "ui.serve", "ui.draw", "app_pages", "app"]
IMPORT = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import\s+([\w, ()]+)|import\s+([\w.]+))", re.MULTILINE)
PURE = sorted((ROOT / "ui" / "views").glob("*.py")) + [ROOT / "ui" / "state" / "params.py"]


def layer_of(module: str) -> int | None:
    """Index in ORDER of the layer ``module`` (dotted) belongs to, or None for outside code."""
    for i, name in reversed(list(enumerate(ORDER))):
        if module == name or module.startswith(name + "."):
            return i
    return None


def imported(path: Path) -> set[str]:
    """Dotted names of the project modules ``path`` imports (``from ui.views import a`` → ui.views.a)."""
    found = set()
    for frm, names, plain in IMPORT.findall(path.read_text()):
        if plain:
            found.add(plain)
        else:
            found.add(frm)
            found.update(f"{frm}.{n.strip()}" for n in names.strip("()").split(",") if n.strip())
    return {m for m in found if layer_of(m) is not None}


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


MODULES = sorted(p for d in ("core", "ui", "app_pages") for p in (ROOT / d).rglob("*.py")
                 if p != ROOT / "ui" / "__init__.py") + [ROOT / "app.py"]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_run_down_the_layers_only(path):
    me = layer_of(module_name(path))
    assert me is not None
    up = sorted(m for m in imported(path) if layer_of(m) > me)
    assert not up, f"{path.relative_to(ROOT)} imports the higher layer(s) {up}"


@pytest.mark.parametrize("path", sorted((ROOT / "app_pages").glob("*.py")), ids=lambda p: p.name)
def test_no_page_imports_another_page(path):
    assert not [m for m in imported(path) if m.startswith("app_pages")]


@pytest.mark.parametrize("path", PURE, ids=lambda p: str(p.relative_to(ROOT)))
def test_views_and_the_settings_table_do_not_import_streamlit(path):
    assert not re.search(r"^\s*(import|from)\s+streamlit", path.read_text(), re.MULTILINE)


@pytest.mark.slow          # a fresh Python importing Streamlit (seconds); in make test
def test_importing_every_view_loads_no_streamlit():
    names = [module_name(p) for p in PURE if p.name != "__init__.py"]
    code = ("import importlib, json, sys; [importlib.import_module(n) for n in %r]; "
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'streamlit')))" % names)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         timeout=120)
    assert json.loads(out.stdout) == []


def test_the_layer_check_would_catch_a_view_importing_the_drawing_layer(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("from ui.draw import chart\nimport numpy\nfrom ui.views.numbers import num\n")
    assert imported(sample) == {"ui.draw", "ui.draw.chart", "ui.views.numbers", "ui.views.numbers.num"}
    assert layer_of("ui.draw.chart") > layer_of("ui.views.steps")


def test_no_module_of_the_app_is_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in MODULES if (n := len(p.read_text().splitlines())) > 400}
    assert not long


def test_the_python_name_lr_appears_nowhere_in_the_app():
    # The URL key stays "lr" (a string in the settings table); in Python the learning rate is eta.
    hits = [f"{p.relative_to(ROOT)}:{i}" for p in MODULES for i, line in enumerate(p.read_text().splitlines(), 1)
            if re.search(r"(?<![\"'`\w])lr(?![\"'`\w])", line.split("#")[0])]
    assert not hits


def imports_streamlit(path: Path) -> bool:
    return any((frm or plain).split(".")[0] == "streamlit" for frm, _, plain in IMPORT.findall(path.read_text()))


def test_at_most_half_of_the_presentation_code_is_in_modules_that_import_streamlit():
    lines = {p: len(p.read_text().splitlines()) for p in (ROOT / "ui").rglob("*.py")}
    with_streamlit = sum(n for p, n in lines.items() if imports_streamlit(p))
    assert imports_streamlit(ROOT / "ui" / "draw" / "page.py") and not imports_streamlit(ROOT / "ui" / "views" / "steps.py")
    assert with_streamlit <= 0.5 * sum(lines.values()), f"{with_streamlit} of {sum(lines.values())} lines"

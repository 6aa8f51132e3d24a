"""core/ is the model: it never imports Streamlit, a plotting library, or the app's own layers."""

import json
import re
import subprocess
import sys

import pytest

from tests.core.conftest import REPO

CORE = REPO / "core"
FORBIDDEN = ("streamlit", "altair", "matplotlib", "plotly", "bokeh", "seaborn", "vega", "graphviz")
APP_LAYERS = ("app", "app_pages", "ui", "pages")
IMPORT = re.compile(r"^\s*(?:import|from)\s+([A-Za-z_][\w.]*)", re.MULTILINE)


@pytest.mark.slow          # a fresh interpreter imports core: make test
def test_importing_core_pulls_in_no_ui_or_plotting_module():
    code = ("import json, sys; import core; from core import activations, data, evaluate, gradcheck, "
            "graph, network, training; print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         check=True, timeout=120)
    loaded = json.loads(out.stdout)
    assert "core.training" in loaded                      # the probe really imported core
    bad = [m for m in loaded if m.split(".")[0] in FORBIDDEN]
    assert bad == [], f"importing core loaded {bad}"


@pytest.mark.parametrize("path", sorted(CORE.glob("*.py")), ids=lambda p: p.name)
def test_core_source_has_no_ui_plotting_or_app_imports(path):
    modules = {m.split(".")[0] for m in IMPORT.findall(path.read_text())}
    assert modules, f"{path.name}: the import scan found nothing; is the regex still right?"
    assert not modules & set(FORBIDDEN), f"{path.name} imports {modules & set(FORBIDDEN)}"
    assert not modules & set(APP_LAYERS), f"{path.name} imports the app layer {modules & set(APP_LAYERS)}"


def test_the_import_scan_would_catch_a_streamlit_import():
    sample = "import numpy as np\nfrom  streamlit.runtime import x\n    import altair as alt\n"
    assert {m.split(".")[0] for m in IMPORT.findall(sample)} >= {"streamlit", "altair"}


def test_core_does_not_print():
    # Training returns data and never prints: a stray print would spam the server log.
    for path in CORE.glob("*.py"):
        assert not re.search(r"^\s*print\(", path.read_text(), re.MULTILINE), path.name


def test_the_reference_implementation_the_tests_compare_with_imports_nothing_of_the_app():
    # tests/reference.py is the independent implementation: it must not share a line of code with core.
    modules = {m.split(".")[0] for m in IMPORT.findall((REPO / "tests" / "reference.py").read_text())}
    assert modules == {"numpy"}, modules

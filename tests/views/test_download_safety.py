"""Every CSV the app offers for download goes through ``ui.views.exports`` (formula injection escaped)."""

import ast
import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from core import data, training
from ui.views import exports

ROOT = Path(__file__).resolve().parents[2]
DRAWING = sorted((ROOT / "app_pages").glob("*.py")) + sorted((ROOT / "ui" / "draw").glob("*.py"))


def downloads():
    """(file, the source of the data argument, is it a CSV) for every st.download_button call."""
    for path in DRAWING:
        source = path.read_text()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "download_button":
                kw = {k.arg: k.value for k in node.keywords}
                mime = kw.get("mime")
                name = ast.get_source_segment(source, kw.get("file_name")) if "file_name" in kw else ""
                is_csv = (isinstance(mime, ast.Constant) and mime.value == "text/csv") or ".csv" in name
                payload = node.args[1] if len(node.args) > 1 else kw.get("data")
                yield path.name, ast.get_source_segment(source, payload), is_csv


def writes_with_exports(src: str) -> bool:
    """The data argument calls ``exports.…``, or a file function of ``ui.draw.training`` that does."""
    if "exports." in src:
        return True
    from ui.draw import training as training_view
    name = src.split("(")[-1].split(",")[0].split(".")[-1].strip()
    function = getattr(training_view, name, None)
    return function is not None and "exports." in ast.get_source_segment(
        (ROOT / "ui" / "draw" / "training.py").read_text(), next(
            n for n in ast.walk(ast.parse((ROOT / "ui" / "draw" / "training.py").read_text()))
            if isinstance(n, ast.FunctionDef) and n.name == name))


def test_every_csv_download_is_written_by_exports():
    found = [(f, src) for f, src, is_csv in downloads() if is_csv]
    assert len(found) >= 2                                 # predictions and loss history, at least
    assert all(writes_with_exports(src) for _, src in found), found


def test_an_uploads_formula_like_names_come_back_as_text_in_the_predictions_file():
    rng = np.random.default_rng(4)
    table = pd.DataFrame({"=HYPERLINK(\"http://x\")": rng.uniform(1, 9, 12), "@cmd": rng.uniform(1, 9, 12),
                          "-pay": rng.uniform(1, 9, 12)})
    p = data.prepare(table, ("=HYPERLINK(\"http://x\")", "@cmd"), "-pay")
    h = training.train(p, n_hidden=2, epochs=3)
    header = next(csv.reader(io.StringIO(exports.predictions_csv(p, h.at(3)))))
    assert header == ["split", "row", "'=HYPERLINK(\"http://x\")", "'@cmd", "'-pay", "predicted -pay", "residual"]

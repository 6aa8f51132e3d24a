"""Exported CSVs open in a spreadsheet as data, never as formulas (OWASP CSV injection)."""

import ast
import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ui.views import exports

HYPERLINK = '=HYPERLINK("http://x")'


def _read_back(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", HYPERLINK, "-0.5", "=", "-"])
def test_text_a_spreadsheet_would_run_gets_a_leading_quote(text):
    assert exports.escape_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Income", "a=b", " =1", "'=1", "", "x-1", "1e5", "set", "Seniority\\"])
def test_other_text_is_left_alone(value):
    assert exports.escape_cell(value) == value


@pytest.mark.parametrize("value", [-0.5, -3, np.float64(-1e-9), np.int64(-7), 0.0, True, None])
def test_numbers_are_not_text_and_are_left_alone(value):
    assert exports.escape_cell(value) is value


def test_headers_and_text_cells_are_escaped_but_the_apps_negative_numbers_are_not():
    frame = pd.DataFrame({HYPERLINK: [-0.5, 1.25], "+cmd": ["-2", "@me"], "plain": [-1, 2], "-x": [np.nan, -3.0]})
    rows = _read_back(exports.to_csv(frame))
    assert rows[0] == ["'" + HYPERLINK, "'+cmd", "plain", "'-x"]
    assert rows[1] == ["-0.5", "'-2", "-1", ""]
    assert rows[2] == ["1.25", "'@me", "2", "-3.0"]


def test_a_round_trip_through_the_csv_module_keeps_every_number_exactly():
    rng = np.random.default_rng(11)
    frame = pd.DataFrame({"=x": rng.normal(size=20) * 1e-3, "y": rng.normal(size=20) * 1e9,
                          "label": [f"-r{i}" if i % 2 else f"r{i}" for i in range(20)]})
    rows = _read_back(exports.to_csv(frame))
    assert rows[0] == ["'=x", "y", "label"]
    back = np.array([[float(r[0]), float(r[1])] for r in rows[1:]])
    np.testing.assert_array_equal(back, frame[["=x", "y"]].to_numpy())
    assert [r[2] for r in rows[1:]] == [("'" + s if s.startswith("-") else s) for s in frame["label"]]


def test_quotes_commas_and_line_breaks_in_names_survive_the_round_trip():
    names = ['say "hi"', "a,b", "two\nlines", "=cmd|' /C calc'!A0"]
    frame = pd.DataFrame({n: [1.0] for n in names})
    rows = _read_back(exports.to_csv(frame))
    assert rows[0] == names[:3] + ["'" + names[3]]
    assert rows[1] == ["1.0"] * 4


def test_the_index_is_written_and_escaped_when_asked():
    frame = pd.DataFrame({"v": [1.5, -2.0]}, index=pd.Index(["-a", "b"], name="@row"))
    rows = _read_back(exports.to_csv(frame, index=True))
    assert rows == [["'@row", "v"], ["'-a", "1.5"], ["b", "-2.0"]]
    assert _read_back(exports.to_csv(frame))[0] == ["v"]


def test_an_empty_frame_gives_just_the_header():
    assert exports.to_csv(pd.DataFrame(columns=["=a", "b"])) == "'=a,b\n"


def test_exports_is_pure_and_never_imports_streamlit():
    tree = ast.parse(Path(exports.__file__).read_text())
    modules = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
               for alias in node.names}
    modules |= {node.module.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module}
    assert modules and "streamlit" not in modules and "altair" not in modules

"""Column names in charts: a name Vega-Lite would turn into a broken expression is drawn safely, and
a column named like one of the app's own tooltip lines does not hide it."""

import json

import numpy as np
import pandas as pd
import pytest

from core import data, training
from ui.views import data_charts
from ui.views.safe import chart_text

NAMES = ["Seniority\\", "a\\u00", 'say "hi"', "a.b[0]", "tab\there"]


def titles_in(spec) -> list[str]:
    """Every "title" string anywhere in a spec (datasets left out)."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "title" and isinstance(v, str):
                    found.append(v)
                elif k != "datasets":
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(spec)
    return found


@pytest.mark.parametrize("name", NAMES)
def test_chart_text_has_no_backslash_and_no_control_character(name):
    shown = chart_text(name)
    assert "\\" not in shown and all(ch.isprintable() for ch in shown)
    assert shown.replace("\u29f5", "\\") == name.replace("\t", " ")


@pytest.fixture(scope="module")
def run():
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"Education": rng.uniform(10, 20, 20), "Seniority\\": rng.uniform(1, 200, 20)})
    table["Income\\"] = table.Education * 3 + table["Seniority\\"] / 10
    p = data.prepare(table, ("Education", "Seniority\\"), "Income\\")
    return table, p, training.train(p, n_hidden=3, learning_rate=0.05, epochs=50, seed=1)


def test_no_chart_of_an_upload_carries_a_backslash_into_a_title(run):
    table, p, h = run
    frame = data_charts.rows_frame(table, p.features, p.target, p.train_rows)
    titles = {"x1": "Education", "x2": "Seniority\\", "y": "Income\\"}
    specs = [data_charts.feature_scatter(frame, titles).to_dict(validate=False),
             data_charts.target_vs_feature(frame, 2, titles).to_dict(validate=False)]
    for spec in specs:
        shown = titles_in(spec)
        assert shown and not [t for t in shown if "\\" in t]
        assert any("\u29f5" in t for t in shown)         # the name is still there, with a look-alike


@pytest.mark.parametrize("clash", ["set", "row"])
def test_a_column_called_set_or_row_keeps_its_own_tooltip_line(clash):
    table = pd.DataFrame({"Education": [1.0, 2, 3, 4, 5, 6], clash: [3.0, 1, 4, 1, 5, 9], "Income": [2.0, 7, 1, 8, 2, 8]})
    p = data.prepare(table, ("Education", clash), "Income")
    frame = data_charts.rows_frame(table, p.features, p.target, p.train_rows)
    spec = data_charts.feature_scatter(frame, {"x1": "Education", "x2": clash, "y": "Income"}).to_dict(validate=False)
    tips = [t["title"] for t in spec["encoding"]["tooltip"]]
    assert len(tips) == len(set(tips)) == 5 and clash in tips
    json.dumps(spec)

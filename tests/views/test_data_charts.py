"""The Data page's chart and table builders, without a browser: the spec data and encodings."""

import numpy as np
import pandas as pd
import pytest

from core import data
from ui.views import data_charts, style

LABELS = {"Education": "Education (years)", "Seniority": "Seniority (months)", "Income": "Income ($1000s)"}
TITLES = {"x1": LABELS["Education"], "x2": LABELS["Seniority"], "y": LABELS["Income"]}


@pytest.fixture(scope="module")
def income():
    table = data.load_income()
    return table, data.prepare(table)


@pytest.fixture(scope="module")
def frame(income):
    table, p = income
    return data_charts.rows_frame(table, p.features, p.target, p.train_rows)


def layer_data(spec: dict, chart: dict | None = None) -> pd.DataFrame:
    chart = chart or spec
    return pd.DataFrame(spec["datasets"][chart["data"]["name"]])


def test_rows_frame_marks_the_fifteen_training_and_fifteen_test_rows(frame, income):
    table, p = income
    assert list(frame.columns) == ["row", "set", "x1", "x2", "y"]
    assert frame.set.value_counts().to_dict() == {"training": 15, "test": 15}
    assert set(frame.row[frame.set == "training"].astype(int)) == set(p.train_rows.tolist())
    row23 = frame[frame.row == "23"].iloc[0]
    assert row23.set == "training"
    assert (row23.x1, row23.x2, row23.y) == tuple(table.loc[23, ["Education", "Seniority", "Income"]])


def test_labelled_table_has_units_in_headers_and_the_set_of_each_row(income):
    table, p = income
    shown = data_charts.labelled_table(table, list(LABELS), LABELS, p.train_rows)
    assert list(shown.columns) == ["set", "Education (years)", "Seniority (months)", "Income ($1000s)"]
    assert shown.loc[1, "set"] == "test" and shown.loc[23, "set"] == "training"
    assert len(shown) == 30


def test_summary_gives_mean_spread_and_range_of_each_column(income):
    table, _ = income
    stats = data_charts.summary(table, list(LABELS), LABELS)
    assert list(stats.index) == ["mean", "standard deviation", "minimum", "median", "maximum"]
    assert stats.loc["maximum", "Education (years)"] == pytest.approx(21.5862069)
    assert stats.loc["mean", "Income ($1000s)"] == pytest.approx(table.Income.mean())
    assert stats.loc["standard deviation", "Seniority (months)"] == pytest.approx(table.Seniority.std())


def test_feature_scatter_colours_by_target_and_marks_the_split_by_shape(frame):
    spec = data_charts.feature_scatter(frame, TITLES, style.NORMAL).to_dict()   # validates the spec
    enc = spec["encoding"]
    assert (enc["x"]["field"], enc["y"]["field"]) == ("x1", "x2")
    assert (enc["x"]["title"], enc["y"]["title"]) == ("Education (years)", "Seniority (months)")
    assert enc["color"]["field"] == "y" and enc["color"]["scale"]["scheme"] == "viridis"
    assert enc["color"]["title"] == "Income ($1000s)" and enc["color"]["legend"] is not None
    assert enc["shape"]["field"] == "set"
    assert enc["shape"]["scale"] == {"domain": ["training", "test"], "range": ["circle", "triangle-up"]}
    tips = {t["field"]: t["title"] for t in enc["tooltip"]}
    assert tips == {"row": "row", "set": "set", **TITLES}
    rows = layer_data(spec)
    assert len(rows) == 30 and rows.set.value_counts().to_dict() == {"training": 15, "test": 15}


def test_target_against_each_feature_shares_colours_and_shapes(frame):
    for i, field in ((1, "x1"), (2, "x2")):
        spec = data_charts.target_vs_feature(frame, i, TITLES, style.PROJECTOR, height=200).to_dict()
        enc = spec["encoding"]
        assert (enc["x"]["field"], enc["y"]["field"]) == (field, "y")
        assert enc["color"]["scale"]["scheme"] == "viridis" and enc["color"]["legend"] is None
        assert enc["shape"]["legend"] is None
        assert spec["height"] == 200
        assert spec["mark"]["size"] == style.PROJECTOR.point * 2


def test_a_single_feature_is_plotted_against_the_target():
    table = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 4, 5, 8]}, index=pd.RangeIndex(1, 5))
    frame = data_charts.rows_frame(table, ["a"], "b", [1, 2])
    spec = data_charts.feature_scatter(frame, {"x1": "a", "y": "b"}).to_dict()
    assert (spec["encoding"]["x"]["field"], spec["encoding"]["y"]["field"]) == ("x1", "y")


def test_user_column_names_only_appear_as_titles_never_as_field_names():
    weird = "a.b[0]:Q $x$ <b>"
    table = pd.DataFrame({weird: [1.0, 2, 3, 4], "t": [1.0, 3, 2, 4], "u": [5.0, 6, 7, 9]},
                         index=pd.RangeIndex(1, 5))
    frame = data_charts.rows_frame(table, [weird, "t"], "u", [1, 2])
    spec = data_charts.feature_scatter(frame, {"x1": weird, "x2": "t", "y": "u"}).to_dict()
    assert spec["encoding"]["x"] == {**spec["encoding"]["x"], "field": "x1", "title": weird}
    assert all(weird not in c for c in layer_data(spec).columns)


def test_above_one_finds_the_test_values_beyond_the_training_range(income):
    _, p = income
    hits = data_charts.above_one(p.X_test_aug, p.y_test, p.test_rows, p.features, p.target)
    assert list(zip(hits.row, hits.column)) == [(25, "Education"), (1, "Education"), (1, "Income")]
    assert hits.value.tolist() == pytest.approx([1.01954397, 1.01954397, 1.0109594])
    assert hits.position.tolist() == [(7, 0), (9, 0), (9, 2)]
    assert list(p.X_test_aug[7]) == pytest.approx([1, 1.01954397, 0.10661765])   # docs/core-api.md


def test_above_one_is_empty_when_every_test_value_is_in_range(income):
    table, _ = income
    p = data.prepare(table, test_size=0.2)
    assert data_charts.above_one(p.X_test_aug, p.y_test, p.test_rows, p.features, p.target).empty
    # and no training value ever exceeds 1: the scale comes from the training rows
    assert data_charts.above_one(p.X_train_aug, p.y_train, p.train_rows, p.features, p.target).empty


def test_above_one_counts_magnitudes_so_negative_values_below_minus_one_too():
    X_aug = np.array([[1, -1.5, 0.2], [1, 0.5, 1.0]])
    y = np.array([[0.3], [-1.01]])
    hits = data_charts.above_one(X_aug, y, ["r1", "r2"], ["f", "g"], "t")
    assert list(zip(hits.row, hits.column)) == [("r1", "f"), ("r2", "t")]

"""The Data page under AppTest: the table, the split, the scaling and the shapes a student reads."""

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from core import activations, data
from tests.app.helpers import no_exception, open_app, texts


def frames(at) -> list[pd.DataFrame]:
    """The data of every chart on the page, in page order (one frame per chart)."""
    out = []
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        named = {d.name: pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in chart.proto.datasets}
        out.append(named[spec["data"]["name"]])
    return out


def matrix(at, caption_start: str) -> pd.DataFrame:
    """The table whose caption starts with ``caption_start`` (captions follow their tables)."""
    captions = [c.value for c in at.caption if c.value.startswith(("X_", "y_"))]
    tables = [d.value for d in at.dataframe][2:]            # after the data table and the summary
    return tables[next(i for i, c in enumerate(captions) if c.startswith(caption_start))]


@pytest.fixture(scope="module")
def default():
    at = open_app("data")
    no_exception(at)
    return at


@pytest.mark.parametrize("act", activations.NAMES)
@pytest.mark.parametrize("hidden", [1, 3, 32])
@pytest.mark.fast_sample(4)                  # in make test-fast: each width with another activation
def test_the_page_runs_for_every_width_and_activation(hidden, act):
    at = open_app("data", {"hidden": str(hidden), "act": act})
    no_exception(at)
    assert at.title[0].value == "Data"
    assert "21.172414" in texts(at)


def test_orientation_names_the_pages_in_order(default):
    intro = next(m.value for m in default.markdown if "**Network**" in m.value)
    order = [intro.index(name) for name in ("**Data**", "**Network**", "**Backprop step by step**",
                                            "**Training & results**")]
    assert order == sorted(order)
    assert "x₁ = Education, x₂ = Seniority" in texts(default) and "y = Income" in texts(default)


def test_the_thirty_rows_with_units_and_their_summary(default):
    table = default.dataframe[0].value
    assert len(table) == 30
    assert list(table.columns) == ["set", "Education (years)", "Seniority (months)", "Income ($1000s)"]
    assert (table["set"] == "training").sum() == 15
    summary = default.dataframe[1].value
    assert summary.loc["maximum", "Income ($1000s)"] == pytest.approx(99.91717261)
    assert summary.loc["minimum", "Education (years)"] == pytest.approx(10.0)


def test_the_maxima_and_the_first_scaled_training_row_match_the_lecture(default):
    metrics = {m.label: m.value for m in default.metric}
    assert metrics["Education \\(years\\)"] == "21.172414"
    assert metrics["Seniority \\(months\\)"] == "187.58621"
    assert metrics["Income \\(\\$1000s\\)"] == "98.834012"
    X = matrix(default, "X_train_aug")
    assert list(X.columns) == ["x₀ = 1", "x₁", "x₂"]
    assert X.iloc[0].tolist() == pytest.approx([1, 0.82410423, 0.50367647], abs=5e-9)   # docs/core-api.md
    assert X.index[0] == "n=1 (row 23)"
    assert "**0.82410423**" in texts(default) and "**0.50367647**" in texts(default)
    assert "X_train_aug (15, 3): the scaled training inputs, with the column of ones x₀ first" in texts(default)
    X_test = matrix(default, "X_test_aug")
    assert X_test.iloc[7].tolist() == pytest.approx([1, 1.01954397, 0.10661765], abs=5e-9)  # docs/core-api.md


def test_the_split_lists_training_and_test_rows(default):
    text = texts(default)
    assert "test_size=0.5, random_state=42" in text and "**N = 15** rows in the training set" in text
    assert "Training rows: 2, 3, 4, 7, 8, 11, 15, 19, 20, 21, 22, 23, 26, 27, 30" in text
    assert "Test rows: 1, 5, 6, 9, 10, 12, 13, 14, 16, 17, 18, 24, 25, 28, 29" in text
    metrics = {m.label: m.value for m in default.metric}
    assert (metrics["Training rows"], metrics["Test rows"]) == ("15", "15")


def test_test_values_above_one_are_found_and_explained(default):
    assert not default.warning                    # warnings are kept for broken links
    note = default.info[0].value
    assert note.startswith("**3 test values are above 1**")
    assert "row 25: Education = **1.01954397**" in note and "row 1: Income = **1.01095940**" in note
    assert "training rows only" in note


def test_the_scatter_and_the_target_against_each_feature(default):
    charts = frames(default)
    assert len(charts) == 3
    for chart in charts:
        assert len(chart) == 30 and (chart["set"] == "test").sum() == 15
    table = data.load_income()
    row1 = charts[0].set_index("row").loc["1"]
    assert (row1.x1, row1.x2, row1.y) == pytest.approx(tuple(table.loc[1]))


def test_shapes_before_and_after_augmentation(default):
    shapes = next(m.value for m in default.markdown if "before augmentation" in m.value)
    assert "| all inputs `X`, all targets `y` | (30, 2), (30, 1) |" in shapes
    assert "| training inputs `X_train` → `X_train_aug` | (15, 2) | (15, 3) |" in shapes
    assert "| test targets `y_test` | (15, 1) | unchanged |" in shapes


@pytest.mark.parametrize("split,test", [(42, 0.2), (7, 0.5), (42, 0.8), (123, 0.3)])
def test_other_splits_are_computed_not_hard_coded(split, test):
    at = open_app("data", {"split": str(split)})
    at.sidebar.select_slider(key="test").set_value(test).run()   # (the link form of `test` is the shell's)
    no_exception(at)
    p = data.prepare(data.load_income(), test_size=test, split_seed=split)
    n_train, n_test = len(p.train_rows), len(p.test_rows)
    text = texts(at)
    assert f"**N = {n_train}** rows in the training set and **{n_test}** in the test set" in text
    assert f"| test inputs `X_test` → `X_test_aug` | ({n_test}, 2) | ({n_test}, 3) |" in text
    assert matrix(at, "X_train_aug").to_numpy() == pytest.approx(p.X_train_aug)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Education \\(years\\)"] == f"{p.x_scale[0]:.8g}"
    above = np.abs(np.hstack([p.X_test_aug[:, 1:], p.y_test])) > 1
    if above.any():
        assert at.info[0].value.startswith(f"**{above.sum()} test value")
        assert "No test value is above 1" not in text
    else:
        assert not at.info and "No test value is above 1" in text

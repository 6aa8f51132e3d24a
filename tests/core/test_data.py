"""core.data on good input: the bundled table, prepare's split and scaling, and the unit conversions."""

import numpy as np
import pandas as pd
import pytest

from core import data


def test_load_income_gives_the_thirty_bundled_rows(income):
    assert list(income.columns) == ["Education", "Seniority", "Income"]
    assert list(income.index) == list(range(1, 31)) and income.index.name == "Row"
    assert income.notna().all().all()
    # Row 1 of the ISLR file, as written in data/Income2.csv.
    np.testing.assert_allclose(income.loc[1], [21.5862069, 113.1034483, 99.91717261], rtol=1e-15)


def test_load_income_returns_a_fresh_frame_each_time(income):
    df = data.load_income()
    df.loc[1, "Income"] = -1
    assert data.load_income().loc[1, "Income"] == income.loc[1, "Income"]


def test_prepare_does_not_modify_the_frame(income):
    before = income.copy()
    data.prepare(income)
    pd.testing.assert_frame_equal(income, before)


def test_conversions_back_to_original_units_round_trip(prepared, income):
    X = prepared.to_original_X(prepared.X_train_aug)
    np.testing.assert_allclose(X, income.loc[prepared.train_rows, ["Education", "Seniority"]], rtol=1e-14)
    np.testing.assert_allclose(prepared.scale_X(X), prepared.X_train_aug, rtol=1e-14)
    np.testing.assert_allclose(prepared.to_original_y(prepared.y_test),
                               income.loc[prepared.test_rows, ["Income"]], rtol=1e-14)


def test_prepared_knows_its_sizes_and_names(prepared):
    assert prepared.n_inputs == 2 and prepared.n_outputs == 1
    assert prepared.features == ("Education", "Seniority") and prepared.target == "Income"
    assert prepared.dropped_rows == ()
    assert "Education" in repr(prepared) and "(15, 3)" in repr(prepared)


def test_training_maxima_scale_every_training_value_into_minus_one_to_one(prepared):
    assert np.abs(prepared.X_train_aug[:, 1:]).max(axis=0).tolist() == [1.0, 1.0]
    assert np.abs(prepared.y_train).max() == 1.0


def test_prepare_with_one_feature_or_a_different_target(income):
    one = data.prepare(income, features=("Seniority",))
    assert one.X_train_aug.shape == (15, 2) and one.n_inputs == 1
    swapped = data.prepare(income, features=("Income", "Seniority"), target="Education")
    np.testing.assert_allclose(swapped.to_original_y(swapped.y_train)[:, 0],
                               income.loc[swapped.train_rows, "Education"], rtol=1e-14)


def test_split_seed_and_test_size_choose_the_rows(income):
    a = data.prepare(income, split_seed=42)
    b = data.prepare(income, split_seed=7)
    assert list(a.train_rows) != list(b.train_rows)
    c = data.prepare(income, test_size=0.2)
    assert c.X_train_aug.shape[0] == 24 and c.X_test_aug.shape[0] == 6


def test_prepare_works_on_a_table_read_from_a_users_csv(tmp_path, income):
    path = tmp_path / "mine.csv"
    income.rename_axis(None).to_csv(path)   # an unnamed row-label column, like Income2.csv
    assert path.read_text().startswith(",Education,")
    prepared = data.prepare(data.read_table(path))
    reference = data.prepare(income)
    np.testing.assert_array_equal(prepared.X_train_aug, reference.X_train_aug)
    np.testing.assert_array_equal(prepared.train_rows, reference.train_rows)


def test_read_table_keeps_text_columns_as_text_and_lists_numeric_ones():
    df = data.read_table(b"Name,Age,Score\nann,30,1.5\nbob,41,2\ncid, 25 ,3\ndee,38,\n")
    assert data.numeric_columns(df) == ["Age", "Score"]
    assert df["Name"].tolist() == ["ann", "bob", "cid", "dee"]
    assert df["Age"].tolist() == [30, 41, 25, 38]          # surrounding spaces are ignored
    assert np.isnan(df.loc[4, "Score"])


def test_read_table_strips_spaces_around_header_names():
    df = data.read_table(b" Education , Seniority ,Income\n1,2,3\n4,5,6\n7,8,9\n1,3,5\n")
    assert list(df.columns) == ["Education", "Seniority", "Income"]


def test_read_table_reads_a_semicolon_file_with_row_labels_and_missing_markers():
    text = b";Education;Seniority;Income\n1;12;100;40\n2;14;NA;45\n3;16;120;null\n4;18;130;55\n5;20;90;60\n"
    df = data.read_table(text)
    assert list(df.columns) == ["Education", "Seniority", "Income"] and len(df) == 5
    assert data.incomplete_rows(df, ["Education", "Seniority", "Income"]) == [2, 3]


def test_the_names_spec_3_promises_still_live_in_core_data():
    for name in ("load_income", "read_table", "prepare", "numeric_columns", "incomplete_rows", "Prepared"):
        assert callable(getattr(data, name))
    assert issubclass(data.IncompleteRowsError, data.DataError) and issubclass(data.DataError, ValueError)
    assert (data.MAX_BYTES, data.MAX_ROWS, data.MAX_COLUMNS, data.MIN_ROWS) == (5 * 2**20, 10_000, 50, 4)


def test_not_numeric_reasons_give_one_sentence_per_column_a_student_cannot_choose():
    df = data.read_table(b"Name,Married,Age,Notes,Score\nann,True,30,NA,1.5\nbob,False,41,,2\n"
                         b"cid,True,25,?,3\ndee,False,38,,4\n")
    assert data.numeric_columns(df) == ["Age", "Score"]
    assert data.not_numeric_reasons(df) == {
        "Name": "Column 'Name' is not numeric (row 1 holds 'ann'). Choose columns that hold only numbers.",
        "Married": "Column 'Married' is not numeric (row 1 holds 'True'). True/false values are not numbers; "
                   "code them as 1 and 0 to use this column.",
        "Notes": "Column 'Notes' has no values, only blanks or missing-value markers. Choose a column that "
                 "holds numbers.",
    }


def test_a_bool_column_in_a_callers_frame_is_not_a_numeric_feature(income):
    df = income.assign(Senior=income["Seniority"] > 100)
    assert "Senior" not in data.numeric_columns(df)
    with pytest.raises(data.DataError, match=r"'Senior' is not numeric \(row 1 holds 'True'\)\. True/false"):
        data.prepare(df, features=("Education", "Senior"))


def test_read_table_never_hands_back_an_infinite_value():
    df = data.read_table(b"a,b\n1,inf\n2,-Infinity\n3,4\n4,5\n")
    assert data.numeric_columns(df) == ["a", "b"] and not np.isinf(df.to_numpy()).any()
    assert data.incomplete_rows(df, ["a", "b"]) == [1, 2]

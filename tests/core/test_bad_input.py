"""Bad arguments and bad files: every rejection is a ValueError (DataError for data) a student can act on.

The files under ``bad_csv/`` and what should happen to each are listed in ``bad_csv/expected.json``;
the upload widget's tests reuse the same corpus. Files too big to keep are generated here.
"""

import io
import json
import math

import numpy as np
import pytest

from core import data, network, training
from tests.core.conftest import BAD_CSV

MANIFEST = {k: v for k, v in json.loads((BAD_CSV / "expected.json").read_text()).items()
            if not k.startswith("_")}
HEADER = b"Education,Seniority,Income\n"


def _source(path, kind):
    """``path`` as one of the kinds of source read_table accepts (a path, bytes or a file-like)."""
    if kind == "path":
        return str(path)
    if kind == "pathlib":
        return path
    if kind == "open file":
        return path.open("rb")
    raw = path.read_bytes()
    return {"bytes": raw, "bytearray": bytearray(raw), "binary file": io.BytesIO(raw)}[kind]


def _rows(n, start=0):
    return b"".join(b"%d,%d,%d\n" % (10 + i % 7, 50 + i % 11, 30 + i % 13) for i in range(start, start + n))


# ----- the corpus ----------------------------------------------------------------------------

def test_every_file_in_the_corpus_has_an_expected_outcome():
    on_disk = {p.name for p in BAD_CSV.iterdir() if p.name != "expected.json"}
    assert on_disk == set(MANIFEST)


@pytest.mark.parametrize("name", sorted(n for n, c in MANIFEST.items() if c["stage"] == "read"))
@pytest.mark.parametrize("kind", ["path", "bytes", "binary file"])
def test_unreadable_files_are_rejected_by_read_table_with_a_helpful_message(name, kind):
    source = _source(BAD_CSV / name, kind)
    with pytest.raises(data.DataError) as info:
        data.read_table(source)
    assert MANIFEST[name]["phrase"] in str(info.value)
    assert "Traceback" not in str(info.value)


@pytest.mark.parametrize("name", sorted(n for n, c in MANIFEST.items() if c["stage"] == "prepare"))
def test_unusable_tables_are_read_but_rejected_by_prepare_with_a_helpful_message(name):
    expected = MANIFEST[name]
    df = data.read_table(BAD_CSV / name)
    error = getattr(data, expected["error"])
    with pytest.raises(error) as info:
        data.prepare(df)
    assert expected["phrase"] in str(info.value)
    if "rows" in expected:
        assert info.value.rows == expected["rows"]


@pytest.mark.parametrize("name", sorted(n for n, c in MANIFEST.items() if c["stage"] == "ok"))
@pytest.mark.parametrize("kind", ["path", "pathlib", "bytes", "bytearray", "binary file", "open file"])
def test_good_files_in_any_dialect_are_read_as_the_same_table(name, kind, income):
    expected = MANIFEST[name]
    source = _source(BAD_CSV / name, kind)
    try:
        df = data.read_table(source)
    finally:
        if hasattr(source, "close"):
            source.close()
    assert list(df.columns) == expected["columns"] and len(df) == expected["rows"]
    assert list(df.index) == list(range(1, expected["rows"] + 1))
    # Every such file holds the first 8 Income2 rows written with 2, 1 and 2 decimals.
    first = income.iloc[:8]
    np.testing.assert_allclose(df["Education"], first["Education"], atol=0.005 + 1e-9)
    np.testing.assert_allclose(df["Seniority"], first["Seniority"], atol=0.05 + 1e-9)
    np.testing.assert_allclose(df["Income"], first["Income"], atol=0.005 + 1e-9)
    prepared = data.prepare(df)
    assert prepared.X_train_aug.shape == (4, 3) and np.isfinite(prepared.X_train_aug).all()


def test_the_bundled_file_with_its_unnamed_row_label_column_reads_as_load_income(income):
    from tests.core.conftest import INCOME_CSV
    df = data.read_table(INCOME_CSV)
    assert list(df.columns) == ["Education", "Seniority", "Income"] and len(df) == 30
    np.testing.assert_array_equal(df.to_numpy(), income.to_numpy())
    np.testing.assert_array_equal(df.index, income.index)


def test_a_leading_unnamed_column_that_is_not_a_row_count_is_not_dropped():
    text = b",Seniority,Income\n5,1,2\n9,3,4\n2,5,6\n7,7,8\n"
    with pytest.raises(data.DataError, match="Column 1 has no name"):
        data.read_table(text)


def test_text_file_objects_are_read_too():
    df = data.read_table(io.StringIO((HEADER + _rows(5)).decode()))
    assert df.shape == (5, 3)


def test_read_table_turns_incomplete_cells_into_nan_so_the_column_stays_numeric():
    df = data.read_table(BAD_CSV / "incomplete_values.csv")
    assert data.numeric_columns(df) == ["Education", "Seniority", "Income"]
    assert data.incomplete_rows(df, ["Education", "Seniority", "Income"]) == [2, 4, 7, 10, 11]
    assert data.incomplete_rows(df, ["Education"]) == [4]


def test_prepare_can_drop_incomplete_rows_and_records_which(income):
    df = data.read_table(BAD_CSV / "incomplete_values.csv")
    prepared = data.prepare(df, drop_incomplete=True)
    assert prepared.dropped_rows == (2, 4, 7, 10, 11)
    kept = sorted(np.concatenate([prepared.train_rows, prepared.test_rows]))
    assert kept == [1, 3, 5, 6, 8, 9, 12]
    assert np.isfinite(prepared.X_train_aug).all() and np.isfinite(prepared.y_test).all()


def test_dropping_incomplete_rows_still_needs_four_rows():
    text = HEADER + b"1,2,3\n4,,6\n7,8,9\n1,NaN,1\n2,3,4\n"
    with pytest.raises(data.DataError, match="Only 3 complete rows are left"):
        data.prepare(data.read_table(text), drop_incomplete=True)


def test_a_column_that_is_zero_in_every_training_row_cannot_be_scaled(income):
    df = income.copy()
    full = data.prepare(income)
    df["Seniority"] = 0.0
    df.loc[full.test_rows[0], "Seniority"] = 5.0     # not constant overall, but zero in training
    with pytest.raises(data.DataError, match="'Seniority' is zero in every training row"):
        data.prepare(df)


def test_prepare_rejects_a_target_that_is_also_a_feature_and_no_features(income):
    with pytest.raises(data.DataError, match="also chosen as a feature"):
        data.prepare(income, features=("Education", "Income"), target="Income")
    with pytest.raises(data.DataError, match="at least one feature"):
        data.prepare(income, features=())


@pytest.mark.parametrize("test_size", [0.0, 0.01, 0.99, 1.0])
def test_prepare_rejects_a_test_fraction_that_leaves_nothing_to_train_or_test_on(income, test_size):
    with pytest.raises(data.DataError, match="between 0.05 and 0.95"):
        data.prepare(income, test_size=test_size)


def test_a_non_numeric_column_names_the_row_and_value():
    text = HEADER + b"12,100,40\n14,101,45\n16,unknown,50\n18,103,55\n"
    with pytest.raises(data.DataError, match=r"'Seniority' is not numeric \(row 3 holds 'unknown'\)"):
        data.prepare(data.read_table(text))


# ----- generated: too big, odd sources -------------------------------------------------------

def test_exactly_ten_thousand_rows_are_accepted():
    assert len(data.read_table(HEADER + _rows(10_000))) == 10_000


@pytest.mark.parametrize("kind", ["path", "bytes", "binary file"])
def test_more_than_ten_thousand_rows_are_refused_not_sampled(tmp_path, kind):
    path = tmp_path / "big.csv"
    path.write_bytes(HEADER + _rows(10_001))
    with pytest.raises(data.DataError, match="more than 10,000 data rows"):
        data.read_table(_source(path, kind))


@pytest.mark.parametrize("kind", ["path", "bytes", "binary file"])
def test_files_over_five_megabytes_are_refused_before_parsing(tmp_path, kind):
    path = tmp_path / "huge.csv"
    path.write_bytes(HEADER + b"1234567.0,1234567.0,1234567.0\n" * 200_000)
    assert path.stat().st_size > 5 * 2**20
    with pytest.raises(data.DataError, match="larger than 5 MB"):
        data.read_table(_source(path, kind))


def test_a_missing_path_is_a_data_error(tmp_path):
    with pytest.raises(data.DataError, match="There is no file"):
        data.read_table(tmp_path / "nope.csv")


@pytest.mark.parametrize("source", [None, 42, 3.5, ["a,b"]])
def test_an_unsupported_source_is_a_data_error(source):
    with pytest.raises(data.DataError, match="a path, its bytes, or an open file"):
        data.read_table(source)


@pytest.mark.parametrize("raw, phrase", [
    (b"a" * 200_000 + b",b\n1,2\n", "could not be read as a table"),   # longer than csv's field limit
    (b"Education,Income\n1," + b"2" * 200_000 + b"\n", "could not be read as a table"),
    (b",", "no name"),                                                  # header of one empty name
    (b"\r!", "no name"),                                                # a lone carriage return
])
def test_pathological_text_is_a_data_error_not_a_crash(raw, phrase):
    with pytest.raises(data.DataError, match=phrase):
        data.read_table(raw)


def test_data_error_is_a_value_error():
    assert issubclass(data.DataError, ValueError) and issubclass(data.IncompleteRowsError, data.DataError)


# ----- bad arguments to the maths ------------------------------------------------------------

@pytest.mark.parametrize("kwargs, phrase", [
    ({"epochs": 0}, "epochs must be a whole number from 1 to 20000"),
    ({"epochs": -5}, "epochs must be a whole number from 1 to 20000"),
    ({"epochs": 20_001}, "epochs must be a whole number from 1 to 20000"),
    ({"epochs": 2.5}, "epochs must be a whole number from 1 to 20000"),
    ({"epochs": math.inf}, "epochs must be a whole number from 1 to 20000"),
    ({"epochs": math.nan}, "epochs must be a whole number from 1 to 20000"),
    ({"epochs": None}, "epochs must be a whole number from 1 to 20000"),
    ({"epochs": True}, "epochs must be a whole number from 1 to 20000"),
    ({"n_hidden": 0}, "n_hidden must be a whole number from 1 to 32"),
    ({"n_hidden": 33}, "n_hidden must be a whole number from 1 to 32"),
    ({"n_hidden": 1.5}, "n_hidden must be a whole number from 1 to 32"),
    ({"n_hidden": math.nan}, "n_hidden must be a whole number from 1 to 32"),
    ({"n_hidden": "3"}, "n_hidden must be a whole number from 1 to 32"),
    ({"activation": "softmax"}, "choose one of sigmoid, tanh, relu"),
    ({"activation": "Sigmoid"}, "choose one of sigmoid, tanh, relu"),
    ({"activation": None}, "choose one of sigmoid, tanh, relu"),
    ({"learning_rate": math.nan}, "learning_rate must be a finite number > 0"),
    ({"learning_rate": math.inf}, "learning_rate must be a finite number > 0"),
    ({"learning_rate": -math.inf}, "learning_rate must be a finite number > 0"),
    ({"learning_rate": -0.05}, "learning_rate must be a finite number > 0"),
    ({"learning_rate": 0}, "learning_rate must be a finite number > 0"),
    ({"learning_rate": "0.05"}, "learning_rate must be a finite number > 0"),
    ({"learning_rate": None}, "learning_rate must be a finite number > 0"),
    ({"stride": 0}, "stride must be a whole number ≥ 1"),
    ({"stride": -20}, "stride must be a whole number ≥ 1"),
    ({"stride": 2.5}, "stride must be a whole number ≥ 1"),
    ({"stride": None}, "stride must be a whole number ≥ 1"),
    ({"seed": -1}, "seed must be a whole number from 0 to 2**32 - 1"),
    ({"seed": 2**32}, "seed must be a whole number from 0 to 2**32 - 1"),
    ({"seed": math.inf}, "seed must be a whole number from 0 to 2**32 - 1"),
])
def test_train_rejects_bad_settings_naming_the_allowed_values(prepared, kwargs, phrase):
    with pytest.raises(ValueError) as info:
        training.train(prepared, **{"epochs": 2, **kwargs})
    assert phrase in str(info.value)


@pytest.mark.parametrize("epochs, n_hidden", [(1, 1), (20_000, 1), (1, 32)])
def test_train_accepts_the_edges_of_the_allowed_ranges(prepared, epochs, n_hidden):
    h = training.train(prepared, epochs=epochs, n_hidden=n_hidden, learning_rate=1e-4)
    assert h.n_epochs == epochs and h.W_H.shape == (epochs + 1, 3, n_hidden)


def test_train_accepts_numpy_integers_and_integral_floats(prepared):
    h = training.train(prepared, epochs=np.int64(3), n_hidden=np.int32(2), seed=np.uint32(7), stride=2.0)
    assert h.n_epochs == 3 and h.n_hidden == 2 and h.seed == 7


def test_forward_and_backward_reject_an_unknown_activation(prepared):
    W_H, W_O = network.init_weights(2, 3)
    with pytest.raises(ValueError, match="choose one of sigmoid, tanh, relu"):
        network.forward(prepared.X_train_aug, W_H, W_O, activation="softplus")
    fwd = network.forward(prepared.X_train_aug, W_H, W_O)
    with pytest.raises(ValueError, match="choose one of sigmoid, tanh, relu"):
        network.backward(prepared.X_train_aug, prepared.y_train, W_H, W_O, fwd, activation="linear")


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, math.nan, None, "9"])
def test_init_weights_rejects_seeds_outside_the_allowed_range(seed):
    with pytest.raises(ValueError, match=r"seed must be a whole number from 0 to 2\*\*32 - 1"):
        network.init_weights(2, 3, seed=seed)


@pytest.mark.parametrize("seed", [0, 2**32 - 1])
def test_init_weights_accepts_both_ends_of_the_seed_range(seed):
    W_H, W_O = network.init_weights(2, 3, seed=seed)
    assert W_H.shape == (3, 3) and W_O.shape == (4, 1)


@pytest.mark.parametrize("kwargs, name", [({"n_inputs": 0}, "n_inputs"), ({"n_hidden": 0}, "n_hidden"),
                                          ({"n_outputs": 0}, "n_outputs"), ({"n_hidden": 2.5}, "n_hidden")])
def test_init_weights_rejects_empty_layers(kwargs, name):
    args = {"n_inputs": 2, "n_hidden": 3, "n_outputs": 1, **kwargs}
    with pytest.raises(ValueError, match=f"{name} must be a whole number ≥ 1"):
        network.init_weights(**args)

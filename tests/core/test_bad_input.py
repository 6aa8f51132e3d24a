"""Bad arguments and bad files: every rejection is a ValueError (DataError for data) a student can act on.

The files under ``bad_csv/`` and what should happen to each are listed in ``bad_csv/expected.json``
(its ``_about`` entry explains the fields); the page tests iterate over the same index. Files too
big to keep (5 MB, 32,000 columns, 10,001 rows) are generated here.
"""

import io
import json
import math
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from core import csv_cells, csv_reader, data, network, training
from tests.core.conftest import BAD_CSV

CASES = {k: v for k, v in json.loads((BAD_CSV / "expected.json").read_text()).items()
         if not k.startswith("_")}
REFUSED = sorted(n for n, c in CASES.items() if c["outcome"] == "refused")
ACCEPTED = sorted(n for n, c in CASES.items() if c["outcome"] == "accepted")
HEADER = b"Education,Seniority,Income\n"
SOURCE_KINDS = ["path", "pathlib", "bytes", "bytearray", "binary file", "open file"]


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


def _read(path, kind):
    source = _source(path, kind)
    try:
        return data.read_table(source)
    finally:
        if hasattr(source, "close"):
            source.close()


def _rows(n, start=0):
    return b"".join(b"%d,%d,%d\n" % (10 + i % 7, 50 + i % 11, 30 + i % 13) for i in range(start, start + n))


def _refusal(raw) -> str:
    with pytest.raises(data.DataError) as info:
        data.read_table(raw)
    return str(info.value)


class Spy:
    """Counts calls of the named functions of a module (``spy.calls[name]``) and, for ``sizes``,
    records the length of the first argument of each call: what a reader looked at, not how long
    it took."""

    def __init__(self, monkeypatch, module, *names, sizes=()):
        self.calls = {name: 0 for name in names}
        self.sizes = {name: [] for name in sizes}
        for name in names:
            real = getattr(module, name)

            def counted(*args, _name=name, _real=real, **kwargs):
                self.calls[_name] += 1
                if _name in self.sizes:
                    self.sizes[_name].append(len(args[0]))
                return _real(*args, **kwargs)

            monkeypatch.setattr(module, name, counted)


def _calls(fn, *args):
    """``fn(*args)`` (its value, or the exception it raised) and how many functions it called on the way,
    Python and built-in: the work done, counted instead of timed, so the same on any machine."""
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        count += event in ("call", "c_call")

    sys.setprofile(profile)
    try:
        try:
            outcome = fn(*args)
        except Exception as exc:                # noqa: BLE001 - returned for the caller to judge
            outcome = exc
    finally:
        sys.setprofile(None)
    return outcome, count


# ----- the corpus ----------------------------------------------------------------------------

def test_every_file_in_the_corpus_has_an_expected_outcome():
    on_disk = {p.name for p in BAD_CSV.iterdir() if p.name != "expected.json"}
    assert on_disk == set(CASES)


def test_the_corpus_holds_every_listed_case_and_sixty_files_at_least():
    assert len(CASES) >= 60
    for name in ["utf16_le_bom.csv", "utf16_be_bom.csv", "excel_sep_semicolon.csv", "decimal_comma_semicolon.csv",
                 "decimal_comma_or_thousands_ambiguous.csv", "question_mark_cells.csv", "true_false_column.csv",
                 "underscore_digits.csv", "duplicate_names.csv", "value_1e308.csv", "name_set.csv",
                 "name_trailing_backslash.csv", "name_formula_hyperlink.csv", "name_formula_plus_minus_at.csv"]:
        assert name in CASES


@pytest.mark.parametrize("name", REFUSED)
@pytest.mark.parametrize("kind", ["path", "bytes", "binary file"])
def test_refused_files_get_exactly_the_sentence_in_the_index(name, kind):
    with pytest.raises(data.DataError) as info:
        _read(BAD_CSV / name, kind)
    assert str(info.value) == CASES[name]["message"]
    assert "Traceback" not in str(info.value) and str(info.value).count(". ") <= 2


@pytest.mark.parametrize("name", ACCEPTED)
def test_accepted_files_give_the_columns_rows_and_numeric_columns_in_the_index(name):
    case = CASES[name]
    df = data.read_table(BAD_CSV / name)
    assert list(df.columns) == case["columns"] and len(df) == case["rows"]
    assert list(df.index) == list(range(1, case["rows"] + 1)) and df.index.name == "Row"
    assert data.numeric_columns(df) == case["numeric"]
    assert data.not_numeric_reasons(df) == case.get("not_numeric", {})
    values = df[case["numeric"]].to_numpy(dtype=float)
    assert not np.isinf(values).any() and not (np.abs(values) >= data.TOO_LARGE).any()


@pytest.mark.parametrize("name", ACCEPTED)
def test_prepare_with_the_default_columns_does_what_the_index_says(name):
    case, df = CASES[name], data.read_table(BAD_CSV / name)
    expected = case["prepare"]
    if expected is None:
        assert len(case["numeric"]) < 2
        return
    assert expected["features"] == case["numeric"][:-1][:4] and expected["target"] == case["numeric"][-1]
    if expected["outcome"] == "ok":
        p = data.prepare(df, expected["features"], expected["target"])
        assert np.isfinite(p.X_train_aug).all() and np.isfinite(p.X_test_aug).all()
        return
    with pytest.raises(getattr(data, expected["error"])) as info:
        data.prepare(df, expected["features"], expected["target"])
    assert type(info.value).__name__ == expected["error"] and str(info.value) == expected["message"]
    if "rows" in expected:
        assert info.value.rows == expected["rows"]


@pytest.mark.parametrize("name", sorted(n for n in ACCEPTED if CASES[n]["income2"]))
@pytest.mark.parametrize("kind", SOURCE_KINDS)
def test_the_income2_rows_in_any_dialect_or_encoding_are_read_as_the_same_table(name, kind, income):
    df = _read(BAD_CSV / name, kind)
    assert list(df.columns) == CASES[name]["columns"]
    # Every such file holds the first 8 Income2 rows written with 2, 1 and 2 decimals.
    first = income.iloc[:8]
    np.testing.assert_allclose(df["Education"], first["Education"], atol=0.005 + 1e-9)
    np.testing.assert_allclose(df["Seniority"], first["Seniority"], atol=0.05 + 1e-9)
    np.testing.assert_allclose(df["Income"], first["Income"], atol=0.005 + 1e-9)


def test_the_legacy_stage_and_phrase_fields_agree_with_the_outcome():
    # tests/app/test_upload.py reads `stage` and `phrase`; keep them consistent until it moves over.
    for name, case in CASES.items():
        if case["outcome"] == "refused":
            assert case["stage"] == "read" and case["phrase"] == case["message"], name
        else:
            ok = case["income2"] and case["prepare"] and case["prepare"]["outcome"] == "ok"
            assert case["stage"] == ("ok" if ok else "accepted"), name
            if ok:
                assert case["numeric"][-1] == "Income", name


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
    (b",", "The file is empty"),                                        # one record of blank cells
    (b"\r!", "Only one column was found"),                              # a lone carriage return
    (b'"a\nb",c\n', "contains a line break"),
    (b"\xff\xfe", "The file is empty"),                                  # a UTF-16 mark and nothing else
    (b"\xfe\xff\x00", "cannot be decoded"),
])
def test_pathological_text_is_a_data_error_not_a_crash(raw, phrase):
    with pytest.raises(data.DataError, match=phrase):
        data.read_table(raw)


def test_data_error_is_a_value_error():
    assert issubclass(data.DataError, ValueError) and issubclass(data.IncompleteRowsError, data.DataError)


def test_the_reader_module_and_data_share_one_data_error_and_one_read_table():
    assert data.DataError is csv_reader.DataError and data.read_table is csv_reader.read_table


# ----- limits checked before parsing everything ----------------------------------------------

def _wide_file(n_columns=32_000, sep=b",", quoted=False, size=5 * 2**20):
    names = [b'"c%d"' % i if quoted else b"c%d" % i for i in range(n_columns)]
    header = sep.join(names) + b"\n"
    row = sep.join([b"1"] * n_columns) + b"\n"
    return header + row * ((size - len(header)) // len(row))


@pytest.mark.parametrize("sep, name, quoted", [(b",", "commas", False), (b";", "semicolons", False),
                                               (b"\t", "tabs", True)])
def test_a_five_megabyte_file_with_32000_columns_is_refused_from_its_header_line_alone(monkeypatch, sep, name,
                                                                                      quoted):
    # Parsing the whole file took ~30 s; splitting the header line alone, ~0.01 s.
    raw = _wide_file(sep=sep, quoted=quoted)
    assert 4.5 * 2**20 < len(raw) <= data.MAX_BYTES
    spy = Spy(monkeypatch, csv_reader, "_field_count", "_records", sizes=("_field_count",))
    message = _refusal(raw)
    assert message == (f"The file has 32,000 columns (separated by {name}); the app reads at most 50. "
                       "Keep only the columns you need and upload that.")
    header = raw.index(b"\n")
    assert spy.calls["_records"] == 0                                  # no record parsed
    assert 1 <= spy.calls["_field_count"] <= len(csv_reader.DELIMITERS)  # the header, once per separator
    assert max(spy.sizes["_field_count"]) <= header < len(raw) / 10    # and nothing past the header line


def test_a_wide_data_row_under_a_narrow_header_is_refused_before_any_cell_is_read(monkeypatch):
    raw = HEADER + _rows(5) + b",".join([b"1"] * 32_000) + b"\n" + _rows(5)
    spy = Spy(monkeypatch, csv_reader, "_records", "column")
    assert _refusal(raw).startswith("Line 7 of the file has 32000 values but the header names 3 columns.")
    assert spy.calls == {"_records": 1, "column": 0}                  # one pass over the records, no cell parsed


def test_the_column_limit_also_holds_for_a_header_that_spans_lines_through_quotes():
    header = b",".join(b'"c%d"' % i for i in range(30)) + b',"x\ny",' + b",".join(b"d%d" % i for i in range(30))
    assert "the app reads at most 50" in _refusal(header + b"\n" + b",".join([b"1"] * 61) + b"\n")


def test_fifty_columns_are_accepted_and_fifty_one_refused_also_with_a_sep_line():
    names = ";".join(f"x{i}" for i in range(50)).encode()
    body = b"\n" + b"\n".join(b";".join(b"%d" % (i + j) for j in range(50)) for i in range(4)) + b"\n"
    assert data.read_table(b"sep=;\n" + names + body).shape == (4, 50)
    assert "51 columns (separated by semicolons)" in _refusal(b"sep=;\n" + names + b";x50" + body)


def test_reading_stops_at_the_first_row_past_the_limit_without_parsing_the_rest():
    # A broken line after row 10,001 is never reached: the row count refuses the file first.
    raw = HEADER + _rows(10_001) + b'1,2,3,4,5\n"unclosed\n' + _rows(20_000)[: 2**20]
    assert _refusal(raw).startswith("The file has more than 10,000 data rows")


def test_the_largest_table_allowed_is_read_column_by_column_not_cell_by_cell(monkeypatch):
    # Its numbers go to numpy a column at a time (~0.4 s in all here); cell by cell would take seconds.
    rng = np.random.default_rng(3)
    lines = [",".join(f"c{j}" for j in range(50))] + [",".join(f"{v:.4f}" for v in r)
                                                      for r in rng.uniform(-100, 100, (10_000, 50))]
    raw = ("\n".join(lines) + "\n").encode()
    reader, cells = Spy(monkeypatch, csv_reader, "_records", "column"), Spy(monkeypatch, csv_cells, "_is_missing")
    df = data.read_table(raw)
    assert df.shape == (10_000, 50) and data.numeric_columns(df) == list(df.columns)
    assert reader.calls == {"_records": 1, "column": 50} and cells.calls == {"_is_missing": 0}


# ----- formats students produce --------------------------------------------------------------

INCOME_TEXT = "Education,Seniority,Income\n21.59,113.1,99.92\n18.28,119.3,92.58\n12.07,100.7,34.68\n17.03,187.6,78.70\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "utf-32", "cp1252"])
def test_common_encodings_are_decoded(encoding):
    raw = INCOME_TEXT.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):
        raw = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[encoding] + raw
    df = data.read_table(raw)
    assert df.shape == (4, 3) and df.loc[4, "Income"] == 78.70


@pytest.mark.parametrize("first_line, body_sep", [("sep=;", ";"), ("SEP=;", ";"), ('"sep=;"', ";"), ("sep=,", ","),
                                                  ("sep=\t", "\t"), ("sep=|", "|"), ("sep=;;;", ";")])
def test_an_excel_sep_line_names_the_separator_and_is_not_a_row(first_line, body_sep):
    text = first_line + "\r\n" + INCOME_TEXT.replace(",", body_sep)
    df = data.read_table(text.encode())
    assert list(df.columns) == ["Education", "Seniority", "Income"] and len(df) == 4


def test_a_sep_line_wins_over_the_guess():
    # Semicolons inside the names would make ";" look like the separator; the sep= line says ",".
    df = data.read_table(b"sep=,\na;b,c;d\n1,2\n3,4\n5,6\n7,8\n")
    assert list(df.columns) == ["a;b", "c;d"]


@pytest.mark.parametrize("cells, expected", [
    (["1,5", "2,25", "3", "-0,5"], [1.5, 2.25, 3.0, -0.5]),                 # decimal comma: certain
    (["0,500", "1,5", "2", "3"], [0.5, 1.5, 2.0, 3.0]),                     # "0,500" cannot be thousands
    (["1.234,5", "12,75", "3", "4"], [1234.5, 12.75, 3.0, 4.0]),            # dots group thousands
    (["1,000", "2,5", "3", "4"], [1.0, 2.5, 3.0, 4.0]),                     # "2,5" decides: decimal commas
    (["1,234,567", "1,000", "3", "4"], [1234567.0, 1000.0, 3.0, 4.0]),      # thousands: certain
    (["1,234.5", "1,000", "2.5", "4"], [1234.5, 1000.0, 2.5, 4.0]),         # a decimal point decides
    (["1e3", "-2.5E-1", "+4", ".5"], [1000.0, -0.25, 4.0, 0.5]),
])
def test_numbers_with_commas_are_read_when_the_meaning_is_certain(cells, expected):
    raw = ("a;b\n" + "".join(f"{c};{i}\n" for i, c in enumerate(cells))).encode()
    assert data.read_table(raw)["a"].tolist() == expected


@pytest.mark.parametrize("cells, phrase", [
    (["1,000", "2,500", "3", "4"], "cannot tell a decimal comma from a thousands separator"),
    (["1,5", "2.5", "3", "4"], "writes numbers in two ways ('1,5' in row 1, '2.5' in row 2)"),
    (["1,5", "1,234,567", "3", "4"], "writes numbers in two ways"),
])
def test_numbers_with_commas_are_refused_with_a_hint_when_the_meaning_is_not_certain(cells, phrase):
    raw = ("a;b\n" + "".join(f"{c};{i}\n" for i, c in enumerate(cells))).encode()
    message = _refusal(raw)
    assert phrase in message and "Save the file with decimal points (1.5)" in message


@pytest.mark.parametrize("cell", ["1_000", "١٢", "１２", "1 000", "0x10", "1.5.2", "1e", "e5", "--1", "1,2,3,4"])
def test_cells_that_python_or_a_locale_might_read_are_not_numbers_here(cell):
    df = data.read_table(f"a;b\n{cell};1\n1;2\n2;3\n3;4\n".encode())
    assert data.numeric_columns(df) == ["b"]
    with pytest.raises(data.DataError, match=r"Column 'a' is not numeric \(row 1 holds"):
        data.prepare(df, ["a"], "b")


def test_python_float_would_accept_underscores_but_the_app_does_not():
    assert float("1_000") == 1000.0          # why the reader does not use float() to decide
    assert "1_000" in data.not_numeric_reasons(data.read_table(b"a,b\n1_000,1\n2,2\n3,3\n4,4\n"))["a"]


@pytest.mark.parametrize("marker", ["", "NA", "n/a", "NaN", "null", "?", " ? ", "-", ".", "#N/A", "#DIV/0!",
                                    "inf", "-Infinity"])
def test_missing_value_markers_keep_the_column_numeric_and_mark_the_row(marker):
    df = data.read_table(f"a,b\n1,1\n{marker},2\n3,3\n4,4\n5,5\n".encode())
    assert data.numeric_columns(df) == ["a", "b"] and np.isnan(df.loc[2, "a"])
    assert data.incomplete_rows(df, ["a", "b"]) == [2]


@pytest.mark.parametrize("cells", [["True", "False"], ["TRUE", "FALSE"], ["yes", "no"]])
def test_true_false_columns_are_not_numeric_and_prepare_says_why(cells):
    rows = "".join(f"{cells[i % 2]},{i},{i * 2 + i % 3}\n" for i in range(6))
    df = data.read_table(("flag,x,y\n" + rows).encode())
    assert data.numeric_columns(df) == ["x", "y"]
    with pytest.raises(data.DataError) as info:
        data.prepare(df, ["flag", "x"], "y")
    assert str(info.value) == (f"Column 'flag' is not numeric (row 1 holds {cells[0]!r}). True/false values "
                               "are not numbers; code them as 1 and 0 to use this column.")


def test_an_r_table_with_row_names_but_no_header_cell_for_them_drops_the_labels():
    raw = b'"a","b"\n"1",5,6\n"2",7,8\n"3",9,1\n"4",2,3\n'
    df = data.read_table(raw)
    assert list(df.columns) == ["a", "b"] and df["a"].tolist() == [5, 7, 9, 2]


def test_extra_values_that_are_not_row_labels_are_refused_never_used_as_an_index():
    # pandas would silently make the first column the index here and shift every value.
    assert _refusal(b"a,b\n1,2,3\n4,5,6\n7,8,9\n1,1,1\n").startswith("Line 2 of the file has 3 values")


@pytest.mark.parametrize("raw", [
    b",a,b\n" + b"9" * 5000 + b",1,2\n2,3,4\n3,5,6\n4,7,8\n",      # a row-label column that is not one
    b"a,b\n" + b"9" * 5000 + b",1,2\n2,3,4\n3,5,6\n4,7,8\n",        # R-style row names that are not
])
def test_a_five_thousand_digit_cell_where_row_labels_might_be_is_no_crash(raw):
    with pytest.raises(data.DataError):
        data.read_table(raw)


def test_line_numbers_in_refusals_count_the_lines_skipped_before_the_header():
    raw = b"sep=,\n\n\na,b\n1,2\n3,4\n5\n6,7\n"
    assert _refusal(raw).startswith("Line 7 of the file has 1 value but the header names 2 columns.")


# ----- values too large for the arithmetic ---------------------------------------------------

@pytest.mark.parametrize("cell", ["1e308", "-1e308", "1e150", "-1.5e150", "1e400", "-1e400", "1.8e308",
                                  "1" + "0" * 160])
def test_values_whose_size_would_overflow_are_refused_naming_the_column_and_row(cell):
    message = _refusal(f"a,b\n1,1\n2,2\n{cell},3\n4,4\n".encode())
    assert message.startswith(f"Column 'a' holds {cell[:40]} in row 3, a number too large")
    assert "between -1e150 and 1e150" in message


def test_values_just_inside_the_limit_are_kept_and_their_squares_stay_finite():
    df = data.read_table(b"a,b\n9.99e149,1\n-9.99e149,2\n1e-300,3\n4,4\n")
    values = df["a"].to_numpy()
    assert np.isfinite(values).all() and np.isfinite(np.sum(np.repeat(values, 2500) ** 2))


def test_prepare_refuses_huge_values_in_a_frame_that_did_not_come_from_read_table(income):
    df = income.copy()
    df.loc[5, "Seniority"] = 1e300
    with pytest.raises(data.DataError, match=r"Column 'Seniority' holds 1e\+300 in row 5, a number too large"):
        data.prepare(df)


def test_prepare_refuses_a_test_value_so_far_above_the_training_maximum_that_scaling_overflows(income):
    test_row = data.prepare(income).test_rows[0]
    df = income.copy()
    df["Seniority"] = np.linspace(1e-200, 3e-200, len(df))
    df.loc[test_row, "Seniority"] = 1e-30
    with pytest.raises(data.DataError, match="'Seniority' spans too wide a range"):
        data.prepare(df)


# ----- column names --------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["set", "row", "Row", "y", "x1", "index", "Seniority\\", "it's", 'say "hi"',
                                  "$x$", "<b>x</b>", "[a](http://b)", "=HYPERLINK(\"http://x\")", "+1", "-x",
                                  "@a", "a.b[0]", "Größe 💶", "S" * 100])
def test_odd_column_names_are_kept_exactly_as_written(name):
    quoted = '"' + name.replace('"', '""') + '"'
    df = data.read_table(f"{quoted},other\n1,2\n3,4\n5,6\n7,8\n".encode())
    assert list(df.columns) == [name, "other"]


@pytest.mark.parametrize("name, phrase", [
    ("S" * 101, "is 101 characters long; the app accepts names of at most 100"),
    ("a\x1bb", "contains an invisible control character (U+001B)"),
    ("a\u200fb", "contains an invisible control character (U+200F)"),
    ("a\rb", "contains a line break (U+000D)"),
])
def test_names_no_page_could_show_are_refused(name, phrase):
    quoted = '"' + name + '"'
    rows = "".join(f"{i},{i + 1}\n" for i in range(20))    # long enough not to look like a binary file
    assert phrase in _refusal(f"{quoted},other\n{rows}".encode())


def test_names_that_differ_only_in_case_are_different_columns():
    assert list(data.read_table(b"Income,income\n1,2\n3,4\n5,6\n7,8\n").columns) == ["Income", "income"]


def test_a_header_of_numbers_is_taken_for_a_missing_header_row():
    assert "seems to have no header row" in _refusal(b"1,2\n3,4\n5,6\n7,8\n9,1\n")


# ----- any bytes at all ----------------------------------------------------------------------

FUZZ = settings(deadline=None, database=None, max_examples=300,
                suppress_health_check=[HealthCheck.too_slow])
# The work a small file may cost: a few function calls per byte (the records, the cells), plus the
# table itself. A read that went back over the text for every line or cell would exceed it at once.
CALLS_PER_BYTE, CALLS_FOR_THE_TABLE = 20, 5_000
_CSVISH = list(b'0123456789,;\t|\n\r" .-+eEnaNIf?_=@\\') + [0, 0xFF, 0xFE, 0xEF, 0xBB, 0xBF]
_PREFIXES = [b"", b"sep=;\n", b"sep=,\r\n", b'"sep=\t"\n', b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\n\n",
             b"a,b\n", b"a;b\n1;2\n"]


def _check_frame(df):
    assert isinstance(df, pd.DataFrame)
    assert data.MIN_ROWS <= len(df) <= data.MAX_ROWS and 2 <= df.shape[1] <= data.MAX_COLUMNS
    assert list(df.index) == list(range(1, len(df) + 1))
    names = list(df.columns)
    assert len(set(names)) == len(names) and all(0 < len(n) <= data.MAX_NAME_LENGTH and n == n.strip()
                                                 for n in names)
    for c in data.numeric_columns(df):
        values = df[c].to_numpy(dtype=float)
        assert not np.isinf(values).any() and not (np.abs(values) >= data.TOO_LARGE).any()


def _read_or_refuse(raw):
    outcome, calls = _calls(data.read_table, raw)
    if isinstance(outcome, data.DataError):
        message = str(outcome)
        assert message and "\n" not in message and len(message) < 600
        event("refused: " + message[:25])
    elif isinstance(outcome, Exception):
        raise outcome
    else:
        _check_frame(outcome)
        event("accepted")
    assert calls <= CALLS_FOR_THE_TABLE + CALLS_PER_BYTE * len(raw), f"{calls:,} calls for {len(raw):,} bytes"


@FUZZ
@given(prefix=st.sampled_from(_PREFIXES),
       body=st.one_of(st.binary(max_size=600), st.lists(st.sampled_from(_CSVISH), max_size=600).map(bytes)))
def test_any_bytes_give_a_table_or_a_data_error_and_never_another_exception(prefix, body):
    _read_or_refuse(prefix + body)


_PRINTABLE = st.characters(blacklist_categories=("Cs", "Cc"))
_CELL = st.one_of(st.sampled_from(["1", "-2.5", "1,5", "1,000", "1_000", "1e308", "1e400", "9e149", "?", "NA",
                                   "", " ", "inf", "True", '"4"', '"1,234.5"', "٣", "$5", "abc", "0", "7", ".5"]),
                  st.integers(-10**6, 10**6).map(str), st.floats(allow_nan=False).map(repr),
                  st.text(_PRINTABLE, max_size=6), st.text(max_size=3))
_NAME = st.one_of(st.sampled_from(["a", "b", "set", "y", "x1", " a ", "", "=1", "a\\", '"q""q"', "1", "Row"]),
                  st.text(_PRINTABLE, min_size=1, max_size=8), st.text(max_size=4))


@FUZZ
@given(data_=st.data(), k=st.integers(1, 5), n=st.integers(0, 12), sep=st.sampled_from(",;\t|"),
       newline=st.sampled_from(["\n", "\r\n", "\r"]), sep_line=st.booleans(),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "cp1252"]))
def test_csv_shaped_text_in_any_encoding_gives_a_table_or_a_data_error(data_, k, n, sep, newline, sep_line,
                                                                       encoding):
    header = data_.draw(st.lists(_NAME, min_size=k, max_size=k, unique=data_.draw(st.booleans())), label="header")
    rows = data_.draw(st.lists(st.lists(_CELL, min_size=k, max_size=k), min_size=n, max_size=n), label="rows")
    text = (f"sep={sep}{newline}" if sep_line else "") + newline.join(sep.join(r) for r in [header] + rows) + newline
    try:
        raw = text.encode(encoding)
    except UnicodeEncodeError:
        raw = text.encode("utf-8")
    _read_or_refuse(raw)


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

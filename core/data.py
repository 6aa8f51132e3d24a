"""The data: the bundled Income2 table, a user's CSV, and the split-and-scale of the lecture.

Income2 is the 30-person data set of "An Introduction to Statistical Learning" (James, Witten,
Hastie, Tibshirani, Springer 2013): Education (years), Seniority (months), Income ($1000s).
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

INCOME_CSV = Path(__file__).resolve().parent.parent / "data" / "Income2.csv"
FEATURES = ("Education", "Seniority")
TARGET = "Income"
UNITS = {"Education": "years", "Seniority": "months", "Income": "$1000s"}

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MIN_ROWS = 4
DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}


class DataError(ValueError):
    """A problem with a data set, phrased so it can be shown to a student as it is."""


class IncompleteRowsError(DataError):
    """Some chosen cells are blank, NaN or infinite; ``rows`` holds the labels of those rows."""

    def __init__(self, message: str, rows: Sequence):
        super().__init__(message)
        self.rows = list(rows)


@dataclass(frozen=True, eq=False)
class Prepared:
    """Split and scaled data, ready for the network.

    ``X_train_aug`` (N_train, N_I+1) and ``X_test_aug`` (N_test, N_I+1) start with the bias column
    of ones; ``y_train`` (N_train, N_O), ``y_test`` (N_test, N_O). All are divided by the largest
    absolute value *of the training set*: ``x_scale`` (N_I,), ``y_scale`` (N_O,). ``train_rows`` and
    ``test_rows`` are the original row labels, in the order of the matrices.
    """

    X_train_aug: np.ndarray
    X_test_aug: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    x_scale: np.ndarray
    y_scale: np.ndarray
    features: tuple[str, ...]
    target: str
    train_rows: np.ndarray
    test_rows: np.ndarray
    dropped_rows: tuple = field(default=())

    @property
    def n_inputs(self) -> int:
        return self.X_train_aug.shape[1] - 1

    @property
    def n_outputs(self) -> int:
        return self.y_train.shape[1]

    def to_original_y(self, y_scaled) -> np.ndarray:
        """Scaled targets or predictions back in the target's units (e.g. $1000s)."""
        return np.asarray(y_scaled, dtype=float) * self.y_scale

    def to_original_X(self, X_aug) -> np.ndarray:
        """Scaled, augmented inputs back in original units, without the bias column."""
        return np.asarray(X_aug, dtype=float)[:, 1:] * self.x_scale

    def scale_X(self, X_original) -> np.ndarray:
        """Inputs in original units (N, N_I) to the network's augmented, scaled form (N, N_I+1)."""
        X = np.asarray(X_original, dtype=float) / self.x_scale
        return np.hstack([np.ones((X.shape[0], 1)), X])

    def __repr__(self) -> str:
        return (f"Prepared(features={self.features}, target={self.target!r}, "
                f"train={self.X_train_aug.shape}, test={self.X_test_aug.shape})")


def load_income() -> pd.DataFrame:
    """The bundled 30 rows of Income2, indexed by their row label 1..30."""
    df = pd.read_csv(INCOME_CSV, index_col=0)
    df.index.name = "Row"
    return df


def read_table(source) -> pd.DataFrame:
    """A user's CSV (path, bytes or file-like) as a DataFrame indexed by row number from 1.

    Raises DataError for anything that is not a small, readable table with a header row.
    """
    text = _decode(_read_bytes(source))
    try:
        delimiter = _sniff_delimiter(text)
        # newline="": the csv module then accepts \r-only line ends (old Mac/Excel exports) too.
        header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    except csv.Error as exc:   # e.g. a field longer than the csv module's limit
        raise DataError(
            f"The file could not be read as a table ({_first_line(exc)}). Check that it is a CSV "
            "file with a header row and one row per line."
        ) from None
    names = [h.strip() for h in header]
    try:
        df = pd.read_csv(io.StringIO(text), sep=delimiter, header=0, names=None,
                         nrows=MAX_ROWS + 1, skipinitialspace=True, dtype=str,
                         keep_default_na=False, na_filter=False)
    except (pd.errors.ParserError, csv.Error, UnicodeError) as exc:
        raise DataError(
            "The file could not be read as a table: the rows do not all have the same number of "
            f"columns ({_first_line(exc)}). Check for stray {_DELIMITER_NAMES[delimiter]} or quotes."
        ) from None
    except pd.errors.EmptyDataError:
        raise DataError("The file has no rows. Upload a CSV with a header row and data rows.") from None
    if len(df) > MAX_ROWS:
        raise DataError(
            f"The file has more than {MAX_ROWS:,} data rows; the app refuses larger files rather "
            "than sampling them silently. Keep a random sample of at most "
            f"{MAX_ROWS:,} rows and upload that."
        )
    names = _check_names(names, df)
    df.columns = names
    if names and names[0] == "" and _looks_like_row_labels(df.iloc[:, 0]):
        # A leading unnamed column of 1, 2, 3, ... is the row label a spreadsheet or pandas wrote.
        df = df.iloc[:, 1:]
        names = names[1:]
    _check_empty_names(names)
    if len(names) < 2:
        raise DataError(
            "Only one column was found. The app needs at least two: one or more features and a "
            "target. Separate columns with commas (or semicolons, tabs or |)."
        )
    if len(df) < MIN_ROWS:
        raise DataError(
            f"The file has {len(df)} data row{'s' if len(df) != 1 else ''}; at least {MIN_ROWS} are "
            "needed to have something to train on and something to test on."
        )
    df = df.apply(_to_number_if_possible)
    df.index = pd.RangeIndex(1, len(df) + 1, name="Row")
    return df


def numeric_columns(df: pd.DataFrame) -> list[str]:
    """Columns whose every non-blank cell is a number (infinite values count as numbers)."""
    return [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])
            and not pd.api.types.is_bool_dtype(df[c])]


def incomplete_rows(df: pd.DataFrame, columns: Sequence[str]) -> list:
    """Labels of rows with a blank, NaN or infinite value in any of ``columns`` (numeric ones)."""
    values = df[list(columns)].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    return list(df.index[~np.isfinite(values).all(axis=1)])


def prepare(df: pd.DataFrame, features: Sequence[str] = FEATURES, target: str = TARGET,
            test_size: float = 0.5, split_seed: int = 42, *, drop_incomplete: bool = False) -> Prepared:
    """Split ``df`` into training and test rows and scale both by the training maxima (SPEC §1).

    ``train_test_split(X, y, test_size, random_state=split_seed)``, then every feature and the target
    is divided by its largest absolute value in the training rows.
    """
    features = tuple(features)
    if not features:
        raise DataError("Choose at least one feature column.")
    columns = features + (target,)
    if len(set(columns)) != len(columns):
        raise DataError(f"The target {target!r} is also chosen as a feature; a column can be only one of the two.")
    for name in columns:
        if name not in df.columns:
            raise DataError(f"There is no column named {name!r}. The columns are: {', '.join(map(repr, df.columns))}.")
        if not pd.api.types.is_numeric_dtype(df[name]) or pd.api.types.is_bool_dtype(df[name]):
            bad = df[name][pd.to_numeric(df[name], errors="coerce").isna() & (df[name].astype(str).str.strip() != "")]
            example = f" (row {bad.index[0]} holds {str(bad.iloc[0])[:40]!r})" if len(bad) else ""
            raise DataError(f"Column {name!r} is not numeric{example}. Choose columns that hold only numbers.")
    if not 0.05 <= float(test_size) <= 0.95:
        raise DataError(f"The test fraction must be between 0.05 and 0.95, got {test_size}.")
    bad_rows = incomplete_rows(df, columns)
    dropped: tuple = ()
    if bad_rows:
        if not drop_incomplete:
            raise IncompleteRowsError(
                f"{len(bad_rows)} row{'s have' if len(bad_rows) != 1 else ' has'} a blank, NaN or "
                f"infinite value in the chosen columns (row{'s' if len(bad_rows) != 1 else ''} "
                f"{_list_labels(bad_rows)}). Drop those rows or fix the file.", bad_rows)
        df = df.drop(index=bad_rows)
        dropped = tuple(bad_rows)
    if len(df) < MIN_ROWS:
        raise DataError(f"Only {len(df)} complete rows are left; at least {MIN_ROWS} are needed.")
    values = df[list(columns)].to_numpy(dtype=float)
    for j, name in enumerate(columns):
        if np.all(values[:, j] == values[0, j]):
            raise DataError(
                f"Column {name!r} has the same value ({values[0, j]:g}) in every row, so it cannot "
                "help predict anything (and scaling would divide by its maximum). Choose another column."
            )
    X, y = values[:, :-1], values[:, -1:]
    try:
        X_train, X_test, y_train, y_test, rows_train, rows_test = train_test_split(
            X, y, np.asarray(df.index), test_size=float(test_size), random_state=int(split_seed))
    except ValueError as exc:
        raise DataError(f"The rows cannot be split into training and test sets: {exc}") from None
    x_scale = np.abs(X_train).max(axis=0)
    y_scale = np.abs(y_train).max(axis=0)
    for name, s in zip(columns, np.concatenate([x_scale, y_scale])):
        if s == 0:
            raise DataError(
                f"Column {name!r} is zero in every training row, so it cannot be scaled by its "
                "maximum. Choose another column or another split seed."
            )
    return Prepared(
        X_train_aug=_augment(X_train / x_scale), X_test_aug=_augment(X_test / x_scale),
        y_train=y_train / y_scale, y_test=y_test / y_scale, x_scale=x_scale, y_scale=y_scale,
        features=features, target=target, train_rows=rows_train, test_rows=rows_test,
        dropped_rows=dropped,
    )


def _augment(X: np.ndarray) -> np.ndarray:
    return np.hstack([np.ones((X.shape[0], 1)), X])


def _read_bytes(source) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        raw = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise DataError(f"There is no file at {str(path)!r}.")
        if path.stat().st_size > MAX_BYTES:
            raise DataError(_too_big())
        raw = path.read_bytes()
    elif hasattr(source, "read"):
        raw = source.read(MAX_BYTES + 1)
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
    else:
        raise DataError("Give a CSV file: a path, its bytes, or an open file.")
    if len(raw) > MAX_BYTES:
        raise DataError(_too_big())
    return raw


def _too_big() -> str:
    return f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB. Upload a smaller CSV (a sample of the rows)."


_SIGNATURES = {
    b"PK\x03\x04": "an Excel workbook (.xlsx) or another zip file",
    b"\xd0\xcf\x11\xe0": "an old Excel workbook (.xls)",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\x1f\x8b": "a gzip archive",
}


def _decode(raw: bytes) -> str:
    if not raw.strip():
        raise DataError("The file is empty. Upload a CSV with a header row and at least 4 data rows.")
    for magic, what in _SIGNATURES.items():
        if raw.startswith(magic):
            raise DataError(
                f"This looks like {what}, not a CSV text file. In your spreadsheet program use "
                "“Save as… → CSV (comma separated)” and upload that file."
            )
    if b"\x00" in raw[:65536]:
        raise DataError("This is a binary file, not a CSV text file. Save the table as CSV and upload that.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\r\n\t")
    if controls > 0.01 * min(len(text), 65536):
        raise DataError("This does not look like a text file. Save the table as CSV and upload that.")
    return text


def _sniff_delimiter(text: str) -> str:
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    best, best_score = ",", 0
    for d in DELIMITERS:
        counts = [len(next(csv.reader([ln], delimiter=d))) for ln in lines]
        # A delimiter that splits every line into the same number (> 1) of fields wins.
        if counts and min(counts) > 1:
            score = min(counts) * (2 if len(set(counts)) == 1 else 1)
            if score > best_score:
                best, best_score = d, score
    return best


def _check_names(names: list[str], df: pd.DataFrame) -> list[str]:
    if len(names) != df.shape[1]:
        names = (names + [""] * df.shape[1])[: df.shape[1]]
    seen: dict[str, int] = {}
    for i, n in enumerate(names):
        if n and n in seen:
            raise DataError(
                f"Two columns are both named {n!r} (columns {seen[n] + 1} and {i + 1}). "
                "Give every column a different name in the header row."
            )
        seen[n] = i
    return names


def _check_empty_names(names: list[str]) -> None:
    for i, n in enumerate(names):
        if not n:
            raise DataError(
                f"Column {i + 1} has no name in the header row. Give every column a name "
                "(the first row of the file must be the header)."
            )


def _looks_like_row_labels(col: pd.Series) -> bool:
    values = pd.to_numeric(col, errors="coerce")
    if values.empty or values.isna().any():
        return False
    start = values.iloc[0]
    return start in (0, 1) and np.array_equal(values.to_numpy(), np.arange(start, start + len(values)))


# Spellings of "missing" that spreadsheets, R and pandas write; counted like a blank cell, so the
# column stays numeric and prepare() reports the row instead of calling the column non-numeric.
_MISSING = {"nan", "-nan", "na", "n/a", "#n/a", "null", "none", "<na>"}


def _to_number_if_possible(col: pd.Series) -> pd.Series:
    stripped = col.astype(str).str.strip()
    blank = (stripped == "") | stripped.str.lower().isin(_MISSING)
    numbers = pd.to_numeric(stripped.where(~blank), errors="coerce")
    if (numbers.notna() | blank).all() and not blank.all():
        return numbers.astype(float)
    return col


def _list_labels(labels: Sequence, limit: int = 8) -> str:
    shown = ", ".join(str(x) for x in labels[:limit])
    return shown + (f" and {len(labels) - limit} more" if len(labels) > limit else "")


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__

"""The data: the bundled Income2 table, a user's CSV, the toy classification sets, and the split-and-scale.

Income2 is the 30-person data set of "An Introduction to Statistical Learning" (James, Witten,
Hastie, Tibshirani, Springer 2013): Education (years), Seniority (months), Income ($1000s).
The toy sets (``toy``, drawn in ``core.toy``) have inputs x1, x2 and a class label.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

# Reading a user's file lives in csv_reader; these names are part of data's public contract (docs/core-api.md).
from core.csv_cells import TOO_LARGE, DataError, too_large_message, why_not_numeric
from core.csv_cells import _is_missing as is_missing_text
from core.csv_reader import (DELIMITERS, MAX_BYTES, MAX_COLUMNS, MAX_NAME_LENGTH, MAX_ROWS,  # noqa: F401
                             MIN_ROWS, read_table)
from core.toy import TOY_SETS, toy  # noqa: F401  (the classification data sets)

INCOME_CSV = Path(__file__).resolve().parent.parent / "data" / "Income2.csv"
FEATURES = ("Education", "Seniority")
TARGET = "Income"
UNITS = {"Education": "years", "Seniority": "months", "Income": "$1000s"}


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

    ``task`` is "regression" or "classification". For classification ``classes`` holds the K
    class labels, sorted; the targets are 0.0/1.0 (N, 1) for K = 2 (1.0 = ``classes[1]``) or
    one-hot (N, K), not scaled: ``y_scale`` is all ones, so ``to_original_y`` changes nothing.
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
    task: str = "regression"
    classes: tuple = ()

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


def numeric_columns(df: pd.DataFrame) -> list[str]:
    """Columns whose every non-blank cell is a number: the ones a student can choose."""
    return [c for c in df.columns if _is_numeric(df[c])]


def not_numeric_reasons(df: pd.DataFrame) -> dict[str, str]:
    """For each column that is not numeric, the sentence saying why (e.g. true/false values)."""
    return {c: why_not_numeric(c, df[c]) for c in df.columns if not _is_numeric(df[c])}


def _is_numeric(col: pd.Series) -> bool:
    # True/False are not measurements to scale; read_table never makes bool columns, a caller's frame may.
    return pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)


def incomplete_rows(df: pd.DataFrame, columns: Sequence[str]) -> list:
    """Labels of rows with a blank, NaN or infinite value in any of ``columns`` (numeric ones)."""
    values = df[list(columns)].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    return list(df.index[~np.isfinite(values).all(axis=1)])


TASKS = ("regression", "classification")
MAX_CLASSES = 10


def prepare(df: pd.DataFrame, features: Sequence[str] = FEATURES, target: str = TARGET,
            test_size: float = 0.5, split_seed: int = 42, task: str = "regression", *,
            drop_incomplete: bool = False) -> Prepared:
    """Split ``df`` into training and test rows and scale the inputs by the training rows (docs/core-api.md).

    Regression: ``train_test_split(X, y, test_size, random_state=split_seed)``, then every feature
    and the target is divided by its largest absolute value in the training rows.

    Classification: the target's distinct values, sorted, are the classes (text or numbers, 2 to
    ``MAX_CLASSES``). The split is stratified by class (``stratify=`` the labels), so training and
    test rows keep each class's share. Targets are 0.0/1.0 (1.0 = ``classes[1]``) for two classes,
    one-hot rows for more; they are not scaled (``y_scale`` is 1). Inputs are scaled as above.
    """
    if task not in TASKS:
        raise ValueError(f"task must be 'regression' or 'classification', got {task!r}.")
    classify = task == "classification"
    features = tuple(features)
    if not features:
        raise DataError("Choose at least one feature column.")
    columns = features + (target,)
    if len(set(columns)) != len(columns):
        raise DataError(f"The target {target!r} is also chosen as a feature; a column can be only one of the two.")
    for name in columns:
        if name not in df.columns:
            raise DataError(f"There is no column named {name!r}. The columns are: {', '.join(map(repr, df.columns))}.")
        if not _is_numeric(df[name]) and not (classify and name == target):
            raise DataError(why_not_numeric(name, df[name].set_axis(df.index)))
    if not 0.05 <= float(test_size) <= 0.95:
        raise DataError(f"The test fraction must be between 0.05 and 0.95, got {test_size}.")
    numeric = features if classify else columns         # a class label need not be a number
    bad_rows = incomplete_rows(df, numeric)
    if classify:
        bad = set(bad_rows) | set(_unlabelled_rows(df[target]))
        bad_rows = [r for r in df.index if r in bad]
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
    values = df[list(numeric)].to_numpy(dtype=float)
    big = np.argwhere(np.abs(values) >= TOO_LARGE)       # read_table refuses these; a caller's frame may not
    if len(big):
        i, j = big[0]
        raise DataError(too_large_message(numeric[j], df.index[i], f"{values[i, j]:g}"))
    for j, name in enumerate(numeric):
        if np.all(values[:, j] == values[0, j]):
            raise DataError(
                f"Column {name!r} has the same value ({values[0, j]:g}) in every row, so it cannot "
                "help predict anything (and scaling would divide by its maximum). Choose another column."
            )
    if classify:
        X = values
        classes, y, labels = _classes(df[target], target)
    else:
        X, y, labels = values[:, :-1], values[:, -1:], None
    try:
        X_train, X_test, y_train, y_test, rows_train, rows_test = train_test_split(
            X, y, np.asarray(df.index), test_size=float(test_size), random_state=int(split_seed),
            **({"stratify": labels} if classify else {}))
    except ValueError as exc:
        if classify:
            raise DataError(
                f"The {len(df)} rows cannot be split into training and test sets that each hold every "
                f"class ({len(classes)} classes; a test fraction of {float(test_size):g}). Choose a test "
                "fraction nearer 0.5, or use more rows.") from None
        raise DataError(f"The rows cannot be split into training and test sets: {exc}") from None
    x_scale = np.abs(X_train).max(axis=0)
    y_scale = np.ones(y.shape[1]) if classify else np.abs(y_train).max(axis=0)
    for name, s in zip(columns, np.concatenate([x_scale, y_scale])):
        if s == 0:
            raise DataError(
                f"Column {name!r} is zero in every training row, so it cannot be scaled by its "
                "maximum. Choose another column or another split seed."
            )
    X_test_scaled, y_test_scaled = X_test / x_scale, y_test / y_scale
    for j, name in enumerate(numeric):
        # A test value can exceed the training maximum; by more than TOO_LARGE times, its square overflows.
        scaled = (X_test_scaled[:, j] if j < len(features) else y_test_scaled[:, 0])
        if np.any(np.abs(scaled) >= TOO_LARGE):
            raise DataError(
                f"Column {name!r} spans too wide a range: a test value is more than 1e150 times its "
                "largest training value, so scaling would overflow. Rescale that column or remove its "
                "extreme rows."
            )
    if classify:
        _check_every_class_trains(classes, y, y_train, len(df), test_size)
    return Prepared(
        X_train_aug=_augment(X_train / x_scale), X_test_aug=_augment(X_test_scaled),
        y_train=y_train / y_scale, y_test=y_test_scaled, x_scale=x_scale, y_scale=y_scale,
        features=features, target=target, train_rows=rows_train, test_rows=rows_test,
        dropped_rows=dropped, task=task, classes=classes if classify else (),
    )


def _unlabelled_rows(labels: pd.Series) -> list:
    """Labels of rows whose class is missing: NaN, None, or text that is blank or a missing-value marker."""
    missing = [v is None or (isinstance(v, str) and is_missing_text(v.strip())) or
               (not isinstance(v, str) and bool(pd.isna(v))) for v in labels]
    return list(labels.index[np.array(missing, dtype=bool)])


def _classes(labels: pd.Series, target: str):
    """``(classes, y, index)``: the sorted distinct labels as plain Python values, the targets (N, 1)
    of 0/1 for two classes or (N, K) one-hot, and each row's class index. DataError if the count
    of classes or of rows in a class cannot be classified."""
    plain = [v.item() if isinstance(v, np.generic) else v for v in labels]
    classes = tuple(sorted(set(plain), key=lambda v: (isinstance(v, str), v)))
    if len(classes) < 2:
        raise DataError(f"Column {target!r} holds only one class ({classes[0]!r}); classification needs at "
                        "least two. Choose another target column.")
    if len(classes) > MAX_CLASSES:
        raise DataError(f"Column {target!r} has {len(classes)} different values; classification allows 2 to "
                        f"{MAX_CLASSES} classes. Choose a column with fewer labels, or predict it as a number "
                        "(regression).")
    position = {c: k for k, c in enumerate(classes)}
    index = np.array([position[v] for v in plain])
    counts = np.bincount(index, minlength=len(classes))
    for c, n in zip(classes, counts):
        if n == 1:
            raise DataError(f"Class {c!r} of column {target!r} has only one row; every class needs at least "
                            "two, one to train on and one to test with. Add rows of that class or remove it.")
    y = (index == 1).astype(float)[:, None] if len(classes) == 2 else np.eye(len(classes))[index]
    return classes, y, index


def _check_every_class_trains(classes, y, y_train, n_rows: int, test_size: float) -> None:
    """DataError naming a class that has no training row: the network could never learn it."""
    seen = y_train.sum(axis=0) if y.shape[1] > 1 else np.array([len(y_train) - y_train.sum(), y_train.sum()])
    total = y.sum(axis=0) if y.shape[1] > 1 else np.array([len(y) - y.sum(), y.sum()])
    for c, n_train, n in zip(classes, seen, total):
        if n_train == 0:
            raise DataError(
                f"Class {c!r} has no row in the training set after the split ({int(n)} of {n_rows} rows "
                f"belong to it, and the test set takes {float(test_size):.0%} of the rows), so the network "
                "could never learn it. Try another split seed, a smaller test fraction, or more points.")


def _augment(X: np.ndarray) -> np.ndarray:
    return np.hstack([np.ones((X.shape[0], 1)), X])


def _list_labels(labels: Sequence, limit: int = 8) -> str:
    shown = ", ".join(str(x) for x in labels[:limit])
    return shown + (f" and {len(labels) - limit} more" if len(labels) > limit else "")

"""One column of a student's CSV: its cells as numbers, or the sentence that says why not.

``core.csv_reader`` reads the file into columns of text; ``column`` decides whether a column is
numeric. How each odd spelling is read (missing values, decimal commas, thousands separators,
numbers too large for the arithmetic) is decided here, where it happens.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

# Why 1e150: prepare() divides each column by its largest training value, the network's loss is
# ½ Σ (y − ŷ)², and the pages square and sum values in original units over at most MAX_ROWS rows.
# With every |x| < 1e150, a square stays below 1e300 and a sum of 10,000 of them below 1e305,
# short of the largest float (1.8e308); 1e308 itself, or 1e400 (which parses to inf), would
# overflow there or break a chart's JSON. prepare() applies the same bound to scaled test values.
TOO_LARGE = 1e150


class DataError(ValueError):
    """A problem with a data set, phrased so it can be shown to a student as it is."""


def why_not_numeric(name: str, cells) -> str:
    """The sentence that says why column ``name`` (its ``cells``, from row 1) is not numeric."""
    rows = cells.index if isinstance(cells, pd.Series) else range(1, len(cells) + 1)
    has_value = False
    for row, cell in zip(rows, cells):
        s = str(cell).strip()
        if _is_missing(s):
            continue
        has_value = True
        if not (_PLAIN.fullmatch(s) or _DECIMAL_COMMA.fullmatch(s) or _THOUSANDS.fullmatch(s)):
            return f"Column {name!r} is not numeric (row {row} holds {s[:40]!r}). {_advice(s)}"
    if has_value:
        return f"Column {name!r} is not numeric. Choose columns that hold only numbers."
    return f"Column {name!r} has no values, only blanks or missing-value markers. Choose a column that holds numbers."


# ----- cells to numbers ----------------------------------------------------------------------

# A number is ASCII digits with an optional sign, decimal point and exponent ("-1.5", ".5", "2e3").
# Python's float() also takes "1_000", "١٢" (Arabic-Indic digits) and " 1 "; pandas does not take
# the first two. Neither is a number here, so the same cell means the same thing everywhere.
_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_PLAIN = re.compile(_NUMBER)
_PLAIN_LINES = re.compile(rf"(?:{_NUMBER})(?:\n(?:{_NUMBER}))*")

# Spellings of "missing" that spreadsheets, R, pandas and printed tables write; counted like a
# blank cell, so the column stays numeric and prepare() reports the row instead of calling the
# column non-numeric. "inf" is among them: an infinite value is no measurement, and NaN (unlike
# inf) cannot break a chart. Excel's error values (#DIV/0! …) mean "no value could be computed".
_MISSING = frozenset({
    "nan", "-nan", "na", "n/a", "n.a.", "#n/a", "null", "none", "<na>", "?", "-", "--", ".",
    "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity",
    "#div/0!", "#value!", "#num!", "#ref!", "#name?", "#null!",
})

# Commas inside numbers are read only when their meaning is certain (see _comma_numbers).
_THOUSANDS = re.compile(r"[+-]?[1-9][0-9]{0,2}(?:(?:,[0-9]{3}){2,}(?:\.[0-9]*)?|,[0-9]{3}\.[0-9]*)")
_AMBIGUOUS = re.compile(r"[+-]?[1-9][0-9]{0,2},[0-9]{3}")
_DECIMAL_COMMA = re.compile(r"[+-]?(?:[1-9][0-9]{0,2}(?:\.[0-9]{3})+,[0-9]*|[0-9]*,[0-9]+)(?:[eE][+-]?[0-9]+)?")


def is_number(s: str) -> bool:
    """``s`` is a plain number as this app reads one ("-1.5", ".5", "2e3")."""
    return _PLAIN.fullmatch(s) is not None


def _is_missing(s: str) -> bool:
    return not s or s.lower() in _MISSING


def column(name: str, cells: list[str]):
    """``cells`` as float64 (missing -> NaN) when every one is a number or missing, else the text."""
    stripped = [c.strip() for c in cells]
    if _PLAIN_LINES.fullmatch("\n".join(stripped)):
        try:                             # the usual column, every cell a plain number: one regex in C
            values = np.array(stripped, dtype=float)
        except ValueError:               # a quoted cell with a line break inside ("1\n2")
            return pd.Series(cells, dtype=object).to_numpy()
        return _not_too_large(name, values, stripped)
    values = np.full(len(cells), np.nan)
    commas: list[int] = []
    for i, s in enumerate(stripped):
        if _is_missing(s):
            continue
        if _PLAIN.fullmatch(s):
            values[i] = float(s)
        elif _DECIMAL_COMMA.fullmatch(s) or _THOUSANDS.fullmatch(s):
            commas.append(i)
        else:
            return pd.Series(cells, dtype=object).to_numpy()
    if np.isnan(values).all() and not commas:
        return pd.Series(cells, dtype=object).to_numpy()     # nothing but blanks: no numbers to keep
    if commas:
        _comma_numbers(name, stripped, commas, values)
    return _not_too_large(name, values, stripped)


def _not_too_large(name: str, values: np.ndarray, stripped: list[str]) -> np.ndarray:
    big = np.flatnonzero(np.abs(values) >= TOO_LARGE)       # NaN compares False: missing cells pass
    if len(big):
        raise DataError(too_large_message(name, int(big[0]) + 1, stripped[big[0]]))
    return values


def too_large_message(name: str, row, value) -> str:
    return (f"Column {name!r} holds {str(value)[:40]} in row {row}, a number too large for the app's "
            f"arithmetic (it takes numbers between -1e150 and 1e150). Rescale that column, for example "
            "by dividing it by a power of ten, or remove that row.")


def _comma_numbers(name: str, stripped: list[str], commas: list[int], values: np.ndarray) -> None:
    """Fill ``values`` at ``commas`` or refuse the column.

    "1,5", "99,92", "0,250", "1.234,5" can only have a decimal comma; "1,234,567" and "1,234.5"
    only thousands separators; "1,000" could be either (1.0 or 1000). A column is read one way:
    decimal commas if it has a certain decimal comma, thousands if it has a certain thousands
    number or a plain decimal point ("2.5") — and refused when it has both or only "1,000"s.
    """
    decimal = [i for i in commas if _DECIMAL_COMMA.fullmatch(stripped[i]) and not _AMBIGUOUS.fullmatch(stripped[i])]
    thousands = [i for i in commas if _THOUSANDS.fullmatch(stripped[i])]
    points = [i for i, s in enumerate(stripped) if "." in s and _PLAIN.fullmatch(s)]
    if decimal and (thousands or points):
        other = (thousands or points)[0]
        a, b = sorted((decimal[0], other))
        raise DataError(
            f"Column {name!r} writes numbers in two ways ({stripped[a]!r} in row {a + 1}, {stripped[b]!r} "
            f"in row {b + 1}), so the app cannot tell the decimal mark. Save the file with decimal "
            "points (1.5) and no thousands separators."
        )
    if decimal:
        for i in commas:
            values[i] = float(stripped[i].replace(".", "").replace(",", "."))
    elif thousands or points:
        for i in commas:
            values[i] = float(stripped[i].replace(",", ""))
    else:
        i = commas[0]
        raise DataError(
            f"Column {name!r} has numbers with a comma, like {stripped[i]!r} in row {i + 1}, and the app "
            "cannot tell a decimal comma from a thousands separator. Save the file with decimal "
            "points (1.5) and no thousands separators."
        )


_BOOLEAN = frozenset({"true", "false", "yes", "no"})
_GROUPED = re.compile(r"[+-]?[0-9]+(?:[_ \u00a0\u202f'][0-9]+)+(?:[.,][0-9]*)?")
_SYMBOLS = re.compile(r"[$€£¥%]|\b(?:usd|eur|gbp|kg|cm|km|m|s|h|years?|months?)\b", re.IGNORECASE)


def _advice(s: str) -> str:
    if s.lower() in _BOOLEAN:
        return "True/false values are not numbers; code them as 1 and 0 to use this column."
    if _GROUPED.fullmatch(s):
        return "Write numbers without underscores, spaces or apostrophes between the digits (1000, not 1_000)."
    if any(ch.isdigit() and not ch.isascii() for ch in s):
        return "Write numbers with the digits 0 to 9."
    if any(ch.isdigit() for ch in s) and _SYMBOLS.search(s):
        return "Write numbers without units or symbols such as $ or %."
    return "Choose columns that hold only numbers."

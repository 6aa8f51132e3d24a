"""CSV files the app offers for download, safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets (OWASP "CSV injection"): a student's column named
``=HYPERLINK("http://x", "click")`` would come back as a live link. Such *text* is written with a
leading ``'``, which spreadsheets read as "this is text". Numbers the app computed are left alone,
so -0.5 stays a number; only headers, index labels and text cells are escaped.
"""

from __future__ import annotations

import csv
import io
import numbers

import numpy as np
import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value):
    """``value`` with a ``'`` in front if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(frame: pd.DataFrame, *, index: bool = False) -> str:
    """``frame`` as CSV text: headers and text cells escaped, numbers written in full (repr)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = [_text(c) for c in frame.columns]
    if index:
        header = [_text(frame.index.name or "")] + header
    writer.writerow(header)
    for label, row in zip(frame.index, frame.itertuples(index=False, name=None)):
        cells = [_cell(v) for v in row]
        writer.writerow([_cell(label)] + cells if index else cells)
    return out.getvalue()


def _text(value) -> str:
    return escape_cell(str(value))


def _cell(value):
    if pd.api.types.is_scalar(value) and pd.isna(value):       # None, NaN, NA, NaT: an empty cell
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, numbers.Number):
        # repr: the shortest text that reads back as the same float (no rounding in the export).
        return repr(float(value)) if isinstance(value, (float, np.floating)) else str(value)
    return _text(value)

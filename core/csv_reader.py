"""A student's CSV file read defensively: a small table, or a DataError a student can act on.

``read_table`` is the one entry point (``core.data`` re-exports it). The checks run in order of
cost, so a hostile or careless file is refused before it is parsed in full: the bytes (size, file
type, encoding), then the header line alone (number of columns, names), then at most
``MAX_ROWS + 1`` records, then the cells.

What comes back: columns named as in the header (surrounding spaces removed, nothing else
changed), indexed by data row from 1 (``Row``). A column is numeric (float64) when every cell is
a number or a missing-value marker; its values are then finite or NaN and smaller in size than
``core.csv_cells.TOO_LARGE``. Any other column keeps its text. How each odd format is read is decided below,
where it happens; ``tests/core/bad_csv/expected.json`` holds one example of each.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from core.csv_cells import DataError, column, is_number

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 50
MAX_NAME_LENGTH = 100
MIN_ROWS = 4
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}

def read_table(source) -> pd.DataFrame:
    """A user's CSV (path, bytes or file-like) as a DataFrame indexed by row number from 1.

    Raises DataError for anything that is not a small, readable table with a header row.
    """
    original = _decode(_read_bytes(source))
    text, delimiter = _excel_sep_line(original)
    text = _skip_blank_lines(text)
    skipped = _LINE_BREAK.findall(original, 0, len(original) - len(text))  # lines before the header
    if not text:
        raise DataError(_EMPTY if delimiter is None else (
            f"The file holds only the line sep={delimiter} and no table. Upload a CSV with a header "
            "row and at least 4 data rows."))
    header_line = _first_line(text)
    _check_column_count(header_line, delimiter)
    delimiter = delimiter or _sniff_delimiter(text, header_line)
    header, records, lines = _records(text, delimiter, first_line=len(skipped) + 1)
    raw = list(header)
    if records and all(len(r) == len(raw) + 1 for r in records) and _looks_like_row_labels(
            [r[0] for r in records]):
        raw = [""] + raw                 # R's write.table gives row names no header cell
    names = [h.strip() for h in raw]
    _check_ragged(len(names), records, lines, delimiter)
    columns = [[r[i] for r in records] for i in range(len(names))]
    keep = list(range(len(names)))
    if records:
        # A column with neither a name nor a value is a spreadsheet's trailing empty column.
        keep = [i for i in keep if names[i] or any(c.strip() for c in columns[i])]
    if keep and names[keep[0]] == "" and _looks_like_row_labels(columns[keep[0]]):
        # A leading unnamed column of 1, 2, 3, ... is the row label a spreadsheet or pandas wrote.
        keep = keep[1:]
    # Positions as the student counts columns in the file (an R row-name column is column 0).
    offset = len(names) - len(header)
    _check_names([names[i] for i in keep], [i + 1 - offset for i in keep], [raw[i] for i in keep])
    if len(keep) < 2:
        raise DataError(
            "Only one column was found. The app needs at least two: one or more features and a "
            "target. Separate columns with commas (or semicolons, tabs or |)."
        )
    if len(records) < MIN_ROWS:
        raise DataError(
            f"The file has {len(records)} data row{'s' if len(records) != 1 else ''}; at least "
            f"{MIN_ROWS} are needed to have something to train on and something to test on."
        )
    table = {names[i]: column(names[i], columns[i]) for i in keep}
    return pd.DataFrame(table, index=pd.RangeIndex(1, len(records) + 1, name="Row"))


# ----- bytes to text -------------------------------------------------------------------------

_EMPTY = "The file is empty. Upload a CSV with a header row and at least 4 data rows."


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
# Longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _decode(raw: bytes) -> str:
    if not raw.strip():
        raise DataError(_EMPTY)
    for magic, what in _SIGNATURES.items():
        if raw.startswith(magic):
            raise DataError(
                f"This looks like {what}, not a CSV text file. In your spreadsheet program use "
                "“Save as… → CSV (comma separated)” and upload that file."
            )
    encoding = next((enc for bom, enc in _BOMS if raw.startswith(bom)), None) or _utf16_without_bom(raw)
    if encoding:
        # Excel's "Unicode text" and some Windows tools write UTF-16 (usually with a byte-order mark).
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            raise DataError(
                f"The file looks like {encoding.upper().replace('-SIG', '')} text but parts of it cannot "
                "be decoded. Save it again as “CSV UTF-8” and upload that file."
            ) from None
    elif b"\x00" in raw[:65536]:
        raise DataError("This is a binary file, not a CSV text file. Save the table as CSV and upload that.")
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            # Not UTF-8: almost always an older Excel or Windows export in the Western code page.
            text = raw.decode("cp1252", errors="replace")
    if "\x00" in text[:65536]:
        raise DataError("This is a binary file, not a CSV text file. Save the table as CSV and upload that.")
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\r\n\t")
    if controls > 0.01 * min(len(text), 65536):
        raise DataError("This does not look like a text file. Save the table as CSV and upload that.")
    start = text.lstrip()[:100].lower()
    if start.startswith(("<!doctype html", "<html")):
        raise DataError(
            "This is a web page (HTML), not a CSV file. Download the table itself as CSV, or copy it "
            "into a spreadsheet and use “Save as… → CSV”."
        )
    if start[:1] in ("{", "[") and _is_json(text):
        raise DataError("This is a JSON file, not a CSV file. Save the table as CSV (a header row, "
                        "then one row per line) and upload that.")
    return text


def _utf16_without_bom(raw: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when every other byte of the start is NUL, as in ASCII text saved as UTF-16."""
    sample = raw[:4096]
    if len(sample) < 8 or len(raw) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "utf-16-be"
    return None


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


# ----- the shape of the table: separator, header, records --------------------------------------

# Excel writes (and reads) a first line "sep=;" naming the separator; quoted by some tools.
_SEP_LINE = re.compile(r'\A[ ]*"?sep=([^\r\n"]?)"?[ ]*[,;\t|]*(?:\r\n|\r|\n|\Z)', re.IGNORECASE)


def _excel_sep_line(text: str) -> tuple[str, str | None]:
    """The text without a leading ``sep=X`` line, and X (None when there is no such line)."""
    m = _SEP_LINE.match(text)
    if not m:
        return text, None
    if m.group(1) not in DELIMITERS:
        raise DataError(
            f"The first line, {m.group(0).strip()!r}, should name the separator between columns, but "
            "the app reads only commas, semicolons, tabs or |. Delete that line or change it to sep=, "
            "(or the separator your file uses)."
        )
    return text[m.end():], m.group(1)


def _skip_blank_lines(text: str) -> str:
    m = re.match(r"(?:[ \t]*(?:\r\n|\r|\n))*", text)
    return text[m.end():] if text[m.end():].strip() else ""


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _first_line(text: str) -> str:
    m = _LINE_BREAK.search(text)
    return text[: m.start()] if m else text


def _split(line: str, delimiter: str) -> list[str] | None:
    """``line``'s fields; str.split when there are no quotes (exact then, and fast)."""
    if '"' not in line:
        return line.split(delimiter)
    try:
        return next(csv.reader([line], delimiter=delimiter, skipinitialspace=True), [])
    except csv.Error:
        return None


def _field_count(line: str, delimiter: str) -> int:
    fields = _split(line, delimiter)
    return line.count(delimiter) + 1 if fields is None else len(fields)


def _check_column_count(header_line: str, delimiter: str | None) -> None:
    """Refuse a header with more than MAX_COLUMNS fields before anything else is parsed.

    Without a ``sep=`` line the separator is not known yet; a header line that splits into more than
    MAX_COLUMNS fields at any candidate separator cannot be a table the app reads, so the widest
    split decides. This looks at one line, so 32,000 columns are refused in milliseconds.
    """
    counts = {d: _field_count(header_line, d) for d in ([delimiter] if delimiter else DELIMITERS)}
    widest = max(counts, key=counts.get)
    if counts[widest] > MAX_COLUMNS:
        raise DataError(_too_many_columns(counts[widest], widest))


def _too_many_columns(n: int, delimiter: str) -> str:
    return (f"The file has {n:,} columns (separated by {DELIMITER_NAMES[delimiter]}); the app reads at "
            f"most {MAX_COLUMNS}. Keep only the columns you need and upload that.")


def _sniff_delimiter(text: str, header_line: str) -> str:
    # The header line and the next lines of the first 64 kB: enough to see the pattern, and cheap.
    rest = text[len(header_line):len(header_line) + 65536].splitlines()
    if len(text) > len(header_line) + 65536:
        rest = rest[:-1]                    # the last line may be cut
    lines = [header_line] + [ln for ln in rest if ln.strip()][:49]
    best, best_score = ",", 0
    for d in DELIMITERS:
        counts = [_field_count(ln, d) for ln in lines]
        # A delimiter that splits every line into the same number (> 1) of fields wins.
        if min(counts) > 1:
            score = min(counts) * (2 if len(set(counts)) == 1 else 1)
            if score > best_score:
                best, best_score = d, score
    return best


def _records(text: str, delimiter: str, first_line: int = 1) -> tuple[list[str], list[list[str]], list[int]]:
    """The header, at most MAX_ROWS data records, and the file line (the text's first is
    ``first_line``) where each record starts.

    Records whose cells are all blank (an empty line, or ",,," that a spreadsheet writes for an
    empty row) are skipped like blank lines. Reading stops as soon as a record beyond MAX_ROWS
    appears, so a long file is refused without being parsed to its end.
    """
    # newline="": the csv module then accepts \r-only line ends (old Mac/Excel exports) too.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
    header, records, lines = None, [], []
    end = first_line - 1
    try:
        for record in reader:
            # A quoted cell can span lines; name the line where the record starts.
            start, end = end + 1, first_line - 1 + reader.line_num
            if not "".join(record).strip():
                continue
            if header is None:
                header = record
                if len(header) > MAX_COLUMNS:      # a header spread over several lines by quotes
                    raise DataError(_too_many_columns(len(header), delimiter))
                continue
            if len(records) == MAX_ROWS:
                raise DataError(
                    f"The file has more than {MAX_ROWS:,} data rows; the app refuses larger files rather "
                    f"than sampling them silently. Keep a random sample of at most {MAX_ROWS:,} rows "
                    "and upload that."
                )
            records.append(record)
            lines.append(start)
    except csv.Error as exc:   # e.g. a field longer than the csv module's limit
        raise DataError(
            f"The file could not be read as a table ({_first_message_line(exc)}). Check that it is a "
            "CSV file with a header row and one row per line."
        ) from None
    if header is None:
        raise DataError(_EMPTY)
    return header, records, lines


def _check_ragged(n_names: int, records: list[list[str]], lines: list[int], delimiter: str) -> None:
    for record, line in zip(records, lines):
        if len(record) != n_names:
            hint = ("; if the numbers use a decimal comma (like 1,5), save the file with semicolons "
                    "between the columns" if delimiter == "," and len(record) > n_names else "")
            raise DataError(
                f"Line {line} of the file has {len(record)} value{'s' if len(record) != 1 else ''} but "
                f"the header names {n_names} columns. Check that line for stray "
                f"{DELIMITER_NAMES[delimiter]} or quotes{hint}."
            )


def _first_message_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__


# ----- column names --------------------------------------------------------------------------

_CONTROL_NAMES = {"\t": "a tab", "\n": "a line break", "\r": "a line break"}


def _check_names(names: list[str], positions: list[int], raw: list[str]) -> None:
    """Names are kept as written (``set``, ``y``, ``=A1``, ``a\\``, HTML, Markdown are all fine: the
    pages show them literally and exports escape them); only names no page could show are refused."""
    if len(names) >= 2 and all(is_number(n) for n in names if n) and any(names):
        shown = ", ".join(n for n in names if n)[:60]
        raise DataError(
            f"The first row holds only numbers ({shown}), so the file seems to have no header row. "
            "Add a first row with a name for each column."
        )
    seen: dict[str, tuple[int, str]] = {}
    for n, pos, r in zip(names, positions, raw):
        if not n:
            raise DataError(
                f"Column {pos} has no name in the header row. Give every column a name "
                "(the first row of the file must be the header)."
            )
        if len(n) > MAX_NAME_LENGTH:
            raise DataError(
                f"The name of column {pos} ({n[:30]!r}…) is {len(n)} characters long; the app accepts "
                f"names of at most {MAX_NAME_LENGTH}. Shorten it in the header row."
            )
        control = next((ch for ch in n if unicodedata.category(ch) in ("Cc", "Cf")), None)
        if control is not None:
            # Tabs, line breaks, escape codes and invisible direction marks would make the name
            # show differently from what it is (or not at all).
            what = _CONTROL_NAMES.get(control, "an invisible control character")
            raise DataError(
                f"The name of column {pos} ({n[:30]!r}) contains {what} (U+{ord(control):04X}). "
                "Retype that name in the header row."
            )
        if n in seen:
            first_pos, first_raw = seen[n]
            spaces = " once the spaces around names are ignored" if first_raw != r else ""
            raise DataError(
                f"Two columns are both named {n!r}{spaces} (columns {first_pos} and {pos}). "
                "Give every column a different name in the header row."
            )
        seen[n] = (pos, r)


def _looks_like_row_labels(cells: list[str]) -> bool:
    stripped = [str(c).strip() for c in cells]
    # At most 18 digits: int() of a 5,000-digit cell raises, and no row count is that long.
    if not stripped or not all(s.isascii() and s.isdigit() and len(s) <= 18 for s in stripped):
        return False
    values = np.array([int(s) for s in stripped])
    return values[0] in (0, 1) and np.array_equal(values, np.arange(values[0], values[0] + len(values)))

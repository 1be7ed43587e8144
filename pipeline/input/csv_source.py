"""Reading a CSV file as the cells of a sheet (docs/workbook.md, "CSV files").

Excel saves CSV in two encodings: "CSV UTF-8" (with a byte order mark) and plain "CSV",
in the Windows code page (Windows-1252 in the UK: "£" is one byte, 0xA3). A file is read
as UTF-8 when it is valid UTF-8, else as Windows-1252; bytes that are neither, or a file
that mixes the two, are refused with the line they are on. The separator is a comma or a
semicolon (Excel writes semicolons where the decimal separator is a comma), found from the
header line. pandas splits the fields, keeping every one as the text it is (``dtype=str``,
``keep_default_na=False``: "NA", "null" or "1e5" are not turned into anything); the cells
are then judged by :mod:`pipeline.input.cells` as a workbook's are.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import InputProblems, Problem

# a complete UTF-8 sequence of two to four bytes: in a file that is not valid UTF-8, one of
# these means two encodings were mixed (a UTF-8 file edited by a program writing Windows-1252)
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


@dataclass(frozen=True)
class Cell:
    """A CSV field as the workbook reader expects a cell: its text, no number format."""

    value: str | None
    number_format: None = None


@dataclass(frozen=True)
class CsvTable:
    name: str  # the file's name, as messages call it ("values.csv")
    header: list[Cell]
    records: list[tuple[int, list[Cell]]]  # (the line the record starts on, its fields)
    delimiter: str
    encoding: str


def read_csv(path: str | Path) -> CsvTable:
    """The CSV file at ``path``, or InputProblems saying why it cannot be read."""
    path = Path(path)
    name = str(path)

    def fail(message, line=None):
        raise InputProblems(name, [Problem(name, path.name if line else None, line, None, message)])

    if not path.exists():
        fail("file not found")
    if path.is_dir():
        fail("is a folder, not a CSV file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        fail(f"cannot be read: {exc.strerror}")
    if data.startswith(b"PK") or data.startswith(b"\xd0\xcf\x11\xe0"):
        fail("is an Excel workbook (or another archive), not a CSV file: name it .xlsx, or save it from Excel "
             "as CSV UTF-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        fail("is UTF-16 text (Excel's \"Unicode Text\"), not CSV: save it from Excel as CSV UTF-8")
    if b"\x00" in data:
        fail("holds binary data (a NUL byte), so it is not a CSV text file: save it from Excel as CSV UTF-8",
             data[:data.index(b"\x00")].count(b"\n") + 1)
    text, encoding = _decode(data, fail)
    if not text.strip():
        fail("is empty: the first line must name the columns")
    delimiter = _delimiter(text, fail)
    import pandas as pd  # heavy: imported only when a CSV is read

    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, dtype=str, keep_default_na=False,
                            skip_blank_lines=False, engine="c")
    except pd.errors.ParserError as exc:
        m = _FIELDS.search(str(exc))
        if m:
            expected, line, saw = (int(g) for g in m.groups())
            fail(f"has {saw} fields, but the header line has {expected}: a cell holding a "
                 f"{'comma' if delimiter == ',' else 'semicolon'} must be in double quotes (Excel quotes them)",
                 _physical_line(text, line))
        fail(f"cannot be read as CSV ({str(exc).strip().splitlines()[0]}): perhaps a double quote is not closed")
    except (ValueError, pd.errors.EmptyDataError) as exc:
        fail(f"cannot be read as CSV ({exc})")
    rows = [[Cell(v if v != "" else None) for v in record] for record in frame.itertuples(index=False, name=None)]
    records = []
    line = 1
    for fields in rows:
        records.append((line, fields))
        line += 1 + sum(_breaks(c.value) for c in fields if c.value)
    header = records[0][1] if records else []
    return CsvTable(path.name, header, records[1:], delimiter, encoding)


def _breaks(text: str) -> int:
    """The line breaks a quoted field holds (CRLF, LF or a lone CR each count once)."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _physical_line(text: str, record: int) -> int:
    """pandas numbers records; a quoted field holding a line break makes them differ from
    the lines an editor shows. A record's first line, counting breaks outside quotes."""
    line, count, quoted = 1, 1, False
    for i, ch in enumerate(text):
        if count == record:
            return line
        if ch == '"':
            quoted = not quoted
        elif ch == "\n" or (ch == "\r" and text[i + 1:i + 2] != "\n"):
            line += 1
            if not quoted:
                count += 1
    return line


def _decode(data: bytes, fail) -> tuple[str, str]:
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError as exc:
        bad = exc.start
    where = data[:bad].count(b"\n") + 1
    if _UTF8_SEQUENCE.search(data):
        fail(f"mixes two encodings: it holds UTF-8 characters, but the byte 0x{data[bad]:02X} is not UTF-8: "
             "save it from Excel as CSV UTF-8", where)
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as exc:
        fail(f"holds the byte 0x{data[exc.start]:02X}, which is neither UTF-8 nor Windows-1252 text: save it "
             "from Excel as CSV UTF-8", data[:exc.start].count(b"\n") + 1)
    raise AssertionError("unreachable")  # (fail raises)


def _delimiter(text: str, fail) -> str:
    """Comma or semicolon, whichever separates the header line's names (outside quotes)."""
    first = re.split(r"\r\n|\n|\r", text, maxsplit=1)[0]
    outside = re.sub(r'"[^"]*"', "", first)
    commas, semicolons = outside.count(","), outside.count(";")
    if semicolons > commas:
        return ";"
    if not commas and "\t" in outside:
        fail("is separated by tabs: save it from Excel as CSV (comma separated) or CSV UTF-8", 1)
    return ","

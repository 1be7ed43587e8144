"""Reading one spreadsheet cell as the type a column needs.

Each reader returns the typed value or raises :class:`CellError` with a message that
quotes what the officer typed; the caller adds the file, sheet, row and column.
"""
from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal

from pipeline.periods import Month, parse_month


class CellError(ValueError):
    pass


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def quoted(value) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_text(value) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def read_multiline(value) -> str:
    """Text that keeps its line breaks (commentary): CRLF folded, trailing blanks trimmed."""
    if is_blank(value):
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?$")


def _plain_number(text: str, original) -> float:
    cleaned = text.replace(" ", "").replace("\u00a0", "")
    if cleaned.startswith("£"):
        cleaned = cleaned[1:]
    if not cleaned or not _NUMBER.match(cleaned) or cleaned in {"+", "-", "."}:
        raise CellError(f"{quoted(original)} is not a number")
    return float(cleaned.replace(",", ""))


def read_number(value) -> float | None:
    """A plain number: 1249, "1,249", "£1,250", 5.84. Percent signs are refused here."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(f"{quoted(value)} is not a number")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, (_dt.datetime, _dt.date)):
        raise CellError(f"{value:%Y-%m-%d} is a date, not a number")
    text = str(value).strip()
    if text.endswith("%"):
        raise CellError(f"{quoted(value)} is a percentage, but this column takes a plain number")
    return _plain_number(text, value)


def read_measure(value, number_format: str | None, unit: str | None) -> float | None:
    """A figure in an indicator's unit. Percentages are held as points (73 for 73%).

    For a percentage indicator: "73%" and a cell formatted as a percentage (0.73 shown
    as 73%) are 73; a plain 73 is 73; a plain number between 0 and 1 (0.73) could be a
    fraction or a small percentage, so it is refused as ambiguous. For any other unit a
    percent sign is an error.
    """
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(f"{quoted(value)} is not a number")
    is_percent = unit == "percent"
    if isinstance(value, (int, float)):
        number = float(value)
        if is_percent_format(number_format):
            if not is_percent and unit is not None:
                raise CellError(
                    f"{_percent_text(number)} is formatted as a percentage, but the indicator is measured as {unit}"
                )
            return float(Decimal(repr(number)) * 100)
        if is_percent and 0 < abs(number) <= 1:
            raise CellError(
                f"{quoted(value)} is ambiguous for a percentage: write {_suggest(number)} or "
                f"{_suggest(number)}%, or format the cell as a percentage"
            )
        return number
    if isinstance(value, (_dt.datetime, _dt.date)):
        raise CellError(f"{value:%Y-%m-%d} is a date, not a number")
    text = str(value).strip()
    if text.endswith("%"):
        number = _plain_number(text[:-1], value)
        if not is_percent and unit is not None:
            raise CellError(f"{quoted(value)} is a percentage, but the indicator is measured as {unit}")
        return number
    number = _plain_number(text, value)
    if is_percent and 0 < abs(number) <= 1:
        raise CellError(
            f"{quoted(value)} is ambiguous for a percentage: write {_suggest(number)} or {_suggest(number)}%"
        )
    return number


def is_percent_format(number_format: str | None) -> bool:
    """True for Excel formats that show a fraction as a percentage ('0%', '0.0%'), not for
    formats that merely print a literal percent sign ('0"%"', '0\\%')."""
    if not number_format:
        return False
    unquoted = re.sub(r'"[^"]*"|\\.', "", number_format)
    return "%" in unquoted


def _suggest(fraction: float) -> str:
    points = Decimal(repr(fraction)) * 100
    return format(points.normalize(), "f")


def _percent_text(fraction: float) -> str:
    return f"{_suggest(fraction)}%"


def read_int(value, *, low: int, high: int) -> int | None:
    number = read_number(value)
    if number is None:
        return None
    if not float(number).is_integer() or not low <= number <= high:
        raise CellError(f"{quoted(value)} is not a whole number from {low} to {high}")
    return int(number)


_TRUE = {"y", "yes", "true", "1", "x", "✓"}
_FALSE = {"n", "no", "false", "0", ""}


def read_flag(value) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    text = read_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(f"{quoted(value)} is not Y or N")


def read_month(value) -> Month:
    try:
        return parse_month(value)
    except ValueError as exc:
        raise CellError(str(exc)) from None


def read_date(value) -> _dt.date | None:
    if is_blank(value):
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%d/%m/%Y"):
        try:
            return _dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError(f"{quoted(value)} is not a date (write 2013-12-05 or 5 December 2013)")


def read_datetime(value) -> _dt.datetime | None:
    if is_blank(value):
        return None
    if isinstance(value, _dt.datetime):
        return value.replace(microsecond=0)
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day)
    text = str(value).strip()
    try:
        return _dt.datetime.fromisoformat(text).replace(microsecond=0)
    except ValueError:
        pass
    day = read_date(value)
    return _dt.datetime(day.year, day.month, day.day)


def lookup(value, table: dict, what: str):
    """Map a free-text cell through an alias table, or explain the choices."""
    key = re.sub(r"\s+", " ", read_text(value).lower()).strip()
    if key in table:
        return table[key]
    choices = sorted({v.value if hasattr(v, "value") else str(v) for v in table.values()})
    if not key:
        raise CellError(f"is blank: {what} must be one of {', '.join(choices)}")
    raise CellError(f"{quoted(value)} is not a {what}: use one of {', '.join(choices)}")


def normalise_header(value) -> str:
    return re.sub(r"[^a-z0-9]+", "_", read_text(value).lower()).strip("_")

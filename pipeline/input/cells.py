"""Reading one spreadsheet cell as the type a column needs.

Each reader returns the typed value or raises :class:`CellError` with a message that
quotes what the officer typed; the caller adds the file, sheet, row and column.
"""
from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from decimal import Decimal

from pipeline.rules.periods import Month, parse_month


class CellError(ValueError):
    pass


# The largest figure the report shows: a magnitude below 10**15. Excel keeps 15 significant
# digits and a float holds every whole number only up to 2**53 (about 9.007e15), so a larger
# figure would not print as it was typed; and every figure is rounded with Decimal (28
# digits): 15 digits, 4 decimal places and the sums and ratios the cards make of them
# (at most a 12-month sum, 1.2e16) stay well inside that.
MAX_FIGURE = 10**15
MAX_FIGURE_TEXT = "1,000,000,000,000,000 (10^15)"

# Excel's error values, as a cell saves them (openpyxl gives them as text)
EXCEL_ERRORS = frozenset({
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!",
    "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#EXTERNAL!", "#PYTHON!",
})

_NAMES = {0x09: "CHARACTER TABULATION", 0x0A: "LINE FEED", 0x0B: "LINE TABULATION", 0x0C: "FORM FEED",
          0x0D: "CARRIAGE RETURN", 0x1B: "ESCAPE", 0x7F: "DELETE", 0x85: "NEXT LINE"}


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def is_invisible(ch: str) -> bool:
    """A character a reader cannot see, or cannot tell from another one: controls, zero-width
    and other format characters (U+200B, U+FEFF, U+00AD, bidi marks), and every space but
    the ordinary one (U+00A0 NO-BREAK SPACE looks exactly like a space)."""
    return ch != " " and not ch.isprintable()


def shown(text: str) -> str:
    """``text`` with its invisible characters written as escapes (``\\u200b``), so that a message
    shows what the cell really holds."""
    if text.isprintable():
        return text
    return "".join(_escape(ch) if is_invisible(ch) else ch for ch in text)


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def char_name(ch: str) -> str:
    """'U+200B ZERO WIDTH SPACE'."""
    code = ord(ch)
    name = unicodedata.name(ch, None) or _NAMES.get(code) or ("CONTROL CHARACTER" if code < 0xA0 else "")
    return f"U+{code:04X} {name}".rstrip()


def where_in(text: str, index: int) -> str:
    """Where a character is, for a message: 'after "P01"', or 'at the start'."""
    before = text[:index]
    if not before.strip():
        return "at the start"
    before = before[-24:]
    lead = "…" if index > 24 else ""
    return f'after "{lead}{shown(before)}"'


def describe_invisible(text: str) -> str:
    """'an invisible character, U+200B ZERO WIDTH SPACE, after "P01"' (the first one, and how
    many more); empty when the text has none."""
    found = [(i, ch) for i, ch in enumerate(text) if is_invisible(ch)]
    if not found:
        return ""
    index, ch = found[0]
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return f"an invisible character, {char_name(ch)}, {where_in(text, index)}{more}"


def quoted(value) -> str:
    if isinstance(value, str):
        return f'"{shown(value)}"'
    if isinstance(value, float) and value.is_integer() and abs(value) < MAX_FIGURE:
        return str(int(value))
    return str(value)


_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def decode_escapes(text: str) -> str:
    """Decode Excel's ``_xHHHH_`` escapes: the character U+HHHH (how the file stores a
    character XML cannot hold, such as ``_x000B_`` for a vertical tab, or ``_x000D_`` for a
    carriage return); ``_x005F_`` is a literal underscore. openpyxl leaves them as they are.
    A pair of escaped surrogates becomes the one character they stand for."""
    if "_x" not in text:
        return text
    decoded = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in decoded):
        decoded = decoded.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return decoded


def excel_error(value) -> str | None:
    """The Excel error value a cell holds ('#DIV/0!'), or None."""
    if isinstance(value, str):
        text = value.strip().upper()
        if text in EXCEL_ERRORS:
            return text
    return None


def read_text(value) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < MAX_FIGURE:
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


def in_range(number: float, original=None) -> float:
    """``number`` if the report can show it; NaN, infinities and magnitudes of 10**15 or
    more are refused (see MAX_FIGURE)."""
    if math.isnan(number):
        raise CellError('holds NaN ("not a number", written by another program), not a figure')
    if math.isinf(number):
        raise CellError("holds an infinite number (a figure too large for Excel), not a figure")
    if abs(number) >= MAX_FIGURE:
        shown_as = quoted(original) if original is not None and not isinstance(original, float) else f"{number:g}"
        raise CellError(f"{shown_as} is too large: the report shows figures below {MAX_FIGURE_TEXT}")
    return number


def read_number(value) -> float | None:
    """A plain number: 1249, "1,249", "£1,250", 5.84. Percent signs are refused here."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(f"{quoted(value)} is not a number")
    if isinstance(value, (int, float)):
        return in_range(float(value), value)
    if isinstance(value, (_dt.datetime, _dt.date)):
        raise CellError(f"{value:%Y-%m-%d} is a date, not a number")
    text = str(value).strip()
    if text.endswith("%"):
        raise CellError(f"{quoted(value)} is a percentage, but this column takes a plain number")
    return in_range(_plain_number(text, value), value)


def read_measure(value, number_format: str | None, unit: str | None) -> float | None:
    """A figure in an indicator's unit. Percentages are held as points (73 for 73%).

    For a percentage indicator: "73%" and a cell formatted as a percentage (0.73 shown
    as 73%) are 73; a plain 73 is 73; a plain number between 0 and 1 (0.73) could be a
    fraction or a small percentage, so it is refused as ambiguous. For any other unit a
    percent sign is an error.
    """
    number = _read_measure(value, number_format, unit)
    return None if number is None else in_range(number, value)


def _read_measure(value, number_format, unit) -> float | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(f"{quoted(value)} is not a number")
    is_percent = unit == "percent"
    if isinstance(value, (int, float)):
        number = in_range(float(value), value)
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


# ---------------------------------------------------------------------------------
# text that goes into the report

_ALLOWED_CONTROLS = frozenset("\t\n\r")  # a tab is a space, CR/LF a line break
FONT_NAME = "Liberation Sans"


def is_control(ch: str) -> bool:
    """A character no document can hold: C0/C1 controls (but tab, CR and LF) and the
    Unicode line and paragraph separators (XML refuses most of them; the PDF has no glyph)."""
    if ch in _ALLOWED_CONTROLS:
        return False
    return unicodedata.category(ch) in ("Cc", "Zl", "Zp")


def text_problems(text: str) -> list[str]:
    """Why ``text`` cannot go into the report as it is: control characters, and characters
    the report's font (the bundled Liberation Sans, every face) cannot draw, which the PDF
    would print as empty boxes. Empty when it can. One message for each kind, naming the
    first character, where it is, and how many other distinct ones there are."""
    if text.isascii() and text.isprintable():
        return []
    out = []
    controls = [(i, ch) for i, ch in enumerate(text) if is_control(ch)]
    if controls:
        out.append(f"holds {_first(text, controls, 'a control character')}: delete it "
                   "(no document can show it)")
    if not text.isascii():
        missing = _undrawable(text)
        unseen = [(i, ch) for i, ch in enumerate(text) if ch in missing and not is_control(ch)]
        if unseen:
            out.append(f"holds {_first(text, unseen, 'a character')}, which the report's font "
                       f"({FONT_NAME}) cannot draw: remove it or write it in words")
    return out


def _first(text: str, found: list[tuple[int, str]], what: str) -> str:
    index, ch = found[0]
    distinct = list(dict.fromkeys(c for _, c in found))
    seen = "" if is_invisible(ch) else f'"{ch}" '
    more = len(distinct) - 1
    also = f" (and {more} other{'s' if more > 1 else ''}: {', '.join(char_name(c) for c in distinct[1:4])}" \
           f"{', ...' if more > 3 else ''})" if more else ""
    return f"{what} {seen}({char_name(ch)}) {where_in(text, index)}{also}"


def _undrawable(text: str) -> set[str]:
    from pipeline.style.fonts import missing_glyphs

    chars = "".join(set(text))
    out: set[str] = set()
    for bold in (False, True):
        for italic in (False, True):  # a text may be set in any face of the family
            out |= missing_glyphs(chars, bold, italic)
    return out

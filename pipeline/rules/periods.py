"""Reporting periods: calendar months on the April-March financial year.

A period is always a month. Quarterly and annual figures are recorded against the
month they end in (June, September, December, March), as the council's papers do.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from functools import total_ordering

MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
_ABBR_INDEX = {name.lower(): i + 1 for i, name in enumerate(MONTH_ABBR)}
_ABBR_INDEX.update({name.lower(): i + 1 for i, name in enumerate(MONTH_NAMES)})
_ABBR_INDEX["sept"] = 9

FY_START_MONTH = 4  # April


@total_ordering
@dataclass(frozen=True)
class Month:
    year: int
    month: int

    def __post_init__(self):
        if not 1 <= self.month <= 12:
            raise ValueError(f"month out of range: {self.month}")
        if not 1900 <= self.year <= 2999:
            raise ValueError(f"year out of range: {self.year}")

    # ordering and arithmetic -------------------------------------------------
    @property
    def index(self) -> int:
        return self.year * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> Month:
        return cls(index // 12, index % 12 + 1)

    def __lt__(self, other: Month) -> bool:
        return self.index < other.index

    def __add__(self, months: int) -> Month:
        return Month.from_index(self.index + months)

    def __sub__(self, months: int) -> Month:
        return Month.from_index(self.index - months)

    # financial year -------------------------------------------------------------
    @property
    def fy_start_year(self) -> int:
        """Calendar year in which this month's financial year starts (April)."""
        return self.year if self.month >= FY_START_MONTH else self.year - 1

    @property
    def fy_start(self) -> Month:
        return Month(self.fy_start_year, FY_START_MONTH)

    @property
    def fy_end(self) -> Month:
        return Month(self.fy_start_year + 1, FY_START_MONTH - 1)

    @property
    def financial_year(self) -> str:
        """'2013-14' for any month from April 2013 to March 2014."""
        start = self.fy_start_year
        return f"{start}-{(start + 1) % 100:02d}"

    @property
    def fy_quarter(self) -> int:
        """1 for April-June ... 4 for January-March."""
        return (self.index - self.fy_start.index) // 3 + 1

    @property
    def quarter_start(self) -> Month:
        return self.fy_start + (self.fy_quarter - 1) * 3

    # labels ----------------------------------------------------------------------
    @property
    def iso(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """The seeds' month label: 'Sep-13'."""
        return f"{MONTH_ABBR[self.month - 1]}-{self.year % 100:02d}"

    @property
    def long_label(self) -> str:
        return f"{MONTH_NAMES[self.month - 1]} {self.year}"

    def __str__(self) -> str:
        return self.iso

    def __repr__(self) -> str:
        return f"Month({self.iso})"


_ISO = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
_NAMED = re.compile(r"^([A-Za-z]{3,9})[\s\-/.']*(\d{2}|\d{4})$")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{4})$")


# A two-digit year is read within the hundred years that end this many years after the
# current one: figures look back decades but targets only a few years ahead, so with the
# current year Y, "Sep-YY" names a year from Y - 79 to Y + 20 (Excel's own window, 1930-2029 or
# 1950-2049 depending on the Windows setting, would freeze this to one century for ever).
TWO_DIGIT_YEAR_AHEAD = 20


def two_digit_year(yy: int, today: _dt.date | None = None) -> int:
    """The four-digit year of ``yy`` (0-99): the one within TWO_DIGIT_YEAR_AHEAD years after
    ``today``'s year and 99 - TWO_DIGIT_YEAR_AHEAD before it."""
    this_year = (today or _dt.date.today()).year
    year = this_year - this_year % 100 + yy
    if year > this_year + TWO_DIGIT_YEAR_AHEAD:
        year -= 100
    elif year <= this_year + TWO_DIGIT_YEAR_AHEAD - 100:
        year += 100
    return year


def parse_month(value, *, today: _dt.date | None = None) -> Month:
    """Read a period cell: an Excel date, '2013-09', '2013-09-30', 'Sep-13', 'Sep 2013', '09/2013'.

    A two-digit year is read by :func:`two_digit_year` (``today``: the date it is relative
    to, by default the real one). Raises ValueError with a readable message for anything else.
    """
    if isinstance(value, Month):
        return value
    if isinstance(value, (_dt.datetime, _dt.date)):
        return Month(value.year, value.month)
    if isinstance(value, bool) or value is None:
        raise ValueError("is not a month")
    if isinstance(value, (int, float)):
        raise ValueError(
            f"{value!r} is not a month (write an Excel date, 2013-09 or Sep-13)"
        )
    text = str(value).strip()
    m = _ISO.match(text)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        return _month_or_error(year, month, text)
    m = _NAMED.match(text)
    if m:
        name, yy = m.group(1).lower(), m.group(2)
        if name not in _ABBR_INDEX:
            raise ValueError(f"{text!r} is not a month (write 2013-09 or Sep-13)")
        year = int(yy) if len(yy) == 4 else two_digit_year(int(yy), today)
        return _month_or_error(year, _ABBR_INDEX[name], text)
    m = _SLASHED.match(text)
    if m:
        return _month_or_error(int(m.group(2)), int(m.group(1)), text)
    raise ValueError(f"{text!r} is not a month (write an Excel date, 2013-09 or Sep-13)")


def _month_or_error(year: int, month: int, text: str) -> Month:
    try:
        return Month(year, month)
    except ValueError:
        raise ValueError(f"{text!r} is not a month (write 2013-09 or Sep-13)") from None

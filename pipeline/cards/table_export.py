"""The cards as a table: one row per card, for analysts (``cards --format csv|xlsx``,
:func:`pipeline.api.cards_frame`; the columns are documented in docs/cards.md).

Every value is the JSON's (:func:`pipeline.cards.compute.card_to_json`): the figures already
rounded half-up to the indicator's decimals, ``actual_display`` as the report prints it; nothing
is rounded or formatted again here. A null is an empty cell.
"""
from __future__ import annotations

import csv
import io

from pipeline.cards.compute import CardSet, card_to_json

# (column, where it comes from in the card's JSON: a key, or "spc.key")
COLUMNS = (
    ("report_period", None), ("id", "id"), ("title", "title"), ("section", "section"), ("polarity", "polarity"),
    ("unit", "unit"), ("decimals", "decimals"), ("data_period", "data_period"), ("period", "period"),
    ("actual", "actual"), ("actual_display", "actual_display"), ("is_forecast", "is_forecast"),
    ("target", "target"), ("floor", "floor"), ("ceiling", "ceiling"), ("year_end_target", "year_end_target"),
    ("previous_outturn", "previous_outturn"), ("rag", "rag"), ("previous_rag", "previous_rag"),
    ("direction", "direction"), ("activity", "activity"), ("range_status", "range_status"),
    ("spc_status", "spc_status"), ("spc_mean", "spc.mean"), ("spc_lower", "spc.lower"), ("spc_upper", "spc.upper"),
    ("spc_variation", "spc.variation"), ("spc_assurance", "spc.assurance"),
)
COLUMN_NAMES = tuple(name for name, _ in COLUMNS)
# columns holding a figure in the indicator's own units, shown with its decimals in the xlsx
FIGURE_COLUMNS = ("actual", "target", "floor", "ceiling", "year_end_target", "previous_outturn")
SPC_COLUMNS = ("spc_mean", "spc_lower", "spc_upper")  # two more decimals than the figures (docs/cards-json.md)


def card_rows(cardset: CardSet) -> list[dict[str, object]]:
    """One dict per card, keyed by :data:`COLUMN_NAMES`, in the cards' order."""
    rows = []
    for card in cardset.cards:
        data = card_to_json(card)
        row: dict[str, object] = {}
        for name, key in COLUMNS:
            if key is None:
                row[name] = cardset.period.iso
            elif key.startswith("spc."):
                row[name] = (data["spc"] or {}).get(key[4:])
            else:
                row[name] = data[key]
        rows.append(row)
    return rows


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)  # (a float's shortest form: the rounded figure, e.g. 47.6)


def cards_csv(cardset: CardSet) -> bytes:
    """The table as CSV: UTF-8 with a byte-order mark (so that Excel reads "Children's" and
    "£" correctly; Python's csv and pandas skip it), a header row, CRLF line ends (RFC 4180)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMN_NAMES)
    for row in card_rows(cardset):
        writer.writerow([_csv_cell(row[name]) for name in COLUMN_NAMES])
    return buffer.getvalue().encode("utf-8-sig")


def cards_xlsx(cardset: CardSet) -> bytes:
    """The table as a workbook: sheet ``cards`` (numbers as numbers, shown with the
    indicator's decimals; true/false as Excel's TRUE/FALSE), sheet ``about``."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "cards"
    ws.append(list(COLUMN_NAMES))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for number, row in enumerate(card_rows(cardset), start=2):
        ws.append([row[name] for name in COLUMN_NAMES])
        decimals = row["decimals"]
        assert isinstance(decimals, int)
        for col, name in enumerate(COLUMN_NAMES, start=1):
            places = decimals if name in FIGURE_COLUMNS else decimals + 2 if name in SPC_COLUMNS else None
            if places is not None and row[name] is not None:
                ws.cell(number, col).number_format = "0" if places == 0 else "0." + "0" * places
            elif name in ("title", "section", "actual_display", "id"):
                ws.cell(number, col).data_type = "s"  # text stays text, even "=..." or "0012"
    for col, name in enumerate(COLUMN_NAMES, start=1):
        ws.column_dimensions[get_column_letter(col)].width = 50 if name == "title" else max(10, len(name) + 2)
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = ws.dimensions
    about = wb.create_sheet("about")
    for line in (("Indicator cards",), ("report period", cardset.period.iso),
                 ("", ""), ("One row per card; the columns are described in docs/cards.md.",)):
        about.append(list(line))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()

"""A small Python API for analysts: a report's indicator cards as a pandas DataFrame
(docs/api.md), the same figures the report prints and ``cards --format csv`` writes.

    >>> from pipeline.api import cards_frame
    >>> frame = cards_frame("inputs/fsc_performance_2013-09.xlsx", period="2013-06")
    >>> frame.loc[frame.rag == "RED", ["id", "actual_display", "target"]]

Nothing here writes anything. Problems are raised as the package's own exceptions
(:mod:`pipeline.errors`: ``InputProblems`` lists every problem of the input, ``PeriodRefused``
a month that cannot be reported on).
"""
from __future__ import annotations

import os

from pipeline.rules.periods import Month, parse_month


def cards_frame(path: str | os.PathLike, period: Month | str | None = None):
    """The cards of the workbook or report definition at ``path`` for ``period`` (a Month or
    ``"YYYY-MM"``; default: the latest month with figures, as ``cards`` does), one row per
    card in the report's order, with the columns of docs/cards.md. Figures are floats (NaN
    where there is none), already rounded to the indicator's decimals; ``actual_display`` is
    the figure as printed; ``is_forecast`` and ``activity`` are booleans; the rest is text
    (None where there is none). ``frame.attrs["period"]`` is the report period."""
    import pandas as pd

    from pipeline.cards.compute import compute_cards
    from pipeline.cards.table_export import COLUMN_NAMES, card_rows
    from pipeline.input.report_definition import read_input

    if isinstance(period, str):
        period = parse_month(period)
    dataset = read_input(path, period)
    cardset = compute_cards(dataset, period or dataset.latest_period)
    rows = card_rows(cardset)
    frame = pd.DataFrame(rows, columns=list(COLUMN_NAMES))
    numeric = ("decimals", "actual", "target", "floor", "ceiling", "year_end_target", "previous_outturn",
               "spc_mean", "spc_lower", "spc_upper")
    for column in numeric:
        frame[column] = pd.to_numeric(frame[column], errors="raise").astype("float64")
    frame["decimals"] = frame["decimals"].astype("int64")
    for column in ("is_forecast", "activity"):
        frame[column] = frame[column].astype(bool)
    for column in COLUMN_NAMES:  # text: pandas' string type whether or not a value is there
        if column not in numeric and column not in ("is_forecast", "activity"):
            frame[column] = frame[column].astype("string")
    frame.attrs["period"] = cardset.period.iso
    if cardset.period_warning:
        frame.attrs["warning"] = cardset.period_warning
    return frame

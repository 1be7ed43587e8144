"""The commentary checks a build makes (docs/commentary.md).

Two things make a report unfit to publish:

- an indicator rated RED for the report period without commentary: the council's
  exception rule (seed 003 para 13: "commentaries are provided ... for those indicators
  which are showing as Red");
- commentary older than the figures it describes: the commentary was written (merged
  through ``commentary import``) against figures that have changed since.

Each commentary merged by ``commentary import`` records, in the master's commentary sheet,
a fingerprint of the figures it was written against (column ``# figures``, which the
workbook reader ignores because its header starts with ``#``). The fingerprint is a
sha256 of the indicator's history up to the report period exactly as the report prints
it (period, figure, target, floor, rating), so any change a reader could see changes it.
Commentary typed straight into the master has no fingerprint and is not checked for age.

:func:`figures_fingerprint` and :func:`commentary_warnings` are pure;
:func:`recorded_fingerprints` reads the master.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from pipeline.cards.compute import Card, CardSet
from pipeline.errors import EXIT_PROBLEMS, PipelineError
from pipeline.rules.periods import Month
from pipeline.rules.rating import Rag

FINGERPRINT_HEADER = "# figures"  # the master's commentary sheet column (ignored by the reader)


def figures_fingerprint(card: Card) -> str:
    """sha256 of the figures a reader sees for ``card`` up to its report period."""
    ind = card.indicator
    lines = [f"{ind.id}|{ind.unit}|{ind.decimals}|{ind.polarity.value}|{card.report_period.iso}"]
    # Targets and floors are hashed in the figures' format, not printed: format_target and
    # format_figure tell apart exactly the same rounded values ("80%" is "80.0%"), so the
    # fingerprint sees every change a reader could, and fingerprints already recorded in
    # masters stay valid.
    for f in card.history:
        if f.period > card.report_period:
            continue
        lines.append("|".join((
            f.period.iso,
            card.fmt(f.actual),
            "forecast" if f.is_forecast else "actual",
            card.fmt(f.target),
            card.fmt(f.floor),
            f.rag.value if f.rag else "-",
            f.range_status.value if f.range_status else "-",
        )))
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CommentaryWarning:
    kind: str  # "red-without-commentary" or "stale-commentary"
    indicator_id: str
    period: Month
    message: str

    def __str__(self) -> str:
        return self.message


def commentary_warnings(cardset: CardSet, fingerprints: dict[tuple[str, Month], str] | None = None
                        ) -> list[CommentaryWarning]:
    """Every RED indicator without commentary and every commentary older than its figures."""
    fingerprints = fingerprints or {}
    out: list[CommentaryWarning] = []
    period = cardset.period
    for card in cardset.cards:
        ind = card.indicator
        name = f"{ind.id} {ind.short_title or ind.title}"
        note = card.commentary
        if card.rag == Rag.RED and (note is None or not note.text.strip()):
            figure = card.current.period.label if card.current else period.label
            out.append(CommentaryWarning(
                "red-without-commentary", ind.id, period,
                f"{name}: rated RED ({figure}) but has no commentary for {period.label} "
                f"(every RED indicator needs commentary)"))
        if note is not None and (note.text.strip() or note.actions.strip()):  # (actions are officer words too)
            recorded = fingerprints.get((ind.id, period))
            if recorded and recorded != figures_fingerprint(card):
                when = f" (last changed {note.updated:%Y-%m-%d %H:%M})" if note.updated else ""
                out.append(CommentaryWarning(
                    "stale-commentary", ind.id, period,
                    f"{name}: the commentary for {period.label}{when} was written against figures "
                    f"that have changed since: check it still describes them, then re-import it"))
    return out


class CommentaryCheckFailed(PipelineError):
    """``build --strict``: the report breaks the commentary rules; nothing was written."""

    exit_code = EXIT_PROBLEMS

    def __init__(self, warnings: list):
        self.warnings = list(warnings)
        lines = [f"refusing to build (--strict), nothing was written: {len(self.warnings)} "
                 f"{'warning' if len(self.warnings) == 1 else 'warnings'}"]
        lines += [f"  {w}" for w in self.warnings]
        super().__init__("\n".join(lines))


def recorded_fingerprints(path: str | os.PathLike) -> dict[tuple[str, Month], str]:
    """The ``# figures`` column of the master's commentary sheet, by (indicator, period)."""
    from pipeline.input import cells
    from pipeline.input.workbook import COMMENTARY, open_workbook

    wb = open_workbook(path)
    try:
        name = next((n for n in wb.sheetnames if cells.normalise_header(n) == "commentary"), None)
        if name is None:
            return {}
        rows = wb[name].iter_rows(values_only=True)
        header = next(rows, None) or ()
        cols = {}
        for idx, value in enumerate(header):
            text = cells.read_text(value)
            if text.strip().lower() == FINGERPRINT_HEADER:
                cols["fingerprint"] = idx
                continue
            key = cells.normalise_header(value)
            key = COMMENTARY.aliases.get(key, key)
            if key in ("indicator_id", "period") and key not in cols:
                cols[key] = idx
        if len(cols) < 3:
            return {}
        out = {}
        for row in rows:
            def at(key, row=row):
                return row[cols[key]] if cols[key] < len(row) else None
            try:
                period = cells.read_month(at("period"))
            except cells.CellError:
                continue
            ident, fp = cells.read_text(at("indicator_id")), cells.read_text(at("fingerprint"))
            if ident and fp:
                out[(ident, period)] = fp
        return out
    finally:
        wb.close()


def check_dataset(dataset, cardset: CardSet) -> list[CommentaryWarning]:
    """The warnings for a dataset read from its file (``dataset.source``: a workbook, or a report
    definition, whose commentary is kept in its report workbook and the sources that keep their own)."""
    from pipeline.input.report_definition import commentary_homes

    fingerprints: dict[tuple[str, Month], str] = {}
    if dataset.source and os.path.exists(dataset.source):
        for file in commentary_homes(dataset.source):
            fingerprints.update(recorded_fingerprints(file))
    return commentary_warnings(cardset, fingerprints)


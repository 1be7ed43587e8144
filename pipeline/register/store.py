"""The register of published figures: an SQLite file (docs/register.md).

Written when ``pack`` builds a meeting's pack (:func:`record`): every figure, target,
floor and rating each report in it printed, with the meeting. Read by ``build`` (and the
reports a pack builds) to find figures revised since (:func:`published`), and by the
``register history`` command.

- **Schema versions**: ``PRAGMA user_version`` holds the version; :data:`MIGRATIONS` are
  applied in order, each version's steps in the same transaction as the new version
  number, so a file is at one version or the next, never between. A file from a newer
  version of the tool is refused, never written.
- **Transactions**: every write is one ``BEGIN IMMEDIATE`` transaction (the write lock is
  taken at the start, so two writers queue instead of failing half-way); a failure rolls
  it back whole.
- **Two processes at once**: SQLite's own locking, with a busy timeout of
  :data:`BUSY_TIMEOUT` seconds: a writer waits for another to finish. The rollback
  journal (SQLite's default), not WAL: WAL needs shared memory, which a register on a
  network share (``--register`` pointing at a shared folder) does not have.
- Reading never creates the file: a register that does not exist has published nothing.
"""
from __future__ import annotations

import datetime as _dt
import os
import sqlite3
from decimal import Decimal, InvalidOperation
from pathlib import Path

from pipeline.errors import EXIT_FAILED, PipelineError
from pipeline.quality.revisions import PublishedFigure, published_figures
from pipeline.rules.periods import parse_month

FILE_NAME = "published.sqlite"
BUSY_TIMEOUT = 60.0  # seconds a write waits for another process's transaction

# version -> its statements, in order. Never edit a released step: add a version.
MIGRATIONS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (1, (
        """CREATE TABLE publication (
               id INTEGER PRIMARY KEY,
               committee TEXT NOT NULL,
               meeting_date TEXT NOT NULL,          -- ISO date of the meeting
               kind TEXT NOT NULL,                  -- agenda or supplement
               access TEXT NOT NULL,                -- public or exempt
               workbook TEXT NOT NULL,
               report_period TEXT NOT NULL,         -- YYYY-MM
               published_at TEXT NOT NULL           -- when recorded, ISO UTC
           )""",
        """CREATE TABLE figure (
               publication_id INTEGER NOT NULL REFERENCES publication(id),
               indicator_id TEXT NOT NULL,
               period TEXT NOT NULL,                -- YYYY-MM
               unit TEXT NOT NULL,
               decimals INTEGER NOT NULL,
               actual TEXT, target TEXT, floor TEXT, -- rounded as printed, exact decimal text
               rating TEXT,
               is_forecast INTEGER NOT NULL DEFAULT 0,
               PRIMARY KEY (publication_id, indicator_id, period)
           )""",
    )),
    (2, (
        # the history of one indicator and the build's look-up go by indicator
        "CREATE INDEX figure_by_indicator ON figure (indicator_id, period)",
        # what the page showed ("72%"), kept beside the exact value for the history listing
        "ALTER TABLE figure ADD COLUMN actual_shown TEXT",
        "ALTER TABLE figure ADD COLUMN target_shown TEXT",
        "ALTER TABLE figure ADD COLUMN floor_shown TEXT",
    )),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]


class RegisterError(PipelineError):
    """The register cannot be read or written (not a register, a newer version, locked too long)."""

    exit_code = EXIT_FAILED


def default_path(out_dir) -> Path:
    return Path(out_dir) / FILE_NAME


def connect(path, *, create: bool) -> sqlite3.Connection | None:
    """An open register at the current schema version, or None when it does not exist
    and ``create`` is false."""
    path = Path(path)
    if not path.exists():
        if not create:
            return None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RegisterError(f"cannot create the register {path}: {exc.strerror}") from None
    if path.is_dir():
        raise RegisterError(f"the register {path} is a folder, not a file")
    try:
        # autocommit (isolation_level None): the transactions are this module's own BEGINs
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
        db.execute("PRAGMA foreign_keys = ON")
        migrate(db, path)
    except sqlite3.Error as exc:
        raise RegisterError(_why(path, exc)) from None
    return db


def _why(path, exc: sqlite3.Error) -> str:
    text = str(exc)
    if "not a database" in text or "malformed" in text:
        return f"{path} is not a register of published figures (or is damaged): {text}"
    if "locked" in text or "busy" in text:
        return (f"the register {path} stayed locked by another process for {BUSY_TIMEOUT:.0f} s: "
                "try again when the other pack or build has finished")
    return f"the register {path} cannot be used: {text}"


def migrate(db: sqlite3.Connection, path="register") -> int:
    """Bring the register to :data:`SCHEMA_VERSION`; returns the version it was at."""
    found = db.execute("PRAGMA user_version").fetchone()[0]
    if found > SCHEMA_VERSION:
        raise RegisterError(f"the register {path} is at schema version {found}, written by a newer version of "
                            f"this tool (which knows versions up to {SCHEMA_VERSION}): upgrade the tool")
    if found == SCHEMA_VERSION:
        return found
    db.execute("BEGIN IMMEDIATE")
    try:
        now = db.execute("PRAGMA user_version").fetchone()[0]  # (another process may have migrated meanwhile)
        for version, steps in MIGRATIONS:
            if version <= now:
                continue
            for step in steps:
                db.execute(step)
            db.execute(f"PRAGMA user_version = {int(version)}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return found


def record(path, *, committee: str, meeting_date: _dt.date, kind: str, access: str, workbook: str,
           cardset, now: _dt.datetime | None = None) -> int:
    """Record what the report of ``cardset`` printed, as published to ``committee`` on
    ``meeting_date``, in one transaction. Returns the publication's id."""
    return record_reports(path, committee=committee, meeting_date=meeting_date, kind=kind,
                          reports=[(access, workbook, cardset)], now=now)[0]


def record_reports(path, *, committee: str, meeting_date: _dt.date, kind: str, reports,
                   now: _dt.datetime | None = None) -> list[int]:
    """Record the reports of one pack (``reports``: (access, workbook, cardset) each) in
    one transaction: the register holds the whole pack or none of it. Returns their ids."""
    prepared = [(access, str(workbook), cardset.period.iso, published_figures(cardset))
                for access, workbook, cardset in reports]
    stamp = (now or _dt.datetime.now(_dt.UTC)).isoformat(timespec="seconds")
    db = connect(path, create=True)
    try:
        ids = []
        db.execute("BEGIN IMMEDIATE")
        try:
            for access, workbook, period, figures in prepared:
                cursor = db.execute(
                    "INSERT INTO publication (committee, meeting_date, kind, access, workbook, report_period, "
                    "published_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (committee, meeting_date.isoformat(), kind, access, workbook, period, stamp))
                ids.append(cursor.lastrowid)
                db.executemany(
                    "INSERT INTO figure (publication_id, indicator_id, period, unit, decimals, actual, target, "
                    "floor, rating, is_forecast, actual_shown, target_shown, floor_shown) VALUES "
                    "(:publication, :indicator_id, :period, :unit, :decimals, :actual, :target, :floor, :rating, "
                    ":is_forecast, :actual_shown, :target_shown, :floor_shown)",
                    [{"publication": ids[-1], **f} for f in figures])
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return ids
    except sqlite3.Error as exc:
        raise RegisterError(_why(path, exc)) from None
    finally:
        db.close()


_SELECT = ("SELECT f.indicator_id, f.period, f.unit, f.decimals, f.actual, f.target, f.floor, f.rating, "
           "f.is_forecast, p.committee, p.meeting_date, p.published_at, p.kind, p.access, p.workbook, "
           "p.report_period FROM figure f JOIN publication p ON p.id = f.publication_id")


def published(path, indicator_ids=None) -> list[PublishedFigure]:
    """Every recorded figure (of ``indicator_ids``, if given), oldest publication first;
    [] when the register does not exist."""
    db = connect(path, create=False)
    if db is None:
        return []
    try:
        rows = db.execute(_SELECT + " ORDER BY p.meeting_date, p.published_at, p.id, f.indicator_id, f.period"
                          ).fetchall()
    except sqlite3.Error as exc:
        raise RegisterError(_why(path, exc)) from None
    finally:
        db.close()
    wanted = None if indicator_ids is None else set(indicator_ids)
    out = []
    for row in rows:
        if wanted is not None and row[0] not in wanted:
            continue
        out.append(_figure(path, row))
    return out


def history(path, indicator_id: str) -> list[PublishedFigure]:
    return published(path, [indicator_id])


def _figure(path, row) -> PublishedFigure:
    (ident, period, unit, decimals, actual, target, floor, rating, forecast, committee, meeting_date,
     published_at, kind, access, workbook, report_period) = row
    try:
        return PublishedFigure(
            indicator_id=ident, period=parse_month(period), unit=unit, decimals=int(decimals),
            actual=_decimal(actual), target=_decimal(target), floor=_decimal(floor), rating=rating,
            is_forecast=bool(forecast), committee=committee, meeting_date=_dt.date.fromisoformat(meeting_date),
            published_at=published_at, kind=kind, access=access, workbook=workbook,
            report_period=parse_month(report_period))
    except (ValueError, TypeError, InvalidOperation) as exc:
        raise RegisterError(f"the register {path} holds a row that is not a published figure ({ident}, {period}): "
                            f"{exc}") from None


def _decimal(text) -> Decimal | None:
    return None if text is None else Decimal(str(text))


def exists(path) -> bool:
    return os.path.isfile(path)

"""Columns of a table that no row uses are not printed (issue 17: a section whose indicators
are neither Bold Steps nor QPR indicators shows no empty Bold Steps and QPR columns).

Done on the document model, so the PDF, the DOCX and any other renderer drop the same
columns. The convention the table builders follow: a cell left **blank** means "this row
does not use the column" (the Bold Steps column of an indicator that is not a Bold Steps
indicator); a row that uses a column but has nothing to show in it writes a placeholder
("–", "not rated"), which keeps the column. Header cells are labels, not uses.
"""
from __future__ import annotations

import dataclasses

from pipeline.document.model import Cell, Table


def _blank(cell: Cell) -> bool:
    return not cell.text.strip()


def used_columns(table: Table) -> tuple[bool, ...]:
    """For each column: whether any body row uses it. A cell spanning several columns uses
    them all (its text cannot be split between them)."""
    used = [False] * len(table.columns)
    for row in table.rows:
        position = 0
        for cell in row:
            if cell.colspan > 1 or not _blank(cell):
                for column in range(position, min(position + cell.colspan, len(used))):
                    used[column] = True
            position += cell.colspan
    return tuple(used)


def _trim(row: tuple[Cell, ...], used: tuple[bool, ...]) -> tuple[Cell, ...]:
    out = []
    position = 0
    for cell in row:
        kept = sum(1 for column in range(position, position + cell.colspan) if column < len(used) and used[column])
        if kept:
            out.append(cell if kept == cell.colspan else dataclasses.replace(cell, colspan=kept))
        position += cell.colspan
    return tuple(out)


def drop_unused_columns(table: Table) -> Table:
    """``table`` without the columns no body row uses (see the module's docstring). A table
    with no body rows, or none of whose columns is used, is returned as it is: there is
    nothing to judge by, and a table of no columns is no table."""
    used = used_columns(table)
    if not table.rows or all(used) or not any(used):
        return table
    return dataclasses.replace(
        table,
        columns=tuple(width for width, keep in zip(table.columns, used) if keep),
        header_rows=tuple(_trim(row, used) for row in table.header_rows),
        rows=tuple(_trim(row, used) for row in table.rows),
    )

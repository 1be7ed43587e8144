"""The package's own exception types and the exit codes the command line maps them to.

Every failure a user can cause (bad input, a conflict, an unwritable output) is one of
these; the CLI turns them into a message and an exit status, never a traceback.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

EXIT_OK = 0
EXIT_PROBLEMS = 1  # the input has problems, or a merge has conflicts: the user must act
EXIT_USAGE = 2  # Click's own status for a malformed command line
EXIT_FAILED = 3  # the job could not be done (unwritable output, missing tool, ...)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file, located as precisely as we can."""

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(self.sheet)
        if self.row is not None:
            # a CSV file's problems are named by the file and its line (pipeline.input.csv_source)
            where.append(f"{'line' if self.sheet and self.sheet.endswith('.csv') else 'row'} {self.row}")
        located = " ".join(where)
        if self.column:
            # a commentary form's problem is located by its cell ("D8"), which carries its
            # own row: called a cell, since "column D8" names no column
            kind = "cell" if self.row is None and _CELL.fullmatch(self.column) else "column"
            located = f"{located}, {kind} {self.column}" if located else f"{kind} {self.column}"
        return f"{located}: {self.message}" if located else self.message


_CELL = re.compile(r"[A-Z]{1,3}[1-9][0-9]*")  # an A1-style cell reference, as openpyxl writes them


class PipelineError(Exception):
    """Base of every error the pipeline raises on purpose."""

    exit_code = EXIT_FAILED


class InputProblems(PipelineError):
    """An input file has one or more problems; all of them are listed at once."""

    exit_code = EXIT_PROBLEMS

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = sorted(set(problems), key=_problem_order)
        # files in the order their problems were found, this one first (a report read from
        # several files: pipeline.input.report_definition)
        self.files = list(dict.fromkeys([file] + [p.file for p in problems]))
        noun = "problem" if len(self.problems) == 1 else "problems"
        super().__init__(f"{file}: {len(self.problems)} {noun}")

    def report(self) -> str:
        lines = [str(self)]
        if all(p.file == self.file for p in self.problems):
            lines += [f"  {p}" for p in self.problems]
            return "\n".join(lines)
        for file in self.files:  # each file's problems under its name
            mine = [p for p in self.problems if p.file == file]
            if mine:
                lines.append(f"  {file}:")
                lines += [f"    {p}" for p in mine]
        return "\n".join(lines)


def _problem_order(p: Problem):
    return (p.sheet or "", p.row if p.row is not None else -1, p.column or "", p.message)


class ConflictError(PipelineError):
    """Two sources disagree and nothing was overwritten."""

    exit_code = EXIT_PROBLEMS


class OutputError(PipelineError):
    """An output could not be written."""

    exit_code = EXIT_FAILED

"""Options shared by several commands."""
from __future__ import annotations

import click

from pipeline.rules.periods import parse_month


def _to_month(_ctx, _param, value):
    if value is None:
        return None
    try:
        return parse_month(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def period_option(help_text: str):
    """``--period YYYY-MM`` read as a Month (a usage error, exit 2, when it is not one)."""
    return click.option("--period", callback=_to_month, metavar="YYYY-MM", help=help_text)

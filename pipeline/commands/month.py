"""``month``: build every committee report of a council month (docs/month.md)."""
from __future__ import annotations

import click

from pipeline.commands.options import period_option


@click.command()
@click.argument("council", type=click.Path(dir_okay=False))
@period_option("Month every report is built for (default: the file's month, else each report's own).")
@click.option("--jobs", type=click.IntRange(min=1),
              help="Reports built at once  [default: the file's jobs, else one per core]")
def month(council, period, jobs):
    """Build every report COUNCIL (TOML; see docs/month.md) lists, several at a time.

    A line on stderr as each report ends; then a table of every report: built (with its
    files) or failed (with the reason). A report that fails does not stop the others.
    Exit status 0 when all were built, 1 when any failed on its input, 3 otherwise.
    """
    from pipeline.council.month import MonthFailed, build_month, read_month

    plan = read_month(council)  # InputProblems: every problem of the file, exit 1
    total = len(plan.reports)

    def done(outcome, n, total):
        what = (f"built in {outcome.seconds:.1f} s" if outcome.status == "built"
                else f"FAILED (exit status {outcome.exit_code}): {outcome.reason}")
        click.echo(f"[{n}/{total}] {outcome.report.name}: {what}", err=True)

    from pipeline.council.month import plan_parallel

    at_once, each = plan_parallel(total, jobs or plan.jobs)
    click.echo(f"Building {total} {'report' if total == 1 else 'reports'} of {plan.path.name}, "
               f"{at_once} at a time ({each} {'process' if each == 1 else 'processes'} each)", err=True)
    result = build_month(plan, jobs=jobs, period=period, on_done=done)
    click.echo(month_table(result))
    for outcome in result.failed:
        click.echo(f"\n{outcome.report.name} ({outcome.report.input}) said:", err=True)
        click.echo("\n".join(f"  {line}" for line in outcome.messages.splitlines()) or "  (nothing)", err=True)
    click.echo(f"{len(result.built)} of {total} built in {result.seconds:.1f} s", err=True)
    if result.failed:
        raise MonthFailed(result)


def month_table(result) -> str:
    """report | status | outputs | reason, one line per report, in the file's order."""
    headers = ("report", "status", "outputs", "reason")
    rows = [(o.report.name, o.status, ", ".join(str(p) for p in o.outputs) or "-", o.reason or "-")
            for o in result.outcomes]
    widths = [max(len(r[i]) for r in rows + [headers]) for i in range(3)]

    def line(cells):
        return "  ".join([c.ljust(w) for c, w in zip(cells[:3], widths)] + [cells[3]]).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths] + ["-" * 6])] + [line(r) for r in rows])

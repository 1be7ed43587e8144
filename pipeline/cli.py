"""The command line. Heavy libraries are imported inside the commands that need them,
so ``--help`` starts fast; errors of the package's own types become a message on stderr
and an exit status (see :mod:`pipeline.errors`), never a traceback."""
from __future__ import annotations

import importlib
import os
import sys
import threading

import click

from pipeline import __version__
from pipeline.errors import EXIT_FAILED, InputProblems, PipelineError

# command name -> (module, attribute, one-line help). Modules load only when run.
COMMANDS = {
    "validate": ("pipeline.commands.inspect", "validate", "Check a workbook and list every problem in it."),
    "cards": ("pipeline.commands.inspect", "cards", "Print the indicator cards for a period."),
    "build": ("pipeline.commands.build", "build", "Build the committee report (DOCX and/or PDF)."),
    "commentary": ("pipeline.commands.commentary", "commentary",
                   "Export commentary forms to officers and merge them back."),
    "month": ("pipeline.commands.month", "month", "Build every committee report of a council month."),
    "pack": ("pipeline.commands.pack", "pack", "Build the agenda pack for a meeting from its manifest."),
    "send": ("pipeline.commands.send", "send", "Email a meeting's papers to the committee's members."),
    "register": ("pipeline.commands.register", "register", "List what the register of published figures holds."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[name]
        return getattr(importlib.import_module(module), attr)

    def resolve_command(self, ctx, args):
        """As Click's, but a mistyped command is answered with the nearest one ("No such
        command 'biuld'. Did you mean 'build'?"), still a usage error (exit 2)."""
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in COMMANDS:
            import difflib

            close = difflib.get_close_matches(name, list(COMMANDS), n=1, cutoff=0.6)
            if close:
                ctx.fail(f"No such command {name!r}. Did you mean {close[0]!r}?")
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx, formatter):
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="committee-pipeline")
def cli():
    """Committee performance report pipeline.

    Reads a directorate's KPI workbook, validates it, computes the indicator cards and
    writes the formal committee report, agenda pack and member emails.
    """


def main(argv=None):
    from pipeline.infra import atomic, interrupts

    atomic.forget_committed()
    # argv None: this is the program (the console script, python -m pipeline), not a caller
    _PROGRAM[0] = argv is None
    with interrupts.handled(last=argv is None):
        _run(argv)


_PROGRAM = [False]  # whether main() runs as the program (it may then end the process at once)


def _run(argv):
    from pipeline.infra import interrupts

    try:
        status = cli.main(args=argv, prog_name="committee-pipeline", standalone_mode=False)
    except click.exceptions.Abort as exc:
        if isinstance(exc.__cause__, KeyboardInterrupt):  # Click's name for an interrupt
            _interrupted(interrupts.exit_code(exc.__cause__))
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_FAILED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except InputProblems as exc:
        click.echo(exc.report(), err=True)
        sys.exit(exc.exit_code)
    except PipelineError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt as exc:
        _interrupted(interrupts.exit_code(exc))
    except Exception as exc:
        # a library that catches everything (ReportLab opening a font file does) turns our
        # interrupt into its own error: the interrupt is still in the exception's chain
        interrupt = interrupts.within(exc)
        if interrupt is None:
            raise  # a bug: its traceback is what a report of it needs
        _interrupted(interrupts.exit_code(interrupt))
    sys.exit(status if isinstance(status, int) else 0)


def _interrupted(status: int):
    """Exit 130 (Ctrl-C) or 143 (SIGTERM), saying what the interrupt left: the outputs a
    run replaces are replaced as whole sets (pipeline.infra.atomic), so each is either the
    previous one, untouched, or the new one, complete."""
    from pipeline.infra import atomic

    written = atomic.committed()
    if written:
        names = ", ".join(str(p) for p in written)
        click.echo(f"Interrupted after writing {names} (complete); nothing is half-written.", err=True)
    else:
        click.echo("Interrupted: nothing was written; the previous outputs are unchanged.", err=True)
    _end_now(status)


def _end_now(status: int) -> None:
    """Exit at once after an interrupt. Every ``finally`` of the run has already run
    (temporary files removed, worker processes stopped, locks released); what the
    interpreter would still do is join the threads libraries left behind, and a worker pool
    whose process a Ctrl-C ended mid-task can leave its manager thread waiting forever: the
    run would hang instead of ending. A caller's own ``main(argv)`` (tests) gets SystemExit."""
    if threading.current_thread() is threading.main_thread() and _PROGRAM[0]:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)

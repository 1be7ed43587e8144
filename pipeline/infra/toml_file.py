"""Reading a TOML file the user wrote (a meeting manifest, a report definition, a council
month): one set of messages for a file that is missing, a folder, not UTF-8, not TOML or
unreadable, each an :class:`~pipeline.errors.InputProblems` naming the file (exit 1)."""
from __future__ import annotations

import hashlib
import os
import tomllib
from pathlib import Path

from pipeline.errors import InputProblems, Problem


def read_toml(path: str | os.PathLike, what: str) -> tuple[dict, str]:
    """The file's table and the sha256 of the bytes read (what a record of what was built
    from it keeps). ``what`` names the kind of file in the messages ("a manifest file")."""
    path = Path(path)
    name = str(path)

    def fail(message):
        raise InputProblems(name, [Problem(name, None, None, None, message)])

    if not path.exists():
        fail("file not found")
    if path.is_dir():
        fail(f"is a folder, not {what}")
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        fail("is not a text (UTF-8) TOML file")
    except tomllib.TOMLDecodeError as exc:
        fail(f"is not valid TOML: {exc}")
    except OSError as exc:
        fail(f"cannot be read: {exc.strerror}")
    return data, hashlib.sha256(raw).hexdigest()


class Collector:
    """Every problem of one TOML file, located by table and key (``reports[2]``, ``out``),
    so that all of them are reported at once."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def add(self, where: str | None, key: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, where, None, key, message))


def suggest(word: str, choices) -> str:
    """The hint for a mistyped key (' (did you mean x?)'), or nothing."""
    import difflib

    hint = difflib.get_close_matches(str(word).lower(), list(choices), n=1, cutoff=0.6)
    return f" (did you mean {hint[0]}?)" if hint else ""


def unknown_keys(table: dict, allowed, where: str | None, col: Collector) -> None:
    """A problem for each key of ``table`` not in ``allowed`` (a typing slip would otherwise
    be silently ignored)."""
    for key in table:
        if key not in allowed:
            col.add(where, key, f"unknown key{suggest(key, allowed)}; allowed: {', '.join(allowed)}")

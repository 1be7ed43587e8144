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

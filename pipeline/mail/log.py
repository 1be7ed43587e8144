"""The per-meeting send log: one JSON object per line, one line per attempt.

It is what makes ``send`` safe to re-run. Every message's result is appended (and fsynced)
the moment the server answers, *before* the next message goes, so after a crash or a dropped
connection the log says exactly what went. A re-run skips every Message-ID whose latest
record is ``sent``; a full re-run therefore sends nothing twice.

The log is append-only: earlier lines are never rewritten. A last line cut short by a crash
is ignored when reading (and reported), never fatal.

A send reads and appends to the log only while it holds the log's lock (:func:`locked`), for
the whole send: a second ``send`` of the same mailing at the same moment waits for the first
and then reads what the first recorded, so it sends only what is left (usually nothing), or
it refuses, naming the first run, if that one is still sending when the wait is over.

One window remains, as in any mail client: a message the server accepted (it answered 250)
and that was not yet recorded because the run died in between (power cut, ``kill -9``) is
sent again by the next run. That window is one message wide: the record is appended, and
made durable, straight after the server's answer. The repeat carries the same Message-ID,
which mail clients use to recognise a duplicate.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import OutputError

SENT = "sent"
REFUSED = "refused"  # the server refused the recipient (5xx): fix the address, re-run
FAILED = "failed"  # temporary failure or the connection dropped: re-run
NO_ADDRESS = "no-valid-email"  # nothing was attempted: fix MEMBERS.csv, re-run


def log_path(output_dir: str | os.PathLike, meeting_key: str) -> Path:
    return Path(output_dir) / "send-log" / f"{meeting_key}.jsonl"


@contextlib.contextmanager
def locked(path: str | os.PathLike, what: str | None = None, wait: float | None = None):
    """Hold the send log's lock for the block and yield the log as read under it. Raises
    :class:`pipeline.infra.locks.Busy` (naming the other run) if another send of the same mailing
    still holds it after ``wait`` seconds (default: :func:`pipeline.infra.locks.wait_seconds`)."""
    from pipeline.infra.locks import hold

    path = Path(path)
    with hold(path, what or f"the send log {path}", wait=wait):
        yield SendLog(path)


@dataclass(frozen=True)
class LogRecord:
    message_id: str | None
    recipient: str  # the address, or the raw text from the CSV when it was not usable
    name: str
    part: int | None
    parts: int | None
    result: str
    detail: str = ""
    digest: str = ""
    attachments: tuple[str, ...] = ()
    at: str = ""  # UTC time of the server's answer (a log of events, not a document)

    def to_json(self) -> str:
        data = {
            "message_id": self.message_id, "recipient": self.recipient, "name": self.name,
            "part": self.part, "parts": self.parts, "result": self.result, "detail": self.detail,
            "digest": self.digest, "attachments": list(self.attachments), "at": self.at,
        }
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, line: str) -> LogRecord:
        data = json.loads(line)
        return cls(
            message_id=data.get("message_id"), recipient=data["recipient"], name=data.get("name", ""),
            part=data.get("part"), parts=data.get("parts"), result=data["result"],
            detail=data.get("detail", ""), digest=data.get("digest", ""),
            attachments=tuple(data.get("attachments", ())), at=data.get("at", ""),
        )


class SendLog:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.damaged_lines: list[int] = []
        self.records: list[LogRecord] = self._read()

    def _read(self) -> list[LogRecord]:
        if not self.path.exists():
            return []
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError as exc:
            raise OutputError(f"cannot read the send log {self.path}: {exc.strerror}") from None
        records = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append(LogRecord.from_json(line))
            except (ValueError, KeyError, TypeError):
                self.damaged_lines.append(number)  # e.g. a line cut short by a crash
        return records

    def latest(self) -> dict[str, LogRecord]:
        """The latest record for each Message-ID."""
        out = {}
        for record in self.records:
            if record.message_id:
                out[record.message_id] = record
        return out

    def sent_ids(self) -> set[str]:
        return {mid for mid, r in self.latest().items() if r.result == SENT}

    def append(self, record: LogRecord) -> None:
        """Append one record and make it durable before returning."""
        if not record.at:
            now = dt.datetime.now(dt.UTC).replace(microsecond=0)
            record = LogRecord(**{**record.__dict__, "at": now.isoformat()})
        line = (record.to_json() + "\n").encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            new = not self.path.exists()
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            try:
                if not new and self._ends_without_newline():
                    os.write(fd, b"\n")  # a previous crash cut a line short: keep ours whole
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
            if new:  # make the new directory entry durable too
                dir_fd = os.open(self.path.parent, os.O_RDONLY)
                try:
                    os.fsync(dir_fd)
                finally:
                    os.close(dir_fd)
        except OSError as exc:
            raise OutputError(f"cannot write the send log {self.path}: {exc.strerror}") from None
        self.records.append(record)

    def _ends_without_newline(self) -> bool:
        with open(self.path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            if fh.tell() == 0:
                return False
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) != b"\n"

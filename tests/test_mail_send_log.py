"""The send log survives a crash mid-write: a cut-short last line is ignored and the next
record still lands on a line of its own."""
from pipeline.mail.log import FAILED, SENT, LogRecord, SendLog


def record(mid, result):
    return LogRecord(message_id=mid, recipient="a@example.org", name="A", part=1, parts=1, result=result)


def test_latest_result_wins_and_truncated_line_is_ignored(tmp_path):
    path = tmp_path / "send-log" / "m.jsonl"
    log = SendLog(path)
    log.append(record("<1@x>", FAILED))
    log.append(record("<1@x>", SENT))
    log.append(record("<2@x>", FAILED))
    with open(path, "ab") as fh:
        fh.write(b'{"message_id": "<3@x>", "resu')  # the crash
    again = SendLog(path)
    assert again.damaged_lines == [4]
    assert again.sent_ids() == {"<1@x>"}
    again.append(record("<3@x>", SENT))
    third = SendLog(path)
    assert third.sent_ids() == {"<1@x>", "<3@x>"} and third.damaged_lines == [4]
    assert all(r.at for r in third.records)

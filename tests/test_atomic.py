"""Outputs are written atomically: all or nothing, with ordinary file permissions."""
import os
import stat

import pytest

from pipeline.infra.atomic import atomic_path, write_bytes


def test_written_file_is_complete_and_readable_by_others(tmp_path):
    old = os.umask(0o022)
    try:
        path = write_bytes(tmp_path / "out" / "report.pdf", b"%PDF-1.7 whole")
    finally:
        os.umask(old)
    assert path.read_bytes() == b"%PDF-1.7 whole"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in path.parent.iterdir()] == ["report.pdf"]


def test_failure_leaves_the_previous_file_and_no_temporary(tmp_path):
    dest = tmp_path / "report.docx"
    dest.write_bytes(b"previous")
    with pytest.raises(RuntimeError):
        with atomic_path(dest) as tmp:
            tmp.write_bytes(b"half a docum")
            raise RuntimeError("interrupted")
    assert dest.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.docx"]

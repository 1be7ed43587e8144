"""`cards --format csv|xlsx` and pipeline.api.cards_frame (docs/cards.md, docs/api.md): one row per
card, the JSON's own values (nothing rounded or formatted again)."""
from __future__ import annotations

import csv
import io
import json
import math

import pytest

from pipeline.cards.table_export import COLUMN_NAMES
from pipeline.rules.periods import Month


def _json(run_cli, path, *args):
    result = run_cli("cards", path, "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _expected(card: dict, name: str, period: str):
    if name == "report_period":
        return period
    if name.startswith("spc_") and name != "spc_status":
        return (card["spc"] or {}).get(name[4:])
    return card[name]


def test_csv_has_the_jsons_values_for_every_card(run_cli, sample_path, tmp_path):
    data = _json(run_cli, sample_path)
    out = tmp_path / "cards.csv"
    result = run_cli("cards", sample_path, "--format", "csv", "--out", out)
    assert result.exit_code == 0, result.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    assert b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert list(rows[0]) == list(COLUMN_NAMES)
    assert [r["id"] for r in rows] == [c["id"] for c in data["cards"]]
    for row, card in zip(rows, data["cards"]):
        for name in COLUMN_NAMES:
            want = _expected(card, name, data["period"])
            got = row[name]
            if want is None:
                assert got == "", (card["id"], name)
            elif isinstance(want, bool):
                assert got == ("TRUE" if want else "FALSE")
            elif isinstance(want, (int, float)):
                assert got == str(want), (card["id"], name, got, want)  # the same digits, no new rounding
            else:
                assert got == want
    # the children's apostrophe and a figure the report prints with a thousands separator
    assert any("Children" in r["section"] for r in rows)
    assert any(r["actual_display"] == "2,276" for r in rows)


def test_csv_on_stdout_is_the_same_bytes(run_cli, sample_path, tmp_path):
    out = tmp_path / "cards.csv"
    run_cli("cards", sample_path, "--format", "csv", "--out", out)
    import subprocess
    import sys

    piped = subprocess.run([sys.executable, "-m", "pipeline", "cards", str(sample_path), "--format", "csv"],
                           capture_output=True, timeout=120)
    assert piped.returncode == 0
    assert piped.stdout == out.read_bytes()


def test_xlsx_holds_numbers_shown_with_the_indicators_decimals(run_cli, sample_path, tmp_path):
    from openpyxl import load_workbook

    data = _json(run_cli, sample_path, "--period", "2013-06")
    out = tmp_path / "cards.xlsx"
    result = run_cli("cards", sample_path, "--format", "xlsx", "--out", out, "--period", "2013-06")
    assert result.exit_code == 0, result.stderr
    assert not list(tmp_path.glob(".*part"))  # written through a temporary, renamed when whole
    ws = load_workbook(out)["cards"]
    header = [c.value for c in ws[1]]
    assert header == list(COLUMN_NAMES)
    for number, card in enumerate(data["cards"], start=2):
        cells = {name: ws.cell(number, col) for col, name in enumerate(header, start=1)}
        for name in COLUMN_NAMES:
            want = _expected(card, name, data["period"])
            assert cells[name].value == want, (card["id"], name)
        if card["actual"] is not None:
            places = card["decimals"]
            assert cells["actual"].number_format == ("0" if places == 0 else "0." + "0" * places)
    assert ws.cell(2, 1).value == "2013-06"


def test_xlsx_needs_out_and_out_needs_a_file_format(run_cli, sample_path, tmp_path):
    assert run_cli("cards", sample_path, "--format", "xlsx").exit_code == 2
    assert run_cli("cards", sample_path, "--format", "json", "--out", tmp_path / "x.json").exit_code == 2


def test_the_api_gives_the_same_figures_as_the_json(run_cli, sample_path):
    from pipeline.api import cards_frame

    data = _json(run_cli, sample_path, "--period", "2013-06")
    frame = cards_frame(sample_path, period="2013-06")
    assert list(frame.columns) == list(COLUMN_NAMES)
    assert frame.attrs["period"] == "2013-06"
    assert list(frame["id"]) == [c["id"] for c in data["cards"]]
    for i, card in enumerate(data["cards"]):
        for name in COLUMN_NAMES:
            want = _expected(card, name, data["period"])
            got = frame[name].iloc[i]
            if want is None:
                assert got is None or got is __import__("pandas").NA or (isinstance(got, float) and math.isnan(got))
            elif isinstance(want, bool):
                assert bool(got) is want
            elif isinstance(want, (int, float)):
                assert float(got) == float(want)
            else:
                assert got == want
    assert str(frame["actual"].dtype) == "float64" and str(frame["rag"].dtype).startswith("string")
    assert frame.equals(cards_frame(sample_path, period=Month(2013, 6)))


def test_the_api_reads_a_report_definition_and_raises_the_packages_errors(sample_path, tmp_path):
    from split_sample import split_sample

    from pipeline.api import cards_frame
    from pipeline.cards.compute import PeriodRefused
    from pipeline.errors import InputProblems

    split = split_sample(sample_path, tmp_path / "fsc")
    assert cards_frame(split["definition"]).equals(cards_frame(sample_path))
    with pytest.raises(PeriodRefused):
        cards_frame(sample_path, period="2014-09")
    (tmp_path / "bad.xlsx").write_bytes(b"no")
    with pytest.raises(InputProblems):
        cards_frame(tmp_path / "bad.xlsx")

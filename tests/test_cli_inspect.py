"""`validate` and `cards` through the real entry point: messages, exit statuses, the JSON shape,
and no traceback for anything a user can get wrong."""
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from workbooks import series

NUMBER = (int, float)


def no_traceback(result):
    assert "Traceback" not in result.stdout + result.stderr


# --- validate --------------------------------------------------------------------------------


def test_validate_clean_sample(run_cli, sample_path):
    result = run_cli("validate", sample_path)
    assert result.exit_code == 0, result.stderr
    assert "no problems found (23 indicators in 2 sections, 242 values, 22 commentaries; latest period Sep-13)" \
        in result.stdout
    # the sample's two data-quality findings are real (docs/workbook.md, "Data-quality checks"):
    # ASC02 rose 3.3 points in April 2013, and ASC06 has no April 2013 figure, as the council published them
    assert result.stderr.splitlines() == [
        "warning: values row 22, column actual: ASC02 Apr-13: 25.0% is a rise of 3.3 points from 21.7% (Mar-13), "
        "more than 3.267 times the usual change of 0.8 points (mean moving range): check the figure",
        "warning: values, column actual: ASC06 Apr-13: has no figure for Apr-13, between Mar-13 and May-13 "
        "(there is no row for Apr-13): fill it in, or say in the data notes why it is missing"]


def test_validate_lists_every_problem_and_exits_1(run_cli, make_book):
    rows = series("I1", [f"2012-{m:02d}" for m in range(1, 13)], actual=70, target=80)
    rows.append({"indicator_id": "I1", "period": "2013-01", "actual": "7o%", "target": 80})
    rows.append({"indicator_id": "I7", "period": "2013-01", "actual": 50})
    path = make_book(indicators=[{"id": "I1"}, {"id": "I1"}], values=rows)
    result = run_cli("validate", path)
    assert result.exit_code == 1
    no_traceback(result)
    lines = result.stderr.splitlines()
    assert lines[0] == f"{path}: 3 problems"
    assert lines[1:] == [
        '  indicators row 3, column id: duplicate id "I1" (also on row 2)',
        '  values row 14, column actual: "7o%" is not a number',
        '  values row 15, column indicator_id: "I7" is not an indicator on the indicators sheet',
    ]
    assert result.stdout == ""


def _not_xlsx(tmp_path):
    p = tmp_path / "a.xlsx"
    p.write_text("not a workbook")
    return p


def _corrupt_zip(tmp_path):
    p = tmp_path / "b.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("[Content_Types].xml", "<broken")
    return p


def _encrypted(tmp_path):
    p = tmp_path / "c.xlsx"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptedPackage".encode("utf-16-le"))
    return p


def _xls(tmp_path):
    p = tmp_path / "d.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    return p


@pytest.mark.parametrize("make, message", [
    (_not_xlsx, "is not an Excel .xlsx workbook"),
    (_corrupt_zip, "is damaged or not an Excel .xlsx workbook"),
    (_encrypted, "is password protected"),
    (_xls, "is an old Excel 97-2003 (.xls) file"),
    (lambda tmp: tmp / "missing.xlsx", "file not found"),
])
def test_unreadable_files_exit_1_with_a_message(run_cli, tmp_path, make, message):
    path = make(tmp_path)
    result = run_cli("validate", path)
    assert result.exit_code == 1
    no_traceback(result)
    assert result.stderr.splitlines()[0] == f"{path}: 1 problem"
    assert message in result.stderr


def test_missing_sheets_exit_1(run_cli, make_book):
    result = run_cli("validate", make_book(omit=("values",)))
    assert result.exit_code == 1
    assert "values: sheet is missing" in result.stderr
    no_traceback(result)


def test_validate_needs_a_workbook_argument(run_cli):
    result = run_cli("validate")
    assert result.exit_code == 2
    assert "Missing argument" in result.stderr
    no_traceback(result)


# --- cards -------------------------------------------------------------------------------------


def test_cards_table(run_cli, sample_path):
    result = run_cli("cards", sample_path)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Indicator cards for September 2013"
    assert lines[1].split() == ["ID", "Indicator", "Period", "Actual", "Target", "Floor", "RAG", "Direction"]
    by_id = {line.split()[0]: line for line in lines[3:]}
    assert len(by_id) == 23  # 17 rated, 6 lead indicators
    assert "Aug-13" in by_id["ASC07"] and "5.84" in by_id["ASC07"] and "AMBER" in by_id["ASC07"]
    assert "not rated" in by_id["ASC02"]
    assert "RED" in by_id["SCS02"]


@pytest.fixture(scope="module")
def sample_json(sample_path):
    """`cards --format json` on the sample, run once as a real process (`python -m pipeline`)."""
    done = subprocess.run([sys.executable, "-m", "pipeline", "cards", str(sample_path), "--format", "json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_json_top_level(sample_json):
    assert set(sample_json) == {"period", "cards"}
    assert sample_json["period"] == "2013-09"
    assert [c["id"] for c in sample_json["cards"]][:3] == ["ASC01", "ASC02", "ASC03"]


CARD_TYPES = {
    "id": str, "title": str, "section": str, "polarity": str, "unit": str, "decimals": int, "data_period": str,
    "period": (str, type(None)), "rag": (str, type(None)), "previous_rag": (str, type(None)),
    "direction": (str, type(None)), "actual": (*NUMBER, type(None)), "actual_display": (str, type(None)),
    "is_forecast": bool, "target": (*NUMBER, type(None)), "floor": (*NUMBER, type(None)),
    "ceiling": (*NUMBER, type(None)), "year_end_target": (*NUMBER, type(None)),
    "previous_outturn": (*NUMBER, type(None)), "activity": bool, "range_status": (str, type(None)),
    "spc": (dict, type(None)), "spc_status": str, "history": list,
}
SPC_TYPES = {"mean": NUMBER, "lower": NUMBER, "upper": NUMBER, "variation": str, "assurance": (str, type(None))}
POINT_TYPES = ("common_cause", "special_cause_improvement", "special_cause_concern", "special_cause_neutral_high",
               "special_cause_neutral_low")
HISTORY_TYPES = {
    "period": str, "actual": (*NUMBER, type(None)), "target": (*NUMBER, type(None)),
    "floor": (*NUMBER, type(None)), "rag": (str, type(None)), "forecast": (*NUMBER, type(None)),
    "stat_neighbours": (*NUMBER, type(None)), "england": (*NUMBER, type(None)),
    "range_status": (str, type(None)), "spc_point": (str, type(None)),
}


def test_json_card_keys_and_types(sample_json):
    for card in sample_json["cards"]:
        assert set(card) == set(CARD_TYPES), card["id"]
        for key, kind in CARD_TYPES.items():
            assert isinstance(card[key], kind), (card["id"], key, card[key])
        assert card["rag"] in ("GREEN", "AMBER", "RED", None)
        assert card["direction"] in ("improved", "worsened", "unchanged", None)
        for entry in card["history"]:
            assert set(entry) == set(HISTORY_TYPES)
            for key, kind in HISTORY_TYPES.items():
                assert isinstance(entry[key], kind), (card["id"], entry["period"], key)
            assert entry["rag"] in ("GREEN", "AMBER", "RED", None)
            assert entry["spc_point"] in (*POINT_TYPES, None)
        assert card["spc_status"] in ("on", "off", "not_enough_data")
        assert (card["spc"] is None) == (card["spc_status"] != "on"), card["id"]
        if card["spc"] is not None:
            assert set(card["spc"]) == set(SPC_TYPES)
            for key, kind in SPC_TYPES.items():
                assert isinstance(card["spc"][key], kind), (card["id"], key)
            assert card["spc"]["variation"] in POINT_TYPES
            assert card["spc"]["variation"] == [h for h in card["history"] if h["spc_point"]][-1]["spc_point"]
            assert card["spc"]["assurance"] in ("consistent_pass", "consistent_fail", "inconsistent", None)
            assert card["spc"]["lower"] <= card["spc"]["mean"] <= card["spc"]["upper"]


def test_json_values(sample_json):
    cards = {c["id"]: c for c in sample_json["cards"]}
    asc02 = cards["ASC02"]
    assert asc02["rag"] is None and all(h["rag"] is None for h in asc02["history"])   # not rated: null
    asc04 = cards["ASC04"]
    assert (asc04["actual"], asc04["actual_display"], asc04["target"], asc04["year_end_target"]) \
        == (47.6, "47.6%", 46.0, 60.0)
    assert (asc04["rag"], asc04["direction"]) == ("GREEN", "improved")
    asc07 = cards["ASC07"]
    assert asc07["period"] == "2013-08" and asc07["actual"] == 5.84
    assert cards["ASC01"]["actual"] == 73 and isinstance(cards["ASC01"]["actual"], int)   # 0 decimal places
    asc08 = cards["ASC08"]
    assert (asc08["floor"], asc08["history"][7]["period"], asc08["history"][7]["rag"]) == (143, "2013-04", "RED")
    scs03 = cards["SCS03"]   # band: no floor given, so no ceiling
    assert scs03["polarity"] == "band" and scs03["rag"] == "GREEN" and scs03["ceiling"] is None


def test_json_history_covers_every_period_of_the_values_sheet(sample_json, sample_dataset):
    for card in sample_json["cards"]:
        expected = [v.period.iso for v in sample_dataset.values[card["id"]]]
        assert [h["period"] for h in card["history"]] == expected, card["id"]


def test_cards_for_another_period(run_cli, sample_path):
    result = run_cli("cards", sample_path, "--period", "2013-06", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["period"] == "2013-06"
    assert {c["id"]: c["period"] for c in data["cards"]}["ASC01"] == "2013-06"


def test_cards_band_floor_and_ceiling(run_cli, make_book):
    path = make_book(indicators=[{"id": "B1", "polarity": "band", "band_width": 0.5}],
                     values=[{"indicator_id": "B1", "period": "2013-09", "actual": 11.2, "target": 10, "floor": 9}])
    card = json.loads(run_cli("cards", path, "--format", "json").stdout)["cards"][0]
    assert (card["floor"], card["ceiling"], card["rag"]) == (9.0, 11.0, "RED")


@pytest.mark.parametrize("period", ["2013-13", "Sept 13th"])
def test_cards_bad_period_option(run_cli, sample_path, period):
    result = run_cli("cards", sample_path, "--period", period)
    assert result.exit_code == 2
    assert "Invalid value for '--period'" in result.stderr
    no_traceback(result)


def test_cards_on_a_bad_workbook_exits_1(run_cli, make_book):
    path = make_book(values=[{"indicator_id": "I1", "period": "2013-09", "actual": "7o%"}])
    result = run_cli("cards", path, "--format", "json")
    assert result.exit_code == 1 and result.stdout == ""
    assert 'values row 2, column actual: "7o%" is not a number' in result.stderr
    no_traceback(result)


def test_cards_on_a_workbook_without_figures(run_cli, make_book):
    result = run_cli("cards", make_book(values=[{"indicator_id": "I1", "period": "2013-09", "target": 80}]))
    assert result.exit_code == 3
    assert result.stderr.startswith("Error: ")
    no_traceback(result)


# --- the command line itself ----------------------------------------------------------------------


def test_console_script_and_module_agree(sample_path):
    # the console script of the environment running the tests (not whichever is first on PATH)
    script = Path(sys.executable).parent / "committee-pipeline"
    for argv in ([str(script)], [sys.executable, "-m", "pipeline"]):
        done = subprocess.run(argv + ["validate", str(sample_path)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (argv, done.stderr)
        assert "no problems found" in done.stdout


def test_help_lists_commands_without_importing_heavy_libraries():
    code = ("import sys; from pipeline.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
            "heavy = {'openpyxl', 'pandas', 'matplotlib', 'docx', 'reportlab', 'pikepdf'} & set(sys.modules)\n"
            "print('HEAVY', sorted(heavy))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "validate" in done.stdout and "cards" in done.stdout
    assert "HEAVY []" in done.stdout


def test_worked_example_of_docs_workbook_md(run_cli, make_book):
    """docs/workbook.md's worked example, exactly as written there."""
    from workbooks import Styled

    path = make_book(
        indicators=[{"id": "REV01", "title": "Clients reviewed within 28 days", "section": "Adult Social Care",
                     "polarity": "higher", "unit": "percent", "data_period": "Month", "decimals": 1,
                     "tolerance": 5, "year_end_target": "80%"}],
        values=[{"indicator_id": "REV01", "period": "Jun-13", "actual": "71.2%", "target": 70},
                {"indicator_id": "REV01", "period": "Jul-13", "actual": 64.96, "target": 70},
                {"indicator_id": "REV01", "period": "2013-08", "actual": Styled(0.7495, "0.00%"), "target": 75},
                {"indicator_id": "REV01", "period": "Sep-13", "actual": 74.96, "target": 75, "floor": 72}],
        commentary=[{"indicator_id": "REV01", "period": "Sep-13",
                     "text": "Performance is just short of the phased target."}],
    )
    card = json.loads(run_cli("cards", path, "--period", "2013-09", "--format", "json").stdout)["cards"][0]
    assert (card["period"], card["actual_display"], card["target"], card["floor"], card["rag"], card["direction"],
            card["year_end_target"]) == ("2013-09", "75.0%", 75.0, 72.0, "GREEN", "unchanged", 80.0)
    assert [(h["period"], h["actual"], h["target"], h["floor"], h["rag"]) for h in card["history"]] == [
        ("2013-06", 71.2, 70.0, 65.0, "GREEN"), ("2013-07", 65.0, 70.0, 65.0, "AMBER"),
        ("2013-08", 75.0, 75.0, 70.0, "GREEN"), ("2013-09", 75.0, 75.0, 72.0, "GREEN")]
    table = run_cli("cards", path, "--period", "2013-09").stdout
    assert "REV01" in table and "75.0%" in table and "GREEN" in table
    row = next(line.split() for line in table.splitlines() if line.startswith("REV01"))
    assert row[-5:-2] == ["75.0%", "75%", "72%"]  # "floor 72%": set figures as the papers write them

    unformatted = make_book(indicators=[{"id": "REV01"}],
                            values=[{"indicator_id": "REV01", "period": "2013-07", "actual": 64.96},
                                    {"indicator_id": "REV01", "period": "2013-08", "actual": 0.7495}])
    assert ("values row 3, column actual: 0.7495 is ambiguous for a percentage: write 74.95 or 74.95%, "
            "or format the cell as a percentage") in run_cli("validate", unformatted).stderr


def test_cards_defaults_to_latest_period_with_data_not_the_report_sheet(run_cli, make_book):
    """Issue 2: `cards` without --period shows the latest month with figures; the report
    sheet's `period` is the month `build` reports on, and must not change this default."""
    from workbooks import REPORT_DEFAULTS

    path = make_book(
        indicators=[{"id": "P1"}],
        values=[{"indicator_id": "P1", "period": p, "actual": a, "target": 50}
                for p, a in (("2013-08", 40), ("2013-09", 60))],
        report=list(REPORT_DEFAULTS) + [("period", "2013-08")],
    )
    data = json.loads(run_cli("cards", path, "--format", "json").stdout)
    assert data["period"] == "2013-09"
    assert (data["cards"][0]["actual"], data["cards"][0]["rag"]) == (60, "GREEN")

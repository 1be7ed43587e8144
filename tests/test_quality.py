"""Data-quality checks (pipeline.quality.checks): each at and either side of its threshold,
through real workbooks read by the real reader, and through validate and build."""
from __future__ import annotations

import json

import pytest
from workbooks import series

from pipeline.input.workbook import read_workbook
from pipeline.quality import checks
from pipeline.rules.periods import Month

SEP = Month(2013, 9)


def months(first: str, count: int) -> list[str]:
    start = Month(int(first[:4]), int(first[5:]))
    return [(start + i).iso for i in range(count)]


def findings(make_book, indicators, values, period=SEP, check=None):
    dataset = read_workbook(make_book(indicators=indicators, values=values,
                                      report={"from": "A", "to": "Test Committee", "date": "2013-12-05",
                                              "subject": "Test dashboard", "period": period.iso}))
    found = checks.check_dataset(dataset, period)
    return [f for f in found if check is None or f.check == check]


# --- impossible values (errors) -------------------------------------------------------------------


@pytest.mark.parametrize("unit", ["count", "rate", "days"])
@pytest.mark.parametrize("value, bad", [(-1, True), (-0.01, True), (0, False), (0.01, False)])
def test_negative_counts_rates_and_days_are_errors(make_book, unit, value, bad):
    extra = {"rate_per": 1000} if unit == "rate" else {}
    found = findings(make_book, [{"id": "C1", "unit": unit, "decimals": 2, **extra}],
                     [{"indicator_id": "C1", "period": "2013-09", "actual": value, "target": 5}],
                     check="impossible-value")
    assert [(f.severity, f.row, f.column) for f in found] == ([("error", 2, "actual")] if bad else [])


def test_the_issues_negative_count_names_cell_and_explains(make_book):
    found = findings(make_book, [{"id": "ASC09", "unit": "count", "polarity": "lower"}],
                     [{"indicator_id": "ASC09", "period": "2013-09", "actual": -1249, "target": 1260}],
                     check="impossible-value")
    assert [str(f) for f in found] == [
        "values row 2, column actual: ASC09 Sep-13: actual -1,249 is negative, which a count cannot be: check the sign"]


@pytest.mark.parametrize("column", ["actual", "target", "floor", "forecast", "england", "stat_neighbours"])
@pytest.mark.parametrize("value, bad", [(100, False), (100.01, True), (0, False), ("-0.01%", True), (99.99, False)])
def test_percentages_outside_0_to_100_are_errors(make_book, column, value, bad):
    row = {"indicator_id": "P1", "period": "2013-09", "actual": 50, "target": 60, "floor": 40}
    row[column] = value
    # (band: the reader's own check of a floor against its target stays out of the way)
    found = findings(make_book, [{"id": "P1", "decimals": 2, "polarity": "band"}], [row], check="impossible-value")
    assert [(f.severity, f.column) for f in found] == ([("error", column)] if bad else [])


def test_may_exceed_100_lifts_only_the_upper_bound(make_book):
    rows = [{"indicator_id": "P1", "period": "2013-08", "actual": 130, "target": 100},
            {"indicator_id": "P1", "period": "2013-09", "actual": "-1%", "target": 100}]
    allowed = findings(make_book, [{"id": "P1", "may_exceed_100": "Y"}], rows, check="impossible-value")
    assert [(f.period.iso, f.column) for f in allowed] == [("2013-09", "actual")]
    refused = findings(make_book, [{"id": "P1"}], rows, check="impossible-value")
    assert [f.period.iso for f in refused] == ["2013-08", "2013-09"]


@pytest.mark.parametrize("numerator, bad", [(99, False), (100, False), (101, True)])
def test_a_percentage_from_numerator_and_denominator_above_100_is_an_error(make_book, numerator, bad):
    found = findings(make_book, [{"id": "P1"}], [{"indicator_id": "P1", "period": "2013-09", "actual": None,
                                                  "target": 80, "numerator": numerator, "denominator": 100}],
                     check="impossible-value")
    assert [f.column for f in found] == (["numerator"] if bad else [])


def test_currency_and_number_may_be_negative(make_book):
    rows = [{"indicator_id": "M1", "period": "2013-09", "actual": -5000, "target": 0}]
    assert findings(make_book, [{"id": "M1", "unit": "currency"}], rows, check="impossible-value") == []
    rows = [{"indicator_id": "N1", "period": "2013-09", "actual": -3, "target": 0}]
    assert findings(make_book, [{"id": "N1", "unit": "number"}], rows, check="impossible-value") == []


def test_validate_and_build_stop_on_an_impossible_value(run_cli, make_book, tmp_path):
    book = make_book(indicators=[{"id": "C1", "unit": "count"}],
                     values=[{"indicator_id": "C1", "period": "2013-09", "actual": -1249, "target": 1260}])
    result = run_cli("validate", book)
    assert result.exit_code == 1
    assert "values row 2, column actual: C1 Sep-13: actual -1,249 is negative" in result.stderr
    built = run_cli("build", book, "--out", tmp_path / "out", "--format", "docx")
    assert built.exit_code == 1 and "actual -1,249 is negative" in built.stderr
    assert "Traceback" not in built.stderr and not (tmp_path / "out").exists()


# --- stale ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("data_period, latest, stale", [
    ("Month", "2013-09", False), ("Month", "2013-08", False), ("Month", "2013-07", True),
    ("Quarter", "2013-06", False), ("Quarter", "2013-05", True),
    ("Annual", "2012-09", False), ("Annual", "2012-08", True),
])
def test_stale_at_and_either_side_of_the_allowance(make_book, data_period, latest, stale):
    # the other indicator keeps the report period honest (the period guard needs a figure for it)
    rows = [{"indicator_id": "S1", "period": latest, "actual": 50, "target": 60},
            {"indicator_id": "OK", "period": "2013-09", "actual": 50, "target": 60}]
    found = findings(make_book, [{"id": "S1", "data_period": data_period}, {"id": "OK"}], rows, check="stale")
    assert [(f.indicator_id, f.period.iso) for f in found] == ([("S1", latest)] if stale else [])


# --- gaps ---------------------------------------------------------------------------------------


def test_a_missing_month_this_year_is_a_gap_and_earlier_years_are_not_judged(make_book):
    values = [50 + (i % 3) for i in range(21)]
    rows = [r for r in series("G1", months("2012-01", 21), actual=values, target=60)
            if r["period"] not in ("2012-06", "2013-06")]  # one month missing last year, one this year
    for r in rows:
        if r["period"] == "2013-07":
            r["actual"] = None  # a row without its figure is a gap too
    found = findings(make_book, [{"id": "G1"}], rows, check="gap")
    assert [(f.period.iso, f.row) for f in found] == [("2013-06", None), ("2013-07", 18)]
    assert "between May-13 and Aug-13 (there is no row for Jun-13)" in found[0].message


def test_april_missing_after_march_is_this_years_gap(make_book):
    rows = series("G1", ["2013-02", "2013-03", "2013-05", "2013-06"], actual=[50, 51, 52, 53], target=60)
    found = findings(make_book, [{"id": "G1"}], rows, period=Month(2013, 6), check="gap")
    assert [f.period.iso for f in found] == ["2013-04"]


def test_quarterly_series_have_no_gap_between_quarters(make_book):
    rows = series("Q1", ["2013-03", "2013-06", "2013-09"], actual=[50, 51, 52], target=60)
    assert findings(make_book, [{"id": "Q1", "data_period": "Quarter"}], rows, check="gap") == []
    rows = series("Q1", ["2013-03", "2013-06", "2013-09", "2013-12", "2014-06"], actual=[50, 51, 52, 53, 54])
    found = findings(make_book, [{"id": "Q1", "data_period": "Quarter"}], rows, period=Month(2014, 6), check="gap")
    assert found == []  # (Mar-14 is missing but in the previous financial year's span: Apr-14 starts anew)
    rows = series("Q1", ["2013-03", "2013-06", "2013-12"], actual=[50, 51, 52])
    found = findings(make_book, [{"id": "Q1", "data_period": "Quarter"}], rows, period=Month(2013, 12), check="gap")
    assert [f.period.iso for f in found] == ["2013-09"]


# --- repeats ---------------------------------------------------------------------------------------


def moving(count):
    return [50 + (i % 4) for i in range(count)]  # changes every month


@pytest.mark.parametrize("run, flagged", [(3, False), (4, True), (5, True)])
def test_the_same_figure_for_several_months_where_it_usually_moves(make_book, run, flagged):
    values = moving(13 - run) + [70] * run
    rows = series("R1", months("2012-09", 13), actual=values, target=60)
    found = findings(make_book, [{"id": "R1"}], rows, check="repeated")
    assert [(f.period.iso, f.row) for f in found] == ([("2013-09", 14)] if flagged else [])


@pytest.mark.parametrize("start, changes, flagged", [
    ([11, 12, 13, 13, 14, 14, 15, 15, 16], 6, False),  # 6 of 12 consecutive pairs differ: not "usually"
    ([11, 12, 13, 14, 14, 15, 15, 16, 17], 7, True),  # 7 of 12
])
def test_repeats_only_count_where_the_series_usually_moves(make_book, start, changes, flagged):
    values = start + [70, 70, 70, 70]
    assert sum(1 for a, b in zip(values, values[1:]) if a != b) == changes
    rows = series("R1", months("2012-09", 13), actual=values, target=60)
    found = findings(make_book, [{"id": "R1"}], rows, check="repeated")
    assert bool(found) == flagged


def test_a_run_that_ended_last_year_is_not_judged(make_book):
    values = [70, 70, 70, 70] + moving(9)  # Sep-12..Dec-12 equal, then moving
    rows = series("R1", months("2012-09", 13), actual=values, target=60)
    assert findings(make_book, [{"id": "R1"}], rows, check="repeated") == []


# --- jumps -------------------------------------------------------------------------------------------


def jump_series(usual, last):
    """Thirteen figures: eleven changes of ``usual`` (up and down) and a last change of ``last``."""
    values = [100.0]
    for i in range(11):
        values.append(round(values[-1] + (usual if i % 2 == 0 else -usual), 6))
    values.append(round(values[-1] + last, 6))
    return values


@pytest.mark.parametrize("last, flagged", [(35.936, False), (35.937, False), (35.938, True)])
def test_a_jump_beyond_3_267_mean_moving_ranges(make_book, last, flagged):
    # eleven changes of 8.733 and one of 35.937: mean moving range (96.063 + 35.937) / 12 = 11,
    # and 3.267 x 11 = 35.937: the last change is exactly at the limit
    rows = series("J1", months("2012-09", 13), actual=jump_series(8.733, last), target=90)
    found = findings(make_book, [{"id": "J1", "unit": "number", "decimals": 3}], rows, check="jump")
    assert [f.period.iso for f in found] == (["2013-09"] if flagged else [])


def test_a_fall_is_a_jump_too_and_is_described(make_book):
    values = jump_series(1, -10)
    rows = series("J1", months("2012-09", 13), actual=[v - 50 for v in values], target=40)
    found = findings(make_book, [{"id": "J1", "decimals": 0}], rows, check="jump")
    assert len(found) == 1 and "is a fall of 10 points from 51%" in found[0].message


@pytest.mark.parametrize("count, judged", [(6, False), (7, True)])
def test_jumps_need_six_changes_to_judge(make_book, count, judged):
    values = [50, 51, 50, 51, 50, 51, 50][: count - 1] + [90]
    rows = series("J1", [(SEP - (count - 1 - i)).iso for i in range(count)], actual=values, target=40)
    found = findings(make_book, [{"id": "J1"}], rows, check="jump")
    assert bool(found) == judged


# --- targets and floors a factor away from their neighbours ----------------------------------------------


@pytest.mark.parametrize("target, flagged", [(16.0, True), (16.01, False), (400, True), (399.99, False)])
def test_a_target_five_times_away_from_its_neighbours(make_book, target, flagged):
    targets = [80, 80, 80, 80, 80, target, 80]  # Apr..Oct: the odd one is Sep
    rows = series("T1", months("2013-04", 7), actual=[50] * 6 + [None], target=targets)
    found = findings(make_book, [{"id": "T1", "decimals": 2, "may_exceed_100": "Y"}], rows, check="target-factor")
    assert [f.period.iso for f in found] == (["2013-09"] if flagged else [])


def test_the_issues_target_typed_8_for_80(make_book):
    rows = series("T1", months("2013-04", 6), actual=50, target=[80, 80, 80, 8, 80, 80])
    found = findings(make_book, [{"id": "T1"}], rows, check="target-factor")
    assert [str(f) for f in found] == [
        "values row 5, column target: T1 Jul-13: the target 8% is 5 times or more away from the targets nearest it "
        "(80% and 80%): a decimal point or a digit may have slipped"]


def test_a_cumulative_target_falling_in_april_is_not_compared_across_the_year(make_book):
    rows = series("T1", months("2013-01", 9), actual=[100] * 9,
                  target=[1000, 1100, 1200, 100, 200, 300, 400, 500, 600], **{})
    found = findings(make_book, [{"id": "T1", "unit": "count", "data_period": "Cumulative"}], rows,
                     check="target-factor")
    assert found == []


def test_a_floor_ten_times_away(make_book):
    rows = series("F1", months("2013-04", 6), actual=50, target=80, floor=[70, 70, 7, 70, 70, 70])
    found = findings(make_book, [{"id": "F1"}], rows, check="floor-factor")
    assert [f.period.iso for f in found] == ["2013-06"] and "minimum standard 7% is" in found[0].message


# --- phased target profile -----------------------------------------------------------------------------------


@pytest.mark.parametrize("targets, turns", [
    ([40, 42, 44, 46, 48, 50], []),  # rising
    ([40, 40, 40, 44, 44, 50], []),  # level, then rising
    ([40, 42, 44, 44, 43, 50], ["2013-08"]),  # falls after rising
    ([50, 48, 46, 47, 44, 40], ["2013-07"]),  # rises after falling
    ([40, 42, 44, 44.04, 44, 46], []),  # 44.04 shows as 44.0: no turn on the page
    ([40, 42, 44, 44.05, 44, 46], ["2013-08"]),  # 44.05 shows as 44.1, then back to 44.0
])
def test_a_phased_target_turning_back_within_the_year(make_book, targets, turns):
    rows = series("P1", months("2013-04", 6), actual=50, target=targets)
    found = findings(make_book, [{"id": "P1"}], rows, check="target-profile")
    assert [f.period.iso for f in found] == turns


def test_a_new_years_targets_may_start_anywhere(make_book):
    rows = series("P1", months("2013-01", 6), actual=50, target=[60, 62, 64, 40, 42, 44])
    assert findings(make_book, [{"id": "P1"}], rows, period=Month(2013, 6), check="target-profile") == []


# --- confirmed rows, the sample, the listing ------------------------------------------------------------------------


def test_a_confirmed_row_settles_its_warnings_but_never_an_error(make_book, run_cli):
    rows = series("T1", months("2013-04", 6), actual=50, target=[80, 80, 80, 8, 80, 80])
    rows[3]["confirmed"] = "Y"
    rows.append({"indicator_id": "C1", "period": "2013-09", "actual": 5, "target": 3, "confirmed": "Y"})
    book = make_book(indicators=[{"id": "T1"}, {"id": "C1", "unit": "count"}], values=rows)
    result = run_cli("validate", book, "--strict")
    assert result.exit_code == 0, result.stderr
    assert "confirmed: values row 5, column target: T1 Jul-13" in result.stderr
    rows.append({"indicator_id": "C1", "period": "2013-08", "actual": -5, "target": 3, "confirmed": "Y"})
    result = run_cli("validate", make_book(indicators=[{"id": "T1"}, {"id": "C1", "unit": "count"}], values=rows))
    assert result.exit_code == 1 and "actual -5 is negative" in result.stderr


def test_the_samples_two_findings_are_the_real_ones(sample_dataset):
    """docs/workbook.md explains them: ASC02 rose from 21.7% to 25.0% in April 2013, and the
    council's paper has no April 2013 figure for ASC06."""
    found = checks.check_dataset(sample_dataset)
    assert [(f.severity, f.check, f.indicator_id, f.period.iso, f.row) for f in found] == [
        ("warning", "jump", "ASC02", "2013-04", 22), ("warning", "gap", "ASC06", "2013-04", None)]


def test_validate_strict_refuses_open_warnings(run_cli, sample_path):
    result = run_cli("validate", sample_path, "--strict")
    assert result.exit_code == 1
    assert result.stderr.count("ASC02 Apr-13") == 1  # listed once, as a problem


def test_listing_json_and_xlsx(run_cli, sample_path, tmp_path, make_book):
    result = run_cli("validate", sample_path, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["period"] == "2013-09" and data["warnings"] == 2 and data["errors"] == 0
    assert data["findings"][0] | {"message": ""} == {
        "severity": "warning", "check": "jump", "indicator": "ASC02", "period": "2013-04", "sheet": "values",
        "row": 22, "column": "actual", "message": "", "confirmed": False,
        "title": "Proportion of personal budgets taken as direct payments"}
    out = tmp_path / "listing.xlsx"
    book = make_book(indicators=[{"id": "C1", "unit": "count"}],
                     values=[{"indicator_id": "C1", "period": "2013-09", "actual": -3, "target": 5}])
    result = run_cli("validate", book, "--format", "xlsx", "--out", out)
    assert result.exit_code == 1 and "actual -3 is negative" in result.stderr
    from openpyxl import load_workbook

    ws = load_workbook(out)["findings"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:6] == ("severity", "confirmed", "indicator", "title", "period", "check")
    assert rows[1][:3] == ("error", None, "C1") and rows[1][7] == 2 and "negative" in rows[1][9]
    assert len(rows) == 2


def test_listing_of_an_unreadable_workbook_lists_its_problems(run_cli, make_book, tmp_path):
    book = make_book(values=[{"indicator_id": "I1", "period": "2013-09", "actual": "7o%", "target": 80}])
    out = tmp_path / "listing.json"
    result = run_cli("validate", book, "--format", "json", "--out", out)
    assert result.exit_code == 1
    data = json.loads(out.read_text())
    assert [(f["check"], f["row"], f["column"]) for f in data["findings"]] == [("readable", 2, "actual")]


def test_xlsx_listing_needs_out(run_cli, sample_path):
    result = run_cli("validate", sample_path, "--format", "xlsx")
    assert result.exit_code == 2 and "--out" in result.stderr

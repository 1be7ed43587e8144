"""Write a realistic large input: a whole council's month.

8 directorates x 40 indicators x 36 months (October 2010 - September 2013, reported on
September 2013), with every polarity, unit and data period the workbook allows, some
indicators computed from numerators and denominators, activity indicators with an
expected range, statistical-neighbour and England comparators, a commentary for every
indicator's latest month (and a few older ones), section narratives, contacts and the
report sheet. Deterministic from ``--seed``: the same seed writes the same workbook.

    python benchmarks/generate_large.py [OUTPUT.xlsx] [--seed N] [--directorates 8] [--indicators 40]

The workbook is written with pipeline/commentary/xlsx_out.py (atomically) into a temporary or output
folder; it is never committed.
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipeline.commentary.xlsx_out import add_table_sheet, new_workbook, save  # noqa: E402

DIRECTORATES = [
    ("Adult Social Care", "Graham Gibbens", "Adult Social Care and Public Health"),
    ("Specialist Children's Services", "Jenny Whittle", "Specialist Children's Services"),
    ("Education and Young People", "Roger Gough", "Education"),
    ("Highways and Transportation", "David Brazier", "Transport and Environment"),
    ("Waste Management", "David Brazier", "Transport and Environment"),
    ("Public Health", "Graham Gibbens", "Adult Social Care and Public Health"),
    ("Customer and Communities", "Mike Hill", "Community Services"),
    ("Business Strategy and Support", "John Simmonds", "Finance and Business Support"),
]

SUBJECTS = [
    "clients receiving a personal budget", "assessments completed within timescale", "reviews completed on time",
    "complaints responded to within 20 days", "calls answered within 20 seconds", "invoices paid within 30 days",
    "potholes repaired within 28 days", "household waste recycled", "staff sickness absence",
    "children with a child protection plan", "placements lasting two years or more", "library visits",
    "people helped to live at home", "delayed transfers of care", "young people not in education or training",
    "schools judged good or outstanding", "streetlights repaired within 7 days", "smoking quitters at 4 weeks",
    "health checks delivered", "freedom of information requests answered in time",
]
UNITS = ("percent", "percent", "percent", "count", "rate", "currency", "days", "number")
POLARITIES = ("higher", "higher", "lower", "lower", "band", "none")
DATA_PERIODS = ("Month", "Month", "Quarter", "Year to date", "Rolling 12 months", "Cumulative", "Snapshot", "Annual")
MONTHS = [(2010 + (9 + i) // 12, (9 + i) % 12 + 1) for i in range(36)]  # 2010-10 .. 2013-09
PERIOD = "2013-09"
WORDS = ("performance remains on track against the phased target and officers continue to monitor the position "
         "closely with partners; the service has introduced a new triage process, recruited additional staff "
         "and expects further improvement over the next quarter as the changes take effect across all areas "
         "of the county").split()


def _month(ym) -> str:
    return f"{ym[0]:04d}-{ym[1]:02d}"


def _sentence(rng: random.Random, words: int) -> str:
    start = rng.randrange(len(WORDS))
    text = " ".join(WORDS[(start + i) % len(WORDS)] for i in range(words))
    return text[0].upper() + text[1:] + "."


def _commentary(rng: random.Random, ident: str) -> str:
    paragraphs = [f"{ident}: " + " ".join(_sentence(rng, rng.randint(12, 30)) for _ in range(rng.randint(1, 3)))
                  for _ in range(rng.randint(1, 3))]
    return "\n".join(paragraphs)


def _indicator(rng: random.Random, d: int, n: int):
    section, member, portfolio = DIRECTORATES[d % len(DIRECTORATES)]
    ident = f"{''.join(w[0] for w in section.split() if w[0].isupper())[:3]}{d + 1}{n + 1:02d}"
    unit = UNITS[(d * 7 + n) % len(UNITS)]
    polarity = POLARITIES[(d * 5 + n * 3) % len(POLARITIES)]
    data_period = DATA_PERIODS[(d + n * 5) % len(DATA_PERIODS)]
    activity = n % 13 == 7 and polarity != "none"
    ratio = unit in ("percent", "rate") and n % 4 == 1 and data_period != "Annual"
    decimals = {"percent": rng.choice((0, 1)), "count": 0, "rate": 1, "currency": 0, "days": 1, "number": 1}[unit]
    subject = SUBJECTS[(d * 3 + n) % len(SUBJECTS)]
    title = {"percent": f"Percentage of {subject}", "count": f"Number of {subject}",
             "rate": f"Rate of {subject} per 10,000 population", "currency": f"Cost of {subject}",
             "days": f"Average days for {subject}", "number": f"Average {subject} per case"}[unit]
    row = dict(id=ident, title=title, section=section, polarity=polarity, unit=unit, data_period=data_period,
               decimals=decimals, cabinet_member=member, portfolio=portfolio, owner=f"Officer {d + 1}.{n + 1}",
               director=f"Director {d + 1}", division=f"{section} division {n % 3 + 1}",
               priority=f"Priority {n % 5 + 1} of the {section} business plan", ambition="To tackle disadvantage",
               units_of_measure=title, data_source=f"{section} case management system",
               data_notes=_sentence(rng, 18), bold_steps="Y" if n % 3 == 0 else "N", qpr="Y" if n % 2 else "N",
               chart_title=title if n % 2 else None, actual_label="Actual",
               rate_per=10000 if unit == "rate" else None, activity="Y" if activity else None,
               band_width=None, tolerance_percent=None,
               stat_neighbours_label="Stat. N." if n % 3 == 1 else None)
    if polarity == "band":
        row["band_width"] = 1
    if n % 6 == 5 and polarity in ("higher", "lower"):
        row["tolerance_percent"] = 10
    if n % 5 == 4:
        row["trend_periods"] = 7
    return row, ratio


def _series(rng: random.Random, ind: dict, ratio: bool):
    unit, polarity, data_period = ind["unit"], ind["polarity"], ind["data_period"]
    scale = {"percent": 70.0, "count": rng.choice((120.0, 1500.0, 12000.0)), "rate": 45.0,
             "currency": rng.choice((850.0, 24000.0)), "days": 14.0, "number": 6.5}[unit]
    level, drift = scale, rng.uniform(-0.01, 0.015)
    rows = []
    quarterly = data_period in ("Quarter", "Snapshot") and not ratio and rng.random() < 0.6
    for i, ym in enumerate(MONTHS):
        level = level * (1 + drift) + rng.gauss(0, scale * 0.03)
        if unit == "percent":
            level = min(max(level, 3.0), 99.0)
        level = max(level, scale * 0.05)
        if data_period == "Annual" and ym[1] != 3 and ym != MONTHS[-1]:
            continue
        if quarterly and ym[1] not in (3, 6, 9, 12):
            continue
        places = ind["decimals"]
        actual = round(level, places)
        target = round(scale * (1 + 0.01 * (i % 12)), places)
        floor = None
        if polarity == "higher" and not ind.get("tolerance_percent"):
            floor = round(target * 0.9, places)
        elif polarity == "lower" and not ind.get("tolerance_percent"):
            floor = round(target * 1.1, places)
        elif polarity == "band":
            floor = round(target * 1.08, places)
        if polarity == "none":
            target = None
        if unit == "percent" and target is not None:
            target = min(target, 100)
            floor = min(floor, 100) if floor is not None else None
            if polarity == "lower" and floor is not None and floor < target:
                floor = target
        row = dict(indicator_id=ind["id"], period=_month(ym), actual=actual, target=target, floor=floor)
        if data_period == "Annual" and ym == MONTHS[-1]:
            row["actual"] = None
            row["forecast"] = actual
        if ratio:
            denominator = rng.randint(400, 5000)
            per = 100 if unit == "percent" else 10000
            numerator = max(1, round(level * denominator / per))
            if unit == "percent":
                numerator = min(numerator, denominator)
            row.update(numerator=numerator, denominator=denominator, actual=None)
        if ind.get("activity"):
            row.update(lower_threshold=round(target * 0.9 if target else scale * 0.9, places),
                       upper_threshold=round(target * 1.1 if target else scale * 1.1, places))
        if ind.get("stat_neighbours_label") or ind["id"].endswith(("3", "7")):
            row["stat_neighbours"] = round(scale * rng.uniform(0.9, 1.1), places)
        if unit in ("percent", "rate") and rng.random() < 0.5:
            row["england"] = round(scale * rng.uniform(0.92, 1.08), places)
        if unit == "count" and rng.random() < 0.4:
            row["supplementary"] = rng.randint(100, 20000)
        rows.append(row)
    return rows


VALUE_COLUMNS = ["indicator_id", "period", "actual", "target", "floor", "numerator", "denominator", "forecast",
                 "stat_neighbours", "england", "supplementary", "lower_threshold", "upper_threshold"]
INDICATOR_COLUMNS = ["id", "title", "section", "polarity", "unit", "data_period", "decimals", "band_width",
                     "tolerance_percent", "rate_per", "activity", "bold_steps", "qpr", "trend_periods", "priority",
                     "ambition", "cabinet_member", "director", "portfolio", "division", "owner",
                     "units_of_measure", "data_source", "data_notes", "chart_title", "actual_label",
                     "stat_neighbours_label"]


def generate(path, seed: int = 2013, directorates: int = 8, indicators: int = 40, revision: int = 0,
             revised: int | None = None) -> Path:
    """``revision`` > 0 changes the commentary (and nothing else) of every indicator, or of
    the first ``revised`` of them: a rebuild after commentary arrives."""
    rng = random.Random(seed)
    inds, values, commentary = [], [], []
    for d in range(directorates):
        for n in range(indicators):
            ind, ratio = _indicator(rng, d, n)
            inds.append(ind)
            values.extend(_series(rng, ind, ratio))
            text = _commentary(rng, ind["id"])
            if revision and (revised is None or len(inds) <= revised):
                text += f" (Revision {revision}.)"
            commentary.append([ind["id"], PERIOD, text, ind["owner"], None])
            if n % 4 == 0:
                commentary.append([ind["id"], "2013-08", _commentary(rng, ind["id"]), ind["owner"], None])
    narrative = [[DIRECTORATES[d][0], PERIOD, "Performance Indicator Summary", "before",
                  "\n".join(_sentence(rng, 40) for _ in range(3))] for d in range(directorates)]
    report = [
        ("from", "Paul Carter, Leader of the Council"),
        ("from", "David Cockburn, Head of Paid Service"),
        ("to", "Cabinet"),
        ("committee", "Cabinet"),
        ("date", "2013-12-02"),
        ("meeting_date", "2013-12-02"),
        ("agenda_item", "B1"),
        ("subject", "Council Performance Dashboard for September 2013"),
        ("classification", "Unrestricted"),
        ("directorate", "Business Strategy and Support"),
        ("period", PERIOD),
        ("summary", "The council's performance dashboard gives members progress against the targets set for "
                    "the key performance and activity indicators of every directorate for 2013-14."),
        ("recommendation", "Members are asked to NOTE the council's performance dashboard."),
        ("recommendations", "NOTE the council's performance dashboard."),
        ("background_documents", "None"),
    ]
    wb = new_workbook()
    add_table_sheet(wb, "indicators", INDICATOR_COLUMNS, [[i.get(c) for c in INDICATOR_COLUMNS] for i in inds],
                    widths={"title": 60, "data_notes": 60, "units_of_measure": 40})
    add_table_sheet(wb, "values", VALUE_COLUMNS, [[v.get(c) for c in VALUE_COLUMNS] for v in values])
    add_table_sheet(wb, "commentary", ["indicator_id", "period", "text", "author", "updated"], commentary,
                    widths={"text": 100})
    add_table_sheet(wb, "narrative", ["section", "period", "heading", "placement", "text"], narrative,
                    widths={"text": 100})
    add_table_sheet(wb, "report", ["key", "value"], [list(kv) for kv in report], widths={"value": 100})
    add_table_sheet(wb, "contacts", ["name", "title", "team", "tel", "email"],
                    [[f"Contact {d + 1}", f"Head of Performance, {s}", s, f"03000 41{d:04d}",
                      f"performance{d + 1}@example.gov.uk"] for d, (s, _, _) in enumerate(DIRECTORATES[:directorates])])
    save(wb, path)
    return Path(path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", default=str(ROOT / "output" / "benchmark" / "council_2013-09.xlsx"))
    parser.add_argument("--seed", type=int, default=2013)
    parser.add_argument("--directorates", type=int, default=8)
    parser.add_argument("--indicators", type=int, default=40)
    parser.add_argument("--revision", type=int, default=0, help="> 0: the same month with every commentary revised")
    parser.add_argument("--revised", type=int, help="with --revision: revise only the first N indicators' commentary")
    args = parser.parse_args(argv)
    path = generate(args.output, args.seed, args.directorates, args.indicators, args.revision, args.revised)
    print(f"wrote {path} ({args.directorates} directorates x {args.indicators} indicators x {len(MONTHS)} months)")


if __name__ == "__main__":
    main()

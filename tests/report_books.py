"""A small workbook exercising what the sample does not: an activity indicator with an
expected range, an annual indicator with a forecast, a Red indicator with commentary in
paragraphs and bullets, phased targets and delayed/cancelled business plan actions."""
from __future__ import annotations

import datetime as dt

MONTHS = [f"2013-{m:02d}" for m in range(4, 10)]


def report_book_kwargs():
    indicators = [
        {"id": "R1", "title": "Percentage of calls answered in 20 seconds", "section": "Customer Services",
         "polarity": "higher", "unit": "percent", "decimals": 1, "tolerance": 5, "qpr": "Y"},
        {"id": "A1", "title": "Number of contacts received", "section": "Customer Services",
         "polarity": "none", "unit": "count", "decimals": 0, "activity": "Y"},
        {"id": "Y1", "title": "Visitors to libraries", "section": "Libraries",
         "polarity": "higher", "unit": "count", "decimals": 0, "data_period": "Annual", "year_end_target": 5000,
         "bold_steps": "Y"},
    ]
    values = []
    for i, month in enumerate(MONTHS):
        values.append({"indicator_id": "R1", "period": month, "actual": 80 - 3 * i, "target": 85 + i})
        values.append({"indicator_id": "A1", "period": month, "actual": 1000 + 150 * i, "lower_threshold": 900,
                       "upper_threshold": 1800})
    values.append({"indicator_id": "Y1", "period": "2013-03", "actual": 4800, "target": 4500})
    values.append({"indicator_id": "Y1", "period": "2013-09", "forecast": 5200})
    commentary = [{"indicator_id": "R1", "period": "2013-09",
                   "text": "Call volumes rose.\n\nActions:\n- more advisers\n- new phone menu"}]
    business_plan = [
        {"section": "Customer Services", "priority": "Channel shift", "action": "Launch web chat",
         "status": "Delayed", "commentary": "Supplier changed."},
        {"section": "Customer Services", "priority": "Channel shift", "action": "New phone menu",
         "status": "On track", "commentary": ""},
        {"section": "Libraries", "priority": "Modern libraries", "action": "Self-service kiosks",
         "status": "Cancelled", "commentary": "Funding withdrawn."},
    ]
    report = [
        ("from", "A. Officer, Corporate Director"),
        ("to", "Test Cabinet Committee"),
        ("committee", "Test Cabinet Committee"),
        ("date", dt.date(2013, 12, 5)),
        ("subject", "Test performance dashboard"),
        ("directorate", "Customer and Communities"),
        ("period", "2013-09"),
    ]
    return dict(indicators=indicators, values=values, commentary=commentary, business_plan=business_plan,
                report=report)

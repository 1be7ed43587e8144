"""The sample report's data, transcribed from the council's published papers (seed 004:
Families and Social Care performance, September 2013, appendices A and B of item E3 of
the Social Care and Public Health Cabinet Committee, 5 December 2013).

Every figure, target and commentary below is as published. The papers publish no
minimum standard (no trend table has a minimum standard row; the key promises them "in
future"), so every floor below is internal (``floor_published`` N): it was worked out as
the one that gives every rating the papers publish, it rates, and the report's data notes
say the rating uses it, while the table and chart show only what the papers show.
``make_sample_workbook.py`` writes this into inputs/.

The data notes are written for the councillors who read the report, not for whoever
transcribed it: what each note says holds in the report itself.
"""

ADULT = "Adult Social Care"
CHILDREN = "Specialist Children's Services"

ASC_COMMON = dict(
    section=ADULT,
    cabinet_member="Graham Gibbens",
    portfolio="Adult Social Care and Public Health",
    owner="Steph Abbott",
)
PB = dict(priority="Empower social service users through increased use of personal budgets",
          ambition="Put the Citizen in Control")
TRANSFORM = dict(priority="Support the transformation of health and social care in Kent",
                 ambition="Put the Citizen in Control")
VULNERABLE = dict(priority="Improve services for the most vulnerable people in Kent",
                  ambition="To tackle disadvantage")
SCS_COMMON = dict(
    section=CHILDREN,
    priority="Ensure we provide the most robust and effective public protection arrangements",
    cabinet_member="Jenny Whittle",
    portfolio="Specialist Children's Service (SCS)",
    director="Mairead MacNeil",
    division="Specialist Children's Service (SCS)",
    owner="Maureen Robinson",
    trend_periods=7,
    stat_neighbours_label="Stat. N.",
)

MONTHS_SEP12 = ["2012-09", "2012-10", "2012-11", "2012-12", "2013-01", "2013-02", "2013-03",
                "2013-04", "2013-05", "2013-06", "2013-07", "2013-08", "2013-09"]
MONTHS_AUG12 = ["2012-08"] + MONTHS_SEP12[:-1]
CHILD_YEARS = ["2011-03", "2012-03", "2013-03", "2013-06", "2013-09", "2013-12", "2014-03"]
CHILD_QUARTERS = ["2012-09", "2012-12", "2013-03", "2013-06", "2013-09", "2013-12", "2014-03"]

LEAD_QUARTERS = ["2011-03", "2011-06", "2011-09", "2011-12", "2012-03", "2012-06", "2012-09", "2012-12",
                 "2013-03", "2013-06", "2013-09", "2013-12", "2014-03"]
LEAD = dict({k: v for k, v in SCS_COMMON.items() if k != "trend_periods"}, polarity="none", unit="count", decimals=0, activity="Y", actual_label="Actual",
            data_source="ICS")
ILLUSTRATIVE = "Other figures illustrative: the paper prints this chart without them."

# Each indicator: its columns on the indicators sheet, then its series for the values sheet
# (lists aligned to "periods"; None where the paper shows nothing).
INDICATORS = [
    dict(
        id="ASC01", title="Percentage of adult social care clients with community based services who receive a personal budget and/or a direct payment",
        short_title="Clients with community based services receiving a personal budget and/or direct payment",
        polarity="higher", unit="percent", decimals=0, data_period="Rolling 12 months", bold_steps="Y", qpr="Y",
        director="Anne Tidmarsh/ Penny Southern",
        division="Older People and Physical Disability / Learning Disability and Mental Health",
        chart_title="Percentage of People receiving Self Directed Support", actual_label="Percentage",
        supplementary_label="Client Numbers",
        units_of_measure="Percentage of people with an open service who have a Personal Budget or Direct Payment",
        data_source="Adult Social Care Swift client System – Personal Budgets Report",
        data_notes="Data is reported as the snapshot position of current clients at the quarter end.\n"
                   "There is no minimum standard for this indicator, so it is rated Green or Amber only.",
        **ASC_COMMON, **PB,
        periods=MONTHS_SEP12,
        actual=[65, 67, 70, 71, 74, 73, 76, 76, 77, 76, 76, 74, 73],
        target=[61, 63, 64, 66, 67, 69, 70, 72, 73, 75, 76, 78, 80],
        supplementary=[10612, 11541, 11595, 11732, 12192, 12099, 12225, 12090, 12239, 12623, 12614, 12557, 12402],
    ),
    dict(
        id="ASC02", title="Proportion of personal budgets taken as direct payments",
        short_title="Proportion of personal budgets given as a direct payment",
        polarity="none", unit="percent", decimals=1, data_period="Rolling 12 months", bold_steps="Y",
        year_end_target=30, director="Anne Tidmarsh/ Penny Southern",
        division="Older People and Physical Disability / Learning Disability and Mental Health",
        chart_title="Direct Payments", actual_label="Direct Payments",
        units_of_measure="Percentage of Personal Budgets taken as a Direct Payment",
        data_source="Adult Social Care Swift client System – Personal Budgets & Direct Payments Reports",
        data_notes="As discussed previously at Cabinet Committee, the direct payment indicator is not RAG rated "
                   "because direct payments are a choice that service users take.",
        **ASC_COMMON, **PB,
        periods=MONTHS_SEP12,
        actual=[19.4, 20.3, 21.8, 21.8, 21.3, 21.8, 21.7, 25.0, 25.3, 24.8, 24.0, 24.3, 24.9],
    ),
    dict(
        id="ASC03", title="Number of adult social care clients receiving a telecare service",
        polarity="higher", unit="count", decimals=0, data_period="Cumulative", bold_steps="Y", qpr="Y",
        director="Anne Tidmarsh/ Penny Southern",
        division="Older People and Physical Disability / Learning Disability and Mental Health",
        chart_title="Number of People with Telecare", actual_label="Telecare",
        units_of_measure="Snapshot of people with Telecare as at the end of each month",
        data_source="Adult Social Care Swift client System",
        **ASC_COMMON, **PB,
        periods=MONTHS_SEP12,
        actual=[1240, 1321, 1407, 1460, 1497, 1534, 1596, 1638, 1784, 1937, 2051, 2130, 2276],
        target=[1150, 1175, 1200, 1225, 1250, 1275, 1300, 1375, 1450, 1525, 1600, 1675, 1750],
    ),
    dict(
        id="ASC04", title="Percentage of people with short term intervention that had no further service",
        polarity="higher", unit="percent", decimals=1, data_period="Rolling 12 months", bold_steps="Y", qpr="Y",
        year_end_target=60, director="Anne Tidmarsh", division="Older People and Physical Disability",
        chart_title="Percentage of People with Short Term Intervention that had no Further Service",
        actual_label="Percentage",
        units_of_measure="Number of people who had a ST Intervention that had no further Service",
        data_source="SALT report",
        data_notes="The target is phased over the year towards a year-end target of 60%.",
        **ASC_COMMON, **PB,
        periods=MONTHS_SEP12,
        actual=[None, None, None, 46.2, 45.2, 45.2, 45.5, 45.6, 45.6, 45.6, 46.5, 47.4, 47.6],
        target=[None, None, None, None, None, None, 40, 40, 40, 40, 42, 44, 46],
    ),
    dict(
        id="ASC05", title="Percentage of social care clients who are satisfied that desired outcomes have been achieved at their first review",
        short_title="Percentage of clients satisfied that desired outcomes have been achieved at their first review",
        polarity="higher", unit="percent", decimals=0, data_period="Month", qpr="Y",
        director="Anne Tidmarsh/ Penny Southern",
        division="Older People and Physical Disability / Learning Disability and Mental Health",
        chart_title="Percentage of People's Outcomes Achieved at First Review", actual_label="Achieved",
        units_of_measure="Percentage", data_source="Adult Social Care Swift client system",
        data_notes="Data is reported as percentage for each quarter.\n"
                   "No comparative data is currently available for this indicator.",
        **ASC_COMMON, **PB,
        periods=MONTHS_SEP12,
        actual=[75, 74, 74, 74, 73, 72, 74, 73, 72, 72, 74, 72, 73],
        target=[75] * 13,
    ),
    dict(
        id="ASC06", title="Proportion of older people (65+) who were still at home 91 days after discharge from hospital into reablement/rehabilitation services",
        short_title="Proportion of older people who were still at home 91 days after discharge from hospital into reablement/rehabilitation services",
        polarity="higher", unit="percent", decimals=0, data_period="Month",
        director="Anne Tidmarsh", division="Older People and Physical Disability",
        chart_title="Achieving Independence through Intermediate Care", actual_label="Percentage",
        units_of_measure="Percentage of older people achieving Independence and back home after receiving "
                         "Intermediate Care following discharge from hospital",
        data_source="Manual Data Collection",
        data_notes="The August 2011 result (87% against a target of 85%) has previously been reported as Amber; "
                   "it met its target, so it is shown here as Green.",
        **ASC_COMMON, **TRANSFORM,
        periods=["2011-05", "2011-08", "2011-11", "2012-02", "2012-05", "2012-08", "2012-11",
                 "2013-03", "2013-05", "2013-06", "2013-07", "2013-08", "2013-09"],
        actual=[87, 87, 84, 81, 82, 82, 82, 84, 90, 86, 89, 79, 86],
        target=[85] * 13,
    ),
    dict(
        id="ASC07", title="Delayed transfers of care",
        polarity="lower", unit="rate", decimals=2, data_period="Rolling 12 months", bold_steps="Y",
        director="Anne Tidmarsh", division="Older People and Physical Disability",
        chart_title="Delayed Transfer of Care", actual_label="People",
        units_of_measure="Number of delays per month as a rate per 100,000 population",
        data_notes="This indicator is displayed as the number of delays per month as a rate per 100,000 population.\n"
                   "The latest figure available is for August 2013.",
        **ASC_COMMON, **TRANSFORM,
        periods=MONTHS_AUG12,
        actual=[5.36, 5.35, 5.40, 5.62, 5.74, 5.86, 5.63, 5.68, 5.53, 5.71, 5.93, 5.92, 5.84],
        target=[5.4] * 13,
    ),
    dict(
        id="ASC08", title="Admissions to permanent residential care for older people",
        polarity="lower", unit="count", decimals=0, data_period="Rolling 12 months", tolerance_percent=10,
        director="Anne Tidmarsh", division="Older People & Physical Disability",
        chart_title="Admission to Residential Care", actual_label="Admissions",
        units_of_measure="Older People placed into Permanent Residential Care per month.",
        data_source="Adult Social Care Swift client System – Residential Monitoring Report",
        floor_published="N",
        **ASC_COMMON, **TRANSFORM,
        periods=MONTHS_SEP12,
        actual=[137, 151, 99, 132, 135, 147, 149, 152, 133, 173, 127, 133, 120],
        target=[145] * 7 + [130] * 6,
    ),
    dict(
        id="ASC09", title="People with learning disabilities in residential care",
        polarity="lower", unit="count", decimals=0, data_period="Month", bold_steps="Y",
        section=ADULT, cabinet_member="Graham Gibbens", portfolio="Adult Social Care and Public Health",
        director="Penny Southern", division="Learning disability", owner="Steph Abbott",
        chart_title="People with Learning Disabilities in Residential Care", actual_label="Placements",
        units_of_measure="Number of people with a learning disability in permanent residential care as at month end.",
        data_source="Monthly activity and budget monitoring.",
        **VULNERABLE,
        periods=MONTHS_SEP12,
        actual=[1271, 1277, 1278, 1269, 1273, 1274, 1265, 1266, 1263, 1266, 1252, 1251, 1249],
        target=[1260] * 13,
    ),
    dict(
        id="ASC10", title="Proportion of adults in contact with secondary mental health services living independently, with or without support",
        short_title="Proportion of adults in contact with secondary mental health in settled accommodation",
        polarity="higher", unit="percent", decimals=0, data_period="Quarter", bold_steps="Y",
        section=ADULT, cabinet_member="Graham Gibbens", portfolio="Adult Social Care and Public Health",
        director="Penny Southern", division="People with Mental Health needs", owner="Steph Abbott",
        chart_title="Percentage of People receiving Secondary MH Services Living Independently",
        actual_label="Percentage",
        units_of_measure="Proportion of all people who are in settled accommodation",
        data_source="KPMT – quarterly",
        data_notes="The latest figure available is for August 2013.",
        **VULNERABLE,
        periods=MONTHS_AUG12,
        actual=[85, 84, 84, 83, 85, 85, 85, 86, 84, 84, 84, 84, 85],
        target=[75] * 13,
    ),
    dict(
        id="ASC11", title="Percentage of contacts resolved at source",
        polarity="higher", unit="percent", decimals=1, data_period="Month", qpr="Y", year_end_target=35,
        section=ADULT, cabinet_member="Graham Gibbens", portfolio="Adult Social Care and Public Health",
        director="Penny Southern", division="People with Mental Health needs", owner="Steph Abbott",
        chart_title="Percentage of Contacts resolved at Source", actual_label="Percentage",
        data_source="SWIFT report but this will be monitored using the Locality Referral Management Service information.",
        data_notes="The target is phased over the year towards a year-end target of 35%.",
        **VULNERABLE,
        periods=MONTHS_SEP12,
        actual=[24.5, 22.0, 24.6, 23.8, 20.1, 25.8, 26.3, 28.4, 27.0, 29.1, 29.5, 29.9, 28.1],
        target=[None] * 7 + [25, 25, 25, 25, 26, 28],
    ),
    # ---- Specialist Children's Services: quarterly, previous years, statistical neighbours
    dict(
        id="SCS01", title="Percentage of initial assessments completed within 10 days",
        short_title="Initial assessments completed within 10 days",
        polarity="higher", unit="percent", decimals=1, data_period="Year to date",
        chart_title="Initial assessments completed within 10 days (year to date)", actual_label="Actual",
        data_source="ICS.", data_notes="Results are reported as year to date.",
        **SCS_COMMON,
        periods=CHILD_YEARS,
        actual=[67.1, 90.1, 93.5, 88.0, 85.2, None, None],
        target=[None, None, 90, 90, 90, 90, 90],
        stat_neighbours=[68, 69.5, 66.2, None, None, None, None],
    ),
    dict(
        id="SCS02", title="Percentage of case holding posts filled by permanent qualified social workers",
        short_title="Case holding posts filled by permanent qualified social workers",
        polarity="higher", unit="percent", decimals=1, data_period="Snapshot",
        chart_title="Case holding posts filled by permanent qualified social workers (quarter end)",
        actual_label="Actual", supplementary_label="Agency",
        data_source="SCS Weekly Performance Report.",
        data_notes="Change to the RAG rating: For 2013/14 the Amber RAG rating has been removed, a Green Rating "
                   "will only be achieved once the 90% target is achieved or exceeded.\n"
                   "Data is reported as the position at quarter end.\n"
                   "Posts held by agency staff are not included in figures for headline indicator.",
        **SCS_COMMON,
        periods=CHILD_QUARTERS,
        actual=[81.6, 86.5, 82.0, 79.4, 75.8, None, None],
        target=[90] * 7,
        floor=[None, None, None, 90, 90, 90, 90], floor_published="N",
        supplementary=[12.9, 13.9, 15.0, 17.2, 19.7, None, None],
    ),
    dict(
        id="SCS03", title="Percentage of children becoming subject to a child protection plan for the second or subsequent time",
        short_title="Children subject to a child protection plan for the second or subsequent time",
        polarity="band", unit="percent", decimals=1, data_period="Year to date", band_width=0.5,
        chart_title="Child protection plans for the second or subsequent time (year to date)", actual_label="Actual",
        data_source="ICS",
        data_notes="Change in definition: For 2013/14 this indicator now only measures children being subject to a "
                   "second plan within 24 months of a previous plan.\n"
                   "A result within 0.5 points of the target either side is rated Green.",
        **SCS_COMMON,
        periods=CHILD_YEARS,
        actual=[6.5, 7.6, 10.8, 10.9, 9.7, None, None],
        target=[None, None, 10, 10, 10, 10, 10],
    ),
    dict(
        id="SCS04", title="Percentage of children subject to a child protection plan for two or more years at the point of de-registration",
        short_title="Children subject to a child protection plan for two or more years at the point of de-registration",
        polarity="lower", unit="percent", decimals=1, data_period="Year to date",
        chart_title="Child protection plans lasting two or more years at de-registration (year to date)",
        actual_label="Actual", data_source="ICS",
        data_notes="Calculated as the percentage of children ceasing to be subject to a child protection plan, who "
                   "had been subject to that plan for two or more years.",
        **SCS_COMMON,
        periods=CHILD_YEARS,
        actual=[11.3, 8.1, 8.0, 4.8, 5.3, None, None],
        target=[6] * 7,
        floor=[8] * 7, floor_published="N",
        stat_neighbours=[5.8, 5.7, 4.8, None, None, None, None],
    ),
    dict(
        id="SCS05", title="Percentage of children leaving care who are adopted",
        polarity="higher", unit="percent", decimals=1, data_period="Year to date", tolerance=2,
        chart_title="Children leaving care who are adopted (year to date)", actual_label="Actual",
        data_source="ICS",
        data_notes="Data is reported as financial year to date.",
        floor_published="N",
        **SCS_COMMON,
        periods=CHILD_YEARS,
        actual=[8.0, 8.0, 12.0, 17.2, 17.0, None, None],
        target=[11, 11, 13, 13, 13, 13, 13],
        stat_neighbours=[11.5, 12.6, 13.9, None, None, None, None],
    ),
    dict(
        id="SCS06", title="Children in Care with 3 or more placements in the last 12 months",
        polarity="lower", unit="percent", decimals=1, data_period="Snapshot",
        chart_title="Children in Care with 3 or more placements in the last 12 months", actual_label="Actual",
        data_source="ICS", data_notes="Data is reported as a snapshot at each quarter end.",
        **SCS_COMMON,
        periods=CHILD_YEARS,
        actual=[8.0, 11.1, 9.5, 10.9, 11.3, None, None],
        target=[10.1, 10.1, 8.1, 9, 9, 9, 9],
        stat_neighbours=[10.4, 11.3, None, None, None, None, None],
    ),
    # ---- Specialist Children's Services - Lead indicators (seed 004, pages 27-29): activity
    # indicators, shown against an expected range where they have one, never RAG rated. The
    # paper prints their charts without the figures (the text extraction kept only the axis
    # and legend); the figures it does give are used (1,273 child protection plans, the core
    # assessments' upper threshold of 100, a referral conversion rate of 69.1%, 50.1 children
    # in care per 10,000); the rest are illustrative, drawn to agree with its commentary, and
    # each indicator's data notes say so.
    dict(
        id="SCS07", title="Number of contacts received", **LEAD,
        data_period="Quarter", chart_title="Quarterly number of contacts received",
        data_notes="Contacts received in each quarter. " + ILLUSTRATIVE.replace("Other figures", "Figures"),
        periods=LEAD_QUARTERS[4:11],
        actual=[7010, 6940, 7120, 6980, 7050, 6890, 7020],
    ),
    dict(
        id="SCS08", title="Number of referrals", **LEAD,
        data_period="Quarter", chart_title="Quarterly number of referrals",
        data_notes="Published: 69.1% of contacts became referrals in September 2013 (4,851 of 7,020). "
                   + ILLUSTRATIVE,
        periods=LEAD_QUARTERS,
        actual=[6020, 5410, 4780, 4180, 3960, 3890, 4020, 4310, 4470, 4690, 4851, None, None],
        lower_threshold=[4600] * 13,
        upper_threshold=[6400] * 13,
    ),
    dict(
        id="SCS09", title="Number of indigenous Children in Care", **LEAD,
        data_period="Snapshot", chart_title="Number of indigenous Children in Care (quarter-end count)",
        data_notes="Published: a rate of 50.1 per 10,000 children aged 0-17 at the end of September 2013; "
                   "1,619 is that rate applied to the population the child protection figures imply "
                   "(1,273 at 39.4 per 10,000). " + ILLUSTRATIVE,
        periods=LEAD_QUARTERS[4:11],
        actual=[1645, 1630, 1612, 1598, 1606, 1624, 1619],
    ),
    dict(
        id="SCS10", title="Number of children with child protection plans", **LEAD,
        data_period="Snapshot", chart_title="Number of children with child protection plans (quarter-end count)",
        data_notes="Published: 1,273 at the end of September 2013 (a rate of 39.4 per 10,000 children aged "
                   "0-17). " + ILLUSTRATIVE,
        periods=LEAD_QUARTERS[4:11],
        actual=[1160, 1205, 1238, 1262, 1291, 1310, 1273],
    ),
    dict(
        id="SCS11", title="Initial assessments in progress, out of timescale", **LEAD,
        data_period="Snapshot",
        chart_title="Initial assessments in progress, out of timescale (month-end count)",
        data_notes="Figures illustrative: the paper prints this chart without them.",
        periods=MONTHS_SEP12,
        actual=[410, 380, 352, 330, 301, 287, 262, 250, 276, 241, 229, 258, 236],
        lower_threshold=[150] * 13,
        upper_threshold=[300] * 13,
    ),
    dict(
        id="SCS12", title="Core assessments in progress, out of timescale", **LEAD,
        data_period="Snapshot",
        chart_title="Core assessments in progress, out of timescale (month-end count)",
        data_notes="Published: the upper threshold of 100. " + ILLUSTRATIVE,
        periods=MONTHS_SEP12,
        actual=[142, 131, 125, 118, 104, 96, 89, 84, 91, 97, 95, 102, 108],
        lower_threshold=[40] * 13,
        upper_threshold=[100] * 13,
    ),
]

COMMENTARY = {
    "ASC02": """Despite the number of people with a personal budget remaining higher than the end of the March 2013 position, the numbers are lower in September than June.
The actual percentage performance has decreased because the indicator looks at the proportion of all clients that have a personal budget. The total numbers of people on caseloads have increased in the last few months, and personal budget allocation has not increased at the same rate. In addition, there are more people who receive short term interventions or short term care, in line with the Directorate’s objectives and these people would not receive a personal budget.
NB: As discussed previously at Cabinet Committee, the direct payment indicator is not RAG rated because direct payments are a choice that service users take.""",
    "ASC03": """Telecare is now a mainstream service, after being managed centrally. The teams are now more experienced in considering telecare at every opportunity when assessing and reviewing clients as a means for maintaining independence. In addition, there is improved communication between the hospitals, the teams and the equipment store so data input is timelier. Targets have been set for all teams during the year, which are monitored on a monthly basis. There will be a further indicator in future reports which look at the types of equipment being provided.""",
    "ASC04": """This is a new indicator, based on the new national data collection. It supports one of the key objectives of Adult Social care and aims to measure the effectiveness of short term intervention, looking at the percentage of people who are successfully enabled to stay at home with no further support from Social Care. This will include the provision of services such as enablement, intermediate care and equipment.
The target associated with this indicator is incremental over the year with an end year target of 60%.""",
    "ASC05": """People’s needs and outcomes are identified at assessment and then updated at review, in terms of achievement and satisfaction. Workshops have started to provide additional training and guidance in respect of identifying outcomes.""",
    "ASC06": """This indicator identifies where patients are three months after receiving intermediate care and relies on health and social care data being compared. There are about 400 referrals a month which are supported from hospital and into intermediate care.
This position continues to be monitored, particularly in light of the increasing pressures being experienced from the hospitals, including ward closures and where there are some waiting lists for intermediate care, which can put pressure on the teams to make residential and nursing placements.""",
    "ASC07": """Delay transfers can be affected by many factors, mainly client choice and health based reasons. Whilst there are ongoing pressures to find social care placements, these have been eased with support such as intermediate care, and step down beds. Information relating to delayed transfers of care is collected from health on a monthly basis, and reasons for delays are routinely examined. Currently about 25% delays are attributable to Adult Social Care. The top three reasons for delays includes: Waiting NHS non-acute care, patient choice and then Social care assessment.""",
    "ASC08": """Reducing admissions to permanent residential or nursing care is a clear objective for the Directorate. Many admissions are linked to hospital discharges, or specific circumstances or health conditions such as breakdown in carer support, falls, incontinence and dementia. As part of the monthly budget and activity monitoring process, admissions are examined, to understand exactly why they have happened. The objectives of the transformation programme will be to ensure that the right services are in place to ensure that people can self manage with these conditions, and ensure that a falls prevention strategy and support is in place to reduce the need for admission. In the meantime, there are clear targets set for the teams which are monitored on a monthly basis, and an expectation that permanent admissions are not made without all other alternatives being exhausted.""",
    "ASC09": """It is a clear objective of the Directorate to ensure that as many people with a learning disability live as independently as possible. All residential placements have now been examined to ensure that where possible, there will be a choice available for people to be supported through supported accommodation, adult placements and other innovative support packages which enable people to maintain their independence. In addition, the teams continue to work closely with the Children’s team as young people coming into Adult Social Care through transition from the majority of the new residential placements.""",
    "ASC10": """This has been included for the first time, including data from KPMT and will be updated on a quarterly basis. Settled accommodation “Refers to accommodation arrangements where the occupier has security of tenure or appropriate stability of residence in their usual accommodation in the medium- to long-term, or is part of a household whose head holds such security of tenure/residence.”
It provides an indication of the proportion of people with mental health needs who are in a stable environment, on a permanent basis.""",
    "ASC11": """The provision to Information, advice and guidance is a critical element of prevention for the Directorate. The recent set up of the Locality Referral Management System teams will assist with this. The target associated with this is incremental over the year, with an end of year target of 35%.""",
    "SCS01": """This is a national performance measure. Although Kent’s performance has decreased over the first two quarters for 2013/14 performance is still above the England rate (75.5%), and that of Statistical Neighbours (66.2%). Kent was ranked 13 out of 152 Local Authorities in the latest published statistics.
In terms of numbers during the six months from April-September 2013 5567 out of a total of 6531 Initial Assessments were completed within 10 days. Performance against this measure is monitored at team level continuously to ensure timely decision making.""",
    "SCS02": """Please note change in RAG Levels – see data notes below.
The proportion of vacant posts has increased due to the expansion of some of the area teams which has increased the number of posts to be filled. The vacancy rate will be reduced by the recruitment of 47 newly qualified social workers who will be starting from September 2013 onwards.
Continuing efforts to attract staff include a refreshed branding and recruitment campaign, access to additional incentives for accommodation and a focus on the professional development and practice improvement that social workers value. It is recognised that specific districts have greater difficulty in attracting staff for reasons connected to location, cost of housing and travel time/costs. Additional market premium payments have been introduced for Team Managers. In addition recruitment of social workers from overseas is actively being pursued.""",
    "SCS03": """Please note change of definition – see data notes below.
Performance for the six months to September 2013 is now below the target set for 2013/14. During this period 817 children became subject to a Child Protection Plan and 79 had been subject to a previous plan within 24 months.
Cases where children become subject to a Child Protection Plan for a second or subsequent time are reviewed carefully by District Management Teams and the Safeguarding Unit.
The definition for this performance measure has changed nationally for 2013/14 and national comparative data is not yet available. All performance figures provided above for previous years are reflective of the change in definition but DfE publications of performance up to March 2013 are against the previous definition.""",
    "SCS04": """Performance against this measure in the first six months of 2013/14 has exceeded the target set and shows a significant improvement on previous results. There were 28 children in the quarter whose Plans came to an end and which had been in place for 24 months or more.
This improvement has been achieved by a focus on improvements in chairing and decision-making at Child Protection conferences, on more focussed child protection plans and interventions and more consistent use of step-down to children in need and step-up to children in care, alongside regular and consistent management attention.
There has also been a focus on attention for children whose Plans reach the 18 months point with clear planning put in place at this point. There were 64 Plans at the end of September 2013 which had been in place for 18 months or more, compared to 236 in March 2011.""",
    "SCS05": """Significant progress has been made with regard to Adoptions and this is reflected in the results for the six months to September 2013. There were 79 adoptions between April and September 2013 which compares favourably with 42 for the same period last year.
The improvements in the number of adoptions have been achieved by more focused work with prospective adopters, close working with the judiciary to reduce delays, robust case work management focused on reducing planning drift, and timely decision making in relation to planning for permanence.
It is unlikely that current performance levels will be sustainable into future quarters but on average over the year the Target level should be achieved.""",
    "SCS06": """As at September 2013, 207 children had had three or more placement moves in the previous 12 months. Of these, the Catch22 Service (responsible for children over the age of 16) had the highest number which related to 63 young people. There were also 28 Unaccompanied Asylum Seeking Children for whom the first placement will count as one move.
From April 2011 episodes where children in care go missing have been included within the published figures for placement stability. This information is included at the end of the reporting year but due to issues with the current IT system cannot be included in the year to date performance figures. The figures for June and September 2013 therefore relate to changes in actual placements, and do not include breaks in placements when a child in care goes missing for 24 hours or more.""",
    "SCS07": "The number of contacts to the service has been remarkably stable over the 18 months.",
    "SCS08": """The introduction of the Central Duty Team in 2011 contributed to a decrease in the number of recorded referrals, from above the expected range in 2010 to below the expected range by December 2011. An exercise was then completed to compare Kent’s practice with that of high performing authorities and this found that for a number of contacts received in Kent, a high level of work was being conducted without the contact being recorded as a referral, contrary to policies in other councils. Action was taken to address the practice differences found, and a revised process was introduced in August 2012. Following the introduction of the new arrangements, the recorded referral rate has been within the expected range for the last two quarters. The conversion rate of contacts to referrals in September 2013 was 69.1%.""",
    "SCS09": """The number of indigenous Children in Care has remained fairly static over the last year. The rate per 10,000 children aged 0-17 years at the end of September 2013 was 50.1, slightly above the target rate of 48.5.""",
    "SCS10": """The number of children with Child Protection Plans at the end of September 2013 was 1,273. The indicative target, based on a comparable level with statistical neighbours, is a rate of 34.9 per 10,000 children aged 0-17 years. Kent’s rate at the end of September 2013 was 39.4.""",
    "SCS11": "The number of Initial assessment in progress and out of timescale was within the expected range at the end of September 2013.",
    "SCS12": """The number of core assessments in progress and out of timescale was slightly above the Upper Threshold level of 100 at the end of September 2013 with many of these cases being in East Kent. Swale in particular is experiencing issues in meeting this timeliness measure due to staffing pressures combined with high volumes of work as a result of an increased rate of referrals. Ensuring that the quality of assessments is maintained has also resulted in some delays which have impacted on the timeliness of core assessments.
Recruitment to East Kent remains challenging and as an interim measure staff are being moved within the district, and from Canterbury to provide additional support to the Assessment and Intervention Team.""",
}

# "Actions being taken" (the commentary sheet's actions column): the officer's introduction,
# then one action per line. Seed 004, page 28, as published.
ACTIONS = {
    "SCS09": """Actions being taken which will impact on the number of Children in Care include:
• Improving the percentage of children who are adopted.
• Robust gate-keeping of decisions to take Children in Care.
• Robust tracking of permanency planning including tackling drift and delay.
• Increased investment in prevention and early intervention services.
• Developing speedier and integrated responses to vulnerable adolescents.""",
}

# The sections sheet: the responsibilities seed 004 states once at the top of a section. Its
# children's section states them (its adult section does not: they differ by indicator and
# are on each indicator's page).
SECTIONS = [
    dict(section=CHILDREN, **{k: SCS_COMMON[k] for k in ("priority", "cabinet_member", "portfolio", "director",
                                                         "division")}),
]

NARRATIVE = [
    # (no heading: in seed 004 these paragraphs follow the section's Performance Indicator Summary table)
    dict(section=CHILDREN, heading=None, placement="before", text="""The performance measure for initial assessments completed within timescales is reported as within 10 days which is in line with national reporting. Although performance for Initial Assessments completed from April-September 2013 (85.2%) is below the internal target of 90% this still compares favourably to national and statistical neighbour averages.
The percentage of caseholding social worker posts held by qualified social workers fell in the quarter to September 2013 to 75.8%. The majority of vacancies for social workers are currently being filled by agency staff. Achieving the target of 90% continues to be challenging.
The performance measure for the percentage of children becoming subject to a child protection plan for the second time has been updated in line with national changes and now only includes new plans that are within 24 months of a previous plan. Performance for the quarter to September 2013 at 9.7% was slightly above target.
The percentage of children subject to a child protection plan lasting two or more years at the point of de-registration has reduced from 8.0% in the year to March 2013 to 5.3% in the year to date (April-September 2013).
The percentage of looked after children who are adopted for the first six months of reporting year (April-September 2013) was 17.0%. This is a significant improvement in performance although it should be noted that this level will not be sustainable in the long term.
The percentage of children in care with 3 or more placements within twelve months has increased slightly in the quarter to September 2013, but remains only slightly above of the latest published rate for England (11.0%)."""),
    dict(section=CHILDREN, heading="Improvement Programme Update", placement="before", text="""The Improvement Programme began in February 2011 and was set up to respond to the failings identified during the 2010 Ofsted inspection, which placed the Council under an Improvement Notice. The Improvement Programme is now in Phase Four and this puts a substantially new focus on the Programme.
Phases One to Three successfully took the service through the immediate crisis intervention and remedial work needed to put in place the essential building blocks for sustained longer term improvement.
Progress against the Improvement Programme is overseen by the Improvement Board which meets now on a bi-monthly basis. The Board is chaired by an independent consultant and is attended by the Department for Education and senior managers from Health, the Police and KCC. The Board chair reports formally to the relevant Minister about progress in the service.
There have been a number of re-inspections by Ofsted since 2010 and these have identified that improvements have been made. The last Safeguarding Inspection by Ofsted was published in January 2013 and identified substantial improvements since 2010 and rated the service as adequate overall. Those improvements were subsequently identified in a further Ofsted inspection into our adoption services which was published July 2013.
An inspection into our services for children in care and care leavers took place in July 2013 and the report was published in August 2013. The report found improvement has been made and the service is now rated as adequate with capacity to improve as good. There were three recommendations for immediate improvement, which were to improve the quality of supervision and management oversight in casework, improve the quality of assessments and care planning so that interventions are focused and to ensure that the voice of the child contributes effectively to care planning and service delivery.
Additional recommendations were made for action within 3 months and 6 months:
Within 3 months:
• Improve looked after children’s participation and ownership of PEPs and Pathway Plans
• Increase looked after children’s participation in strategic planning by making sure all young people know and understand the Pledge and contribute to the Children in Care Council, Kentcarestown website and other opportunities for participation.
• Ensure that all children and young people up to the age of 18 can access the Community Child and Adolescent Mental Health Service (CAMHS) in a timely way.
• Review the 16+ service to ensure that caseloads are manageable, to enable social workers to carry out effective practice with young people and care leavers.
• Risk assess all bed and breakfast accommodation to ensure that children and young people are not exposed to unsafe situations.
• Improve the timeliness of care proceedings.
• Ensure that there are sufficient placements available to enable children to be matched to carers that best meet their identified needs and support placement stability.
Within 6 months:
• Ensure there is sufficient and suitable accommodation available for care leavers.
• Review the arrangements for the independent reviewing services to ensure that the case loads of the independent reviewing officers (IROs) are manageable.
A comprehensive action plan has been produced which sets out what is being done to address each of these issues.
The focus for Phase Four of the Improvement Programme is now increasingly about improving the levels of consistency, quality and effectiveness of social work provision across the county. Measures continue to be employed to improve the quality of practice, including via the County Audit Programme. The service will be delivering the next phase of the Practice Development Programme throughout the autumn and into early 2014. Timeliness of assessments continues to be maintained and Social Worker caseload levels remain low.
Given the improvements identified by Ofsted, the service will now discuss with the DfE, the Chair of the Improvement Board and the Safeguarding Children’s Board (through its chair) the future of the Improvement Notice and the point at which the DfE could consider lifting it."""),
    dict(section=CHILDREN, heading="Views and feedback of looked after children", placement="before", text="""The council has a number of ways of collecting feedback from young people in the care of the council. This information is used to improve the services we provide.
Feedback is collected both formally and informally. Formal mechanisms include surveys run by the Independent Review Officer service and also the Virtual School (e-PEP Survey). More informal feedback mechanisms include the opportunity to provide feedback at activity days and through Kent’s Children in Care Council, as well as discussions with their social worker.
Work is underway to develop new and better ways of gathering feedback from children in care to ensure the information collected provides maximum value in helping to drive improvements in the services provided. The new information will be provided in future reports.
Independent Review Officer (IRO) survey: this survey has now been in place for two years. Last year 102 children and young people provided feedback through the IRO survey. 90% of young people responding to the survey said they felt they were listened to at the review meeting with 88% agreeing with what was said at the review meeting. The previous year, a slightly different question was used and at that time 88% respondents said they felt the review took account of their wishes and feelings.
The Children's Care Monitor 2013: the Children’s Care Monitor is a new national survey run by OFSTED. This survey will provide useful benchmarking for the quality of service. The survey was run during June and July 2013 and results will be available later in the year.
E-PEP Survey: the E-PEP survey is a new survey put in place in September 2012 and collects feedback in relation to education. For the first six months of the survey, most respondents felt they are treated the same as other children (64%) and expected to achieve the same as everyone else (69%). The majority of respondents (91%) felt that there was a teacher or member of staff they found it easy to talk to if they had problems. Improvements are now being made to the E-PEP survey questions to make it more useful for the future.
Activity Days: informal feedback from children in care through activity days in the last year revealed that although children found the experience of entering care to be frightening, they frequently felt settled and safe in a short space of time and had a positive view of their experience in care. However, they identified the need for better communication with them about what was happening."""),
]

REPORT = [
    ("from", "Graham Gibbens, Cabinet Member for Adult Social Care and Public Health"),
    ("from", "Jenny Whittle, Cabinet Member for Specialist Children’s Services"),
    ("from", "Andrew Ireland, Corporate Director for Families and Social Care"),
    ("to", "Social Care and Public Health Cabinet Committee"),
    ("committee", "Social Care and Public Health Cabinet Committee"),
    ("date", "2013-12-05"),
    ("meeting_date", "2013-12-05"),
    ("agenda_item", "E3"),
    ("subject", "Families and Social Care Performance Dashboard for September 2013"),
    ("classification", "Unrestricted"),
    ("directorate", "Families and Social Care"),
    ("period", "2013-09"),
    ("summary", "The Families and Social Care performance dashboards provide members with progress against "
                "targets set for key performance and activity indicators for 2013-14."),
    ("recommendation", "Members are asked to REVIEW the Families and Social Care performance dashboards."),
    ("recommendations", "REVIEW the Families and Social Care performance dashboards."),
    ("background_documents", "None"),
]

CONTACTS = [
    dict(name="Steph Abbott", title="Head of Performance for Adult Social Care", tel="01622 221796",
         email="steph.abbott@kent.gov.uk"),
    dict(name="Maureen Robinson", title="Management Information Service Manager for Children’s Services",
         tel="01622 696328", email="Maureen.robinson@kent.gov.uk"),
]

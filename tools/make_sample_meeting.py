"""Write the sample meeting's papers that are not built from a workbook: inputs/papers/*.pdf.

    python tools/make_sample_meeting.py [FOLDER]

The sample meeting (inputs/meeting_2013-12-05.toml) is a realistic agenda: procedural items,
the minutes, a report with an appendix, an exempt report and the performance report of seed
004, which is late. Its other papers are small placeholders drawn by the pipeline's own
renderer (tagged, reproducible: the same bytes every run), so `pack` and `send` can be run on
the sample as the docs write them. The papers carry no page numbers of their own: in the pack,
its running "Page N" is the only one (docs/pack.md). Their text is invented.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from pipeline.document import model as d  # noqa: E402
from pipeline.pack.render import render_document  # noqa: E402

COMMITTEE = "Social Care and Public Health Cabinet Committee"
FOOTER = f"{COMMITTEE}, 5 December 2013"
SAMPLE = "Sample paper: the text is invented to show how the agenda pack is built."

# file name -> (title, author, [(heading, [paragraphs]), ...] per page)
PAPERS = {
    "a4_minutes.pdf": ("Minutes of the meeting held on 11 October 2013", "Democratic Services", [
        [("Minutes of the meeting held on 11 October 2013", [
            SAMPLE,
            "Present: Member A (Chairman), Member B (Vice-Chairman), Member C, Member D and Member E.",
            "1. Apologies and Substitutes. Apologies were received from Member F.",
            "2. Declarations of Interests. There were no declarations of interest.",
        ])],
        [("Decisions", [
            "3. Families and Social Care Performance. RESOLVED that the report be noted.",
            "4. Adult Social Care Charging Policy. RESOLVED that the consultation proceed as proposed.",
        ])],
    ]),
    "e1_report.pdf": ("Adult Social Care Charging Policy: outcome of the consultation", "Families and Social Care", [
        [("Adult Social Care Charging Policy: outcome of the consultation", [
            SAMPLE,
            "Summary: this report sets out the responses to the consultation on the charging policy "
            "for non-residential care and proposes the policy for decision.",
            "Recommendation: the Cabinet Committee is asked to consider and endorse the proposed policy.",
        ])],
        [("Financial implications", [
            "The proposals are expected to be cost neutral; the detail is in Appendix 1.",
        ])],
    ]),
    "e1_appendix.pdf": ("Appendix 1: Summary of consultation responses", "Families and Social Care", [
        [("Appendix 1: Summary of consultation responses", [
            SAMPLE,
            "Responses received: 412. Agree with the proposals: 58%. Disagree: 27%. No view: 15%.",
        ])],
    ]),
    "f1_exempt.pdf": ("Domiciliary Care Framework: contract award", "Families and Social Care", [
        [("Domiciliary Care Framework: contract award", [
            SAMPLE,
            "EXEMPT INFORMATION - NOT FOR PUBLICATION (paragraph 3 of Part 1 of Schedule 12A to the "
            "Local Government Act 1972).",
            "The tenders received and the prices offered are set out below for the Committee's decision.",
        ])],
    ]),
}


def paper(title: str, author: str, pages) -> d.Document:
    blocks: list = []
    for n, page in enumerate(pages):
        if n:
            blocks.append(d.PageBreak())
        for level, (heading, paragraphs) in enumerate(page, start=1 if n == 0 else 2):
            blocks.append(d.Heading(min(level, 2), heading))
            blocks += [d.Paragraph(d.runs(text)) for text in paragraphs]
    return d.Document(title=title, subject=title, author=author,
                      parts=(d.Part(title=title, orientation="portrait", blocks=tuple(blocks)),),
                      date="2013-11-27", footer_text=FOOTER, page_numbers=False)


def build(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [render_document(paper(*spec), folder / name) for name, spec in PAPERS.items()]


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent / "inputs" / "papers"
    for path in build(out):
        print(path)

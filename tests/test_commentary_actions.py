"""The "actions being taken" travel through the commentary forms like the commentary itself:
exported in their own yellow column (K), merged into the master's ``actions`` column, and
from there into the report as a bulleted list, every word in order. Real forms written and
read by openpyxl, merged into copies of the sample."""
from __future__ import annotations

import shutil

import pytest
from commentary_helpers import EXPORTED, IMPORTED, commentary_rows, copy_sample, fill, set_value, sheet_values

from pipeline.commentary.forms import ACTIONS_COLUMN, export_forms, read_form
from pipeline.commentary.merge import CommentaryConflict, import_forms
from pipeline.input.workbook import read_workbook
from pipeline.rules.periods import Month

SEPTEMBER = Month(2013, 9)
PUBLISHED = [  # seed 004, page 28: the sample's actions for SCS09, as published
    "Improving the percentage of children who are adopted.",
    "Robust gate-keeping of decisions to take Children in Care.",
    "Robust tracking of permanency planning including tackling drift and delay.",
    "Increased investment in prevention and early intervention services.",
    "Developing speedier and integrated responses to vulnerable adolescents.",
]
# what an officer types: an introduction, markers of each kind and none, a blank line,
# curly quotes, a dash, '=' and '+' at the start of a line, a line that is only a marker
TYPED = ("Actions being taken which will impact on contacts include:\n"
         "- Review the “front door” – with partners\n"
         "• =Not a formula: the duty rota\n"
         "\n"
         "Recruit two more duty social workers\n"
         "* +5 agency staff until March\n"
         "–")


@pytest.fixture
def setup(sample_path, tmp_path):
    master = copy_sample(sample_path, tmp_path)
    steph, maureen = export_forms(master, tmp_path / "forms", now=EXPORTED)
    return master, steph, maureen


def _note(master, ident, period=SEPTEMBER):
    return next((c for c in read_workbook(master).commentary if c.indicator_id == ident and c.period == period), None)


def _row(form, ident):
    from openpyxl import load_workbook

    ws = load_workbook(form)["Commentary"]
    return next(r for r in range(8, ws.max_row + 1) if ws.cell(r, 1).value == ident), ws


def _document_actions(master, ident):
    """The report's actions of ``ident``: (the introduction, the list's items, the card).
    The actions are the last list between the indicator's heading and the next indicator's
    (after the commentary, which may hold lists of its own)."""
    from pipeline.cards.compute import compute_cards
    from pipeline.document.assemble import build_document
    from pipeline.document.model import BulletList, Heading, Paragraph, plain_text, walk

    dataset = read_workbook(master)
    cards = compute_cards(dataset)
    doc = build_document(dataset, cards)
    card = next(c for c in cards.cards if c.indicator.id == ident)
    flat = [b for part in doc.parts for b in walk(part.blocks)]
    start = next(i for i, b in enumerate(flat) if isinstance(b, Heading) and b.anchor == f"ind-{ident.lower()}")
    end = next((i for i, b in enumerate(flat[start + 1:], start + 1) if isinstance(b, Heading) and b.anchor),
               len(flat))
    lists = [i for i in range(start, end) if isinstance(flat[i], BulletList)]
    assert lists, f"no actions list for {ident}"
    intro = flat[lists[-1] - 1]
    assert isinstance(intro, Paragraph)
    return plain_text(intro.content), [plain_text(i) for i in flat[lists[-1]].items], card


def test_the_form_offers_the_masters_actions_in_their_own_yellow_column(setup, sample_dataset):
    _, _, maureen = setup
    row, ws = _row(maureen, "SCS09")
    assert ws.cell(7, ACTIONS_COLUMN).value == "Actions being taken for Sep-13 (type here)"
    (note,) = [c for c in sample_dataset.commentary if c.indicator_id == "SCS09"]
    assert ws.cell(row, ACTIONS_COLUMN).value == note.actions
    assert note.actions.splitlines()[1:] == [f"• {a}" for a in PUBLISHED]
    assert ws.cell(row, ACTIONS_COLUMN).protection.locked is False
    form = read_form(maureen)
    scs09 = next(r for r in form.rows if r.indicator_id == "SCS09")
    assert scs09.actions == scs09.actions_original == note.actions and not scs09.changed


def test_typed_actions_reach_the_master_and_the_report_word_for_word(setup):
    master, _, maureen = setup
    before = sheet_values(master)
    fill(maureen, {"SCS07": TYPED}, column=ACTIONS_COLUMN, author="Maureen Robinson")
    plan, backup = import_forms(master, [maureen], now=IMPORTED)
    [change] = plan.changes
    assert (change.indicator_id, change.field, change.new) == ("SCS07", "actions", TYPED)
    assert "SCS07 (Sep-13) actions, by Maureen Robinson" in change.describe()
    cell = commentary_rows(master)["SCS07"]["actions"]
    assert cell.value == TYPED and cell.data_type == "s"  # '=...' stays text
    note = _note(master, "SCS07")
    assert note.actions == TYPED and note.text.startswith("The number of contacts")  # the commentary untouched
    assert note.author == "Maureen Robinson" and note.updated == IMPORTED
    assert sheet_values(backup) == before
    intro, items, _ = _document_actions(master, "SCS07")
    assert intro == "Actions being taken which will impact on contacts include:"
    assert items == ["Review the “front door” – with partners", "=Not a formula: the duty rota",
                     "Recruit two more duty social workers", "+5 agency staff until March", "–"]
    # every word typed is in the report, in order
    typed_words = [w for w in TYPED.split() if w not in {"-", "•", "*"}]
    assert " ".join([intro, *items]).split() == typed_words


def test_the_sample_actions_are_the_seeds_five_bullets_in_order(sample_path, tmp_path):
    intro, items, card = _document_actions(copy_sample(sample_path, tmp_path), "SCS09")
    assert intro == "Actions being taken which will impact on the number of Children in Care include:"
    assert items == PUBLISHED


def test_actions_without_an_introduction_get_the_standard_one(setup):
    master, _, maureen = setup
    fill(maureen, {"SCS10": "Audit of plans open over 18 months\nStep-down panel"}, column=ACTIONS_COLUMN)
    import_forms(master, [maureen], now=IMPORTED)
    intro, items, _ = _document_actions(master, "SCS10")
    assert intro == "Actions being taken include:"
    assert items == ["Audit of plans open over 18 months", "Step-down panel"]


def test_changing_the_commentary_leaves_the_actions_alone_and_the_other_way_round(setup, tmp_path):
    master, _, maureen = setup
    published = _note(master, "SCS09").actions
    fill(maureen, {"SCS09": "New commentary."})
    import_forms(master, [maureen], now=IMPORTED)
    assert _note(master, "SCS09").text == "New commentary." and _note(master, "SCS09").actions == published
    _, again = export_forms(master, tmp_path / "again", now=EXPORTED)
    fill(again, {"SCS09": "- one action"}, column=ACTIONS_COLUMN)
    import_forms(master, [again], now=IMPORTED.replace(day=21))
    assert _note(master, "SCS09").text == "New commentary." and _note(master, "SCS09").actions == "- one action"


def test_reimporting_changes_nothing(setup):
    master, _, maureen = setup
    fill(maureen, {"SCS07": TYPED}, column=ACTIONS_COLUMN)
    import_forms(master, [maureen], now=IMPORTED)
    merged = master.read_bytes()
    plan, backup = import_forms(master, [maureen], now=IMPORTED.replace(hour=11))
    assert plan.changes == [] and backup is None and plan.already == [(str(maureen), "SCS07")]
    assert master.read_bytes() == merged


def test_two_forms_changing_the_actions_differently_conflict_naming_the_actions(setup, tmp_path):
    master, _, maureen = setup
    copy = tmp_path / "deputy.xlsx"
    shutil.copyfile(maureen, copy)
    fill(maureen, {"SCS09": "- adopt more"}, column=ACTIONS_COLUMN)
    fill(copy, {"SCS09": "- adopt fewer"}, column=ACTIONS_COLUMN)
    original = master.read_bytes()
    with pytest.raises(CommentaryConflict) as info:
        import_forms(master, [maureen, copy], now=IMPORTED)
    [conflict] = info.value.conflicts
    assert conflict.field == "actions" and "the actions being taken was changed differently" in str(info.value)
    assert sorted(t for _, t in conflict.texts) == ["- adopt fewer", "- adopt more"]
    assert master.read_bytes() == original


def test_the_same_indicator_s_commentary_and_actions_from_two_forms_do_not_conflict(setup, tmp_path):
    master, _, maureen = setup
    copy = tmp_path / "deputy.xlsx"
    shutil.copyfile(maureen, copy)
    fill(maureen, {"SCS09": "Commentary from Maureen."})
    fill(copy, {"SCS09": "- an action from her deputy"}, column=ACTIONS_COLUMN)
    plan, _ = import_forms(master, [maureen, copy], now=IMPORTED)
    assert sorted(c.field for c in plan.changes) == ["actions", "text"]
    note = _note(master, "SCS09")
    assert (note.text, note.actions) == ("Commentary from Maureen.", "- an action from her deputy")


def test_actions_changed_in_the_master_since_export_conflict(setup, tmp_path):
    master, _, maureen = setup
    late = tmp_path / "late.xlsx"
    shutil.copyfile(maureen, late)
    fill(maureen, {"SCS09": "- merged first"}, column=ACTIONS_COLUMN)
    import_forms(master, [maureen], now=IMPORTED)
    fill(late, {"SCS09": "- written without seeing it"}, column=ACTIONS_COLUMN)
    with pytest.raises(CommentaryConflict) as info:
        import_forms(master, [late], now=IMPORTED.replace(day=21))
    texts = dict(info.value.conflicts[0].texts)
    assert "- merged first" in texts.values() and "- written without seeing it" in texts.values()


def test_actions_written_against_changed_figures_are_refused(setup, run_cli):
    master, _, maureen = setup
    fill(maureen, {"SCS08": "- written against 4,851"}, column=ACTIONS_COLUMN)
    set_value(master, "SCS08", "2013-09", "actual", 4900)
    original = master.read_bytes()
    result = run_cli("commentary", "import", maureen, "--into", master)
    assert result.exit_code == 1 and "the figures for SCS08 have changed" in result.stderr
    assert master.read_bytes() == original


def test_clearing_the_actions_keeps_the_commentary(setup, run_cli):
    master, _, maureen = setup
    fill(maureen, {"SCS09": ""}, column=ACTIONS_COLUMN)
    result = run_cli("commentary", "import", maureen, "--into", master)
    assert result.exit_code == 0 and "SCS09 (Sep-13) actions" in result.stdout and "(cleared)" in result.stdout
    note = _note(master, "SCS09")
    assert note.actions == "" and note.text.startswith("The number of indigenous Children in Care")


def test_actions_alone_make_a_commentary_row(setup):
    """An indicator with no commentary yet (ASC01): the actions get a row of their own, and
    the report shows them (and no 'no commentary' line) on the indicator's page."""
    from pipeline.cards.compute import compute_cards
    from pipeline.document.assemble import build_document
    from pipeline.document.model import Paragraph, plain_text, walk

    master, steph, _ = setup
    assert _note(master, "ASC01") is None
    fill(steph, {"ASC01": "- weekly tracking of personal budgets"}, column=ACTIONS_COLUMN)
    import_forms(master, [steph], now=IMPORTED)
    note = _note(master, "ASC01")
    assert (note.text, note.actions) == ("", "- weekly tracking of personal budgets")
    intro, items, _ = _document_actions(master, "ASC01")
    assert (intro, items) == ("Actions being taken include:", ["weekly tracking of personal budgets"])
    dataset = read_workbook(master)
    doc = build_document(dataset, compute_cards(dataset))
    texts = [plain_text(b.content) for p in doc.parts for b in walk(p.blocks) if isinstance(b, Paragraph)]
    assert texts.count("No commentary was provided for this period.") == len(
        [c for c in compute_cards(dataset).cards if c.commentary is None])


def test_a_master_without_an_actions_column_gets_one_only_when_actions_come(make_book, tmp_path):
    from openpyxl import load_workbook

    book = make_book(
        indicators=[{"id": "A1", "owner": "Sam Officer"}],
        values=[{"indicator_id": "A1", "period": "2013-09", "actual": 60, "target": 80, "floor": 70}],
        commentary=[{"indicator_id": "A1", "period": "2013-09", "text": "Old."}],
    )
    [form] = export_forms(book, tmp_path / "forms", now=EXPORTED)
    fill(form, {"A1": "New."})
    import_forms(book, [form], now=IMPORTED)
    header = [c.value for c in load_workbook(book)["commentary"][1]]
    assert "actions" not in header
    [form] = export_forms(book, tmp_path / "forms2", now=EXPORTED)
    fill(form, {"A1": "First\nSecond"}, column=ACTIONS_COLUMN)
    import_forms(book, [form], now=IMPORTED.replace(day=21))
    header = [c.value for c in load_workbook(book)["commentary"][1]]
    assert header.count("actions") == 1
    note = _note(book, "A1")
    assert (note.text, note.actions) == ("New.", "First\nSecond")


def test_a_form_of_version_1_still_imports_and_never_touches_the_actions(setup):
    """Forms exported before the actions column (version 1: no column K, its records
    without actions) are still out with officers: they import as they always did."""
    from openpyxl import load_workbook

    master, _, maureen = setup
    wb = load_workbook(maureen)
    ws, meta = wb["Commentary"], wb["_form"]
    for row in meta.iter_rows():
        kind = row[0].value
        if kind == "meta" and row[1].value == "form_version":
            row[2].value = "1"
        elif kind == "meta" and row[1].value == "editable":
            row[2].value = " ".join(c for c in row[2].value.split() if not c.startswith("K"))
        elif kind == "indicator":
            row[5].value = row[6].value = None
        elif kind == "cell" and row[1].value.startswith("K"):  # (its header)
            for cell in row:
                cell.value = None
    for r in range(7, ws.max_row + 1):
        ws.cell(r, ACTIONS_COLUMN).value = None
    wb.save(maureen)
    published = _note(master, "SCS09").actions
    fill(maureen, {"SCS09": "Version 1 commentary."})
    plan, _ = import_forms(master, [maureen], now=IMPORTED)
    assert [(c.indicator_id, c.field) for c in plan.changes] == [("SCS09", "text")]
    note = _note(master, "SCS09")
    assert note.text == "Version 1 commentary." and note.actions == published


def test_the_reader_keeps_a_row_with_actions_only_and_ignores_one_with_neither(make_book):
    book = make_book(
        indicators=[{"id": "A1"}, {"id": "A2"}],
        values=[{"indicator_id": i, "period": "2013-09", "actual": 60, "target": 80} for i in ("A1", "A2")],
        commentary=[{"indicator_id": "A1", "period": "2013-09", "text": "", "actions": "- one"},
                    {"indicator_id": "A2", "period": "2013-09", "text": "", "actions": "  "}],
    )
    [note] = read_workbook(book).commentary
    assert (note.indicator_id, note.text, note.actions) == ("A1", "", "- one")

"""The build's commentary checks: RED without commentary, commentary older than its figures."""
from __future__ import annotations

from commentary_helpers import EXPORTED, IMPORTED, copy_sample, fill, set_value

from pipeline.cards.compute import compute_cards
from pipeline.commentary.checks import check_dataset, commentary_warnings, figures_fingerprint, recorded_fingerprints
from pipeline.commentary.forms import export_forms
from pipeline.commentary.merge import import_forms
from pipeline.input.workbook import read_workbook
from pipeline.rules.periods import Month


def _warnings(path):
    dataset = read_workbook(path)
    return check_dataset(dataset, compute_cards(dataset, Month(2013, 9)))


def test_the_sample_passes(sample_dataset, sample_cards):
    assert check_dataset(sample_dataset, sample_cards) == []


def test_every_red_indicator_without_commentary_is_listed_at_once(make_book):
    book = make_book(
        indicators=[{"id": "A1"}, {"id": "A2", "polarity": "lower"}, {"id": "A3"}, {"id": "A4"}],
        values=[
            {"indicator_id": "A1", "period": "2013-09", "actual": 50, "target": 80, "floor": 70},  # RED
            {"indicator_id": "A2", "period": "2013-09", "actual": 30, "target": 10, "floor": 20},  # RED
            {"indicator_id": "A3", "period": "2013-09", "actual": 75, "target": 80, "floor": 70},  # AMBER
            {"indicator_id": "A4", "period": "2013-09", "actual": 60, "target": 80, "floor": 70},  # RED, has it
        ],
        commentary=[{"indicator_id": "A4", "period": "2013-09", "text": "Why A4 is red."},
                    {"indicator_id": "A1", "period": "2013-08", "text": "Last month's does not count."}],
    )
    warnings = _warnings(book)
    assert [(w.kind, w.indicator_id) for w in warnings] == [
        ("red-without-commentary", "A1"), ("red-without-commentary", "A2")]
    assert "rated RED (Sep-13) but has no commentary for Sep-13" in str(warnings[0])


def test_commentary_older_than_its_figures(sample_path, tmp_path):
    master = copy_sample(sample_path, tmp_path)
    _, maureen = export_forms(master, tmp_path / "forms", now=EXPORTED)
    fill(maureen, {"SCS02": "Written against 75.8%.", "SCS04": "Written against 5.3%."})
    import_forms(master, [maureen], now=IMPORTED)
    assert _warnings(master) == []
    assert set(recorded_fingerprints(master)) == {("SCS02", Month(2013, 9)), ("SCS04", Month(2013, 9))}

    set_value(master, "SCS02", "2013-06", "actual", 81.0)  # last quarter's figure revised
    set_value(master, "SCS03", "2013-09", "actual", 12.0)  # no imported commentary: not checked
    warnings = _warnings(master)
    assert [(w.kind, w.indicator_id) for w in warnings] == [("stale-commentary", "SCS02")]
    assert "last changed 2013-11-20 10:15" in str(warnings[0])


def test_fingerprint_follows_what_the_page_shows(sample_dataset, sample_cards):
    card = next(c for c in sample_cards.cards if c.indicator.id == "ASC01")
    again = next(c for c in compute_cards(sample_dataset, Month(2013, 9)).cards if c.indicator.id == "ASC01")
    assert figures_fingerprint(card) == figures_fingerprint(again)
    august = next(c for c in compute_cards(sample_dataset, Month(2013, 8)).cards if c.indicator.id == "ASC01")
    assert figures_fingerprint(august) != figures_fingerprint(card)


def test_pure_check_needs_no_file(sample_cards):
    red = [c for c in sample_cards.cards if c.rag and c.rag.value == "RED"]
    assert [c.indicator.id for c in red] == ["SCS02"]
    stale = {("SCS02", Month(2013, 9)): "0" * 64}
    assert [w.kind for w in commentary_warnings(sample_cards, stale)] == ["stale-commentary"]

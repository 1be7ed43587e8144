"""The cover report's Red commentary table: the officer's paragraphs stay apart in the
cell, and a commentary that points to "the data notes" gets a note after it linking to
the indicator's page (the cover holds no data notes); the officer's words are unchanged."""
from __future__ import annotations

import dataclasses

import pytest

from pipeline.document.common import anchor_for
from pipeline.document.cover import DATA_NOTES_NOTE, red_commentary_table
from pipeline.rules.rating import Rag


def _red(sample_cards):
    return next(c for c in sample_cards.cards if c.rag == Rag.RED and not c.indicator.activity)


def _with_text(card, text):
    return dataclasses.replace(card, commentary=dataclasses.replace(card.commentary, text=text))


@pytest.fixture
def cell_of(sample_dataset, sample_cards):
    from pipeline.document.common import load_wording

    wording = load_wording(sample_dataset, sample_cards)
    return lambda card: red_commentary_table((card,), wording).rows[0][1]


def test_paragraphs_stay_apart_and_bullets_stay_together(sample_cards, cell_of):
    card = _with_text(_red(sample_cards), "First paragraph.\n\nSecond paragraph.\n\n- one\n- two")
    cell = cell_of(card)
    assert cell.text == "First paragraph.\n\nSecond paragraph.\n\n• one\n• two"
    assert DATA_NOTES_NOTE not in cell.text


def test_a_pointer_to_the_data_notes_gets_a_linked_note_after_the_officers_words(sample_cards, cell_of):
    officer = "Please note change in RAG Levels – see data notes below.\n\nThe rate rose."
    card = _with_text(_red(sample_cards), officer)
    cell = cell_of(card)
    assert cell.text.startswith("Please note change in RAG Levels – see data notes below.\n\nThe rate rose.")
    assert cell.content[-1].text == DATA_NOTES_NOTE and cell.content[-1].href == f"#{anchor_for(card)}"
    for other in ("see the DATA NOTE", "data\nnotes"):
        assert cell_of(_with_text(card, other)).content[-1].text == DATA_NOTES_NOTE
    for unrelated in ("see the notes below", "database notes", "metadata notes"):
        assert DATA_NOTES_NOTE not in cell_of(_with_text(card, unrelated)).text, unrelated


def test_the_sample_cover_shows_the_note(sample_cards, cell_of):
    cell = cell_of(_red(sample_cards))
    assert "see data notes below" in cell.text and cell.text.endswith(DATA_NOTES_NOTE)

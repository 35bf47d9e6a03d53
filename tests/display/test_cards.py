import json
from importlib import resources

import pytest

from mlworkflow.core.content import ContentError
from mlworkflow.core.course import load_course
from mlworkflow.display import cards
from mlworkflow.display.cards import (
    SECTIONS,
    load_card_text,
    stage_card_html,
    stage_card_text,
    stage_notes,
    stage_section_html,
)

TITLES = {
    "key_steps": "Key steps",
    "why_it_matters": "Why this matters for PMs",
    "questions_to_ask": "Questions to ask your team",
    "red_flags": "Red flags",
    "handover": "What the team should hand over",
}


def test_shipped_titles_cover_every_section():
    text = load_card_text()
    assert text.section_titles == TITLES
    assert set(text.section_titles) == set(SECTIONS)
    assert text.more_summary == "Red flags and what to hand over"


def test_card_html_has_position_title_and_sections_in_order():
    course = load_course()
    html = stage_card_html(course.stage("training"), course)
    assert html.startswith("<style>") and 'data-stage="training"' in html
    assert '<div class="mlw-position">Stage 3 of 6</div>' in html
    assert '<h3 class="mlw-card-title">Model Training</h3>' in html
    positions = [html.index(f"<h4>{TITLES[s]}</h4>") for s in SECTIONS]
    assert positions == sorted(positions)
    assert "<details><summary>Red flags and what to hand over</summary>" in html


def test_card_text_reads_well_in_a_terminal():
    stage = load_course().stage("data")
    lines = stage_card_text(stage).splitlines()
    assert lines[0] == "Stage 2 of 6: Data Collection and Preparation"
    assert lines[3] == "Key steps:" and lines[4].startswith("  1. ")
    assert "Why this matters for PMs:" in lines and "Questions to ask your team:" in lines
    assert lines[-1] == f"  - {stage.questions_to_ask[-1]}"


def test_sections_are_escaped_and_lists_numbered_only_for_steps():
    stage = load_course().stage("problem")
    steps = stage_section_html(stage, "key_steps")
    assert steps.startswith("<h4>Key steps</h4><ol><li>") and steps.count("<li>") == len(stage.key_steps)
    assert stage_section_html(stage, "red_flags").startswith("<h4>Red flags</h4><ul>")
    assert '<div class="mlw-why">' in stage_section_html(stage, "why_it_matters")
    tricky = type(stage)(**{**stage.__dict__, "why_it_matters": "<script>alert(1)</script> & more"})
    html = stage_section_html(tricky, "why_it_matters")
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp; more" in html


def test_unknown_section_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown section 'summary'; choose from key_steps"):
        stage_section_html(load_course().stage(0), "summary")
    with pytest.raises(ValueError, match="unknown section"):
        stage_notes("data", "nope")


def test_stage_notes_default_sections_as_html_and_text():
    notes = stage_notes("evaluation")
    html = notes._repr_html_()
    assert "<h4>Why this matters for PMs</h4>" in html and "<h4>Questions to ask your team</h4>" in html
    assert "<h4>Key steps</h4>" not in html
    text = repr(notes)
    assert text.startswith("Why it matters:\n  ") and "\n\nQuestions to ask:\n  - " in text


def test_stage_notes_chosen_sections():
    notes = stage_notes(1, "red_flags", "handover")
    assert notes.stage.key == "data"
    assert "<h4>What the team should hand over</h4>" in notes._repr_html_()
    assert repr(notes).startswith("Red flags:\n  - ")


def test_card_css_is_read_lazily_and_still_importable():
    css = cards.CARD_CSS
    assert css == cards.card_css() and ".mlw-card-body" in css
    with pytest.raises(AttributeError):
        _ = cards.NOT_A_THING


def _shipped() -> dict:
    return json.loads(resources.files("mlworkflow.content").joinpath("cards.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "mutate, field, problem",
    [
        (lambda d: d["sections"].pop("red_flags"), "sections.red_flags", "missing"),
        (lambda d: d["sections"].update(why_it_matters="  "), "sections.why_it_matters", "expected non-empty text"),
        (lambda d: d["sections"].update(summary="Summary"), "sections.summary", "unknown section"),
        (lambda d: d.update(sections=["Key steps"]), "sections", "expected an object"),
        (lambda d: d.pop("more_summary"), "more_summary", "missing"),
        (lambda d: d.update(version=2), "version", "unsupported version 2"),
    ],
)
def test_malformed_cards_file_names_file_and_field(tmp_path, mutate, field, problem):
    data = _shipped()
    mutate(data)
    path = tmp_path / "cards.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_card_text(path)
    assert info.value.file == str(path) and info.value.field == field and problem in info.value.problem


def test_cards_file_that_is_not_json(tmp_path):
    path = tmp_path / "cards.json"
    path.write_text('{"version": 1,', encoding="utf-8")
    with pytest.raises(ContentError, match="not valid JSON"):
        load_card_text(path)

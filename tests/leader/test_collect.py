"""Collecting exercise submissions from a folder: re-checked, deduplicated, bad files skipped (no kernel)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlworkflow.exercise.assess import assess, render_markdown
from mlworkflow.leader.collect import CollectError, collect, parse_submission
from mlworkflow.leader.report import render_summary_html, render_summary_markdown

SKIP_REASONS = {
    "<img src=x onerror=alert(3)>.json": "not valid JSON",
    "a-list.json": "not an object",
    "ana-old.json": "earlier submission from the same learner (kept ana.json)",
    "binary.json": "not text",
    "blank.json": "empty: the problem, outcome and data boxes are all blank",
    "broken.json": "not valid JSON (line 1",
    "copy-of-ana.json": "duplicate: the same statement as ana.json",
    "deep.json": "not valid JSON",
    "huge.json": "too large",
    "link.json": "a link, not a file",
    "no-statement.json": "no “statement”",
    "notes.txt": "only .json and .md",
    "subfolder": "a folder",
    "wrong-type.json": "the “problem” box should be text, but is a number",
    "zero.json": "empty file",
}


def test_counts_on_a_small_room_checked_by_hand(room):
    s = collect(room)
    assert s.submitted == 3 and sorted(x.file for x in s.submissions) == [
        "ana.json", "mallory.json", "my_ml_problem_statement.json"]
    # Each statement on its own (see test_feedback for why), per criterion in rubric order:
    #   STRONG:  met  met  met  met  met  met  met  met  missing
    #   WEAK:    miss miss part miss miss miss miss miss missing
    #   HOSTILE: met  met  met  met  met  miss met  part missing
    table = {c.key: (c.met, c.partial, c.missing) for c in s.criteria}
    assert table == {
        "user_pain": (2, 0, 1), "business_goal": (2, 0, 1), "measurable_outcome": (2, 1, 0),
        "business_metric": (2, 0, 1), "baseline": (2, 0, 1), "prediction_action": (1, 0, 2),
        "data_sources": (2, 0, 1), "labels": (1, 1, 1), "constraints": (0, 0, 3),
    }
    assert dict(s.levels) == {"Strong statement": 1, "Getting there": 1, "Early draft": 1}
    assert [g.key for g in s.gaps] == ["constraints", "prediction_action", "labels", "user_pain", "business_goal"]
    assert (s.gaps[0].missing, s.gaps[0].partial) == (3, 0)
    assert [x.file for x in s.strong] == ["ana.json"]


def test_a_submitted_score_is_ignored(room):
    s = collect(room)
    export = next(x for x in s.submissions if x.file == "my_ml_problem_statement.json")
    assert export.assessment.level == "Early draft" and export.assessment.score == 2
    assert export.name is None  # the JSON export carries no name


def test_every_bad_file_is_skipped_with_its_reason(room):
    skipped = {k.file: k.reason for k in collect(room).skipped}
    assert set(skipped) == set(SKIP_REASONS)
    for file, reason in SKIP_REASONS.items():
        assert reason in skipped[file], (file, skipped[file])


def test_latest_resubmission_wins_and_identical_statements_count_once(tmp_path, put, submit, statements):
    WEAK, STRONG = statements["weak"], statements["strong"]
    put(tmp_path, "b.json", submit("Sam", WEAK, "sam00001", minute=30))
    put(tmp_path, "a.json", submit("Sam", STRONG, "sam00001", minute=10))
    put(tmp_path, "c.json", submit("Other Sam", STRONG, "sam00002", minute=20))  # same words, other learner
    s = collect(tmp_path)
    assert [x.file for x in s.submissions] == ["c.json", "b.json"]  # in order of submission
    assert {k.file: k.reason for k in s.skipped} == {
        "a.json": "an earlier submission from the same learner (kept b.json)"}


def test_markdown_export_is_read_back(tmp_path, put, statements):
    HOSTILE = statements["hostile"]
    fields = HOSTILE | {"labels": "Agents tag each ticket's topic | when they close it *today*."}
    put(tmp_path, "export.md", render_markdown(assess(**fields)))
    sub = parse_submission(tmp_path / "export.md")
    assert sub.statement["problem"] == HOSTILE["problem"] and sub.statement["labels"] == fields["labels"]
    assert sub.assessment.score == assess(**fields).score
    with pytest.raises(ValueError, match="no statement boxes"):
        parse_submission(put(tmp_path, "other.md", "# Shopping list\n\n- milk\n"))


def test_an_empty_or_missing_folder(tmp_path, put):
    s = collect(tmp_path)
    assert s.submitted == 0 and s.skipped == () and s.gaps == () and s.strong == ()
    assert "0 statements submitted" in s.text()
    assert "<div class=\"mlw-chart\"" not in render_summary_html(s)
    with pytest.raises(CollectError, match="does not exist"):
        collect(tmp_path / "nope")
    with pytest.raises(CollectError, match="not a folder"):
        collect(put(tmp_path, "file.json", "{}"))


def test_terminal_output_shows_odd_file_names_safely(tmp_path, put):
    put(tmp_path, "evil\x1b[31m.json", "nope")
    text = collect(tmp_path).text()
    assert "\x1b" not in text and "evil[31m.json" in text


@settings(max_examples=60, deadline=None)
@given(st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                 lambda kids: st.lists(kids, max_size=3) | st.dictionaries(
                     st.sampled_from(["statement", "fields", "problem", "outcome", "name", "format",
                                      "version", "submitted_at", "learner_id", "x"]), kids, max_size=4),
                 max_leaves=12).map(lambda v: json.dumps(v).encode()),
))
def test_no_file_content_crashes_collect(content):
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "x.json").write_bytes(content)
        (Path(tmp) / "x.md").write_bytes(content)
        s = collect(tmp)
    assert s.submitted + len(s.skipped) == 2
    render_summary_html(s), render_summary_markdown(s), s.text()

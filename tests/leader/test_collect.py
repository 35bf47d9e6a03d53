"""Collecting exercise submissions from a folder: re-checked, deduplicated, bad files skipped (no kernel)."""

from __future__ import annotations

import json
import os
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
    assert s.submitted == 4 and sorted(x.file for x in s.submissions) == [
        "ana.json", "copy-of-ana.json", "mallory.json", "my_ml_problem_statement.json"]
    # Each statement on its own (see test_feedback for why), per criterion in rubric order:
    #   STRONG (Ana, and Bob's shouted copy):  met  met  met  met  met  met  met  met  missing
    #   WEAK:    miss miss part miss miss miss miss miss missing
    #   HOSTILE: met  met  met  met  met  miss part part missing  ("Ticket history from Zendesk" is one source)
    table = {c.key: (c.met, c.partial, c.missing) for c in s.criteria}
    assert table == {
        "user_pain": (3, 0, 1), "business_goal": (3, 0, 1), "measurable_outcome": (3, 1, 0),
        "business_metric": (3, 0, 1), "baseline": (3, 0, 1), "prediction_action": (2, 0, 2),
        "data_sources": (2, 1, 1), "labels": (2, 1, 1), "constraints": (0, 0, 4),
    }
    assert dict(s.levels) == {"Strong statement": 2, "Getting there": 1, "Early draft": 1}
    assert [g.key for g in s.gaps] == ["constraints", "prediction_action", "data_sources", "labels", "user_pain"]
    assert (s.gaps[0].missing, s.gaps[0].partial) == (4, 0)
    assert [x.file for x in s.strong] == ["ana.json", "copy-of-ana.json"]
    assert s.complete and s.unreadable == ()


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


def test_latest_resubmission_wins(tmp_path, put, submit, statements):
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
    assert "0 statements submitted" in s.text() and "the folder is empty" in s.text() and not s.complete
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


# ------------------------------------------------------------ issue 13, fault 7: nobody can hide a classmate


def test_pairs_who_hand_in_the_same_text_are_two_learners(tmp_path, put, submit, statements):
    put(tmp_path, "ana.json", submit("Ana", statements["strong"], "ana00001", minute=1))
    put(tmp_path, "bob.json", submit("Bob", statements["strong"], "bob00001", minute=2))  # Ana's pair
    s = collect(tmp_path)
    assert [x.file for x in s.submissions] == ["ana.json", "bob.json"] and s.skipped == ()
    assert dict(s.levels)["Strong statement"] == 2
    notes = {x.file: x.notes for x in s.submissions}
    assert notes == {"ana.json": ("same text as bob.json",), "bob.json": ("same text as ana.json",)}
    text = s.text()
    assert "ana.json: " in text and "same text as bob.json" in text


def test_an_exact_copy_or_an_export_of_the_same_statement_counts_once(tmp_path, put, submit, statements):
    record = submit("Ana", statements["strong"], "ana00001", minute=1)
    put(tmp_path, "ana.json", record)
    put(tmp_path, "ana (1).json", record)  # the same file, downloaded twice
    put(tmp_path, "my_ml_problem_statement.json", assess(**statements["strong"]).to_dict())  # her export too
    s = collect(tmp_path)
    assert len(s.submissions) == 1 and s.submissions[0].file in ("ana.json", "ana (1).json")
    reasons = {k.file: k.reason for k in s.skipped}
    assert len(reasons) == 2 and any(r.startswith("an exact copy of ana") for r in reasons.values())
    assert "the same statement as ana" in reasons["my_ml_problem_statement.json"]


def test_each_statement_shows_when_it_came_in_as_the_file_system_says(tmp_path, put, submit, statements):
    import os

    path = put(tmp_path, "ana.json", submit("Ana", statements["strong"], "ana00001", minute=5))  # claims 09:05
    os.utime(path, (1_715_680_800, 1_715_680_800))  # 2024-05-14 10:00:00 UTC on the file system
    s = collect(tmp_path)
    sub = s.submissions[0]
    assert sub.modified == 1_715_680_800 and sub.claimed
    assert "ana.json: 2024-05-14 10:00:00 UTC (the file says 2024-05-14 09:05:00 UTC)" in s.text()
    assert "2024-05-14 10:00:00 UTC" in render_summary_html(s)
    assert "2024-05-14 10:00:00 UTC" in render_summary_markdown(s)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving a file to another owner needs root")
def test_a_copied_id_with_a_later_time_cannot_hide_a_classmate(tmp_path, put, submit, statements):
    victim = put(tmp_path, "ana.json", submit("Ana", statements["strong"], "ana00001", minute=1))
    forged = put(tmp_path, "zz.json", submit("Ana", statements["weak"], "ana00001", minute=59))
    os.chown(victim, 60001, -1)  # two different accounts
    os.chown(forged, 60002, -1)
    s = collect(tmp_path)
    assert sorted(x.file for x in s.submissions) == ["ana.json", "zz.json"] and s.skipped == ()
    for sub in s.submissions:
        assert any("same learner id as" in n and "another account" in n for n in sub.notes), sub.notes
    os.chown(forged, 60001, -1)  # the same account handing in again does replace its earlier file
    s = collect(tmp_path)
    assert [x.file for x in s.submissions] == ["zz.json"]
    assert {k.file: k.reason for k in s.skipped} == {
        "ana.json": "an earlier submission from the same learner (kept zz.json)"}


# ------------------------------------------------------------ issue 13, fault 1: unreadable files are said


def _refuse(monkeypatch, *names):
    """Make ``os.open`` in collect refuse these file names, as for another user's 0600 file."""
    import mlworkflow.leader.collect as collect_module

    real_open = os.open

    def fake_open(path, flags, *args, **kwargs):
        if Path(path).name in names:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(collect_module.os, "open", fake_open)


def test_files_that_cannot_be_read_are_listed_by_name_and_reason(tmp_path, put, submit, statements, monkeypatch):
    put(tmp_path, "ana.json", submit("Ana", statements["strong"], "ana00001", minute=1))
    put(tmp_path, "bob.json", submit("Bob", statements["weak"], "bob00001", minute=2))
    _refuse(monkeypatch, "bob.json")
    s = collect(tmp_path)
    assert s.submitted == 1 and s.skipped == () and not s.complete
    assert [k.file for k in s.unreadable] == ["bob.json"]
    assert s.unreadable[0].reason.startswith("could not be read (Permission denied)")
    assert "permissions -rw" in s.unreadable[0].reason  # owner and permissions, to fix it
    text = s.text()
    assert text.startswith("Class summary: 1 statement submitted, 1 file could not be read.")
    assert "WARNING: 1 file in the folder could not be read" in text and "  bob.json: could not be read" in text
    assert "could not be read" in render_summary_html(s) and 'role="alert"' in render_summary_html(s)
    assert "## Read this first" in render_summary_markdown(s)


def test_nothing_readable_is_never_zero_statements_and_all_is_well(tmp_path, put, submit, statements, monkeypatch):
    put(tmp_path, "ana.json", submit("Ana", statements["strong"], "ana00001", minute=1))
    put(tmp_path, "bob.json", submit("Bob", statements["weak"], "bob00001", minute=2))
    _refuse(monkeypatch, "ana.json", "bob.json")
    s = collect(tmp_path)
    assert s.submitted == 0 and len(s.unreadable) == 2 and not s.complete
    text = s.text()
    assert "0 statements submitted, 2 files could not be read" in text
    assert "No statement was read: no file in the folder could be read." in text
    for page in (render_summary_html(s), render_summary_markdown(s)):
        assert "2 files could not be read" in page and "No statement was read" in page

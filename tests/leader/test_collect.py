"""Tests for collecting exercise submissions and the class summary (no browser, no kernel)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statements import STRONG

from mlworkflow import cli
from mlworkflow.exercise.assess import assess, render_markdown
from mlworkflow.exercise.submit import submission_record
from mlworkflow.leader.collect import MAX_BYTES, CollectError, collect, parse_submission
from mlworkflow.leader.demo import demo_class
from mlworkflow.leader.report import (
    render_summary_html,
    render_summary_markdown,
    render_summary_text,
    write_summary,
)
from mlworkflow.leader.widgets import ClassPulse

WEAK = dict(problem="We want to use AI to improve the customer experience.",
            outcome="A model with 95% accuracy.", data_sources="Our customer data.")
HOSTILE = dict(
    problem="<script>alert('x')</script> Our support agents spend hours every week sorting tickets by hand.",
    outcome="Cut sorting time by half within 3 months.",
    data_sources="<img src=x onerror=alert(1)> Ticket history from Zendesk.",
)
HOSTILE_NAME = '<b onmouseover="alert(1)">Mallory</b>'
T0 = datetime(2024, 5, 14, 9, 0, tzinfo=timezone.utc)


def _put(folder: Path, name: str, data: object) -> Path:
    path = folder / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def _submit(name: str, fields: dict, learner_id: str, minute: int = 0) -> dict:
    return submission_record(fields, name, learner_id, T0.replace(minute=minute))


@pytest.fixture
def room(tmp_path) -> Path:
    """Three usable statements and every kind of file that must be skipped, not crash the summary."""
    folder = tmp_path / "room"
    folder.mkdir()
    _put(folder, "ana-old.json", _submit("Ana", WEAK | {"problem": "first try"}, "ana00001", minute=1))
    _put(folder, "ana.json", _submit("Ana", STRONG, "ana00001", minute=5))  # replaces her first try
    export = assess(**WEAK).to_dict() | {"score": 18, "level": "Strong statement"}  # a doctored score
    _put(folder, "my_ml_problem_statement.json", export)
    _put(folder, "mallory.json", _submit(HOSTILE_NAME, HOSTILE, "mal00001", minute=7))
    _put(folder, "copy-of-ana.json", _submit("Bob", {k: f"  {v.upper()} " for k, v in STRONG.items()}, "bob00001", 9))
    _put(folder, "blank.json", _submit("Cy", {"problem": " ", "outcome": "", "data_sources": "\n"}, "cy000001"))
    _put(folder, "zero.json", "")
    _put(folder, "broken.json", '{"statement": {"problem": "unfinished')
    _put(folder, "a-list.json", [1, 2, 3])
    _put(folder, "wrong-type.json", {"statement": {"problem": 42, "outcome": "x", "data_sources": "y"}})
    _put(folder, "no-statement.json", {"name": "Dee"})
    _put(folder, "binary.json", bytes(range(256)) * 4)
    _put(folder, "deep.json", "[" * 100_000)
    _put(folder, "huge.json", '{"statement": {"problem": "' + "x" * (MAX_BYTES + 10) + '"}}')
    _put(folder, "notes.txt", "bring snacks")
    _put(folder, "<img src=x onerror=alert(3)>.json", "junk")
    (folder / "link.json").symlink_to(folder / "ana.json")
    (folder / "subfolder").mkdir()
    _put(folder, ".ana.json.tmp", "half-written")  # hidden: an atomic write in progress
    return folder


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
    #   WEAK:    part miss part part miss miss miss miss missing
    #   HOSTILE: met  met  met  miss met  part met  part missing
    table = {c.key: (c.met, c.partial, c.missing) for c in s.criteria}
    assert table == {
        "user_pain": (2, 1, 0), "business_goal": (2, 0, 1), "measurable_outcome": (2, 1, 0),
        "business_metric": (1, 1, 1), "baseline": (2, 0, 1), "prediction_action": (1, 1, 1),
        "data_sources": (2, 0, 1), "labels": (1, 1, 1), "constraints": (0, 0, 3),
    }
    assert dict(s.levels) == {"Strong statement": 1, "Getting there": 1, "Early draft": 1}
    assert [g.key for g in s.gaps] == ["constraints", "business_metric", "prediction_action", "labels", "business_goal"]
    assert (s.gaps[0].missing, s.gaps[0].partial) == (3, 0)
    assert [x.file for x in s.strong] == ["ana.json"]


def test_a_submitted_score_is_ignored(room):
    s = collect(room)
    export = next(x for x in s.submissions if x.file == "my_ml_problem_statement.json")
    assert export.assessment.level == "Early draft" and export.assessment.score == 3
    assert export.name is None  # the JSON export carries no name


def test_every_bad_file_is_skipped_with_its_reason(room):
    skipped = {k.file: k.reason for k in collect(room).skipped}
    assert set(skipped) == set(SKIP_REASONS)
    for file, reason in SKIP_REASONS.items():
        assert reason in skipped[file], (file, skipped[file])


def test_latest_resubmission_wins_and_identical_statements_count_once(tmp_path):
    _put(tmp_path, "b.json", _submit("Sam", WEAK, "sam00001", minute=30))
    _put(tmp_path, "a.json", _submit("Sam", STRONG, "sam00001", minute=10))
    _put(tmp_path, "c.json", _submit("Other Sam", STRONG, "sam00002", minute=20))  # same words, other learner
    s = collect(tmp_path)
    assert [x.file for x in s.submissions] == ["c.json", "b.json"]  # in order of submission
    assert {k.file: k.reason for k in s.skipped} == {
        "a.json": "an earlier submission from the same learner (kept b.json)"}


def test_markdown_export_is_read_back(tmp_path):
    fields = HOSTILE | {"labels": "Agents tag each ticket's topic | when they close it *today*."}
    _put(tmp_path, "export.md", render_markdown(assess(**fields)))
    sub = parse_submission(tmp_path / "export.md")
    assert sub.statement["problem"] == HOSTILE["problem"] and sub.statement["labels"] == fields["labels"]
    assert sub.assessment.score == assess(**fields).score
    with pytest.raises(ValueError, match="no statement boxes"):
        parse_submission(_put(tmp_path, "other.md", "# Shopping list\n\n- milk\n"))


def test_an_empty_or_missing_folder(tmp_path):
    s = collect(tmp_path)
    assert s.submitted == 0 and s.skipped == () and s.gaps == () and s.strong == ()
    assert "0 statements submitted" in s.text()
    assert "<div class=\"mlw-chart\"" not in render_summary_html(s)
    with pytest.raises(CollectError, match="does not exist"):
        collect(tmp_path / "nope")
    with pytest.raises(CollectError, match="not a folder"):
        collect(_put(tmp_path, "file.json", "{}"))


def test_html_page_is_self_contained_and_escapes_learner_text(room):
    page = render_summary_html(collect(room), show_names=True)
    assert page.startswith("<!doctype html>") and "<style>" in page
    assert "<script" not in page.lower() and "<img" not in page.lower() and "<b onmouseover" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "&lt;b onmouseover=&quot;alert(1)&quot;&gt;Mallory&lt;/b&gt;" in page
    assert "&lt;img src=x onerror=alert(3)&gt;.json" in page  # a hostile file name, listed as skipped
    assert "http://" not in page and "https://" not in page and "default-src 'none'" in page


def test_names_are_hidden_unless_asked_for(room):
    s = collect(room)
    for hidden in (render_summary_html(s), render_summary_markdown(s), render_summary_text(s)):
        assert "Ana" not in hidden and "Mallory" not in hidden and "Statement A" in hidden
    shown_html = render_summary_html(s, show_names=True)
    shown_md = render_summary_markdown(s, show_names=True)
    assert "Ana" in shown_html and "Statement A" not in shown_html
    assert "### Ana (16/18)" in shown_md


def test_markdown_escapes_learner_text(room):
    md = render_summary_markdown(collect(room), show_names=True)
    assert not re.search(r"(?<!\\)[<>]", md.replace("> ", "").replace("\n>\n", "")), "an unescaped < or >"
    assert r"\<script\>alert('x')\</script\>" in md and r'(\<b onmouseover="alert(1)"\>Mallory\</b\>)' in md
    assert "| Where the labels (past outcomes) come from | 1 | 1 | 1 |" in md


def test_write_summary_and_the_collect_command(room, tmp_path, capsys):
    html_path, md_path = write_summary(collect(room), tmp_path / "out")
    assert html_path.name == "class-summary.html" and md_path.read_text(encoding="utf-8").startswith("# Class summary")
    out_dir = tmp_path / "cli-out"
    assert cli.main(["collect", str(room), "--out", str(out_dir)]) == 0
    out = capsys.readouterr().out
    assert "Class summary: 3 statements submitted, 15 files skipped." in out
    assert "  deep.json: not valid JSON" in out and "names hidden" in out
    assert "Ana" not in (out_dir / "class-summary.html").read_text(encoding="utf-8")
    assert cli.main(["collect", str(room), "--out", str(out_dir), "--show-names"]) == 0
    assert "Ana" in (out_dir / "class-summary.md").read_text(encoding="utf-8")
    assert cli.main(["collect", str(tmp_path / "missing")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_terminal_output_shows_odd_file_names_safely(tmp_path):
    _put(tmp_path, "evil\x1b[31m.json", "nope")
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


def test_demo_class_counts():
    # the numbers the class pulse notebook prints; checked there too
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        demo_class(tmp)
        s = collect(tmp)
    assert (s.submitted, len(s.skipped)) == (5, 3)
    assert dict(s.levels) == {"Strong statement": 2, "Getting there": 2, "Early draft": 1}


def test_class_pulse_widget_refreshes_and_hides_names(room, tmp_path):
    folder = tmp_path / "live"
    folder.mkdir()
    pulse = ClassPulse(folder)
    assert (pulse.submitted, pulse.skipped) == (0, 0) and "0 submitted" in pulse.status
    _put(folder, "ana.json", _submit("Ana", STRONG, "ana00001"))
    pulse._refresh_button.click()
    assert pulse.submitted == 1 and "Statement A" in pulse._body.value and "Ana" not in pulse._body.value
    pulse._names_box.value = True
    assert "Ana" in pulse._body.value and "Ana" in pulse.text()
    pulse.folder = str(room)  # typing a folder refreshes
    assert (pulse.submitted, pulse.skipped) == (3, 15)
    assert "&lt;script&gt;" in pulse._repr_mimebundle_()[0]["text/html"] if isinstance(
        pulse._repr_mimebundle_(), tuple) else pulse._repr_mimebundle_()["text/html"]
    pulse.folder = str(tmp_path / "missing")
    assert "Could not read the submissions" in pulse.status and pulse.submitted == 3  # last good view kept


def test_class_pulse_folder_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("MLWORKFLOW_SUBMIT_DIR", raising=False)
    assert "Type the folder" in ClassPulse().status
    monkeypatch.setenv("MLWORKFLOW_SUBMIT_DIR", str(tmp_path))
    pulse = ClassPulse()
    assert pulse.folder == str(tmp_path) and pulse._folder_box.value == str(tmp_path)

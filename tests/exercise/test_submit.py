"""Tests for mlworkflow.exercise.submit: handing a statement in to the workshop folder."""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, timedelta, timezone

import pytest
from statements import STRONG

from mlworkflow.exercise import submit
from mlworkflow.exercise.submit import (
    FOLDER_ENV,
    NAME_ENV,
    SUBMISSION_FORMAT,
    SubmitError,
    learner_name,
    new_learner_id,
    submission_record,
    submit_folder,
    write_submission,
)


def test_folder_comes_from_the_argument_then_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv(FOLDER_ENV, raising=False)
    assert submit_folder() is None and submit_folder("  ") is None
    monkeypatch.setenv(FOLDER_ENV, str(tmp_path))
    assert submit_folder() == tmp_path
    assert submit_folder(tmp_path / "x") == tmp_path / "x"


def test_learner_name_is_one_tidy_line(monkeypatch):
    monkeypatch.setenv(NAME_ENV, "  Sam \n Lee ")
    assert learner_name() == "Sam Lee" and learner_name("  ") == "Sam Lee"
    assert learner_name("Ana\tLima") == "Ana Lima"
    assert len(learner_name("x" * 500)) == 80


def test_learner_ids_are_random_and_plain():
    first, second = new_learner_id(), new_learner_id()
    assert first != second and re.fullmatch(r"[0-9a-f]{12}", first)


def test_record_holds_who_when_and_the_statement_never_a_score():
    when = datetime(2024, 5, 31, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    record = submission_record({"problem": "P", "outcome": None}, "Ana", "abc123", when)  # type: ignore[dict-item]
    assert record["format"] == SUBMISSION_FORMAT and record["name"] == "Ana"
    assert record["submitted_at"] == "2024-05-31T12:00:00+00:00"
    assert record["statement"] == {"problem": "P", "outcome": ""} and "score" not in record


def test_write_replaces_one_learners_file(tmp_path):
    first = write_submission(tmp_path, STRONG, name="Zoë Smith", learner_id="abc123")
    assert first.name == "zo-smith-abc123.json"
    again = write_submission(tmp_path, {**STRONG, "problem": "Better."}, name="Zoë Smith", learner_id="abc123")
    assert again == first and len(list(tmp_path.glob("*.json"))) == 1
    assert json.loads(first.read_text(encoding="utf-8"))["statement"]["problem"] == "Better."
    other = write_submission(tmp_path, STRONG, name="", learner_id="../bad")  # unsafe id: a fresh one
    assert other.name.startswith("anonymous-") and other.parent == tmp_path


def test_write_refuses_plainly(tmp_path, monkeypatch):
    monkeypatch.delenv(FOLDER_ENV, raising=False)
    with pytest.raises(SubmitError, match="No workshop folder is set"):
        write_submission(None, STRONG)
    with pytest.raises(SubmitError, match="nothing to hand in"):
        write_submission(tmp_path, {"problem": "  "})
    with pytest.raises(SubmitError, match="does not exist"):
        write_submission(tmp_path / "missing", STRONG)

    def refuse(path, text, **options):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(submit, "atomic_write", refuse)
    with pytest.raises(SubmitError, match="read-only or you do not have permission"):
        write_submission(tmp_path, STRONG)
    assert list(tmp_path.glob("*.json")) == []


def test_a_submission_is_readable_by_others_as_the_umask_allows(tmp_path):
    old = os.umask(0o022)
    try:
        path = write_submission(tmp_path, STRONG)
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644  # the leader, another Unix user, can read it


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving a file to another owner needs root")
def test_never_overwrites_another_learners_file(tmp_path):
    victim = write_submission(tmp_path, STRONG, name="Ana", learner_id="abc123")
    os.chown(victim, 60001, -1)  # Ana's own account
    before = victim.read_bytes()
    mine = write_submission(tmp_path, {**STRONG, "problem": "Not Ana's."}, name="Ana", learner_id="abc123")
    assert mine != victim and victim.read_bytes() == before  # a copied id gets a file of its own
    assert mine.name == f"ana-abc123-u{os.geteuid()}.json"
    again = write_submission(tmp_path, {**STRONG, "problem": "Again."}, name="Ana", learner_id="abc123")
    assert again == mine and len(list(tmp_path.glob("*.json"))) == 2  # and handing in again replaces it


def test_never_writes_through_a_link_planted_at_the_learners_file_name(tmp_path):
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("keep me")
    (tmp_path / "drop").mkdir()
    (tmp_path / "drop" / "ana-abc123.json").symlink_to(elsewhere)
    path = write_submission(tmp_path / "drop", STRONG, name="Ana", learner_id="abc123")
    assert path.name != "ana-abc123.json" and not path.is_symlink() and elsewhere.read_text() == "keep me"


def test_write_submission_is_public_with_its_guarantees():
    import mlworkflow

    assert mlworkflow.write_submission is write_submission and "write_submission" in mlworkflow.__all__
    doc = write_submission.__doc__ or ""
    for promise in ("Atomic", "umask", "never another learner's", "Raises"):
        assert promise in doc

"""Shared by the leader's tests: a room of submissions with every kind of file that must be skipped."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest
from statements import STRONG

from mlworkflow.exercise.submit import submission_record
from mlworkflow.leader.collect import MAX_BYTES

WEAK = {"problem": "We want to use AI to improve the customer experience.",
         "outcome": "A model with 95% accuracy.", "data_sources": "Our customer data."}
HOSTILE = {
    "problem": "<script>alert('x')</script> Our support agents spend hours every week sorting tickets by hand.",
    "outcome": "Cut sorting time by half within 3 months.",
    "data_sources": "<img src=x onerror=alert(1)> Ticket history from Zendesk.",
}
HOSTILE_NAME = '<b onmouseover="alert(1)">Mallory</b>'
T0 = datetime(2024, 5, 14, 9, 0, tzinfo=timezone.utc)


def put_file(folder: Path, name: str, data: object) -> Path:
    path = folder / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def make_submission(name: str, fields: dict, learner_id: str, minute: int = 0) -> dict:
    return submission_record(fields, name, learner_id, T0.replace(minute=minute))


@pytest.fixture
def put() -> Callable[[Path, str, object], Path]:
    """Write a file (text, bytes, or JSON of an object) into a folder."""
    return put_file


@pytest.fixture
def submit() -> Callable[..., dict]:
    """A "Submit to the workshop" record, ``minute`` minutes after the workshop's start."""
    return make_submission


@pytest.fixture
def statements() -> dict[str, dict[str, str]]:
    return {"strong": STRONG, "weak": WEAK, "hostile": HOSTILE}


@pytest.fixture
def room(tmp_path) -> Path:
    """Three usable statements and every kind of file that must be skipped, not crash the summary."""
    from mlworkflow.exercise.assess import assess

    folder = tmp_path / "room"
    folder.mkdir()
    put_file(folder, "ana-old.json", make_submission("Ana", WEAK | {"problem": "first try"}, "ana00001", minute=1))
    put_file(folder, "ana.json", make_submission("Ana", STRONG, "ana00001", minute=5))  # replaces her first try
    export = assess(**WEAK).to_dict() | {"score": 18, "level": "Strong statement"}  # a doctored score
    put_file(folder, "my_ml_problem_statement.json", export)
    put_file(folder, "mallory.json", make_submission(HOSTILE_NAME, HOSTILE, "mal00001", minute=7))
    shouted = {k: f"  {v.upper()} " for k, v in STRONG.items()}
    put_file(folder, "copy-of-ana.json", make_submission("Bob", shouted, "bob00001", 9))
    blank = {"problem": " ", "outcome": "", "data_sources": "\n"}
    put_file(folder, "blank.json", make_submission("Cy", blank, "cy000001"))
    put_file(folder, "zero.json", "")
    put_file(folder, "broken.json", '{"statement": {"problem": "unfinished')
    put_file(folder, "a-list.json", [1, 2, 3])
    put_file(folder, "wrong-type.json", {"statement": {"problem": 42, "outcome": "x", "data_sources": "y"}})
    put_file(folder, "no-statement.json", {"name": "Dee"})
    put_file(folder, "binary.json", bytes(range(256)) * 4)
    put_file(folder, "deep.json", "[" * 100_000)
    put_file(folder, "huge.json", '{"statement": {"problem": "' + "x" * (MAX_BYTES + 10) + '"}}')
    put_file(folder, "notes.txt", "bring snacks")
    put_file(folder, "<img src=x onerror=alert(3)>.json", "junk")
    (folder / "link.json").symlink_to(folder / "ana.json")
    (folder / "subfolder").mkdir()
    put_file(folder, ".ana.json.tmp", "half-written")  # hidden: an atomic write in progress
    return folder


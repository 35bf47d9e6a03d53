"""The learner's working folder: notebooks copied in, edits never overwritten."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlworkflow.cli.workspace import MANIFEST, copy_course, course_notebooks, leader_notebooks_dir, notebooks_dir


def _fake_course(tmp_path: Path) -> Path:
    """A course folder, and beside it (``lead``) the leader's notebooks, kept out of the course as in the package."""
    src, lead = tmp_path / "src", tmp_path / "lead"
    src.mkdir()
    lead.mkdir()
    for name, body in [("00_course_map.ipynb", "map v1"), ("01_problem.ipynb", "p v1")]:
        (src / name).write_text(body)
    (lead / "pulse.ipynb").write_text("x")
    (src / ".ipynb_checkpoints").mkdir()
    (src / ".ipynb_checkpoints" / "00_course_map-checkpoint.ipynb").write_text("junk")
    return src


def test_copies_the_course_then_keeps_edits_and_updates_untouched(tmp_path):
    src, work = _fake_course(tmp_path), tmp_path / "work"
    first = copy_course(work, src)
    assert sorted(first.copied) == ["00_course_map.ipynb", "01_problem.ipynb"]  # no leader's notebooks
    assert not (work / "facilitator").exists()
    assert not (work / ".ipynb_checkpoints").exists()
    assert (work / MANIFEST).exists()

    (work / "01_problem.ipynb").write_text("my answers")  # the learner edits one notebook
    (src / "01_problem.ipynb").write_text("p v2")  # and the course gets a new version of both
    (src / "00_course_map.ipynb").write_text("map v2")
    second = copy_course(work, src)
    assert second.skipped == ["01_problem.ipynb"] and (work / "01_problem.ipynb").read_text() == "my answers"
    assert second.updated == ["00_course_map.ipynb"] and (work / "00_course_map.ipynb").read_text() == "map v2"
    assert "kept your edited copy of 01_problem.ipynb" in "\n".join(second.lines())

    (work / "00_course_map.ipynb").unlink()  # deleting a copy brings a fresh one back
    third = copy_course(work, src)
    assert third.copied == ["00_course_map.ipynb"] and third.skipped == ["01_problem.ipynb"]


def test_existing_files_without_manifest_are_never_overwritten(tmp_path):
    src, work = _fake_course(tmp_path), tmp_path / "work"
    work.mkdir()
    (work / "00_course_map.ipynb").write_text("someone's own notebook")
    report = copy_course(work, src)
    assert report.skipped == ["00_course_map.ipynb"]
    assert (work / "00_course_map.ipynb").read_text() == "someone's own notebook"


def test_shipped_notebooks_are_found_in_course_order():
    names = [p.as_posix() for p in course_notebooks(notebooks_dir())]
    assert names[0] == "00_course_map.ipynb"


def test_leader_notebooks_only_on_request(tmp_path):
    src, work = _fake_course(tmp_path), tmp_path / "work"
    assert copy_course(work, src, leader=True, leader_source=tmp_path / "lead").copied == [
        "00_course_map.ipynb", "01_problem.ipynb", "facilitator/pulse.ipynb"]
    assert copy_course(work, src).unchanged == ["00_course_map.ipynb", "01_problem.ipynb"]  # kept, not removed
    assert (work / "facilitator" / "pulse.ipynb").exists()


def test_the_leader_notebooks_are_not_in_the_course_learners_clone():
    """nbgitpuller clones the repository's notebooks/ into every learner's home: the class pulse is not there."""
    assert [p.name for p in leader_notebooks_dir().glob("*.ipynb")] == ["class_pulse.ipynb"]
    assert not any(p.name == "class_pulse.ipynb" for p in notebooks_dir().rglob("*.ipynb"))
    repo_notebooks = Path(__file__).resolve().parents[2] / "notebooks"
    if repo_notebooks.is_dir():  # a clone (not an installed wheel)
        assert not (repo_notebooks / "facilitator").exists()


def test_missing_leader_notebooks_are_a_clear_error(tmp_path):
    src = _fake_course(tmp_path)
    with pytest.raises(FileNotFoundError, match="leader's notebooks"):
        copy_course(tmp_path / "work", src, leader=True, leader_source=tmp_path / "nowhere")


def test_a_broken_manifest_counts_as_none(tmp_path):
    src, work = _fake_course(tmp_path), tmp_path / "work"
    copy_course(work, src)
    (work / MANIFEST).write_text('{"files": [1, 2]}')
    (src / "01_problem.ipynb").write_text("p v2")
    report = copy_course(work, src)  # without a record of what we copied, the old copy is kept
    assert report.skipped == ["01_problem.ipynb"] and (work / "01_problem.ipynb").read_text() == "p v1"
    assert json.loads((work / MANIFEST).read_text())["version"] == 1  # and a good manifest is written again


# ------------------------------------------------------------ issue 13, fault 9: a damaged manifest is said


@pytest.mark.parametrize(("content", "problem"), [
    ('{"version": 1, "files": ["00_course_map.ipynb"]}', "its “files” is a list, not an object"),
    ("[1, 2]", "it holds a list, not an object"),
    ('{"files": {"00_course_map.ipynb": 3}}', "1 of its 1 entries is not a fingerprint"),
    ("[" * 100_000, "not valid JSON (nested too deeply)"),
    (b"\xff\xfe\x00", "it is not text"),
    ('{"files": {', "it is not valid JSON"),
])
def test_a_damaged_manifest_is_set_aside_and_said(tmp_path, content, problem):
    src, work = _fake_course(tmp_path), tmp_path / "work"
    copy_course(work, src)
    manifest = work / MANIFEST
    manifest.write_bytes(content if isinstance(content, bytes) else content.encode())
    report = copy_course(work, src)  # no traceback
    assert len(report.notes) == 1 and problem in report.notes[0]
    said = "\n".join(report.lines())
    assert f"kept it as {MANIFEST}.damaged" in said and "kept as they are" in said
    assert (work / f"{MANIFEST}.damaged").read_bytes() == (content if isinstance(content, bytes) else content.encode())
    assert json.loads(manifest.read_text())["version"] == 1  # a good one is written again
    assert copy_course(work, src).notes == []  # and the next start is quiet


def test_start_with_a_damaged_manifest_says_so_and_carries_on(tmp_path, capsys):
    from mlworkflow import cli

    work = tmp_path / "work"
    assert cli.main(["start", "--no-lab", "--dir", str(work)]) == 0
    (work / MANIFEST).write_text("[" * 100_000)  # a traceback (RecursionError) before issue 13
    assert cli.main(["start", "--no-lab", "--dir", str(work)]) == 0
    out = capsys.readouterr().out
    assert "note: the record of the notebooks copied here" in out and "Traceback" not in out

"""Issue 13, the store's faults (2, 3, 4, 5, 6 and 8 of its list), one test each, end to end.

Each test here failed on the code before the fix (checked against a copy of that code) and uses
only names that code had, so it fails for the fault, not for a missing name.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time

import pytest
from reliability.store_helpers import lock_held, sendable

from mlworkflow import ApplyToProject, ProblemStatementForm, ProjectBrief, Quiz
from mlworkflow.checks.apply import section_for
from mlworkflow.core import progress
from mlworkflow.core.progress import FILE_NAME, ProgressError, ProgressStore, ProgressWarning


@pytest.fixture
def store(tmp_path):
    return ProgressStore(home=tmp_path / "home")


@pytest.fixture(autouse=True)
def _no_graphviz(monkeypatch):
    monkeypatch.setenv("MLWORKFLOW_GRAPHVIZ", "none")  # the brief's diagram is not what is tested


def _raw(store, data) -> None:
    store.home.mkdir(parents=True, exist_ok=True)
    store.path.write_text(json.dumps(data), encoding="utf-8")


def _copies(store) -> list:
    return sorted(p for p in store.home.iterdir() if ".set-aside-" in p.name or ".damaged-" in p.name)


# -- fault 2: a failed restore led to data loss; every load or save froze the kernel ------------
def test_fault2_a_stuck_lock_neither_freezes_the_box_nor_loses_the_saved_answer(store, monkeypatch):
    monkeypatch.setattr(progress, "LOCK_TIMEOUT", 0.5)  # the old code waited this long, then restored nothing
    store.save(section_for("data"), {"answer": "Billing DB and the event log."})
    with lock_held(store.home / f"{FILE_NAME}.lock"):
        start = time.monotonic()
        box = ApplyToProject("data", store=store, autosave_delay=0)
        box.answer += " Also the CRM."  # a keystroke while the other notebook still holds the lock
        assert time.monotonic() - start < 0.45, "loading or saving waited for the lock"
    box.save_now()  # the stuck notebook is gone: the save goes through
    saved = store.load(section_for("data"))["answer"]
    assert saved.startswith("Billing DB and the event log."), "the saved answer was overwritten"
    box.close()


def test_fault2_an_unreadable_store_is_never_autosaved_over(tmp_path):
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to run the widget as a user who cannot read the file")
    home = tmp_path / "home"
    home.mkdir()
    ProgressStore(home).save(section_for("data"), {"answer": "mine, from yesterday"})
    before = (home / FILE_NAME).read_bytes()
    os.chown(home, 65534, 65534)  # the learner (nobody) owns the folder; the file is root's 0600
    os.chmod(tmp_path, 0o755)
    code = textwrap.dedent("""
        import json
        from mlworkflow import ApplyToProject
        box = ApplyToProject("data", autosave_delay=0)
        box.answer = "typed into an empty box"
        print(json.dumps({"answer": box.answer, "status": box.status}))
    """)
    env = dict(os.environ, MLWORKFLOW_HOME=str(home), HOME=str(home))
    out = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c", code],
                         capture_output=True, text=True, env=env, timeout=120, cwd=str(home))
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.splitlines()[-1])
    assert "could not" in seen["status"].lower() and "Traceback" not in seen["status"]
    assert (home / FILE_NAME).read_bytes() == before


# -- fault 3: a lone surrogate made the apply box and the brief raise in a kernel ---------------
def test_fault3_a_lone_surrogate_in_a_saved_answer_never_breaks_a_widget(store):
    _raw(store, {"format": "mlworkflow-progress", "version": 1, "sections": {
        section_for("data"): {"answer": "pasted \ud800 from an editor"},
        "exercise": {"version": 1, "fields": {"problem": "odd \udfff text"}, "hints_shown": 0},
    }})
    box = ApplyToProject("data", store=store)
    assert "pasted" in box.answer
    sendable(box)
    brief = ProjectBrief(store=store)
    sendable(brief)
    brief.to_markdown().encode("utf-8"), brief.to_html().encode("utf-8")
    sendable(ProblemStatementForm(store=store))


# -- fault 4: odd files blocked saving for good -------------------------------------------------
@pytest.mark.parametrize("version", ["missing", "1", 1.5, None])
def test_fault4_a_missing_or_non_integer_version_does_not_block_saving(store, version):
    data = {"format": "mlworkflow-progress", "sections": {"exercise": {"version": 1, "fields": {"problem": "kept"}}}}
    if version != "missing":
        data["version"] = version
    _raw(store, data)
    with pytest.warns(ProgressWarning, match="version"):
        store.save(section_for("data"), {"answer": "new"})  # raised "written by a newer version" before
    assert store.load("exercise")["fields"]["problem"] == "kept"
    assert [p.name.split("-")[0] for p in _copies(store)] == [f"{FILE_NAME}.set"]  # a copy was kept


def test_fault4_deeply_nested_json_is_moved_aside_and_saving_works(store):
    store.home.mkdir()
    store.path.write_text('{"format": "mlworkflow-progress", "version": 1, "sections": {"x": '
                          + "[" * 100_000 + "]" * 100_000 + "}}", encoding="utf-8")
    box = ApplyToProject("data", store=store, autosave_delay=0)
    assert "moved to" in box.status and "Something went wrong" not in box.status
    box.answer = "after the damage"
    assert store.load(section_for("data")) == {"answer": "after the damage"}
    assert len(_copies(store)) == 1


# -- fault 5: sections that are not objects were silently deleted; a list of answers broke the quiz
def test_fault5_a_section_that_is_not_an_object_is_kept_aside_when_another_is_saved(store):
    _raw(store, {"format": "mlworkflow-progress", "version": 1,
                 "sections": {"exercise": "a whole statement, saved as text", section_for("data"): {"answer": "a"}}})
    box = ApplyToProject("data", store=store, autosave_delay=0)
    shown = box.status
    box.answer = "b"
    copies = _copies(store)
    assert len(copies) == 1, "the odd section was dropped without a copy"
    assert json.loads(copies[0].read_text())["sections"]["exercise"] == "a whole statement, saved as text"
    assert str(copies[0]) in shown


def test_fault5_a_quiz_whose_answers_are_a_list_still_opens(store):
    store.save("quiz/evaluation", {"answers": ["a", "b"], "checked": True})
    quiz = Quiz("evaluation", store=store)  # raised AttributeError before
    status = quiz._status.outputs[0]["data"]["text/plain"]
    (copy,) = _copies(store)
    assert str(copy) in status and json.loads(copy.read_text())["sections"]["quiz/evaluation"]["answers"] == ["a", "b"]
    assert quiz.answers == {} and store.load("quiz/evaluation")["answers"] == {}


# -- fault 6: temporary files of interrupted saves were never cleaned ---------------------------
def test_fault6_stale_temp_files_are_removed_by_the_next_save(store):
    store.save("exercise", {"a": 1})
    for n in range(5):  # what kill -9 between writing and renaming leaves
        (store.home / f".{FILE_NAME}.killed{n}.tmp").write_text('{"format": "mlworkflow-progress", "ver')
    store.save("exercise", {"a": 2})
    assert not list(store.home.glob(f".{FILE_NAME}.*.tmp"))


_LIVE_WRITER = """
import os, sys, time
from pathlib import Path
from mlworkflow.core.progress import _locked
home = Path(sys.argv[1])
with _locked(home / "progress.json.lock"):
    tmp = home / ".progress.json.live.tmp"
    tmp.write_text('{"format": "mlworkflow-progress", "version": 1, "sections": {"live": {"a": 1}}}')
    print("writing", flush=True)
    time.sleep(1.0)
    print("intact" if tmp.exists() else "deleted", flush=True)
    os.replace(tmp, home / "progress.json")
"""


def test_fault6_a_live_writers_temp_file_is_never_deleted(store):
    store.save("exercise", {"a": 1})
    writer = subprocess.Popen([sys.executable, "-c", _LIVE_WRITER, str(store.home)], stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
    box = ApplyToProject("data", store=store, autosave_delay=0)
    box.answer = "saved while another notebook writes"  # must not touch the other writer's file
    out, _ = writer.communicate(timeout=30)
    assert out.strip() == "intact"
    box.save_now()
    assert store.load("live") == {"a": 1} and store.load(section_for("data"))["answer"].startswith("saved while")
    box.close()


# -- fault 8: links -------------------------------------------------------------------------------
def test_fault8_a_linked_store_keeps_its_link_and_its_target_gets_the_answers(store, tmp_path):
    synced = tmp_path / "synced"
    synced.mkdir()
    target = synced / "progress.json"
    ProgressStore(synced).save("quiz/problem", {"answers": {}})
    store.home.mkdir()
    store.path.symlink_to(target)
    ApplyToProject("data", store=store, autosave_delay=0).answer = "through the link"
    assert store.path.is_symlink()
    assert ProgressStore(synced).load(section_for("data")) == {"answer": "through the link"}


def test_fault8_a_linked_lock_file_never_creates_its_target(store, tmp_path):
    store.home.mkdir()
    (store.home / f"{FILE_NAME}.lock").symlink_to(tmp_path / "created-through-the-link")
    with pytest.raises(ProgressError):
        store.save("exercise", {"a": 1})
    assert not (tmp_path / "created-through-the-link").exists()

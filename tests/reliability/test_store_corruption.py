"""The corrupt-file matrix: every unreadable, unknown or wrong-typed store or section is set aside with a
copy named in a message, never silently dropped, and saving works straight after."""

from __future__ import annotations

import json
import os
import warnings

import pytest

from mlworkflow import ApplyToProject, ProblemStatementForm, ProjectBrief, Quiz
from mlworkflow.core.progress import FILE_NAME, ProgressError, ProgressStore, ProgressWarning

GOOD = {"apply/data": {"answer": "kept"}}


def _file(sections=None, **top):
    data = {"format": "mlworkflow-progress", "version": 1, "sections": GOOD if sections is None else sections}
    data.update(top)
    return json.dumps({k: v for k, v in data.items() if v is not ...}).encode()


def _nested(depth: int) -> dict:
    value: dict = {}
    for _ in range(depth):
        value = {"d": value}
    return value


# (file bytes, what happens to it): "damaged" = moved aside whole; "set-aside" = copied, usable parts kept
MATRIX = {
    "empty file": (b"", "damaged"),
    "not json": (b"{not json", "damaged"),
    "not utf-8": (b"\xff\xfe\x00garbage", "damaged"),
    "a json list": (b"[1, 2]", "damaged"),
    "json null": (b"null", "damaged"),
    "no format": (json.dumps({"version": 1, "sections": GOOD}).encode(), "damaged"),
    "sections a list": (_file(sections=[]), "damaged"),
    "truncated": (_file()[:-9], "damaged"),
    "nested past the parser": (b'{"format": "mlworkflow-progress", "version": 1, "sections": {"x": '
                               + b"[" * 100_000 + b"]" * 100_000 + b"}}", "damaged"),
    "version missing": (_file(version=...), "set-aside"),
    "version text": (_file(version="1"), "set-aside"),
    "version fraction": (_file(version=1.5), "set-aside"),
    "version true": (_file(version=True), "set-aside"),
    "version zero": (_file(version=0), "set-aside"),
    "version null": (_file(version=None), "set-aside"),
    "unknown entry": (_file(extra={"x": 1}), "set-aside"),
    "section a list": (_file({**GOOD, "exercise": ["a", "b"]}), "set-aside"),
    "section text": (_file({**GOOD, "quiz/problem": "answers"}), "set-aside"),
    "section a number": (_file({**GOOD, "quiz/learner": 7}), "set-aside"),
    "section null": (_file({**GOOD, "submit": None}), "set-aside"),
    "section without a name": (_file({**GOOD, "": {"a": 1}}), "set-aside"),
    "section nested too deeply": (_file({**GOOD, "exercise": _nested(80)}), "set-aside"),
}


@pytest.fixture
def store(tmp_path):
    return ProgressStore(home=tmp_path / "home")


@pytest.mark.parametrize("case", MATRIX, ids=list(MATRIX))
def test_every_odd_file_is_set_aside_with_a_named_copy_and_saving_works(store, case):
    raw, kind = MATRIX[case]
    store.home.mkdir()
    store.path.write_bytes(raw)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        store.load("exercise")
        store.save("exercise", {"problem": "new"})
        store.save("exercise", {"problem": "newer"})
    copies = [p for p in store.home.iterdir() if f".{kind}-" in p.name]
    assert len(copies) == 1, sorted(p.name for p in store.home.iterdir())
    assert copies[0].read_bytes() == raw  # the copy is exactly what was there
    messages = [str(w.message) for w in caught if issubclass(w.category, ProgressWarning)]
    assert len(messages) == 1 and str(copies[0]) in messages[0]
    assert store.load("exercise") == {"problem": "newer"}
    if kind == "set-aside":
        assert store.load("apply/data") == {"answer": "kept"}  # the usable parts stay
    on_disk = json.loads(store.path.read_text(encoding="utf-8"))
    assert on_disk["version"] == 1 and set(on_disk) == {"format", "version", "sections"}


def test_a_folder_where_the_file_should_be_is_moved_aside(store):
    store.path.mkdir(parents=True)
    (store.path / "inside").write_text("x")
    with pytest.warns(ProgressWarning, match="moved to"):
        store.save("exercise", {"problem": "new"})
    assert store.load("exercise") == {"problem": "new"}
    assert next(p for p in store.home.iterdir() if ".damaged-" in p.name).joinpath("inside").exists()


def test_a_newer_file_is_never_changed(store):
    store.home.mkdir()
    raw = _file(version=99)
    store.path.write_bytes(raw)
    for call in (lambda: store.load("exercise"), lambda: store.save("exercise", {"a": 1})):
        with pytest.raises(ProgressError, match="newer version"):
            call()
    assert store.path.read_bytes() == raw and sorted(p.name for p in store.home.iterdir()) == [
        FILE_NAME, f"{FILE_NAME}.lock"]


@pytest.mark.parametrize("case", ["not json", "version missing", "section a list", "nested past the parser"])
def test_every_widget_opens_on_an_odd_file_and_says_what_happened(store, case, monkeypatch):
    monkeypatch.setenv("MLWORKFLOW_GRAPHVIZ", "none")
    store.home.mkdir()
    store.path.write_bytes(MATRIX[case][0])
    box = ApplyToProject("data", store=store, autosave_delay=0)
    assert "moved to" in box.status or "copy of the whole file" in box.status
    shown = [box.status, Quiz("evaluation", store=store).report(), ProjectBrief(store=store).status,
             ProblemStatementForm(store=store).status]
    assert not any("Something went wrong" in s for s in shown)
    box.answer = "saved after the repair"
    assert box.status == "Saved." and store.load("apply/data") == {"answer": "saved after the repair"}
    box.close()


# -- wrong-typed fields inside a section the widgets own -----------------------------------------
@pytest.mark.parametrize("saved", [{"answer": ["a", "list"]}, {"answer": 42}, {"answer": "ok", "extra": 1}])
def test_a_wrong_typed_apply_answer_is_set_aside(store, saved):
    store.save("apply/data", saved)
    box = ApplyToProject("data", store=store, autosave_delay=0)
    (copy,) = [p for p in store.home.iterdir() if ".set-aside-" in p.name]
    assert str(copy) in box.status and json.loads(copy.read_text())["sections"]["apply/data"] == saved
    assert store.load("apply/data") == {"answer": box.answer}
    box.close()


@pytest.mark.parametrize("saved", [
    {"answers": ["a", "b"]},
    {"answers": {"accuracy-paradox": "a"}},
    {"answers": {"accuracy-paradox": [1]}},
    {"answers": {}, "checked": "yes"},
    {"answers": {}, "mystery": True},
])
def test_a_wrong_typed_quiz_section_is_set_aside_and_the_quiz_opens(store, saved):
    store.save("quiz/evaluation", saved)
    quiz = Quiz("evaluation", store=store)
    status = quiz._status.outputs[0]["data"]["text/plain"]
    (copy,) = [p for p in store.home.iterdir() if ".set-aside-" in p.name]
    assert str(copy) in status and "Something went wrong" not in status
    assert json.loads(copy.read_text())["sections"]["quiz/evaluation"] == saved
    again = Quiz("evaluation", store=store)  # the section was rewritten: no second copy
    assert len([p for p in store.home.iterdir() if ".set-aside-" in p.name]) == 1
    assert again.answers == quiz.answers


@pytest.mark.parametrize("saved", [
    {"version": 1, "fields": ["problem text"]},
    {"version": 1, "fields": {"problem": 3, "outcome": "kept"}},
    {"version": 1, "fields": {"gone_field": "x", "outcome": "kept"}},
    {"version": 1, "fields": {"outcome": "kept"}, "hints_shown": "two"},
    {"version": 7, "fields": {"outcome": "kept"}},
])
def test_a_wrong_typed_exercise_section_is_set_aside(store, saved):
    store.save("exercise", saved)
    form = ProblemStatementForm(store=store, autosave_delay=0)
    (copy,) = [p for p in store.home.iterdir() if ".set-aside-" in p.name]
    assert str(copy) in form.status and json.loads(copy.read_text())["sections"]["exercise"] == saved
    if isinstance(saved["fields"], dict) and "outcome" in saved["fields"]:
        assert form.outcome == "kept"
    assert store.load("exercise")["fields"] == form.values
    form.close()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_where_the_file_should_be_never_blocks(store):
    store.home.mkdir()
    os.mkfifo(store.path)
    with pytest.warns(ProgressWarning, match="special file"):
        assert store.load("exercise") == {}  # returns at once, the pipe moved aside
    store.save("exercise", {"problem": "new"})
    assert store.load("exercise") == {"problem": "new"}

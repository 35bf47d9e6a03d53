"""The three kinds of task and the 'which kind is it?' exercise, from content/task_types.json."""

from __future__ import annotations

import pytest

from mlworkflow.core.content import ContentError
from mlworkflow.stages.training import task_types
from mlworkflow.stages.training.task_types import TaskType, TaskTypes, load_task_types


def test_task_types_content_loads_and_every_answer_is_a_type():
    tt = load_task_types()
    assert [t.key for t in tt.types] == ["classification", "regression", "clustering"]
    assert len(tt.exercise) >= 4 and {a for _, a, _ in tt.exercise} == {"classification", "regression", "clustering"}
    assert "Classification" in repr(tt) and "<table" in tt._repr_html_()
    assert tt.name("regression") == "Regression"


def test_task_types_html_is_escaped():
    t = TaskType("classification", "<b>C</b>", "q?", "o", ("x<y",), "m")
    html = TaskTypes("T", (t,), (("<script>alert(1)</script>", "classification", "w&x"),))._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;C&lt;/b&gt;" in html and "w&amp;x" in html


def test_broken_content_names_file_and_field(monkeypatch):
    bad = {"title": "T", "task_types": [{"key": "classification", "name": "C", "question": "q", "output": "o",
                                        "examples": ["e"], "measured_by": "m"}] * 3,
           "exercise": [{"request": "r", "answer": "guessing", "why": "w"}]}
    monkeypatch.setattr(task_types, "read_content", lambda name: (bad, name))
    load_task_types.cache_clear()
    try:
        with pytest.raises(ContentError, match=r"task_types.json: exercise\[0\].answer: expected one of"):
            load_task_types()
    finally:
        load_task_types.cache_clear()

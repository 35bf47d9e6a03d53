"""Classification, regression or clustering? The three kinds of task, with business examples (notebook 03).

    >>> load_task_types()          # in a notebook: a table, and a "which kind is it?" exercise

Course text comes from ``content/task_types.json``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import lru_cache

from mlworkflow.core.content import Fields, read_content
from mlworkflow.display.charts import NO_MATH

__all__ = ["TaskType", "TaskTypes", "load_task_types"]


@dataclass(frozen=True)
class TaskType:
    key: str
    name: str
    question: str
    output: str
    examples: tuple[str, ...]
    measured_by: str


@dataclass(frozen=True)
class TaskTypes:
    """The three kinds of task and a 'which kind is it?' exercise, from ``content/task_types.json``."""

    title: str
    types: tuple[TaskType, ...]
    exercise: tuple[tuple[str, str, str], ...]  # (request, answer key, why)

    def name(self, key: str) -> str:
        return next(t.name for t in self.types if t.key == key)

    def _repr_html_(self) -> str:
        e = html.escape
        head = "".join(f"<th style='text-align:left'>{e(h)}</th>"
                       for h in ("Task", "Question it answers", "What comes out", "Business examples", "Judged by"))
        cell = "<td style='text-align:left;vertical-align:top'>"  # JupyterLab right-aligns table cells
        rows = "".join(
            f"<tr>{cell}<b>{e(t.name)}</b></td>{cell}{e(t.question)}</td>{cell}{e(t.output)}</td>"
            f"{cell}{'<br>'.join(e(x) for x in t.examples)}</td>{cell}{e(t.measured_by)}</td></tr>"
            for t in self.types
        )
        quiz = "".join(
            f"<li>{e(request)}<details><summary>Answer</summary><b>{e(self.name(answer))}</b>: {e(why)}</details></li>"
            for request, answer, why in self.exercise
        )
        return (
            f'<div class="mlw-task-types {NO_MATH}"><table class="mlw-task-table"><tr>{head}</tr>{rows}</table>'
            f"<h4>Which kind is it? Decide, then open the answer.</h4><ol>{quiz}</ol></div>"
        )

    def __repr__(self) -> str:
        lines = [self.title]
        for t in self.types:
            lines += ["", f"{t.name}: {t.question}", f"  Output: {t.output}"]
            lines += [f"  - {x}" for x in t.examples]
        lines += ["", "Which kind is it?"]
        lines += [f"  {i}. {r}\n     Answer: {self.name(a)}. {w}" for i, (r, a, w) in enumerate(self.exercise, 1)]
        return "\n".join(lines)


@lru_cache(maxsize=1)
def load_task_types() -> TaskTypes:
    """Classification, regression and clustering, with examples; displays as a table."""
    data, label = read_content("task_types.json")
    top = Fields(data, label)
    types = tuple(
        TaskType(f.text("key"), f.text("name"), f.text("question"), f.text("output"), f.texts("examples"),
                 f.text("measured_by"))
        for f in top.objects("task_types", min_items=3)
    )
    keys = {t.key for t in types}
    exercise = []
    for f in top.objects("exercise"):
        if f.text("answer") not in keys:
            raise f.fail("answer", f"expected one of {', '.join(sorted(keys))}")
        exercise.append((f.text("request"), f.text("answer"), f.text("why")))
    return TaskTypes(top.text("title"), types, tuple(exercise))

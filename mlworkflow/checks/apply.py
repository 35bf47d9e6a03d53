"""'Apply it to your project': the question each stage notebook ends with, about the learner's own project.

The prompts live in ``content/apply.json``; the answer is saved in the progress store under
:func:`section_for` (the :class:`~mlworkflow.checks.widgets.ApplyToProject` widget does that),
and the project brief gathers the answers later.

    >>> load_prompts()["data"].prompt
    'For your own project: which systems hold the data, ...'
    >>> section_for("data")
    'apply/data'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from mlworkflow.core.content import Fields, read_content
from mlworkflow.core.course import load_course
from mlworkflow.core.text import kind_of

__all__ = ["MAX_CHARS", "ApplyPrompt", "load_prompts", "saved_answer", "section_for"]

MAX_CHARS = 20_000  # longer answers are kept whole but the learner is told to trim


@dataclass(frozen=True)
class ApplyPrompt:
    """One stage's question, the points to cover, and an example answer for a made-up company."""

    stage: str
    brief_heading: str
    prompt: str
    guide: tuple[str, ...]
    example: str


@lru_cache(maxsize=4)
def _load(path: str | None) -> dict[str, ApplyPrompt]:
    data, label = read_content("apply.json", path)
    keys = load_course().keys
    top = Fields(data, label)
    prompts = {}
    for f in top.objects("prompts"):
        stage = f.text("stage")
        if stage not in keys:
            raise f.fail("stage", f"unknown stage {stage!r}; expected one of {', '.join(keys)}")
        prompts[stage] = ApplyPrompt(stage, f.text("brief_heading"), f.text("prompt"), f.texts("guide"),
                                     f.text("example"))
    missing = [k for k in keys if k not in prompts]
    if missing:
        raise top.fail("prompts", f"no prompt for stage(s): {', '.join(missing)}")
    return prompts


def load_prompts(path: str | Path | None = None) -> dict[str, ApplyPrompt]:
    """The 'apply it to your project' prompt of every stage, by stage key (from ``path`` if given).

    Raises :class:`~mlworkflow.core.content.ContentError` naming the file and field if malformed.
    """
    return dict(_load(None if path is None else str(path)))


def section_for(stage: str) -> str:
    """The progress-store section holding a stage's answer."""
    return f"apply/{stage}"


def saved_answer(saved: Mapping[str, Any]) -> tuple[str, list[str]]:
    """The answer in a saved ``apply/<stage>`` section, and what in it could not be used (plain phrases).

        >>> saved_answer({"answer": "Billing DB"}), saved_answer({"answer": ["x"]})
        (('Billing DB', []), ('', ['the answer was a list, not text']))
    """
    answer = saved.get("answer", "")
    problems = [] if isinstance(answer, str) else [f"the answer was {kind_of(answer)}, not text"]
    unknown = sorted(set(saved) - {"answer"})
    if unknown:
        problems.append(f"entries the course does not know ({', '.join(map(repr, unknown))})")
    return (answer if isinstance(answer, str) else ""), problems

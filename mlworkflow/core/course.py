"""The course as typed objects: six stages and the feedback loops between them.

    >>> course = load_course()
    >>> course.stages[0].title
    'Problem Definition'
    >>> course.stage("evaluation").index
    3
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from mlworkflow.core.content import ContentError, Fields, read_content

__all__ = ["ContentError", "Course", "Loop", "NotebookEntry", "Stage", "load_course", "load_notebooks"]

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


@dataclass(frozen=True)
class Stage:
    """One stage of an ML project, with the text the course shows for it."""

    index: int
    key: str
    title: str
    short: str
    summary: str
    key_steps: tuple[str, ...]
    why_it_matters: str
    questions_to_ask: tuple[str, ...]
    red_flags: tuple[str, ...]
    handover: tuple[str, ...]

    @property
    def number(self) -> int:
        """1-based position, as learners count."""
        return self.index + 1


@dataclass(frozen=True)
class Loop:
    """A feedback loop: a later stage sending the team back to an earlier one."""

    source: str
    target: str
    label: str
    why: str


@dataclass(frozen=True)
class Course:
    """The whole course: its stages in order and the loops between them."""

    title: str
    tagline: str
    stages: tuple[Stage, ...]
    loops: tuple[Loop, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.stages)

    def stage(self, key_or_index: str | int) -> Stage:
        """The stage with this key (``"data"``) or 0-based index; ``KeyError`` if there is none."""
        if isinstance(key_or_index, int) and not isinstance(key_or_index, bool):
            if 0 <= key_or_index < len(self.stages):
                return self.stages[key_or_index]
            raise KeyError(f"there is no stage number {key_or_index + 1}; the course has {len(self.stages)}")
        for s in self.stages:
            if s.key == key_or_index:
                return s
        raise KeyError(f"no stage called {key_or_index!r}; the stages are: {', '.join(self.keys)}")


@dataclass(frozen=True)
class NotebookEntry:
    """One notebook of the course, as listed in ``notebooks.json`` (the course map's source)."""

    file: str
    title: str
    stage: str | None
    minutes: int
    what: str


def _parse(data: object, label: str) -> Course:
    top = Fields(data, label)
    version = top.number("version")
    if version != 1:
        raise top.fail("version", f"unsupported version {version!r} (this mlworkflow reads version 1)")
    stages = []
    for i, f in enumerate(top.objects("stages")):
        key = f.text("key")
        if not _KEY.match(key):
            raise f.fail("key", f"{key!r} must be a short lowercase identifier like 'data'")
        stages.append(
            Stage(
                index=i,
                key=key,
                title=f.text("title"),
                short=f.text("short"),
                summary=f.text("summary"),
                key_steps=f.texts("key_steps"),
                why_it_matters=f.text("why_it_matters"),
                questions_to_ask=f.texts("questions_to_ask"),
                red_flags=f.texts("red_flags"),
                handover=f.texts("handover"),
            )
        )
    keys = [s.key for s in stages]
    for i, key in enumerate(keys):
        if key in keys[:i]:
            raise ContentError(label, f"stages[{i}].key", f"duplicate key {key!r}")
    loops = []
    for f in top.objects("loops", min_items=0) if "loops" in top.data else []:
        loop = Loop(source=f.text("from"), target=f.text("to"), label=f.text("label"), why=f.text("why"))
        for name, value in (("from", loop.source), ("to", loop.target)):
            if value not in keys:
                raise f.fail(name, f"unknown stage {value!r}; expected one of {', '.join(keys)}")
        if keys.index(loop.target) >= keys.index(loop.source):
            raise f.fail("to", "a loop must point back to an earlier stage")
        loops.append(loop)
    return Course(title=top.text("title"), tagline=top.text("tagline"), stages=tuple(stages), loops=tuple(loops))


@lru_cache(maxsize=1)
def _shipped() -> Course:
    return _parse(*read_content("stages.json"))


def load_course(path: str | Path | None = None) -> Course:
    """Load the course content (the shipped ``stages.json``, or another file for testing a draft).

    Raises :class:`ContentError` naming the file and the field when the content is malformed.
    """
    if path is None:
        return _shipped()
    return _parse(*read_content("stages.json", path))


@lru_cache(maxsize=1)
def load_notebooks() -> tuple[NotebookEntry, ...]:
    """The course's notebooks in order, with title, stage key, minutes and what the learner does."""
    data, label = read_content("notebooks.json")
    top = Fields(data, label)
    keys = set(load_course().keys)
    entries = []
    for f in top.objects("notebooks"):
        stage = f.data.get("stage")
        if stage is not None and stage not in keys:
            raise f.fail("stage", f"unknown stage {stage!r}")
        file = f.text("file")
        if not file.endswith(".ipynb"):
            raise f.fail("file", "expected a notebook file name ending in .ipynb")
        entries.append(
            NotebookEntry(
                file=file, title=f.text("title"), stage=stage, minutes=int(f.number("minutes")), what=f.text("what")
            )
        )
    return tuple(entries)

"""Read the course's content files (JSON under ``mlworkflow/content/``) with errors that name file and field.

Every loader of course text (stages, rubric, quizzes, ...) goes through here, so a typo in a
content file is reported the same way everywhere: ``stages.json: stages[2].title: expected
non-empty text``.
"""

from __future__ import annotations

import functools
import json
import re
import string
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["ContentError", "Fields", "read_content", "stylesheet"]


class ContentError(ValueError):
    """A course content file is malformed; the message names the file and the field."""

    def __init__(self, file: str, field: str, problem: str):
        self.file, self.field, self.problem = file, field, problem
        super().__init__(f"{file}: {field}: {problem}" if field else f"{file}: {problem}")


def read_content(name: str, path: str | Path | None = None) -> tuple[Any, str]:
    """Return ``(data, label)`` for the shipped content file ``name``, or for ``path`` if given."""
    if path is not None:
        label = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ContentError(label, "", f"cannot read file ({exc.strerror or exc})") from exc
    else:
        label = name
        text = resources.files("mlworkflow.content").joinpath(name).read_text(encoding="utf-8")
    try:
        return json.loads(text), label
    except json.JSONDecodeError as exc:
        raise ContentError(label, f"line {exc.lineno}", f"not valid JSON ({exc.msg})") from exc


_SECTION = re.compile(r"/\* @section ([a-z-]+) \*/\n(.*?)(?=/\* @section |\Z)", re.S)


@functools.cache
def _stylesheet_sections() -> dict[str, str]:
    text = resources.files("mlworkflow.content").joinpath("styles.css").read_text(encoding="utf-8")
    return {m.group(1): m.group(2).strip() for m in _SECTION.finditer(text)}


def stylesheet(section: str, *, tag: bool = False) -> str:
    """One section of ``content/styles.css`` (``/* @section name */``), optionally inside ``<style>``."""
    try:
        css = _stylesheet_sections()[section]
    except KeyError:
        raise ContentError("styles.css", section, "no such section") from None
    return f"<style>\n{css}\n</style>" if tag else css


class Fields:
    """Typed access to one JSON object, raising :class:`ContentError` with a dotted field path."""

    def __init__(self, data: Any, file: str, where: str = ""):
        if not isinstance(data, dict):
            raise ContentError(file, where or "(top level)", "expected an object")
        self.data, self.file, self.where = data, file, where

    def _path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def _fail(self, key: str, problem: str) -> ContentError:
        return ContentError(self.file, self._path(key), problem)

    def text(self, key: str, default: str | None = None) -> str:
        value = self.data.get(key, default)
        if value is None:
            raise self._fail(key, "missing")
        if not isinstance(value, str) or (not value.strip() and default is None):
            raise self._fail(key, "expected non-empty text")
        return value.strip()

    def texts(self, key: str, *, min_items: int = 1) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            raise self._fail(key, "missing")
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self._fail(key, "expected a list of non-empty texts")
        if len(value) < min_items:
            raise self._fail(key, f"expected at least {min_items} item(s)")
        return tuple(v.strip() for v in value)

    def number(self, key: str, default: float | None = None) -> float:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self._fail(key, "expected a number")
        return value

    def flag(self, key: str, default: bool | None = None) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self._fail(key, "expected true or false")
        return value

    def objects(self, key: str, *, min_items: int = 1) -> list[Fields]:
        value = self.data.get(key)
        if value is None:
            raise self._fail(key, "missing")
        if not isinstance(value, list):
            raise self._fail(key, "expected a list")
        if len(value) < min_items:
            raise self._fail(key, f"expected at least {min_items} item(s)")
        return [Fields(item, self.file, f"{self._path(key)}[{i}]") for i, item in enumerate(value)]

    def object(self, key: str) -> Fields:
        if key not in self.data:
            raise self._fail(key, "missing")
        return Fields(self.data[key], self.file, self._path(key))

    def template(self, key: str, names: Iterable[str], *, exact: bool = True) -> str:
        """Text with ``{name}`` placeholders the code fills in, checked now so ``str.format`` cannot fail later.

        ``exact``: the text must use every name (else it may use any subset). Unbalanced braces or
        an unknown name raise :class:`ContentError` naming the file and field.
        """
        text, allowed = self.text(key), set(names)
        try:
            used = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        except ValueError as exc:
            raise self._fail(key, f"unbalanced braces ({exc})") from None
        wanted = ", ".join("{" + n + "}" for n in sorted(allowed)) or "no {placeholders}"
        if (used != allowed) if exact else bool(used - allowed):
            found = ", ".join("{" + n + "}" for n in sorted(used)) or "none"
            raise self._fail(key, f"expected {wanted if exact else 'only ' + wanted}, found {found}")
        return text

    def fail(self, key: str, problem: str) -> ContentError:
        """An error about ``key`` in this object, for checks the accessors above don't cover."""
        return self._fail(key, problem)

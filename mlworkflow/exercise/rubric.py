"""Load and validate the exercise's content files (``rubric.json``, ``exercise.json``).

The files are read once through :mod:`mlworkflow.core.content`, so a typo is reported as
``rubric.json: criteria[2].groups[0].cues: expected a list of non-empty texts``. Cue words are
compiled here into one regular expression per group: ``"predict*"`` matches any word starting
with "predict", spaces match any whitespace, and ``patterns`` are taken as regular expressions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from mlworkflow.core.content import Fields, read_content

__all__ = [
    "FIELD_KEYS",
    "OPTIONAL_FIELDS",
    "REQUIRED_FIELDS",
    "CriterionSpec",
    "ExamplePair",
    "Exercise",
    "FieldSpec",
    "Group",
    "Rubric",
    "load_exercise",
    "load_rubric",
]

REQUIRED_FIELDS = ("problem", "outcome", "data_sources")
OPTIONAL_FIELDS = ("baseline", "prediction", "labels", "constraints")
FIELD_KEYS = REQUIRED_FIELDS + OPTIONAL_FIELDS
_STATUSES = ("met", "partial", "missing")
_EFFECTS = ("cap_partial", "partial_if_missing", "advice_only")


@dataclass(frozen=True)
class Group:
    """A named set of cues; ``regex`` finds any of them."""

    name: str
    regex: re.Pattern[str]


@dataclass(frozen=True)
class CriterionSpec:
    key: str
    title: str
    reads: tuple[str, ...]
    groups: tuple[Group, ...]
    met_groups: int
    partial_groups: int
    met_distinct: int  # >0: count distinct matches of the single group instead of groups
    partial_distinct: int
    require_for_met: tuple[str, ...]
    advice: dict[str, str]
    caution: Group | None
    caution_effect: str
    caution_advice: str


@dataclass(frozen=True)
class Rubric:
    criteria: tuple[CriterionSpec, ...]
    points: dict[str, int]
    max_chars: int
    evidence_chars: int
    levels: tuple[tuple[float, str, str], ...]
    checks: Fields
    common_words: frozenset[str]
    messages: dict[str, str]
    human_judgement: tuple[str, ...]
    scope_note: str


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    required: bool
    placeholder: str
    help: str


@dataclass(frozen=True)
class ExamplePair:
    aspect: str
    weak: str
    strong: str
    why: str


@dataclass(frozen=True)
class Exercise:
    title: str
    difficulty: str
    minutes: int
    instructions: str
    expected_outcome: str
    success_criteria: tuple[str, ...]
    hints: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    worked_example: dict[str, str]
    example_industry: str
    example_note: str
    pairs: tuple[ExamplePair, ...]

    def field(self, key: str) -> FieldSpec:
        return next(f for f in self.fields if f.key == key)


def _trie_regex(cues: tuple[str, ...]) -> str:
    """One regex for many cues, sharing common prefixes (much faster than a flat alternation).

    ``*`` matches the rest of a word, a space matches any whitespace; where one cue is a prefix
    of another the longer is tried first.
    """
    trie: dict[str, dict] = {}
    for cue in cues:
        node = trie
        for ch in " ".join(cue.lower().split()):
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        ends = "" in node
        branches = [
            (r"\w*" if ch == "*" else r"\s+" if ch == " " else re.escape(ch)) + emit(child)
            for ch, child in node.items() if ch
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            body = (f"(?:{body})?" if len(branches) == 1 else body + "?")
        return body

    return emit(trie)


def _group(f: Fields) -> Group:
    name = f.text("name")
    cues = f.texts("cues", min_items=0) if "cues" in f.data else ()
    patterns = f.texts("patterns", min_items=0) if "patterns" in f.data else ()
    if not cues and not patterns:
        raise f.fail("cues", "a group needs cues or patterns")
    for i, pattern in enumerate(patterns):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise f.fail(f"patterns[{i}]", f"not a valid regular expression ({exc})") from exc
    parts = [rf"(?<!\w){_trie_regex(cues)}(?!\w)"] if cues else []
    body = "|".join(parts + [f"(?:{p})" for p in patterns])
    return Group(name, re.compile(body, re.IGNORECASE))


def _criterion(f: Fields) -> CriterionSpec:
    reads = f.texts("reads")
    for field in reads:
        if field not in FIELD_KEYS:
            raise f.fail("reads", f"unknown field {field!r} (known: {', '.join(FIELD_KEYS)})")
    groups = tuple(_group(g) for g in f.objects("groups"))
    advice_f = f.object("advice")
    advice = {"partial": advice_f.text("partial"), "missing": advice_f.text("missing")}
    met_distinct = int(f.number("met_distinct", 0))
    met_groups = int(f.number("met_groups", len(groups)))
    if not met_distinct and not 1 <= met_groups <= len(groups):
        raise f.fail("met_groups", f"expected a number from 1 to {len(groups)}")
    require = f.texts("require_for_met", min_items=0) if "require_for_met" in f.data else ()
    names = {g.name for g in groups}
    for name in require:
        if name not in names:
            raise f.fail("require_for_met", f"no group named {name!r}")
    caution, effect, caution_advice = None, "advice_only", ""
    if "caution" in f.data:
        c = f.object("caution")
        caution = _group(c)
        effect = c.text("effect")
        if effect not in _EFFECTS:
            raise c.fail("effect", f"expected one of {', '.join(_EFFECTS)}")
        caution_advice = c.text("advice")
    return CriterionSpec(
        key=f.text("key"), title=f.text("title"), reads=reads, groups=groups,
        met_groups=met_groups, partial_groups=int(f.number("partial_groups", 1)),
        met_distinct=met_distinct, partial_distinct=int(f.number("partial_distinct", 1)),
        require_for_met=require, advice=advice, caution=caution,
        caution_effect=effect, caution_advice=caution_advice,
    )


def _parse_rubric(data: object, label: str) -> Rubric:
    f = Fields(data, label)
    criteria = tuple(_criterion(c) for c in f.objects("criteria"))
    keys = [c.key for c in criteria]
    if len(set(keys)) != len(keys):
        raise f.fail("criteria", "criterion keys must be unique")
    pts = f.object("points")
    points = {s: int(pts.number(s)) for s in _STATUSES}
    levels = tuple(
        (lv.number("min_share"), lv.text("title"), lv.text("message")) for lv in f.objects("levels")
    )
    if min(share for share, _, _ in levels) != 0:
        raise f.fail("levels", "one level needs min_share 0")
    checks = f.object("checks")
    msgs = f.object("messages")
    messages = {k: msgs.text(k) for k in
                ("all_empty", "field_empty", "field_short", "truncated", "copied", "not_prose", "no_letters")}
    return Rubric(
        criteria=criteria, points=points,
        max_chars=int(f.number("max_chars_checked")), evidence_chars=int(f.number("evidence_chars")),
        levels=tuple(sorted(levels, reverse=True)), checks=checks,
        common_words=frozenset(w.lower() for w in checks.texts("common_words")),
        messages=messages, human_judgement=f.texts("human_judgement"), scope_note=f.text("scope_note"),
    )


def _parse_exercise(data: object, label: str) -> Exercise:
    f = Fields(data, label)
    fields = tuple(
        FieldSpec(x.text("key"), x.text("label"), x.flag("required"), x.text("placeholder"), x.text("help"))
        for x in f.objects("fields")
    )
    if tuple(x.key for x in fields) != FIELD_KEYS:
        raise f.fail("fields", f"expected the fields {', '.join(FIELD_KEYS)} in this order")
    ex = f.object("worked_example")
    example = {key: ex.text(key) for key in FIELD_KEYS}
    pairs = tuple(
        ExamplePair(p.text("aspect"), p.text("weak"), p.text("strong"), p.text("why"))
        for p in f.objects("pairs")
    )
    return Exercise(
        title=f.text("title"), difficulty=f.text("difficulty"), minutes=int(f.number("minutes")),
        instructions=f.text("instructions"), expected_outcome=f.text("expected_outcome"),
        success_criteria=f.texts("success_criteria"), hints=f.texts("hints"), fields=fields,
        worked_example=example, example_industry=ex.text("industry"), example_note=ex.text("note"),
        pairs=pairs,
    )


@lru_cache(maxsize=4)
def _load_rubric(path: str | None) -> Rubric:
    return _parse_rubric(*read_content("rubric.json", path))


@lru_cache(maxsize=4)
def _load_exercise(path: str | None) -> Exercise:
    return _parse_exercise(*read_content("exercise.json", path))


def load_rubric(path: str | Path | None = None) -> Rubric:
    """The shipped rubric (or the one at ``path``), validated; raises ``ContentError``."""
    return _load_rubric(None if path is None else str(path))


def load_exercise(path: str | Path | None = None) -> Exercise:
    """The shipped exercise text (or the one at ``path``), validated; raises ``ContentError``."""
    return _load_exercise(None if path is None else str(path))


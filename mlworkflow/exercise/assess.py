"""Explainable, offline feedback on an ML problem statement.

``assess`` is a pure function: the same words always give the same result, with no I/O beyond
reading the shipped rubric once. Each criterion says whether it is met, quotes the learner's
words that satisfied it, and says concretely what to add.

    >>> from mlworkflow.exercise.assess import assess
    >>> result = assess("We want to use AI.", "Better results.", "Our data.")
    >>> result.score < result.max_score / 2
    True
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from mlworkflow.exercise.render import ExampleTable, render_html, render_markdown, render_text
from mlworkflow.exercise.rubric import (
    FIELD_KEYS,
    OPTIONAL_FIELDS,
    REQUIRED_FIELDS,
    CriterionSpec,
    Rubric,
    load_exercise,
    load_rubric,
)

__all__ = [
    "FIELD_KEYS",
    "OPTIONAL_FIELDS",
    "REQUIRED_FIELDS",
    "Assessment",
    "Criterion",
    "ExampleTable",
    "Status",
    "assess",
    "examples",
    "load_exercise",
    "load_rubric",
    "render_html",
    "render_markdown",
    "render_text",
]

Status = Literal["met", "partial", "missing"]

_WORD = re.compile(r"\w+")
_LETTER = re.compile(r"[^\W\d_]")
_BOUNDARY = re.compile(r"[.!?;](?=\s|$)|\n")


@dataclass(frozen=True)
class Criterion:
    """One rubric point: its status, the learner's words that count for it, and advice."""

    key: str
    title: str
    status: Status
    evidence: tuple[str, ...]  # the learner's own sentences that satisfied the criterion
    advice: str  # empty when met
    points: int
    flagged: tuple[str, ...] = ()  # learner's words that triggered a caution ("use AI", "accuracy")


@dataclass(frozen=True)
class Assessment:
    """The result of :func:`assess`; render it with :func:`render_html` or :func:`render_markdown`."""

    criteria: tuple[Criterion, ...]
    score: int
    max_score: int
    summary: str
    level: str
    notices: tuple[str, ...]  # about the input itself: empty boxes, copied text, truncation
    checked_automatically: tuple[str, ...]
    human_judgement: tuple[str, ...]
    scope_note: str
    statement: dict[str, str] = field(default_factory=dict)  # the inputs, in full

    def criterion(self, key: str) -> Criterion:
        """The criterion with ``key``."""
        return next(c for c in self.criteria if c.key == key)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the statement and its feedback."""
        return {
            "statement": dict(self.statement),
            "score": self.score, "max_score": self.max_score, "level": self.level,
            "summary": self.summary, "notices": list(self.notices),
            "criteria": [
                {"key": c.key, "title": c.title, "status": c.status, "evidence": list(c.evidence),
                 "advice": c.advice, "flagged": list(c.flagged)}
                for c in self.criteria
            ],
            "checked_automatically": list(self.checked_automatically),
            "human_judgement": list(self.human_judgement),
        }


def examples() -> ExampleTable:
    """Weak and strong versions of each part of a problem statement, with why (from exercise.json)."""
    return ExampleTable(load_exercise().pairs)


def _as_text(value: object) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


@lru_cache(maxsize=1)
def _template_shingles() -> frozenset[tuple[str, ...]]:
    """Three-word sequences from the exercise's own texts, to spot copied answers."""
    ex = load_exercise()
    texts = [ex.instructions, ex.expected_outcome, ex.example_note, *ex.success_criteria, *ex.hints]
    texts += [t for f in ex.fields for t in (f.label, f.placeholder, f.help)]
    texts += list(ex.worked_example.values())
    # weak examples are left out: a learner who writes "use AI" on their own is weak, not a copier
    texts += [t for p in ex.pairs for t in (p.strong, p.why)]
    return frozenset(s for t in texts for s in _shingles(_WORD.findall(t.lower())))


def _shingles(tokens: list[str]) -> set[tuple[str, ...]]:
    return {tuple(tokens[i:i + 3]) for i in range(len(tokens) - 2)}


def _set_aside(key: str, tokens: list[str], rubric: Rubric) -> str | None:
    """The message key if this box should not count (copied, keyword list), else None."""
    checks = rubric.checks
    if len(tokens) >= checks.number("copy_min_words"):
        mine = _shingles(tokens)
        if mine and len(mine & _template_shingles()) / len(mine) >= checks.number("copy_share"):
            return "copied"
    if key in checks.texts("prose_fields") and len(tokens) >= checks.number("prose_min_words"):
        common = sum(t in rubric.common_words for t in tokens) / len(tokens)
        unique = len(set(tokens)) / len(tokens)
        if common < checks.number("prose_min_common_share") or unique < checks.number("prose_min_unique_share"):
            return "not_prose"
    return None


def _sentence(text: str, start: int, end: int, limit: int) -> str:
    """The learner's sentence around ``text[start:end]``, whitespace tidied, at most ``limit`` chars."""
    left = 0
    for m in _BOUNDARY.finditer(text, 0, start):
        left = m.end()
    after = _BOUNDARY.search(text, end)
    right = after.end() if after else len(text)
    if right - left > limit:  # a very long sentence: a window around the match
        half = max(limit - (end - start), 0) // 2
        lo, hi = max(left, start - half), min(right, end + half)
        snippet = ("…" if lo > left else "") + " ".join(text[lo:hi].split()) + ("…" if hi < right else "")
        return snippet
    return " ".join(text[left:right].split())


def _judge(spec: CriterionSpec, texts: list[str], rubric: Rubric) -> Criterion:
    evidence: list[str] = []
    found: set[str] = set()
    distinct: set[str] = set()
    for group in spec.groups:
        for text in texts:
            m = group.regex.search(text)
            if m:
                found.add(group.name)
                quote = _sentence(text, m.start(), m.end(), rubric.evidence_chars)
                if quote and quote not in evidence:
                    evidence.append(quote)
                if spec.met_distinct:
                    distinct.update(" ".join(x.group(0).lower().split()) for x in group.regex.finditer(text))
                break
    if spec.met_distinct:
        n = len(distinct)
        status: Status = "met" if n >= spec.met_distinct else "partial" if n >= spec.partial_distinct else "missing"
    else:
        n = len(found)
        met = n >= spec.met_groups and all(name in found for name in spec.require_for_met)
        status = "met" if met else "partial" if n >= spec.partial_groups else "missing"
    advice = "" if status == "met" else spec.advice[status]
    flagged: tuple[str, ...] = ()
    if spec.caution is not None:
        hits = [m.group(0) for t in texts for m in spec.caution.regex.finditer(t)]
        flagged = tuple(dict.fromkeys(" ".join(h.split()) for h in hits))[:3]
        if flagged:
            capped = spec.caution_effect == "cap_partial" and status == "met"
            raised = spec.caution_effect == "partial_if_missing" and status == "missing"
            if capped or raised:
                status = "partial"
            if status != "met":
                advice = spec.caution_advice
    return Criterion(spec.key, spec.title, status, tuple(evidence[:3]), advice,
                     rubric.points[status], flagged)


def assess(problem: str, outcome: str, data_sources: str, **optional: str) -> Assessment:
    """Check a problem statement against the rubric; never raises on any text.

    ``optional`` takes the rubric's extra boxes: ``baseline``, ``prediction``, ``labels``,
    ``constraints``. Any other keyword is a ``TypeError``.
    """
    unknown = sorted(set(optional) - set(OPTIONAL_FIELDS))
    if unknown:
        raise TypeError(f"assess() got unknown field(s) {', '.join(unknown)}; known: {', '.join(FIELD_KEYS)}")
    rubric, exercise = load_rubric(), load_exercise()
    raw = {"problem": problem, "outcome": outcome, "data_sources": data_sources, **optional}
    statement = {key: _as_text(raw.get(key)) for key in FIELD_KEYS}
    notices: list[str] = []
    usable: dict[str, str] = {}
    min_words = rubric.checks.number("min_words")
    for key, full in statement.items():
        name = exercise.field(key).label
        if not full.strip():
            if key in REQUIRED_FIELDS:
                notices.append(rubric.messages["field_empty"].format(field=name))
            continue
        text = full[: rubric.max_chars]
        if len(full) > rubric.max_chars:
            notices.append(rubric.messages["truncated"].format(field=name, chars=f"{rubric.max_chars:,}"))
        if not _LETTER.search(text):
            notices.append(rubric.messages["no_letters"].format(field=name))
            continue
        tokens = _WORD.findall(text.lower())
        reason = _set_aside(key, tokens, rubric)
        if reason:
            notices.append(rubric.messages[reason].format(field=name))
            continue
        if key in REQUIRED_FIELDS and len(tokens) < min_words:
            notices.append(rubric.messages["field_short"].format(field=name))
        usable[key] = text
    if not any(statement[k].strip() for k in FIELD_KEYS):
        notices = [rubric.messages["all_empty"]]

    criteria = tuple(
        _judge(spec, [usable[k] for k in spec.reads if k in usable], rubric) for spec in rubric.criteria
    )
    score = sum(c.points for c in criteria)
    max_score = len(criteria) * rubric.points["met"]
    share = score / max_score if max_score else 0.0
    level, message = next((t, m) for s, t, m in rubric.levels if share >= s)
    counts = {s: sum(c.status == s for c in criteria) for s in ("met", "partial", "missing")}
    summary = (
        f"{level}: {counts['met']} of {len(criteria)} checks met, {counts['partial']} partly met, "
        f"{counts['missing']} missing (score {score}/{max_score}). {message}"
    )
    return Assessment(
        criteria=criteria, score=score, max_score=max_score, summary=summary, level=level,
        notices=tuple(notices), checked_automatically=tuple(c.title for c in criteria),
        human_judgement=rubric.human_judgement, scope_note=rubric.scope_note, statement=statement,
    )

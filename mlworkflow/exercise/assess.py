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

from mlworkflow.exercise.clauses import Sentence, read_sentences
from mlworkflow.exercise.render import ExampleTable, render_html, render_markdown, render_text
from mlworkflow.exercise.rubric import (
    FIELD_KEYS,
    OPTIONAL_FIELDS,
    REQUIRED_FIELDS,
    CriterionSpec,
    Need,
    Rubric,
    load_exercise,
    load_rubric,
)
from mlworkflow.exercise.target import mark_outcome_records, no_labels_said

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
# a sentence that says there is no limit of some kind: it names the kind but asserts none
_NO_LIMIT = re.compile(
    r"\b(?:no|not\s+any|without\s+any|don'?t\s+have\s+any|never\s+had\s+any)\s+(?:[\w-]+\s+){0,3}"
    r"(?:issues?|concerns?|problems?|restrictions?|constraints?|limits?|limitations?|rules?|worries)\b"
    r"|\bnone\s+that\s+(?:we|i)\s+know\s+of\b|\bnothing\s+(?:special|to\s+worry\s+about)\b",
    re.I,
)
_LETTER = re.compile(r"[^\W\d_]")


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
    fix_first: tuple[tuple[str, str], ...] = ()  # (criterion title, advice): the most valuable gaps first

    def criterion(self, key: str) -> Criterion:
        """The criterion with ``key``."""
        return next(c for c in self.criteria if c.key == key)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the statement and its feedback."""
        return {
            "statement": dict(self.statement),
            "score": self.score, "max_score": self.max_score, "level": self.level,
            "summary": self.summary, "notices": list(self.notices),
            "fix_first": [{"title": title, "advice": advice} for title, advice in self.fix_first],
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
def _exercise_texts() -> tuple[str, ...]:
    """The exercise's own words, which a copied answer reuses."""
    ex = load_exercise()
    texts = [ex.instructions, ex.expected_outcome, ex.example_note, *ex.success_criteria, *ex.hints]
    texts += [t for f in ex.fields for t in (f.label, f.placeholder, f.help)]
    texts += list(ex.worked_example.values())
    # weak examples are left out: a learner who writes "use AI" on their own is weak, not a copier
    texts += [t for p in ex.pairs for t in (p.strong, p.why)]
    return tuple(texts)


def _content_words(tokens: list[str], rubric: Rubric) -> list[str]:
    return [w for w in tokens if w not in rubric.common_words]


@lru_cache(maxsize=1)
def _template_shingles() -> frozenset[tuple[str, ...]]:
    """Three-word sequences from the exercise's own texts, to spot copied answers."""
    return frozenset(s for t in _exercise_texts() for s in _shingles(_WORD.findall(t.lower())))


def _shingles(tokens: list[str], n: int = 3) -> set[tuple[str, ...]]:
    return {tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)}


def _keywords(text: str, rubric: Rubric) -> bool:
    """A run of words with no sentence in it: no full stop, few small words, one long line or many repeats.

    Terse prose ("Network outages annoy customers.") and bullet points ("- Faster picking") are
    sentences or phrases; "customers churn cost predict classify CRM" is a list of keywords.
    """
    checks = rubric.checks
    lines = [line.strip(" -•*\t") for line in text.splitlines() if line.strip(" -•*\t")]
    pieces = [p for p in (p.strip() for p in re.split(r"[.!?]+", text)) if p]
    words = text.split()
    if len(words) >= 2 and sum(w.startswith("#") for w in words) >= 0.8 * len(words):
        return True  # "#escaperoom #bookings #noshows": hashtags, not sentences
    if len(pieces) >= 3 and all(len(p.split()) <= 2 for p in pieces) and all(
            line.rstrip().endswith((".", "!", "?")) for line in text.splitlines() if line.strip()):
        return True  # "Demand forecasting. Seasonality. Waste.": a full stop after every keyword, a line or several
    if len(lines) == 1 and len(pieces) == 1 and len(re.split(r"[,;/|]", pieces[0])) >= 4 and _term_list(pieces):
        return True  # "Going prediction, GoingStick, irrigation optimisation, ML/AI.": one full stop at the end
    if not lines or any(line.rstrip().endswith((".", "!", "?")) for line in lines):
        return False
    sizes = [len(line.split()) for line in lines]
    if (len(lines) >= 3 and sum(sizes) / len(lines) <= 1.5) or (len(lines) >= 4 and max(sizes) <= 2):
        return True  # "- claims / - fraud / - cost": a keyword or two per bullet
    if _term_list(lines):
        return True  # "no-shows, overbooking, RevPAR"
    long_lines = [line for line, n in zip(lines, sizes, strict=True) if n >= checks.number("prose_min_words")]
    flat = 0
    for line in long_lines:
        words = [w.strip(".,;:!?()\"'") for w in line.lower().split()]  # "no-show" is one word here
        common = sum(w in rubric.common_words for w in words) / len(words)
        unique = len(set(words)) / len(words)
        if common < checks.number("prose_min_common_share") or unique < checks.number("prose_min_unique_share"):
            flat += len(words)
    return flat * 2 > sum(sizes)


def _term_list(lines: list[str]) -> bool:
    """Every line a list of three or more terms of one or two words, split by commas, semicolons or slashes."""
    for line in lines:
        items = [i for i in re.split(r"[,;/|]", line) if i.strip()]
        if len(items) < 3 or any(len(i.split()) > 2 for i in items):
            return False
    return True


def _set_aside(key: str, text: str, tokens: list[str], rubric: Rubric) -> str | None:
    """The message key if this box should not count (copied, keyword list), else None."""
    checks = rubric.checks
    if len(tokens) >= checks.number("copy_min_words"):
        mine = _shingles(tokens)
        if mine and len(mine & _template_shingles()) / len(mine) >= checks.number("copy_share"):
            return "copied"
    if key in checks.texts("prose_fields") and _keywords(text, rubric) and (
            len(tokens) >= checks.number("min_words") or len(re.findall(r"[,;/|\n]", text.strip())) >= 2):
        return "not_prose"
    return None


@lru_cache(maxsize=1)
def _template_content_shingles() -> frozenset[tuple[str, ...]]:
    """Three-word sequences of the exercise's texts with the small words left out."""
    rubric = load_rubric()
    return frozenset(s for t in _exercise_texts() for s in _shingles(_content_words(_WORD.findall(t.lower()), rubric)))


_FIGURE = re.compile(r"\d+(?:[.,]\d+)?\s*%?|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve)\b", re.I)


def _figures(text: str) -> set[str]:
    return {m.group(0).lower().replace(" ", "") for m in _FIGURE.finditer(text)}


@lru_cache(maxsize=1)
def _example_figures_and_pairs() -> tuple[frozenset[str], frozenset[tuple[str, ...]]]:
    """The worked example's figures ("9%", "40", "six") and its two-word sequences without the small words."""
    rubric, texts = load_rubric(), list(load_exercise().worked_example.values())
    pairs = {s for t in texts for s in _shingles(_content_words(_WORD.findall(t.lower()), rubric), 2)}
    return frozenset(_figures(" ".join(texts))), frozenset(pairs)


def _share(mine: set[tuple[str, ...]], template: frozenset[tuple[str, ...]]) -> float:
    return len(mine & template) / len(mine) if mine else 0.0


def _copied_statement(statement: dict[str, str], rubric: Rubric) -> bool:
    """Much of the statement, all boxes together, comes from the exercise's own texts: word for word, or
    retyped with the small words changed ("About 9% from our grocery orders arrive late"), or the worked
    example with its nouns swapped (most of its figures, and many of its word pairs)."""
    tokens = [_WORD.findall(text[: rubric.max_chars].lower()) for text in statement.values()]
    if sum(map(len, tokens)) < rubric.checks.number("copy_min_words"):
        return False
    content = [_content_words(t, rubric) for t in tokens]
    bar = rubric.checks.number
    if _share(set().union(*map(_shingles, tokens)), _template_shingles()) >= bar("copy_statement_share"):
        return True
    if _share(set().union(*map(_shingles, content)), _template_content_shingles()) >= bar("copy_content_share"):
        return True
    figures, pairs = _example_figures_and_pairs()
    text = " ".join(t[: rubric.max_chars] for t in statement.values())
    return (len(_figures(text) & figures) >= bar("copy_figures")
            and _share(set().union(*(_shingles(c, 2) for c in content)), pairs) >= bar("copy_figures_pairs_share"))


def _quote(text: str, limit: int) -> str:
    """A sentence as evidence: whole if short, else its start with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _has(sentence: Sentence, need: Need) -> bool:
    if need.absent:
        return need.role not in sentence.roles
    if need.field is not None and sentence.field != need.field:
        return False
    if need.role == "text":  # any sentence in the box, unless it only says what is not there
        return not (sentence.solution or sentence.negated or sentence.unknown)
    return need.role in sentence.roles


def _combo_found(combo: tuple[Need, ...], pool: list[Sentence], same_sentence: bool) -> list[Sentence]:
    """The sentences that together hold every role of ``combo`` (empty if some role is missing)."""
    if same_sentence:
        return next(([s] for s in pool if all(_has(s, n) for n in combo)), [])
    holders: list[Sentence] = []
    for need in combo:
        s = next((s for s in pool if _has(s, need)), None)
        if s is None:
            return []
        if s not in holders:
            holders.append(s)
    return holders


def _best_quote(spec: CriterionSpec, holders: list[Sentence], pool: list[Sentence]) -> Sentence | None:
    """The sentence that best shows why this criterion is (partly) met: most of its telling roles."""
    candidates = holders or pool
    if not candidates:
        return None

    def rank(s: Sentence) -> tuple[int, int]:
        weights = sum(len(spec.quote) - i for i, role in enumerate(spec.quote) if role in s.roles)
        return (weights, -candidates.index(s))

    return max(candidates, key=rank)


def _judge(spec: CriterionSpec, sentences: list[Sentence], rubric: Rubric) -> Criterion:
    pool = [s for s in sentences if s.field in spec.reads and not s.question]
    if spec.key in ("user_pain", "business_goal"):
        pool = [s for s in pool if not s.solution]  # "train a model to predict churn" names no one's problem
    if spec.quote:  # the most telling sentence first, so it is the one quoted when several would do
        pool.sort(key=lambda s: -sum(len(spec.quote) - i for i, role in enumerate(spec.quote) if role in s.roles))
    holders: list[Sentence] = []
    status: Status = "missing"
    if spec.distinct_roles or spec.distinct_kinds:
        seen: dict[str, Sentence] = {}
        if spec.distinct_kinds:  # "No data residency issue", "there are no restrictions": a limit denied
            pool = [s for s in pool if not _NO_LIMIT.search(s.text)]
        for s in pool:
            if spec.distinct_roles:
                for role, words in s.matches:
                    if role in spec.distinct_roles:
                        seen.setdefault(words.lower(), s)
            else:
                for role in spec.distinct_kinds:
                    if role in s.roles:
                        seen.setdefault(role, s)
        n = len(seen)
        if spec.distinct_kinds:  # two limits: of two kinds, or the same kind said in two sentences or clauses
            n = max(n, sum(any(k in roles for k in spec.distinct_kinds) for s in pool for roles in s.clause_roles))
        status = "met" if n >= spec.met_distinct else "partial" if n >= spec.partial_distinct else "missing"
        holders = list(dict.fromkeys(seen.values()))
        if status == "missing" and spec.fallback:  # a limit in words the kinds don't know, in its own box
            stated = next((s for s in pool if spec.fallback in s.roles and not (s.negated or s.unknown)), None)
            if stated is not None:
                status, holders = "partial", [stated]
    else:
        for level, combos in (("met", spec.met), ("partial", spec.partial)):
            for combo in combos:
                holders = _combo_found(combo, pool, spec.same_sentence)
                if holders:
                    status = level  # type: ignore[assignment]
                    break
            if holders:
                break
    quote = _best_quote(spec, holders, pool) if status != "missing" else None
    evidence = (_quote(quote.text, rubric.evidence_chars),) if quote else ()
    advice = "" if status == "met" else spec.advice[status]
    flagged: tuple[str, ...] = ()
    if spec.caution is not None:
        # once the criterion is met, only a sentence that starts from the tool is flagged: "an LLM API or a
        # vendor's model might do this" beside a real goal is a build-vs-buy option, not solution-first
        hits = [words for s in sentences if s.field in spec.reads and (status != "met" or s.solution)
                for role, words in s.matches if role == spec.caution]
        flagged = tuple({w.lower(): w for w in reversed(hits)}.values())[::-1][:3]  # one of each, as written
        if flagged and status != "met":
            advice = spec.caution_advice
    return Criterion(spec.key, spec.title, status, evidence, advice, rubric.points[status], flagged)


def _fix_first(criteria: tuple[Criterion, ...], rubric: Rubric) -> tuple[tuple[str, str], ...]:
    """At most ``fix_first_max`` gaps, most valuable first: heavier criteria, then missing before partial."""
    weight = {spec.key: spec.weight for spec in rubric.criteria}
    order = {c.key: i for i, c in enumerate(criteria)}
    gaps = sorted((c for c in criteria if c.status != "met"),
                  key=lambda c: (-weight[c.key], c.status != "missing", order[c.key]))
    return tuple((c.title, c.advice) for c in gaps[: rubric.fix_first_max])


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
    set_aside: dict[str, str] = {}
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
        reason = _set_aside(key, text, tokens, rubric)
        if reason:
            set_aside[key] = reason
            notices.append(rubric.messages[reason].format(field=name))
            continue
        if key in REQUIRED_FIELDS and len(tokens) < min_words:
            notices.append(rubric.messages["field_short"].format(field=name))
        usable[key] = text
    if not any(statement[k].strip() for k in FIELD_KEYS):
        notices = [rubric.messages["all_empty"]]
    elif _copied_statement(statement, rubric):  # the worked example with a word swapped, box by box under the bar
        usable = {}
        notices = [n for n in notices if n not in {rubric.messages["copied"].format(field=exercise.field(k).label)
                                                   for k in FIELD_KEYS}]
        notices.append(rubric.messages["copied_statement"])

    # a problem written as keywords makes the whole statement a keyword list: nothing is credited
    no_sentences = set_aside.get("problem") == "not_prose"
    if no_sentences:
        usable = {}
        notices.append(rubric.messages["no_sentences"])
    sentences = [s for key, text in usable.items() for s in read_sentences(key, text, rubric)]
    sentences = mark_outcome_records(sentences, rubric)  # "every cancellation since 2021" when cancelling is predicted
    sentences = no_labels_said(sentences)  # "..., so there are no labels": the writer knows their data
    questions = sum(s.question for s in sentences)
    if questions and questions * 2 >= len(sentences):
        notices.append(rubric.messages["questions"].format(n=questions))
    criteria = tuple(_judge(spec, sentences, rubric) for spec in rubric.criteria)
    weight = {spec.key: spec.weight for spec in rubric.criteria}
    score = sum(c.points * weight[c.key] for c in criteria)
    max_score = sum(rubric.points["met"] * w for w in weight.values())
    share = score / max_score if max_score else 0.0
    level, message = next((t, m) for s, t, m in rubric.levels if share >= s)
    if no_sentences:
        level, message = rubric.levels[-1][1], rubric.levels[-1][2]
    counts = {s: sum(c.status == s for c in criteria) for s in ("met", "partial", "missing")}
    summary = (
        f"{counts['met']} of {len(criteria)} checks met, {counts['partial']} partly met, "
        f"{counts['missing']} missing (score {score}/{max_score}). {message}"
    )
    return Assessment(
        criteria=criteria, score=score, max_score=max_score, summary=summary, level=level,
        notices=tuple(notices), checked_automatically=tuple(c.title for c in criteria),
        human_judgement=rubric.human_judgement, scope_note=rubric.scope_note, statement=statement,
        fix_first=_fix_first(criteria, rubric),
    )

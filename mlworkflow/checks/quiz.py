"""Knowledge-check content and grading, with no widgets: load a stage's questions, grade answers, render statically.

Options are stored by id; the letters A, B, C... only name the positions a learner sees. Each
learner sees each question's options in their own order (:func:`option_order`, fixed by a key
kept in their progress store), so answers are saved and graded by option id, never by letter.

    >>> q = load_quiz("evaluation").question("threshold")
    >>> grade(q, ["a", "d"]).reason
    "Partly right: you chose 1 of the 3 right answers and 1 that isn't."
    >>> option_order(q, "learner-key")        # the same tuple of option ids on every run
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from mlworkflow.core.content import Fields, read_content
from mlworkflow.core.text import html_escape, kind_of

__all__ = [
    "GradeResult",
    "Option",
    "OptionFeedback",
    "Question",
    "QuizContent",
    "QuizResult",
    "Selection",
    "feedback_html",
    "grade",
    "grade_quiz",
    "load_quiz",
    "option_order",
    "quiz_order",
    "quiz_stages",
    "saved_answers",
    "selection",
    "static_html",
    "static_text",
]

Selection = str | Iterable[str] | None
Orders = Mapping[str, Sequence[str]]  # question id -> option ids in the order shown

# a prompt that already says how many to choose gets no instruction added
_SAYS_ALL = re.compile(r"\ball that apply\b", re.I)
_SAYS_ONE = re.compile(r"\b(?:choose|select|pick|tick)\s+(?:only\s+)?one\b", re.I)


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    correct: bool
    explanation: str


@dataclass(frozen=True)
class Question:
    """One question of the quiz for ``stage``; ``multiple`` means "select all that apply"."""

    id: str
    prompt: str
    multiple: bool
    options: tuple[Option, ...]
    stage: str = ""

    @property
    def option_ids(self) -> tuple[str, ...]:
        """The option ids in the content file's (canonical) order."""
        return tuple(o.id for o in self.options)

    @property
    def correct_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options if o.correct)

    @property
    def hint(self) -> str:
        return "Select all that apply." if self.multiple else "Select one."

    @property
    def instruction(self) -> str:
        """The hint, or "" when the prompt already says how many to choose."""
        says = (_SAYS_ALL if self.multiple else _SAYS_ONE).search(self.prompt)
        return "" if says else self.hint

    @property
    def shown_prompt(self) -> str:
        """The prompt as learners read it, with how many to choose."""
        return f"{self.prompt} {self.instruction}".rstrip()

    def ordered(self, order: Sequence[str] | None = None) -> tuple[Option, ...]:
        """The options in ``order`` (option ids, e.g. from :func:`option_order`), else as in the file."""
        if order is None:
            return self.options
        by_id = {o.id: o for o in self.options}
        if sorted(order) != sorted(by_id):
            raise ValueError(f"question {self.id!r}: an option order must list each of "
                             f"{', '.join(by_id)} once, got {', '.join(order) or 'nothing'}")
        return tuple(by_id[i] for i in order)

    def label(self, option_id: str, order: Sequence[str] | None = None) -> str:
        """The letter shown for an option (A, B, C...): its position in ``order``, else in the file."""
        return chr(ord("A") + [o.id for o in self.ordered(order)].index(option_id))


@dataclass(frozen=True)
class QuizContent:
    stage: str
    title: str
    questions: tuple[Question, ...]

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(f"this quiz has no question {question_id!r}; its questions are: "
                       + ", ".join(q.id for q in self.questions))


# ---------------------------------------------------------------- loading

def _parse(data: Any, label: str, stage: str | None) -> QuizContent:
    top = Fields(data, label)
    key = top.text("stage")
    if stage is not None and key != stage:
        raise top.fail("stage", f"expected {stage!r}, found {key!r}")
    questions, seen = [], set()
    for q in top.objects("questions"):
        qid = q.text("id")
        if qid in seen:
            raise q.fail("id", f"duplicate question id {qid!r}")
        seen.add(qid)
        multiple = q.flag("multiple", False)
        options, option_ids = [], set()
        for o in q.objects("options", min_items=2):
            oid = o.text("id")
            if oid in option_ids:
                raise o.fail("id", f"duplicate option id {oid!r}")
            option_ids.add(oid)
            options.append(Option(oid, o.text("text"), o.flag("correct"), o.text("explanation")))
        n_correct = sum(o.correct for o in options)
        if multiple and n_correct < 1:
            raise q.fail("options", "a multiple-answer question needs at least one correct option")
        if not multiple and n_correct != 1:
            raise q.fail("options", f"a single-answer question needs exactly one correct option (found {n_correct})")
        questions.append(Question(qid, q.text("prompt"), multiple, tuple(options), key))
    return QuizContent(key, top.text("title"), tuple(questions))


def quiz_stages() -> tuple[str, ...]:
    """The stage keys that have a shipped quiz."""
    folder = resources.files("mlworkflow.content").joinpath("quizzes")
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json")))


@cache
def _shipped(stage: str) -> QuizContent:
    if stage not in quiz_stages():
        raise ValueError(f"there is no quiz for stage {stage!r}; quizzes exist for: {', '.join(quiz_stages())}")
    data, label = read_content(f"quizzes/{stage}.json")
    return _parse(data, label, stage)


def load_quiz(stage: str, path: str | Path | None = None) -> QuizContent:
    """The quiz for ``stage`` (e.g. ``"evaluation"``), or from the file at ``path`` if given."""
    if path is None:
        return _shipped(stage)
    data, label = read_content("", path)
    return _parse(data, label, stage)


# ---------------------------------------------------------------- option order

def option_order(question: Question, learner_key: str | None) -> tuple[str, ...]:
    """The option ids in the order this learner sees them; the same on every run and restart.

    Options are sorted by a SHA-256 hash (not Python's per-process ``hash()``) of the learner key,
    the quiz stage, the question id and the option id, so the order differs between learners and
    questions but never between runs. No key (no usable store, a static export): the file's order.

        >>> option_order(question, "3f2a9c")   # e.g. ('c', 'a', 'd', 'b')
    """
    if not learner_key:
        return question.option_ids

    def rank(option_id: str) -> bytes:
        parts = (learner_key, question.stage, question.id, option_id)
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()

    return tuple(sorted(question.option_ids, key=lambda i: (rank(i), i)))


def quiz_order(content: QuizContent, learner_key: str | None) -> dict[str, tuple[str, ...]]:
    """:func:`option_order` for every question of ``content``: question id -> option ids."""
    return {q.id: option_order(q, learner_key) for q in content.questions}


# ---------------------------------------------------------------- grading

# (selected, correct) -> what learners read, and the CSS class of that option's feedback
_VERDICTS = {
    (True, True): ("Right choice.", "mlw-quiz-right-choice"),
    (True, False): ("Not right.", "mlw-quiz-wrong-choice"),
    (False, True): ("You missed this one.", "mlw-quiz-missed"),
    (False, False): ("Rightly left out.", "mlw-quiz-left-out"),
}


@dataclass(frozen=True)
class OptionFeedback:
    option_id: str
    label: str
    text: str
    selected: bool
    correct: bool
    explanation: str

    @property
    def verdict(self) -> str:
        return _VERDICTS[(self.selected, self.correct)][0]


@dataclass(frozen=True)
class GradeResult:
    """How one answer did. ``status`` is correct, partial, incorrect or unanswered; ``score`` is 0 to 1.

    ``reason`` says the status in plain words ("Partly right: you chose 2 of the 3 right answers
    and 1 that isn't."); ``feedback`` explains every option, in the order the learner saw them.
    """

    question_id: str
    selected: tuple[str, ...]
    status: str
    score: float
    feedback: tuple[OptionFeedback, ...]
    reason: str

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    @property
    def partial(self) -> bool:
        return self.status == "partial"


def selection(question: Question, selected: Selection) -> tuple[str, ...]:
    """``selected`` as option ids in the question's order; ValueError for unknown ids or too many."""
    if selected is None:
        chosen: set[str] = set()
    elif isinstance(selected, str):
        chosen = {selected}
    else:
        chosen = set(selected)
    ids = [o.id for o in question.options]
    unknown = sorted(chosen - set(ids))
    if unknown:
        raise ValueError(f"question {question.id!r} has no option {unknown[0]!r}; its options are: {', '.join(ids)}")
    if not question.multiple and len(chosen) > 1:
        raise ValueError(f"question {question.id!r} takes one answer, got {len(chosen)}")
    return tuple(i for i in ids if i in chosen)


def _reason(question: Question, status: str, hits: int, wrong: int) -> str:
    """The status in plain words, counting right and wrong picks for a multiple-answer question."""
    n = len(question.correct_ids)
    every = "the right answer" if n == 1 else f"all {n} right answers"
    if status == "unanswered":
        return "Not answered yet."
    if not question.multiple:
        return "Correct." if status == "correct" else "Not quite."
    if status == "correct":
        return f"Correct: you chose {every} and nothing else."
    if status == "incorrect":
        target = "the right answer" if n == 1 else f"one of the {n} right answers"
        return f"Not quite: none of your choices is {target}."
    got = every if hits == n else f"{hits} of the {n} right answers"
    extra = f"{wrong} that isn't" if wrong == 1 else f"{wrong} that aren't" if wrong else "no wrong ones"
    return f"Partly right: you chose {got} and {extra}."


def grade(question: Question, selected: Selection, order: Sequence[str] | None = None) -> GradeResult:
    """Grade one answer: option id(s) chosen -> status, score, reason and feedback on every option.

    A multiple-answer question scores (right picks - wrong picks) / number of right options,
    never below 0; it is ``partial`` when some of the right options are chosen but the choice
    is not exactly right (some missed, or wrong ones added). ``order`` (option ids as shown)
    sets the feedback's order and letters; by default the file's.
    """
    chosen = selection(question, selected)
    right = set(question.correct_ids)
    hits, wrong = len(right & set(chosen)), len(set(chosen) - right)
    if not chosen:
        status, score = "unanswered", 0.0
    elif set(chosen) == right:
        status, score = "correct", 1.0
    elif question.multiple and hits:
        status, score = "partial", max(0.0, (hits - wrong) / len(right))
    else:
        status, score = "incorrect", 0.0
    shown = question.ordered(order)
    feedback = tuple(
        OptionFeedback(o.id, chr(ord("A") + n), o.text, o.id in chosen, o.correct, o.explanation)
        for n, o in enumerate(shown)
    )
    return GradeResult(question.id, chosen, status, round(score, 4), feedback,
                       _reason(question, status, hits, wrong))


@dataclass(frozen=True)
class QuizResult:
    """Every question's result, in quiz order, and the totals."""

    content: QuizContent
    results: tuple[GradeResult, ...]

    @property
    def score(self) -> float:
        return round(sum(r.score for r in self.results), 2)

    @property
    def max_score(self) -> int:
        return len(self.results)

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    def headline(self) -> str:
        return (f"{self.count('correct')} of {self.max_score} correct"
                + (f", {self.count('partial')} partly correct" if self.count("partial") else "")
                + (f", {self.count('unanswered')} not answered" if self.count("unanswered") else "")
                + f" (score {self.score:g} of {self.max_score})")

    def text(self) -> str:
        """The graded quiz in plain text: each question, your choices, and every option's explanation."""
        lines = [self.content.title, self.headline()]
        for n, (q, r) in enumerate(zip(self.content.questions, self.results, strict=True), 1):
            lines += ["", f"{n}. {q.shown_prompt} [{r.status}]"]
            if r.status != "unanswered":
                lines.append(f"   {r.reason}")
            for f in r.feedback:
                box = "[x]" if f.selected else "[ ]"
                lines.append(f"   {box} {f.label}. {f.text}")
                if r.status != "unanswered":
                    lines.append(f"       {f.verdict} {f.explanation}")
        return "\n".join(lines)


def grade_quiz(content: QuizContent, answers: Mapping[str, Selection], orders: Orders | None = None) -> QuizResult:
    """Grade every question of ``content``; questions missing from ``answers`` count as unanswered.

    ``orders`` (question id -> option ids as shown, e.g. :func:`quiz_order`) sets each
    question's feedback order and letters; questions not in it keep the file's order.
    """
    for qid in answers:
        content.question(qid)  # KeyError names the valid ids
    orders = orders or {}
    return QuizResult(content, tuple(grade(q, answers.get(q.id), orders.get(q.id)) for q in content.questions))


def saved_answers(content: QuizContent, saved: Mapping[str, Any]) -> tuple[dict[str, list[str]], bool, list[str]]:
    """From a saved ``quiz/<stage>`` section: the answers that still fit ``content``, whether they were
    checked, and what could not be used (plain phrases, so it can be set aside rather than dropped).

    Questions and options no longer in the quiz are left out quietly: the content changed, not the file.
    """
    problems, restored = [], {}
    raw = saved.get("answers", {})
    if not isinstance(raw, Mapping):
        problems.append(f"the answers were {kind_of(raw)}, not one entry per question")
        raw = {}
    for qid, sel in raw.items():
        if not (isinstance(sel, list) and all(isinstance(i, str) for i in sel)):
            problems.append(f"the answer to {qid!r} was {kind_of(sel)}, not a list of options")
            continue
        q = next((q for q in content.questions if q.id == qid), None)
        if q is not None:
            kept = [i for i in sel if i in q.option_ids]
            restored[qid] = kept if q.multiple else kept[:1]
    checked = saved.get("checked", False)
    if not isinstance(checked, bool):
        problems.append(f"“checked” was {kind_of(checked)}, not true or false")
    unknown = sorted(set(saved) - {"answers", "checked", "score", "max_score"})
    if unknown:
        problems.append(f"entries the course does not know ({', '.join(map(repr, unknown))})")
    return restored, checked is True and bool(restored), problems


# ---------------------------------------------------------------- display

def feedback_html(result: GradeResult) -> str:
    """One graded answer as HTML: the reason for its status, then why each option is right or wrong (escaped)."""
    items = "".join(
        f'<li class="{_VERDICTS[(f.selected, f.correct)][1]}"><b>{html_escape(f.label)}. {html_escape(f.verdict)}</b> '
        f"{html_escape(f.explanation)}</li>"
        for f in result.feedback
    ) if result.status != "unanswered" else ""
    items = f'<ul class="mlw-quiz-explanations">{items}</ul>' if items else ""
    return f'<div class="mlw-quiz-verdict mlw-quiz-{result.status}"><b>{html_escape(result.reason)}</b>{items}</div>'


def static_html(content: QuizContent) -> str:
    """Questions and options as HTML, with no answers, in the file's order: for places widgets cannot run."""
    parts = [f'<div class="mlw-quiz mlw-quiz-static"><h3>{html_escape(content.title)}</h3><ol>']
    for q in content.questions:
        options = "".join(f"<li>{html_escape(q.label(o.id))}. {html_escape(o.text)}</li>" for o in q.options)
        instruction = f" <em>{html_escape(q.instruction)}</em>" if q.instruction else ""
        parts.append(f"<li><p>{html_escape(q.prompt)}{instruction}</p>"
                     f'<ul style="list-style: none">{options}</ul></li>')
    parts.append("</ol><p><em>Run this notebook in Jupyter to answer and get feedback.</em></p></div>")
    return "".join(parts)


def static_text(content: QuizContent) -> str:
    """Questions and options as plain text, with no answers."""
    lines = [content.title]
    for n, q in enumerate(content.questions, 1):
        lines += ["", f"{n}. {q.shown_prompt}"] + [f"   {q.label(o.id)}. {o.text}" for o in q.options]
    return "\n".join(lines)

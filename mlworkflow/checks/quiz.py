"""Knowledge-check content and grading, with no widgets: load a stage's questions, grade answers, render statically.

    >>> q = load_quiz("evaluation").questions[0]
    >>> grade(q, ["a", "c"]).status
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from mlworkflow.core.content import Fields, read_content
from mlworkflow.core.text import html_escape

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
    "quiz_stages",
    "selection",
    "static_html",
    "static_text",
]

Selection = str | Iterable[str] | None


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    correct: bool
    explanation: str


@dataclass(frozen=True)
class Question:
    """One question; ``multiple`` means "choose all that apply" (any number of correct options)."""

    id: str
    prompt: str
    multiple: bool
    options: tuple[Option, ...]

    @property
    def correct_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options if o.correct)

    @property
    def hint(self) -> str:
        return "Choose all that apply." if self.multiple else "Choose one."

    def label(self, option_id: str) -> str:
        """The letter learners see for an option: A, B, C, ..."""
        return chr(ord("A") + [o.id for o in self.options].index(option_id))


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
        questions.append(Question(qid, q.text("prompt"), multiple, tuple(options)))
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
    """How one answer did. ``status`` is correct, partial, incorrect or unanswered; ``score`` is 0 to 1."""

    question_id: str
    selected: tuple[str, ...]
    status: str
    score: float
    feedback: tuple[OptionFeedback, ...]

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


def grade(question: Question, selected: Selection) -> GradeResult:
    """Grade one answer: option id(s) chosen -> status, score and feedback on every option.

    A multiple-answer question scores (right picks - wrong picks) / number of right options,
    never below 0; it is ``partial`` when some but not all of the choice is right.
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
    feedback = tuple(
        OptionFeedback(o.id, question.label(o.id), o.text, o.id in chosen, o.correct, o.explanation)
        for o in question.options
    )
    return GradeResult(question.id, chosen, status, round(score, 4), feedback)


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
            lines += ["", f"{n}. {q.prompt} [{r.status}]"]
            for f in r.feedback:
                box = "[x]" if f.selected else "[ ]"
                lines.append(f"   {box} {f.label}. {f.text}")
                if r.status != "unanswered":
                    lines.append(f"       {f.verdict} {f.explanation}")
        return "\n".join(lines)


def grade_quiz(content: QuizContent, answers: Mapping[str, Selection]) -> QuizResult:
    """Grade every question of ``content``; questions missing from ``answers`` count as unanswered."""
    for qid in answers:
        content.question(qid)  # KeyError names the valid ids
    return QuizResult(content, tuple(grade(q, answers.get(q.id)) for q in content.questions))


# ---------------------------------------------------------------- display

def feedback_html(result: GradeResult) -> str:
    """One graded answer as HTML: the verdict, then why each option is right or wrong (escaped)."""
    word = {"correct": "Correct.", "partial": "Partly right.", "incorrect": "Not quite.",
            "unanswered": "Not answered yet."}[result.status]
    items = "".join(
        f'<li class="{_VERDICTS[(f.selected, f.correct)][1]}"><b>{html_escape(f.label)}. {html_escape(f.verdict)}</b> '
        f"{html_escape(f.explanation)}</li>"
        for f in result.feedback
    ) if result.status != "unanswered" else ""
    items = f'<ul class="mlw-quiz-explanations">{items}</ul>' if items else ""
    return f'<div class="mlw-quiz-verdict mlw-quiz-{result.status}"><b>{html_escape(word)}</b>{items}</div>'


def static_html(content: QuizContent) -> str:
    """Questions and options as HTML, with no answers: for places widgets cannot run."""
    parts = [f'<div class="mlw-quiz mlw-quiz-static"><h3>{html_escape(content.title)}</h3><ol>']
    for q in content.questions:
        options = "".join(f"<li>{html_escape(q.label(o.id))}. {html_escape(o.text)}</li>" for o in q.options)
        parts.append(f"<li><p>{html_escape(q.prompt)} <em>{html_escape(q.hint)}</em></p>"
                     f'<ul style="list-style: none">{options}</ul></li>')
    parts.append("</ol><p><em>Run this notebook in Jupyter to answer and get feedback.</em></p></div>")
    return "".join(parts)


def static_text(content: QuizContent) -> str:
    """Questions and options as plain text, with no answers."""
    lines = [content.title]
    for n, q in enumerate(content.questions, 1):
        lines += ["", f"{n}. {q.prompt} ({q.hint})"] + [f"   {q.label(o.id)}. {o.text}" for o in q.options]
    return "\n".join(lines)

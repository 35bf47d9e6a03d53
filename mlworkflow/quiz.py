"""Knowledge checks: multiple-choice questions from ``content/quizzes/<stage>.json``, graded by a pure function.

    >>> quiz = Quiz("evaluation")        # in a notebook: questions, a Check button, feedback
    >>> quiz                             # answers are saved, and restored when the cell is re-run
    >>> Quiz("evaluation", answers={"accuracy-paradox": "a"}).report()   # graded, as text

Grading needs no widgets: ``grade(question, ["a", "c"])`` returns a :class:`GradeResult`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any, Union

import ipywidgets as widgets
from traitlets import Bool, Dict, TraitError, Unicode, observe, validate

from mlworkflow._content import Fields, read_content
from mlworkflow._widgets import StaticFallback, show_html
from mlworkflow.progress import ProgressError, ProgressStore

__all__ = [
    "Option", "Question", "QuizContent", "OptionFeedback", "GradeResult", "QuizResult",
    "Quiz", "load_quiz", "quiz_stages", "grade", "grade_quiz", "static_html", "static_text",
]

Selection = Union[str, Iterable[str], None]


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


@lru_cache(maxsize=None)
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


def _selection(question: Question, selected: Selection) -> tuple[str, ...]:
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
    chosen = _selection(question, selected)
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
        for n, (q, r) in enumerate(zip(self.content.questions, self.results), 1):
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

def _feedback_html(result: GradeResult) -> str:
    word = {"correct": "Correct.", "partial": "Partly right.", "incorrect": "Not quite.",
            "unanswered": "Not answered yet."}[result.status]
    items = "".join(
        f'<li class="{_VERDICTS[(f.selected, f.correct)][1]}"><b>{escape(f.label)}. {escape(f.verdict)}</b> '
        f"{escape(f.explanation)}</li>"
        for f in result.feedback
    ) if result.status != "unanswered" else ""
    items = f'<ul class="mlw-quiz-explanations">{items}</ul>' if items else ""
    return f'<div class="mlw-quiz-verdict mlw-quiz-{result.status}"><b>{escape(word)}</b>{items}</div>'


def static_html(content: QuizContent) -> str:
    """Questions and options as HTML, with no answers: for places widgets cannot run."""
    parts = [f'<div class="mlw-quiz mlw-quiz-static"><h3>{escape(content.title)}</h3><ol>']
    for q in content.questions:
        options = "".join(f"<li>{escape(q.label(o.id))}. {escape(o.text)}</li>" for o in q.options)
        parts.append(f"<li><p>{escape(q.prompt)} <em>{escape(q.hint)}</em></p>"
                     f'<ul style="list-style: none">{options}</ul></li>')
    parts.append("</ol><p><em>Run this notebook in Jupyter to answer and get feedback.</em></p></div>")
    return "".join(parts)


def static_text(content: QuizContent) -> str:
    """Questions and options as plain text, with no answers."""
    lines = [content.title]
    for n, q in enumerate(content.questions, 1):
        lines += ["", f"{n}. {q.prompt} ({q.hint})"] + [f"   {q.label(o.id)}. {o.text}" for o in q.options]
    return "\n".join(lines)


class Quiz(StaticFallback, widgets.VBox):
    """A stage's knowledge check: tick options, press Check, read the feedback.

    ``answers`` (question id -> list of option ids) is the public state. Pressing Check grades
    every question and saves the answers under ``quiz/<stage>`` in the progress store; a new
    ``Quiz`` for the same stage restores them. Passing ``answers=`` pre-selects and grades those
    instead (for a worked example or a headless run) and saves nothing until Check is pressed.
    """

    stage_key = Unicode(read_only=True)
    answers = Dict()
    checked = Bool(False)

    def __init__(self, stage_key: str, *, answers: Mapping[str, Selection] | None = None,
                 store: ProgressStore | None = None, path: str | Path | None = None, **kwargs: Any):
        self._content = load_quiz(stage_key, path)
        self._store = store if store is not None else ProgressStore()
        self._section = f"quiz/{self._content.stage}"
        self._syncing = False
        self._boxes: dict[str, list[widgets.Checkbox]] = {}
        self._feedback: dict[str, widgets.Output] = {}
        title = widgets.HTML(f"<h3>{escape(self._content.title)}</h3>")
        title.add_class("mlw-quiz-title")
        children: list[widgets.Widget] = [title]
        for n, q in enumerate(self._content.questions, 1):
            children.append(self._question_box(n, q))
        self._check_button = widgets.Button(description="Check", icon="check",
                                            tooltip="Check your answers and save them")
        self._check_button.add_class("mlw-quiz-check")
        self._check_button.on_click(self._on_check)
        self._status = widgets.Output()
        self._status.add_class("mlw-quiz-status")
        super().__init__(children=children + [self._check_button, self._status], **kwargs)
        self.add_class("mlw-quiz")
        self.set_trait("stage_key", self._content.stage)
        if answers is not None:
            self.answers = dict(answers)  # validated like a learner's ticks
            self.checked = True
        else:
            self._restore()

    # -- building
    def _question_box(self, n: int, q: Question) -> widgets.VBox:
        prompt = widgets.HTML(f"<p><b>{n}.</b> {escape(q.prompt)} <em>{escape(q.hint)}</em></p>")
        prompt.add_class("mlw-quiz-prompt")
        rows, boxes = [], []
        for o in q.options:
            box = widgets.Checkbox(value=False, description=q.label(o.id), indent=False,
                                   layout=widgets.Layout(width="3.5em"))
            box.observe(lambda change, qid=q.id, oid=o.id: self._on_tick(qid, oid, change["new"]), names="value")
            text = widgets.HTML(f'<span class="mlw-quiz-option-text">{escape(o.text)}</span>',
                                layout=widgets.Layout(flex="1 1 auto"))
            row = widgets.HBox([box, text])
            row.add_class("mlw-quiz-option")
            rows.append(row)
            boxes.append(box)
        self._boxes[q.id] = boxes
        self._feedback[q.id] = widgets.Output()
        self._feedback[q.id].add_class("mlw-quiz-feedback")
        box = widgets.VBox([prompt, *rows, self._feedback[q.id]])
        box.add_class("mlw-quiz-question")
        return box

    # -- state
    @validate("answers")
    def _valid_answers(self, proposal: Any) -> dict[str, list[str]]:
        clean = {}
        for qid, sel in proposal["value"].items():
            try:
                clean[qid] = list(_selection(self._content.question(qid), sel))
            except (KeyError, ValueError) as exc:
                raise TraitError(str(exc)) from exc
        return clean

    @observe("answers", "checked")
    def _on_state(self, change: Any) -> None:
        if change["name"] == "answers":
            self._sync_boxes()
            if self.checked:
                self.checked = False  # feedback no longer matches the answers; re-renders
                return
        self._render_feedback()

    def _on_tick(self, qid: str, oid: str, ticked: bool) -> None:
        if self._syncing:
            return
        current = set(self.answers.get(qid, []))
        if self._content.question(qid).multiple:
            chosen = current | {oid} if ticked else current - {oid}
        else:
            chosen = {oid} if ticked else current - {oid}
        self.answers = {**self.answers, qid: sorted(chosen)}

    def _sync_boxes(self) -> None:
        self._syncing = True
        try:
            for q in self._content.questions:
                chosen = set(self.answers.get(q.id, []))
                for o, box in zip(q.options, self._boxes[q.id]):
                    box.value = o.id in chosen
        finally:
            self._syncing = False

    def _render_feedback(self) -> None:
        result = self.result
        for r in result.results:
            out = self._feedback[r.question_id]
            if self.checked:
                show_html(out, _feedback_html(r), f"{r.status}")
            else:
                out.outputs = ()
        if self.checked:
            self._say(f"<b>{escape(result.headline())}.</b>", result.headline())

    def _say(self, html: str, text: str) -> None:
        show_html(self._status, f"<p>{html}</p>", text)

    # -- progress store
    def _restore(self) -> None:
        try:
            saved = self._store.load(self._section)
        except ProgressError as exc:
            self._say(f"Your saved answers could not be loaded: {escape(str(exc))}", str(exc))
            return
        restored = {}
        for qid, sel in (saved.get("answers") or {}).items() if isinstance(saved, dict) else ():
            try:  # content may have changed since the answers were saved: keep what still fits
                q = self._content.question(qid)
                ids = [o.id for o in q.options]
                kept = [i for i in sel if i in ids] if isinstance(sel, list) else []
                restored[qid] = kept if q.multiple else kept[:1]
            except KeyError:
                continue
        if restored:
            self.answers = restored
            self.checked = bool(saved.get("checked"))
            if not self.checked:
                self._say("Your earlier answers are back. Press Check to see how you did.",
                          "Your earlier answers are back.")

    def _on_check(self, _button: Any = None) -> None:
        if self.checked:
            self._render_feedback()
        else:
            self.checked = True  # renders the feedback
        if self.save():
            headline = self.result.headline()
            self._say(f"<b>{escape(headline)}.</b> Your answers are saved.", f"{headline}. Saved.")

    def save(self) -> bool:
        """Save the current answers; on failure say why in the widget and return False."""
        result = self.result
        value = {"answers": dict(self.answers), "checked": self.checked,
                 "score": result.score, "max_score": result.max_score}
        try:
            self._store.save(self._section, value)
        except ProgressError as exc:
            self._say(f"<b>{escape(result.headline())}.</b> "
                      f'<span class="mlw-quiz-error">Your answers could not be saved: {escape(str(exc))} '
                      "Your choices are still here; press Check to try again.</span>",
                      f"{result.headline()}. Not saved: {exc}")
            return False
        return True

    # -- reading the result
    @property
    def content(self) -> QuizContent:
        return self._content

    @property
    def result(self) -> QuizResult:
        """The current answers, graded."""
        return grade_quiz(self._content, self.answers)

    def report(self) -> str:
        """The graded answers as plain text (what a headless run prints)."""
        return self.result.text()

    def _static_html(self) -> str:
        return static_html(self._content)

    def _static_text(self) -> str:
        return static_text(self._content)

"""Knowledge checks: multiple-choice questions from ``content/quizzes/<stage>.json``, graded by a pure function.

    >>> quiz = Quiz("evaluation")        # in a notebook: questions, a Check button, feedback
    >>> quiz                             # answers are saved, and restored when the cell is re-run
    >>> Quiz("evaluation", answers={"accuracy-paradox": "a"}).report()   # graded, as text

Grading needs no widgets: ``grade(question, ["a", "c"])`` returns a :class:`GradeResult`
(content and grading live in ``mlworkflow.checks.quiz``).
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as widgets
from traitlets import Bool, Dict, TraitError, Unicode, observe, validate

from mlworkflow.checks.quiz import (
    GradeResult,
    Option,
    OptionFeedback,
    Question,
    QuizContent,
    QuizResult,
    Selection,
    _feedback_html,
    _selection,
    grade,
    grade_quiz,
    load_quiz,
    quiz_stages,
    static_html,
    static_text,
)
from mlworkflow.core.progress import ProgressStore
from mlworkflow.core.saving import store_call
from mlworkflow.ui import StaticFallback, show_html

__all__ = [
    "GradeResult",
    "Option",
    "OptionFeedback",
    "Question",
    "Quiz",
    "QuizContent",
    "QuizResult",
    "grade",
    "grade_quiz",
    "load_quiz",
    "quiz_stages",
    "static_html",
    "static_text",
]


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
        outcome = store_call(lambda: self._store.load(self._section), "reading your saved answers")
        if not outcome.ok:
            self._say(f"Your saved answers could not be loaded: {escape(outcome.error)}", outcome.error)
            return
        saved = outcome.value
        if outcome.notes:
            note = " ".join(outcome.notes)
            self._say(escape(note), note)
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
        outcome = store_call(lambda: self._store.save(self._section, value), "saving your answers")
        if not outcome.ok:
            self._say(f"<b>{escape(result.headline())}.</b> "
                      f'<span class="mlw-quiz-error">Your answers could not be saved: {escape(outcome.error)} '
                      "Your choices are still here; press Check to try again.</span>",
                      f"{result.headline()}. Not saved: {outcome.error}")
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

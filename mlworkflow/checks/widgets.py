"""The widgets every stage notebook ends with: the knowledge check, 'apply it to your project', the brief.

Thin views over the pure modules beside this one: grading is :mod:`mlworkflow.checks.quiz`, the
prompts are :mod:`mlworkflow.checks.apply`, the brief is :mod:`mlworkflow.checks.brief`. Every
button and observer callback goes through :func:`mlworkflow.ui.guard`, so an unexpected error is
said in the widget's own status line.

    >>> Quiz("evaluation")                         # questions, a Check button, feedback; answers saved
    >>> Quiz("evaluation", answers={"accuracy-paradox": "a"}).report()   # graded, as text
    >>> ApplyToProject("data")                     # the learner's own answer, saved
    >>> ApplyToProject("data", answer="...")       # a prefilled example: shown, never saved
    >>> ProjectBrief()                             # the brief, Refresh and Export buttons
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ipywidgets as widgets
from traitlets import Bool, Dict, TraitError, Unicode, observe, validate

from mlworkflow.checks.apply import MAX_CHARS, ApplyPrompt, load_prompts, saved_answer, section_for
from mlworkflow.checks.brief import (
    EXPORT_STEM,
    Brief,
    brief_html,
    brief_markdown,
    brief_page,
    brief_text,
    gather_brief,
    today,
)
from mlworkflow.checks.quiz import (
    QuizContent,
    QuizResult,
    Selection,
    feedback_html,
    grade_quiz,
    load_quiz,
    quiz_order,
    saved_answers,
    selection,
    static_html,
    static_text,
)
from mlworkflow.core.autosave import SectionAutosave, merge_typed
from mlworkflow.core.course import load_course
from mlworkflow.core.progress import ProgressError, ProgressStore
from mlworkflow.core.saving import store_call
from mlworkflow.core.text import html_escape, safe_text
from mlworkflow.display.download import download_link, where_saved
from mlworkflow.ui import StaticFallback, guard, show_html

__all__ = ["ApplyToProject", "ProjectBrief", "Quiz"]


_STATUS_MARKS = {"ok": ("#15803d", "✔ "), "error": ("#b91c1c", "⚠ ")}


def _status_html(message: str, kind: str) -> str:
    """A status line; an ok or error line starts with a symbol too, so its colour is never the only sign."""
    colour, mark = _STATUS_MARKS.get(kind, ("#374151", ""))
    role = ' role="alert"' if kind == "error" else ""
    return (f'<span class="mlw-status-{html_escape(kind)}" style="color:{colour}"{role}>'
            f"{mark}{html_escape(message)}</span>")


# -- the knowledge check ------------------------------------------------------------------------
class Quiz(StaticFallback, widgets.VBox):
    """A stage's knowledge check: tick options, press Check, read the feedback.

    ``answers`` (question id -> list of option ids) is the public state. Pressing Check grades
    every question and saves the answers under ``quiz/<stage>`` in the progress store; a new
    ``Quiz`` for the same stage restores them. Passing ``answers=`` pre-selects and grades those
    instead (for a worked example or a headless run) and saves nothing until Check is pressed.

    Each learner sees the options in their own order (:attr:`order`), the same after a restart:
    it comes from a random key made once and kept in the progress store under ``quiz/learner``.
    Without a usable store the options keep the content file's order. Letters name positions;
    answers are kept by option id, so saved answers fit whatever the order.
    """

    learner_section = "quiz/learner"
    wait = 1.0  # seconds a save waits for another notebook's save before saying so

    stage_key = Unicode(read_only=True)
    answers = Dict()
    checked = Bool(False)

    def __init__(self, stage_key: str, *, answers: Mapping[str, Selection] | None = None,
                 store: ProgressStore | None = None, path: str | Path | None = None, **kwargs: Any):
        self._content = load_quiz(stage_key, path)
        self._store = store if store is not None else ProgressStore()
        self._section = f"quiz/{self._content.stage}"
        self._notes: list[str] = []  # store notices (a damaged file moved aside) to show once built
        self._checking = False  # inside Check: the status line is written once, after the save
        self._loaded = True  # False while saved answers exist that could not be read (never saved over)
        self._order = quiz_order(self._content, self._learner_key())
        self._syncing = False
        self._boxes: dict[str, list[widgets.Checkbox]] = {}
        self._option_of: dict[int, tuple[str, str]] = {}  # id(checkbox) -> (question id, option id)
        self._feedback: dict[str, widgets.Output] = {}
        title = widgets.HTML(f"<h3>{html_escape(self._content.title)}</h3>")
        title.add_class("mlw-quiz-title")
        children: list[widgets.Widget] = [title]
        for n, q in enumerate(self._content.questions, 1):
            children.append(self._question_box(n, q.id))
        self._check_button = widgets.Button(description="Check", icon="check",
                                            tooltip="Check your answers and save them")
        self._check_button.add_class("mlw-quiz-check")
        self._check_button.on_click(self._on_check)
        self._status = widgets.Output()
        self._status.add_class("mlw-quiz-status")
        super().__init__(children=[*children, self._check_button, self._status], **kwargs)
        self.add_class("mlw-quiz")
        self.set_trait("stage_key", self._content.stage)
        if answers is not None:
            self.answers = dict(answers)  # validated like a learner's ticks
            self.checked = True
            if self._notes:  # e.g. a damaged progress file was moved aside while reading the key
                headline, note = self.result.headline(), " ".join(self._notes)
                self._say(f"<b>{html_escape(headline)}.</b> {html_escape(note)}", f"{headline}. {note}")
        else:
            self._restore()

    # -- building
    def _question_box(self, n: int, qid: str) -> widgets.VBox:
        q = self._content.question(qid)
        instruction = f" <em>{html_escape(q.instruction)}</em>" if q.instruction else ""
        prompt = widgets.HTML(f"<p><b>{n}.</b> {html_escape(q.prompt)}{instruction}</p>")
        prompt.add_class("mlw-quiz-prompt")
        rows, boxes = [], []
        for o in q.ordered(self._order[q.id]):
            box = widgets.Checkbox(value=False, description=q.label(o.id, self._order[q.id]), indent=False,
                                   layout=widgets.Layout(width="3.5em"))
            self._option_of[id(box)] = (q.id, o.id)
            box.observe(self._on_box, names="value")
            text = widgets.HTML(f'<span class="mlw-quiz-option-text">{html_escape(o.text)}</span>',
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
                clean[qid] = list(selection(self._content.question(qid), sel))
            except (KeyError, ValueError) as exc:
                raise TraitError(str(exc)) from exc
        return clean

    @observe("answers", "checked")
    @guard("showing the feedback on your answers")
    def _on_state(self, change: Any) -> None:
        if change["name"] == "answers":
            self._sync_boxes()
            if self.checked:
                self.checked = False  # feedback no longer matches the answers; re-renders
                return
        self._render_feedback()

    @guard("noting your answer")
    def _on_box(self, change: Any) -> None:
        qid, oid = self._option_of[id(change["owner"])]
        self._on_tick(qid, oid, bool(change["new"]))

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
                for o, box in zip(q.ordered(self._order[q.id]), self._boxes[q.id], strict=True):
                    box.value = o.id in chosen
        finally:
            self._syncing = False

    def _render_feedback(self) -> None:
        result = self.result
        for r in result.results:
            out = self._feedback[r.question_id]
            if self.checked:
                show_html(out, feedback_html(r), f"{r.status}")
            else:
                out.outputs = ()
        if self.checked and not self._checking:  # Check says the headline once, with whether it saved
            self._say(f"<b>{html_escape(result.headline())}.</b>", result.headline())

    def _say(self, html_text: str, text: str) -> None:
        show_html(self._status, f"<p>{html_text}</p>", safe_text(text, shown=True))

    def _say_error(self, message: str) -> None:
        self._say(f'<span class="mlw-quiz-error" role="alert">{html_escape(message)}</span>', message)

    # -- progress store
    def _learner_key(self) -> str | None:
        """This learner's random key for the option order, made and saved once; None if the store can't keep it."""
        def load() -> tuple[bool, str | None, bool]:
            outcome = store_call(lambda: self._store.load(self.learner_section), "reading your quiz settings")
            self._notes += outcome.notes
            saved = outcome.value if outcome.ok and isinstance(outcome.value, dict) else {}
            key = saved.get("key")
            usable = isinstance(key, str) and bool(key) and set(saved) == {"key"}
            return outcome.ok, key if isinstance(key, str) and key else None, bool(saved) and not usable

        ok, key, odd = load()
        if key or not ok:  # unreadable: never overwrite a key we could not see
            return key
        # an order that could not be kept would change at the next restart: keep the file's order then
        why = "your saved quiz settings could not be used" if odd else ""
        made = store_call(lambda: self._store.save(self.learner_section, {"key": secrets.token_hex(8)},
                                                   wait=self.wait, keep_copy=why), "saving your quiz settings")
        self._notes += made.notes
        return load()[1] if made.ok else None  # re-read: another notebook may have saved its key first

    def _restore(self) -> bool:
        """Tick the saved answers; False (said, nothing overwritten) if they could not be loaded."""
        outcome = store_call(lambda: self._store.load(self._section), "reading your saved answers")
        notes, self._notes = self._notes + outcome.notes, []
        self._loaded = outcome.ok
        if not outcome.ok:
            message = (f"Your saved answers could not be loaded yet: {outcome.error} They are not overwritten: "
                       "Check grades your choices, and saves them once your saved answers can be read.")
            self._say(html_escape(message), message)
            return False
        saved = outcome.value if isinstance(outcome.value, dict) else {}
        restored, checked, problems = saved_answers(self._content, saved)
        if restored:
            self.answers = restored
            self.checked = checked
        if problems:  # set aside, not dropped: a copy of the file is kept and the section saved without them
            self._save(f"parts of your saved quiz answers could not be used: {'; '.join(problems)}")
            notes += self._notes
            self._notes = []
        if notes:
            note = " ".join(notes)
            self._say(html_escape(note), note)
        elif restored and not self.checked:
            self._say("Your earlier answers are back. Press Check to see how you did.",
                      "Your earlier answers are back.")
        return True

    @guard("checking your answers")
    def _on_check(self, _button: Any = None) -> None:
        self._checking = True
        try:
            if self.checked:
                self._render_feedback()
            else:
                self.checked = True  # renders the feedback
        finally:
            self._checking = False
        if self.save():
            headline, note = self.result.headline(), " ".join(self._notes)
            self._notes = []
            self._say(f"<b>{html_escape(headline)}.</b> Your answers are saved. {html_escape(note)}".rstrip(),
                      f"{headline}. Saved. {note}".rstrip())

    def save(self) -> bool:
        """Save the current answers; on failure say why in the widget and return False.

        If the saved answers could not be loaded when the quiz was built, they are read again
        first; while they still cannot be read nothing is saved over them.
        """
        keep_copy = ""
        if not self._loaded:
            earlier = store_call(lambda: self._store.load(self._section), "reading your saved answers")
            if not earlier.ok:
                headline = self.result.headline()
                self._say(f"<b>{html_escape(headline)}.</b> "
                          f'<span class="mlw-quiz-error">Not saved: your earlier answers still could not be '
                          f"loaded ({html_escape(earlier.error)}), so nothing is saved over them. Your choices "
                          "are still here; press Check to try again.</span>",
                          f"{headline}. Not saved: {earlier.error}")
                return False
            self._loaded = True
            if earlier.value:
                keep_copy = "you pressed Check before your saved quiz answers could be loaded"
        return self._save(keep_copy)

    def _save(self, keep_copy: str = "") -> bool:
        result = self.result
        value = {"answers": dict(self.answers), "checked": self.checked,
                 "score": result.score, "max_score": result.max_score}
        outcome = store_call(lambda: self._store.save(self._section, value, wait=self.wait, keep_copy=keep_copy),
                             "saving your answers")
        self._notes += outcome.notes
        if not outcome.ok:
            self._say(f"<b>{html_escape(result.headline())}.</b> "
                      f'<span class="mlw-quiz-error">Your answers could not be saved: {html_escape(outcome.error)} '
                      "Your choices are still here; press Check to try again.</span>",
                      f"{result.headline()}. Not saved: {outcome.error}")
            return False
        return True

    # -- reading the result
    @property
    def content(self) -> QuizContent:
        """The questions, as loaded from the stage's quiz file."""
        return self._content

    @property
    def order(self) -> dict[str, tuple[str, ...]]:
        """Question id -> option ids in the order this learner sees them (A, B, C...)."""
        return dict(self._order)

    @property
    def result(self) -> QuizResult:
        """The current answers, graded; feedback in the order shown."""
        return grade_quiz(self._content, self.answers, self._order)

    def report(self) -> str:
        """The graded answers as plain text (what a headless run prints)."""
        return self.result.text()

    def _static_html(self) -> str:
        return static_html(self._content)

    def _static_text(self) -> str:
        return static_text(self._content)


# -- apply it to your project -------------------------------------------------------------------
class ApplyToProject(StaticFallback, widgets.VBox):
    """The stage's question about your own project, a text box, autosave, and an example on request.

    The answer is saved to the progress store (section ``apply/<stage>``) a moment after each
    change, and comes back when the notebook is re-run or the kernel restarted. If the saved
    answer cannot be loaded, nothing is saved over it: the box says so and tries again, and a
    "Start fresh anyway" button saves the box's text instead (keeping a copy of the old file).
    """

    answer = Unicode("")
    status = Unicode("")

    def __init__(self, stage: str, *, answer: str | None = None, store: ProgressStore | None = None,
                 autosave_delay: float = 1.0, **kwargs: Any):
        self._stage = load_course().stage(stage)
        self._prompt = load_prompts()[self._stage.key]
        self._store = store if store is not None else ProgressStore()
        self._saving = answer is None  # a prefilled example never overwrites the learner's answer
        self._restoring = False
        self._keeper = SectionAutosave(self._store, section_for(self._stage.key),
                                       value=lambda: {"answer": self.answer}, restore=self._restore_saved,
                                       say=self._say, saved=self._said_saved, delay=autosave_delay)
        self._debouncer = self._keeper.autosave
        guide = "".join(f"<li>{html_escape(g)}</li>" for g in self._prompt.guide)
        header = widgets.HTML(
            f"<h3>Apply it to your project</h3><p><b>{html_escape(self._prompt.prompt)}</b></p><ul>{guide}</ul>"
        )
        self._box = widgets.Textarea(
            placeholder="Write a few sentences about your own project. It is saved as you type.",
            layout=widgets.Layout(width="auto", height="8em"),
        )
        self._box.add_class("mlw-apply-answer")
        self._example_button = widgets.Button(description="Show an example answer", icon="eye",
                                              layout=widgets.Layout(width="auto"))  # never "Show an exam…"
        self._example_button.add_class("mlw-apply-example-button")
        self._example_button.on_click(self._on_example)
        self._fresh_button = widgets.Button(
            description="Start fresh anyway", icon="file-o", layout=widgets.Layout(width="auto", display="none"),
            tooltip="Save this box although your saved answer could not be loaded (a copy of the old file is kept)",
        )
        self._fresh_button.add_class("mlw-apply-fresh-button")
        self._fresh_button.on_click(self._on_fresh)
        self._example = widgets.HTML()
        self._example.add_class("mlw-apply-example")
        self._status = widgets.HTML()
        self._status.add_class("mlw-apply-status")
        super().__init__(children=[header, self._box,
                                   widgets.HBox([self._example_button, self._fresh_button, self._status]),
                                   self._example], **kwargs)
        self.add_class("mlw-apply")
        widgets.link((self._box, "value"), (self, "answer"))
        if self._saving:
            self._keeper.load()
        else:
            self.answer = answer or ""
            self._say("This is a prefilled example and is not saved. "
                      "Run ApplyToProject(...) without an answer for your own.", "info")

    @property
    def stage(self) -> str:
        """The stage key this question belongs to."""
        return self._stage.key

    @property
    def prompt(self) -> ApplyPrompt:
        """The stage's question, guide and example."""
        return self._prompt

    @property
    def loaded(self) -> bool:
        """Whether the saved answer was loaded (until then nothing is saved over it)."""
        return self._keeper.loaded

    def show_example(self) -> None:
        """Reveal an example answer for a made-up company."""
        self._example.value = (
            f'<div style="background:#f9fafb;border-left:4px solid #9ca3af;padding:.4em .8em">'
            f"<b>Example (a B2B software company):</b> {html_escape(self._prompt.example)}</div>"
        )
        self._example_button.disabled = True

    def save_now(self) -> bool:
        """Save the answer now (autosave does this a moment after each change); True if saved."""
        self._debouncer.cancel()
        return self._keeper.save_now() if self._saving else False

    def start_fresh(self) -> bool:
        """Save the box although the saved answer could not be loaded; a copy of the old file is kept first."""
        return self._keeper.start_fresh() if self._saving else False

    def close(self) -> None:
        keeper = getattr(self, "_keeper", None)  # absent if __init__ failed
        if keeper is not None:
            keeper.stop()
        super().close()

    # -- wiring ---------------------------------------------------------------------------
    @validate("answer")
    def _safe_answer(self, proposal: Any) -> str:
        return safe_text(proposal["value"])

    def _restore_saved(self, saved: dict[str, Any], notes: list[str]) -> list[str]:
        """Fill the box from a loaded section (keeping anything typed while it loaded); what could not be used."""
        answer, problems = saved_answer(saved)
        typed = self.answer
        merged = merge_typed(answer, typed)
        self._restoring = True
        try:
            self.answer = merged
        finally:
            self._restoring = False
        if answer and merged != answer:
            message = "Your saved answer is back, with what you typed while it was loading added below it."
        else:
            message = "Your saved answer is back." if answer else ""
        note = " ".join([message, *notes]).strip()
        if note:
            self._say(note, "ok" if message and not notes else "info")
        elif typed:
            self._say("", "info")
        return problems

    def _said_saved(self, notes: list[str]) -> None:
        note = " ".join(notes)
        if len(self.answer) > MAX_CHARS:
            note = (f"Saved. That is a long answer ({len(self.answer):,} characters); "
                    f"a few sentences are enough for the brief. {note}")
        self._say(note or "Saved.", "info" if note else "ok")

    @guard("showing the example answer")
    def _on_example(self, _button: Any = None) -> None:
        self.show_example()

    @guard("saving your answer")
    def _on_fresh(self, _button: Any = None) -> None:
        self.start_fresh()

    @observe("answer")
    @guard("saving your answer")
    def _on_answer(self, change: Any) -> None:
        if self._saving and not self._restoring:
            if self._keeper.loaded:
                self._say("Saving…", "info")
            self._keeper.changed()

    def _say(self, message: str, kind: str) -> None:
        self.status = message
        self._status.value = _status_html(message, kind) if message else ""
        self._fresh_button.layout.display = "none" if self._keeper.loaded or not self._saving else ""

    def _say_error(self, message: str) -> None:
        self._say(message, "error")

    def _static_html(self) -> str:
        guide = "".join(f"<li>{html_escape(g)}</li>" for g in self._prompt.guide)
        answer = f"<blockquote>{html_escape(self.answer)}</blockquote>" if self.answer else ""
        return (f'<div class="mlw-apply-static"><h3>Apply it to your project</h3>'
                f"<p><b>{html_escape(self._prompt.prompt)}</b></p><ul>{guide}</ul>{answer}</div>")

    def _static_text(self) -> str:
        answer = safe_text(self.answer, shown=True)
        return f"Apply it to your project: {self._prompt.prompt}" + (f"\n\n{answer}" if answer else "")


# -- the project brief --------------------------------------------------------------------------
class ProjectBrief(StaticFallback, widgets.VBox):
    """Your brief in the notebook, with Refresh (re-read your answers) and Export buttons.

    ``status`` is the last message shown under the buttons, as plain text.

        >>> brief = ProjectBrief()
        >>> print(brief.to_markdown())
        >>> brief.export("exports")           # my_ml_project_brief.md and .html (self-contained)
    """

    status = Unicode("")

    def __init__(self, store: ProgressStore | None = None, *, export_dir: str | Path | None = None,
                 **kwargs: Any):
        self._store = store if store is not None else ProgressStore()
        self._export_dir = Path(export_dir) if export_dir is not None else Path.cwd()
        self._refresh_button = widgets.Button(description="Refresh", icon="refresh",
                                              layout=widgets.Layout(width="auto"))
        self._refresh_button.add_class("mlw-brief-refresh")
        self._refresh_button.on_click(self._on_refresh)
        self._export_button = widgets.Button(description="Export Markdown and HTML", icon="download",
                                             layout=widgets.Layout(width="auto"))
        self._export_button.add_class("mlw-brief-export")
        self._export_button.on_click(self._on_export)
        self._status = widgets.HTML().add_class("mlw-brief-status")
        self._downloads = widgets.HTML().add_class("mlw-downloads")  # the last export, to save on this computer
        self._view = widgets.HTML().add_class("mlw-brief-view")
        super().__init__(children=[widgets.HBox([self._refresh_button, self._export_button, self._status]),
                                   self._downloads, self._view], **kwargs)
        self.add_class("mlw-brief-widget")
        self.brief: Brief = gather_brief(self._store)
        self._render()

    def refresh(self) -> None:
        """Read the saved answers again (after answering more in another notebook)."""
        self.brief = gather_brief(self._store)
        self._render()
        self._say(f"Refreshed: {self.brief.answered} answers, {len(self.brief.open_questions)} open questions.",
                  "ok")

    def to_text(self) -> str:
        """The brief as plain text."""
        return brief_text(self.brief)

    def to_markdown(self) -> str:
        """The brief as Markdown, dated today."""
        return brief_markdown(self.brief, today())

    def to_html(self) -> str:
        """The self-contained HTML page."""
        return brief_page(self.brief, today())

    def export(self, folder: str | Path | None = None) -> dict[str, Path]:
        """Write ``my_ml_project_brief.md`` and ``.html`` into ``folder`` (default: next to the notebook)."""
        target = Path(folder if folder is not None else self._export_dir).expanduser().resolve()
        return {"markdown": self._store.export(target / f"{EXPORT_STEM}.md", self.to_markdown()),
                "html": self._store.export(target / f"{EXPORT_STEM}.html", self.to_html())}

    @guard("reading your answers again")
    def _on_refresh(self, _button: Any = None) -> None:
        self.refresh()

    @guard("exporting your brief")
    def _on_export(self, _button: Any = None) -> None:
        try:
            written = self.export()
        except ProgressError as exc:
            self._say(str(exc), "error")
            return
        self._downloads.value = " · ".join(download_link(path.name, text) for path, text in (
            (written["html"], self.to_html()), (written["markdown"], self.to_markdown())))
        self._say(f"Saved {where_saved(written['html'])}, and {written['markdown'].name} beside "
                  "it. To keep a copy on your own computer, use the download links below; open the HTML one in a "
                  "browser to print it.", "ok")

    def _render(self) -> None:
        self._view.value = brief_html(self.brief)

    def _say(self, message: str, kind: str) -> None:
        self.status = message
        self._status.value = _status_html(message, kind)

    def _say_error(self, message: str) -> None:
        self._say(message, "error")

    def _static_html(self) -> str:
        return brief_html(self.brief)

    def _static_text(self) -> str:
        return brief_text(self.brief)

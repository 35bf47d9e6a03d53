"""'Apply it to your project': each stage notebook ends with a question about the learner's own project.

The answer is saved to the progress store (section ``apply/<stage>``) a moment after each
change, and comes back when the notebook is re-run or the kernel restarted. The project brief
gathers these answers later.

    >>> ApplyToProject("data")                     # the learner's own answer, saved
    >>> ApplyToProject("data", answer="...")       # a prefilled example: shown, never saved
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import ipywidgets as widgets
from traitlets import Unicode, observe

from mlworkflow.core.autosave import Debouncer
from mlworkflow.core.content import Fields, read_content
from mlworkflow.core.course import load_course
from mlworkflow.core.progress import ProgressStore
from mlworkflow.core.saving import store_call
from mlworkflow.ui import StaticFallback

__all__ = ["MAX_CHARS", "ApplyPrompt", "ApplyToProject", "load_prompts", "section_for"]

MAX_CHARS = 20_000  # longer answers are kept whole but the learner is told to trim


@dataclass(frozen=True)
class ApplyPrompt:
    stage: str
    brief_heading: str
    prompt: str
    guide: tuple[str, ...]
    example: str


@lru_cache(maxsize=1)
def _shipped() -> dict[str, ApplyPrompt]:
    data, label = read_content("apply.json")
    keys = load_course().keys
    prompts = {}
    for f in Fields(data, label).objects("prompts"):
        stage = f.text("stage")
        if stage not in keys:
            raise f.fail("stage", f"unknown stage {stage!r}; expected one of {', '.join(keys)}")
        prompts[stage] = ApplyPrompt(stage, f.text("brief_heading"), f.text("prompt"), f.texts("guide"), f.text("example"))
    missing = [k for k in keys if k not in prompts]
    if missing:
        raise Fields(data, label).fail("prompts", f"no prompt for stage(s): {', '.join(missing)}")
    return prompts


def load_prompts() -> dict[str, ApplyPrompt]:
    """The 'apply it to your project' prompt of every stage, by stage key."""
    return dict(_shipped())


def section_for(stage: str) -> str:
    """The progress-store section holding a stage's answer."""
    return f"apply/{stage}"


def _status_html(message: str, kind: str) -> str:
    colour = {"ok": "#15803d", "error": "#b91c1c"}.get(kind, "#374151")
    return f'<span style="color:{colour}">{html.escape(message)}</span>'


class ApplyToProject(StaticFallback, widgets.VBox):
    """The stage's question about your own project, a text box, autosave, and an example on request."""

    answer = Unicode("")
    status = Unicode("")

    def __init__(self, stage: str, *, answer: str | None = None, store: ProgressStore | None = None, autosave_delay: float = 1.0, **kwargs: Any):
        self._stage = load_course().stage(stage)
        self._prompt = _shipped()[self._stage.key]
        self._store = store if store is not None else ProgressStore()
        self._saving = answer is None  # a prefilled example never overwrites the learner's answer
        self._debouncer = Debouncer(autosave_delay, self.save_now)
        guide = "".join(f"<li>{html.escape(g)}</li>" for g in self._prompt.guide)
        header = widgets.HTML(
            f"<h3>Apply it to your project</h3><p><b>{html.escape(self._prompt.prompt)}</b></p><ul>{guide}</ul>"
        )
        self._box = widgets.Textarea(
            placeholder="Write a few sentences about your own project. It is saved as you type.",
            layout=widgets.Layout(width="auto", height="8em"),
        )
        self._box.add_class("mlw-apply-answer")
        self._example_button = widgets.Button(description="Show an example answer", icon="eye")
        self._example_button.add_class("mlw-apply-example-button")
        self._example_button.on_click(lambda _b: self.show_example())
        self._example = widgets.HTML()
        self._example.add_class("mlw-apply-example")
        self._status = widgets.HTML()
        self._status.add_class("mlw-apply-status")
        super().__init__(children=[header, self._box, widgets.HBox([self._example_button, self._status]), self._example], **kwargs)
        self.add_class("mlw-apply")
        widgets.link((self._box, "value"), (self, "answer"))
        if self._saving:
            self._restore()
        else:
            self.answer = answer or ""
            self._say("This is a prefilled example and is not saved. Run ApplyToProject(...) without an answer for your own.", "info")

    @property
    def stage(self) -> str:
        return self._stage.key

    @property
    def prompt(self) -> ApplyPrompt:
        return self._prompt

    def show_example(self) -> None:
        """Reveal an example answer for a made-up company."""
        self._example.value = (
            f'<div style="background:#f9fafb;border-left:4px solid #9ca3af;padding:.4em .8em">'
            f"<b>Example (a B2B software company):</b> {html.escape(self._prompt.example)}</div>"
        )
        self._example_button.disabled = True

    def save_now(self) -> bool:
        """Save the answer now (autosave does this a moment after each change)."""
        self._debouncer.cancel()
        if not self._saving:
            return False
        outcome = store_call(lambda: self._store.save(section_for(self.stage), {"answer": self.answer}), "saving your answer")
        if not outcome.ok:
            self._say(outcome.error + " Your text is still in the box.", "error")
            return False
        note = " ".join(outcome.notes)
        if len(self.answer) > MAX_CHARS:
            note = f"Saved. That is a long answer ({len(self.answer):,} characters); a few sentences are enough for the brief. {note}"
        self._say(note or "Saved.", "info" if note else "ok")
        return True

    # -- wiring ---------------------------------------------------------------------------
    def _restore(self) -> None:
        outcome = store_call(lambda: self._store.load(section_for(self.stage)), "reading your saved answer")
        if not outcome.ok:
            self._say(outcome.error, "error")
            return
        saved = outcome.value.get("answer") if isinstance(outcome.value, dict) else None
        if isinstance(saved, str) and saved:
            self._restoring = True
            self.answer = saved
            self._restoring = False
            self._say(" ".join(outcome.notes) or "Your saved answer is back.", "ok")
        elif outcome.notes:
            self._say(" ".join(outcome.notes), "info")

    @observe("answer")
    def _on_answer(self, change: Any) -> None:
        if self._saving and not getattr(self, "_restoring", False):
            self._say("Saving…", "info")
            self._debouncer.trigger()

    def _say(self, message: str, kind: str) -> None:
        self.status = message
        self._status.value = _status_html(message, kind)

    def _static_html(self) -> str:
        guide = "".join(f"<li>{html.escape(g)}</li>" for g in self._prompt.guide)
        answer = f"<blockquote>{html.escape(self.answer)}</blockquote>" if self.answer else ""
        return f'<div class="mlw-apply-static"><h3>Apply it to your project</h3><p><b>{html.escape(self._prompt.prompt)}</b></p><ul>{guide}</ul>{answer}</div>'

    def _static_text(self) -> str:
        return f"Apply it to your project: {self._prompt.prompt}" + (f"\n\n{self.answer}" if self.answer else "")

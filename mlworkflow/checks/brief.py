"""``ProjectBrief``: the learner's own ML project on one page, built from the answers they saved.

It gathers the exercise's problem statement (and its feedback) and each stage's "apply it to
your project" answer into sections a team can read: problem, outcome and metric, data, model
approach and baseline, evaluation and go / no-go bar, deployment, monitoring and retraining
triggers, and open questions. A missing answer becomes an open question naming the notebook
where it is asked, never a blank; so does every check the exercise feedback did not find met.

    >>> brief = ProjectBrief()            # in a notebook: the brief, Refresh and Export buttons
    >>> print(brief.to_markdown())
    >>> brief.export("exports")           # my_ml_project_brief.md and .html (self-contained)

The pure part is :func:`gather_brief` plus the ``brief_*`` renderers; the widget only wires
buttons to them. Every piece of learner text is escaped for the format it lands in.
"""

from __future__ import annotations

import datetime as _dt
import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as widgets
from traitlets import Unicode

from mlworkflow.checks.apply import load_prompts, section_for
from mlworkflow.core.content import stylesheet
from mlworkflow.core.course import load_course, load_notebooks
from mlworkflow.core.progress import ProgressError, ProgressStore
from mlworkflow.core.saving import store_call
from mlworkflow.core.text import md_escape, md_quote
from mlworkflow.display.diagram import RenderFailed, RenderUnavailable, WorkflowDiagram
from mlworkflow.exercise.assess import assess
from mlworkflow.exercise.rubric import FIELD_KEYS, REQUIRED_FIELDS, load_exercise
from mlworkflow.ui import StaticFallback

__all__ = [
    "EXPORT_STEM",
    "SECTIONS",
    "Brief",
    "BriefSection",
    "Entry",
    "OpenQuestion",
    "ProjectBrief",
    "brief_html",
    "brief_markdown",
    "brief_page",
    "brief_text",
    "gather_brief",
    "md_escape",
]

EXPORT_STEM = "my_ml_project_brief"
TITLE = "My ML project brief"

# (key, heading, stage, sources). A source is ("exercise", field key) or ("apply", stage key).
SECTIONS: tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...] = (
    ("problem", "Problem", "problem", (("exercise", "problem"), ("exercise", "prediction"))),
    ("outcome", "Outcome and metric", "problem", (("exercise", "outcome"), ("apply", "problem"))),
    ("data", "Data", "data", (("exercise", "data_sources"), ("exercise", "labels"), ("apply", "data"))),
    ("model", "Model approach and baseline", "training", (("exercise", "baseline"), ("apply", "training"))),
    ("evaluation", "Evaluation and go / no-go bar", "evaluation", (("apply", "evaluation"),)),
    ("deployment", "Deployment", "deployment", (("apply", "deployment"), ("exercise", "constraints"))),
    ("monitoring", "Monitoring and retraining triggers", "monitoring", (("apply", "monitoring"),)),
)


@dataclass(frozen=True)
class Entry:
    """One answer the learner gave: where it came from, and their text as typed."""

    label: str
    text: str


@dataclass(frozen=True)
class OpenQuestion:
    """Something still to answer or improve, and the notebook to open for it."""

    text: str
    notebook: str  # its title
    file: str


@dataclass(frozen=True)
class BriefSection:
    key: str
    heading: str
    stage: str
    entries: tuple[Entry, ...]
    open: tuple[OpenQuestion, ...]  # what is missing in this section


@dataclass(frozen=True)
class Brief:
    """Everything on the page; render it with :func:`brief_markdown`, :func:`brief_html`, :func:`brief_page`."""

    sections: tuple[BriefSection, ...]
    feedback: str  # the exercise feedback's summary line ("" when there is no statement yet)
    weak: tuple[OpenQuestion, ...]  # rubric checks not met
    completed: tuple[str, ...]  # stage keys with at least one answer
    notes: tuple[str, ...] = ()  # problems reading the saved answers, in plain words

    @property
    def open_questions(self) -> tuple[OpenQuestion, ...]:
        return tuple(q for s in self.sections for q in s.open) + self.weak

    @property
    def answered(self) -> int:
        return sum(len(s.entries) for s in self.sections)


def _notebook(stage: str | None) -> tuple[str, str]:
    """(title, file) of the notebook for a stage, or of the exercise for ``None``."""
    for e in load_notebooks():
        if (stage is not None and e.stage == stage) or (stage is None and e.stage is None and "exercise" in e.file):
            return e.title, e.file
    return ("the course map", "00_course_map.ipynb")  # pragma: no cover - content always lists them


def _question(prompt: str) -> str:
    """'For your own project: which systems ...' -> 'Which systems ...'."""
    text = prompt.split(":", 1)[1].strip() if prompt.lower().startswith("for your own project:") else prompt
    return text[:1].upper() + text[1:]


def gather_brief(store: ProgressStore | None = None) -> Brief:
    """Read the saved answers from ``store`` (default: the learner's) and arrange them as a brief."""
    store = store if store is not None else ProgressStore()
    notes: list[str] = []

    def load(section: str) -> dict[str, Any]:
        outcome = store_call(lambda: store.load(section), "reading your saved answers")
        notes.extend(n for n in outcome.notes if n not in notes)
        if not outcome.ok:
            if outcome.error not in notes:
                notes.append(outcome.error)
            return {}
        return outcome.value if isinstance(outcome.value, dict) else {}

    saved = load("exercise").get("fields")
    fields = {k: v for k, v in saved.items() if isinstance(v, str)} if isinstance(saved, dict) else {}
    answers = {stage: load(section_for(stage)).get("answer") for stage in load_course().keys}
    exercise, prompts = load_exercise(), load_prompts()
    ex_title, ex_file = _notebook(None)

    sections = []
    for key, heading, stage, sources in SECTIONS:
        entries, missing = [], []
        for kind, name in sources:
            if kind == "exercise":
                text = fields.get(name, "")
                label = exercise.field(name).label.replace(" (optional)", "")
                if text.strip():
                    entries.append(Entry(f"{label} (exercise)", text.strip()))
                elif name in REQUIRED_FIELDS:
                    missing.append(OpenQuestion(f"{label}: not written yet.", ex_title, ex_file))
            else:
                text = answers.get(name)
                title, file = _notebook(name)
                if isinstance(text, str) and text.strip():
                    entries.append(Entry(f"Your answer in {title}", text.strip()))
                else:
                    missing.append(OpenQuestion(_question(prompts[name].prompt), title, file))
        sections.append(BriefSection(key, heading, stage, tuple(entries), tuple(missing)))

    feedback, weak = "", []
    if any(v.strip() for v in fields.values()):
        result = assess(**{k: fields.get(k, "") for k in FIELD_KEYS})
        feedback = result.summary
        weak = [OpenQuestion(f"{c.title}: {c.advice}", ex_title, ex_file) for c in result.criteria if c.status != "met"]
    completed = tuple(dict.fromkeys(s.stage for s in sections if s.entries))
    return Brief(tuple(sections), feedback, tuple(weak), completed, tuple(notes))


# -- renderers ----------------------------------------------------------------------------------




def brief_text(brief: Brief) -> str:
    """The brief as plain text (terminals, ``text/plain``)."""
    lines = [TITLE, "=" * len(TITLE)]
    lines += [f"Note: {n}" for n in brief.notes]
    for i, s in enumerate(brief.sections, 1):
        lines += ["", f"{i}. {s.heading}"]
        for e in s.entries:
            lines.append(f"  {e.label}:")
            lines += [f"    {p}" for p in e.text.splitlines() if p.strip()]
        if not s.entries:
            lines.append("  Open question: not answered yet (see the list below).")
        if s.key == "problem" and brief.feedback:
            lines.append(f"  Feedback on the statement: {brief.feedback}")
    lines += ["", f"{len(SECTIONS) + 1}. Open questions"]
    lines += [f"  - {q.text} -> {q.notebook} ({q.file})" for q in brief.open_questions] or ["  None: every part is answered."]
    return "\n".join(lines)


def brief_markdown(brief: Brief, date: str | None = None) -> str:
    """The brief as a Markdown document; learner text is quoted and escaped."""
    lines = [f"# {TITLE}", ""]
    if date:
        lines += [f"_Built from my answers in the course “How ML Projects Actually Work”, {md_escape(date)}._", ""]
    lines += [f"> **Note:** {md_escape(n)}" for n in brief.notes]
    for i, s in enumerate(brief.sections, 1):
        lines += [f"## {i}. {s.heading}", ""]
        for e in s.entries:
            lines += [f"**{md_escape(e.label)}**", ""] + md_quote(e.text) + [""]
        if not s.entries:
            lines += ["_Open question: not answered yet (see the open questions below)._", ""]
        if s.key == "problem" and brief.feedback:
            lines += [f"*Feedback on the statement:* {md_escape(brief.feedback)}", ""]
    lines += [f"## {len(SECTIONS) + 1}. Open questions", ""]
    lines += [f"- {md_escape(q.text)} → {md_escape(q.notebook)} ([{md_escape(q.file)}]({q.file}))"
              for q in brief.open_questions] or ["None: every part is answered."]
    return "\n".join(lines) + "\n"


BRIEF_CSS = stylesheet("brief")


def _diagram_html(brief: Brief) -> str:
    diagram = WorkflowDiagram(completed=brief.completed)
    try:
        svg = diagram.to_svg()
        return f'<div class="mlw-brief-diagram">{svg[svg.index("<svg"):]}</div>'
    except (RenderUnavailable, RenderFailed):
        return f'<div class="mlw-brief-diagram"><pre>{html.escape(diagram.to_text())}</pre></div>'


def brief_html(brief: Brief, *, diagram: bool = True, date: str | None = None) -> str:
    """The brief as an HTML fragment (with its CSS); every string escaped."""
    e = html.escape
    done = len(brief.completed)
    parts = [f'<style>{BRIEF_CSS}</style><div class="mlw-brief"><h2>{TITLE}</h2>']
    if date:
        parts.append(f"<p><i>Built from my answers in the course “How ML Projects Actually Work”, {e(date)}.</i></p>")
    parts += [f'<p class="mlw-brief-note">{e(n)}</p>' for n in brief.notes]
    parts.append(f'<p class="mlw-brief-progress">Stages with an answer: {done} of {len(load_course().stages)} (ticked in the diagram).</p>')
    if diagram:
        parts.append(_diagram_html(brief))
    for i, s in enumerate(brief.sections, 1):
        parts.append(f'<section class="mlw-brief-section" data-key="{e(s.key)}"><h3>{i}. {e(s.heading)}</h3>')
        for entry in s.entries:
            parts.append(f'<div class="mlw-brief-entry"><div class="mlw-brief-label">{e(entry.label)}</div>'
                         f'<p class="mlw-brief-answer">{e(entry.text)}</p></div>')
        if not s.entries:
            parts.append('<p class="mlw-brief-missing">Open question: not answered yet (see the open questions below).</p>')
        if s.key == "problem" and brief.feedback:
            parts.append(f'<p class="mlw-brief-feedback">Feedback on the statement: {e(brief.feedback)}</p>')
        parts.append("</section>")
    items = "".join(f"<li>{e(q.text)} <b>→ {e(q.notebook)}</b> (<code>{e(q.file)}</code>)</li>" for q in brief.open_questions)
    parts.append(f'<section class="mlw-brief-section" data-key="open"><h3>{len(SECTIONS) + 1}. Open questions</h3>'
                 + (f'<ul class="mlw-brief-open">{items}</ul>' if items else "<p>None: every part is answered.</p>")
                 + "</section></div>")
    return "".join(parts)


def brief_page(brief: Brief, date: str | None = None) -> str:
    """A self-contained HTML page (inline CSS and SVG, no scripts, nothing fetched)."""
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{TITLE}</title><style>body{{margin:2em auto;max-width:62em;padding:0 1em}}</style></head>"
            f"<body>{brief_html(brief, date=date)}</body></html>\n")


# -- the widget ---------------------------------------------------------------------------------
class ProjectBrief(StaticFallback, widgets.VBox):
    """Your brief in the notebook, with Refresh (re-read your answers) and Export buttons.

    ``status`` is the last message shown under the buttons, as plain text.
    """

    status = Unicode("")

    def __init__(self, store: ProgressStore | None = None, *, export_dir: str | Path | None = None, **kwargs: Any):
        self._store = store if store is not None else ProgressStore()
        self._export_dir = Path(export_dir) if export_dir is not None else Path.cwd()
        buttons = []
        for text, icon, css, action in (("Refresh", "refresh", "mlw-brief-refresh", self.refresh),
                                        ("Export Markdown and HTML", "download", "mlw-brief-export", self._on_export)):
            button = widgets.Button(description=text, icon=icon, layout=widgets.Layout(width="auto"))
            button.add_class(css)
            button.on_click(lambda _b, act=action: act())
            buttons.append(button)
        self._status = widgets.HTML().add_class("mlw-brief-status")
        self._view = widgets.HTML().add_class("mlw-brief-view")
        super().__init__(children=[widgets.HBox(buttons + [self._status]), self._view], **kwargs)
        self.add_class("mlw-brief-widget")
        self.brief = gather_brief(self._store)
        self._render()

    def refresh(self) -> None:
        """Read the saved answers again (after answering more in another notebook)."""
        self.brief = gather_brief(self._store)
        self._render()
        self._say(f"Refreshed: {self.brief.answered} answers, {len(self.brief.open_questions)} open questions.", "ok")

    def to_text(self) -> str:
        return brief_text(self.brief)

    def to_markdown(self) -> str:
        return brief_markdown(self.brief, _today())

    def to_html(self) -> str:
        """The self-contained HTML page."""
        return brief_page(self.brief, _today())

    def export(self, folder: str | Path | None = None) -> dict[str, Path]:
        """Write ``my_ml_project_brief.md`` and ``.html`` into ``folder`` (default: next to the notebook)."""
        target = Path(folder if folder is not None else self._export_dir).expanduser().resolve()
        return {"markdown": self._store.export(target / f"{EXPORT_STEM}.md", self.to_markdown()),
                "html": self._store.export(target / f"{EXPORT_STEM}.html", self.to_html())}

    def _on_export(self) -> None:
        try:
            written = self.export()
        except ProgressError as exc:
            self._say(str(exc), "error")
            return
        self._say(f"Exported {written['markdown'].name} and {written['html'].name} to {written['html'].parent}. "
                  "Open the HTML file in a browser to print it or attach it to an email.", "ok")

    def _render(self) -> None:
        self._view.value = brief_html(self.brief)

    def _say(self, message: str, kind: str) -> None:
        self.status = message
        colour = {"ok": "#15803d", "error": "#b91c1c"}.get(kind, "#374151")
        self._status.value = f'<span style="color:{colour}">{html.escape(message)}</span>'

    def _static_html(self) -> str:
        return brief_html(self.brief)

    def _static_text(self) -> str:
        return brief_text(self.brief)


def _today() -> str:
    return _dt.date.today().isoformat()

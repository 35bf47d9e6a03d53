"""The learner's own ML project on one page, built from the answers they saved (pure: no widgets).

:func:`gather_brief` collects the exercise's problem statement (and its feedback) and each stage's
"apply it to your project" answer into the sections listed in ``content/brief.json``: problem,
outcome and metric, data, model approach and baseline, evaluation and go / no-go bar, deployment,
monitoring and retraining triggers, and open questions. A missing answer becomes an open question
naming the notebook where it is asked, never a blank; so does every check the exercise feedback
did not find met. The ``brief_*`` functions render it; every piece of learner text is escaped for
the format it lands in. The :class:`~mlworkflow.checks.widgets.ProjectBrief` widget wires buttons to them.

    >>> brief = gather_brief()
    >>> print(brief_markdown(brief))
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from mlworkflow.checks.apply import load_prompts, section_for
from mlworkflow.core.content import ContentError, Fields, read_content, stylesheet
from mlworkflow.core.course import load_course, load_notebooks
from mlworkflow.core.progress import ProgressStore
from mlworkflow.core.saving import store_call
from mlworkflow.core.text import html_escape, md_escape, md_quote, safe_text
from mlworkflow.display.diagram import RenderFailed, RenderUnavailable, WorkflowDiagram
from mlworkflow.exercise.assess import assess
from mlworkflow.exercise.rubric import FIELD_KEYS, REQUIRED_FIELDS, load_exercise

__all__ = [
    "EXPORT_STEM",
    "Brief",
    "BriefContent",
    "BriefSection",
    "Entry",
    "OpenQuestion",
    "SectionSpec",
    "brief_html",
    "brief_markdown",
    "brief_page",
    "brief_text",
    "gather_brief",
    "load_brief_content",
    "today",
]

EXPORT_STEM = "my_ml_project_brief"
_SOURCES = ("exercise", "apply")
# label key -> the placeholders its text must use
_LABELS: dict[str, tuple[str, ...]] = {
    "exercise_entry": ("label",), "apply_entry": ("notebook",), "not_written": ("label",),
    "not_answered": (), "not_answered_text": (), "feedback": (), "note": (), "open_questions": (),
    "none_open": (), "progress": ("done", "total"),
}


# -- content ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SectionSpec:
    """One section of the brief: its heading, its stage, and where its answers come from.

    A source is ``("exercise", field key)`` or ``("apply", stage key)``.
    """

    key: str
    heading: str
    stage: str
    sources: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class BriefContent:
    """The brief's title, section layout and fixed wording, from ``content/brief.json``."""

    title: str
    built_from: str  # with a {date} placeholder
    labels: dict[str, str]
    sections: tuple[SectionSpec, ...]


def _parse(data: Any, label: str) -> BriefContent:
    top = Fields(data, label)
    labels_f = top.object("labels")
    labels = {key: labels_f.template(key, names) for key, names in _LABELS.items()}
    stages, fields = load_course().keys, FIELD_KEYS
    sections, seen = [], set()
    for s in top.objects("sections"):
        key = s.text("key")
        if key in seen:
            raise s.fail("key", f"duplicate section key {key!r}")
        seen.add(key)
        stage = s.text("stage")
        if stage not in stages:
            raise s.fail("stage", f"unknown stage {stage!r}; expected one of {', '.join(stages)}")
        sources = []
        for src in s.objects("sources"):
            if len(src.data) != 1 or next(iter(src.data)) not in _SOURCES:
                raise ContentError(src.file, src.where, 'expected {"exercise": <field key>} or {"apply": <stage key>}')
            kind = next(iter(src.data))
            name = src.text(kind)
            known = fields if kind == "exercise" else stages
            if name not in known:
                raise src.fail(kind, f"unknown {kind} key {name!r}; expected one of {', '.join(known)}")
            sources.append((kind, name))
        sections.append(SectionSpec(key, s.text("heading"), stage, tuple(sources)))
    return BriefContent(top.text("title"), top.template("built_from", ("date",)), labels, tuple(sections))


@lru_cache(maxsize=4)
def _load(path: str | None) -> BriefContent:
    return _parse(*read_content("brief.json", path))


def load_brief_content(path: str | Path | None = None) -> BriefContent:
    """The brief's wording and layout (shipped, or from ``path``); raises ``ContentError`` if malformed."""
    return _load(None if path is None else str(path))


def __getattr__(name: str) -> Any:
    if name == "SECTIONS":  # the old constant: (key, heading, stage, sources) per section
        return tuple((s.key, s.heading, s.stage, s.sources) for s in load_brief_content().sections)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# -- the brief ----------------------------------------------------------------------------------
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
    """One section as gathered: the learner's answers, and what is still open in it."""

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
        """Every open question: missing answers section by section, then rubric checks not met."""
        return tuple(q for s in self.sections for q in s.open) + self.weak

    @property
    def answered(self) -> int:
        """How many answers the brief holds."""
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
    source = store if store is not None else ProgressStore()
    notes: list[str] = []

    def load(section: str) -> dict[str, Any]:
        outcome = store_call(lambda: source.load(section), "reading your saved answers")
        notes.extend(n for n in outcome.notes if n not in notes)
        if not outcome.ok:
            if outcome.error not in notes:
                notes.append(outcome.error)
            return {}
        return outcome.value if isinstance(outcome.value, dict) else {}

    saved = load("exercise").get("fields")
    fields = {k: v for k, v in saved.items() if isinstance(v, str)} if isinstance(saved, dict) else {}
    answers = {stage: load(section_for(stage)).get("answer") for stage in load_course().keys}
    content, exercise, prompts = load_brief_content(), load_exercise(), load_prompts()
    words = content.labels
    ex_title, ex_file = _notebook(None)

    sections = []
    for spec in content.sections:
        entries, missing = [], []
        for kind, name in spec.sources:
            if kind == "exercise":
                text = fields.get(name, "")
                label = exercise.field(name).label.replace(" (optional)", "")
                if text.strip():
                    entries.append(Entry(words["exercise_entry"].format(label=label), text.strip()))
                elif name in REQUIRED_FIELDS:
                    missing.append(OpenQuestion(words["not_written"].format(label=label), ex_title, ex_file))
            else:
                answer = answers.get(name)
                title, file = _notebook(name)
                if isinstance(answer, str) and answer.strip():
                    entries.append(Entry(words["apply_entry"].format(notebook=title), answer.strip()))
                else:
                    missing.append(OpenQuestion(_question(prompts[name].prompt), title, file))
        sections.append(BriefSection(spec.key, spec.heading, spec.stage, tuple(entries), tuple(missing)))

    feedback, weak = "", []
    if any(v.strip() for v in fields.values()):
        result = assess(**{k: fields.get(k, "") for k in FIELD_KEYS})
        feedback = result.summary
        weak = [OpenQuestion(f"{c.title}: {c.advice}", ex_title, ex_file) for c in result.criteria if c.status != "met"]
    completed = tuple(dict.fromkeys(s.stage for s in sections if s.entries))
    return Brief(tuple(sections), feedback, tuple(weak), completed, tuple(notes))


# -- renderers ----------------------------------------------------------------------------------
def today() -> str:
    """Today's date as the brief prints it (ISO, ``2024-05-31``)."""
    return _dt.date.today().isoformat()


def brief_text(brief: Brief) -> str:
    """The brief as plain text (terminals, ``text/plain``); direction overrides dropped, always encodable."""
    content = load_brief_content()
    words, title = content.labels, content.title
    lines = [title, "=" * len(title)]
    lines += [f"{words['note']}: {n}" for n in brief.notes]
    for i, s in enumerate(brief.sections, 1):
        lines += ["", f"{i}. {s.heading}"]
        for e in s.entries:
            lines.append(f"  {e.label}:")
            lines += [f"    {p}" for p in e.text.splitlines() if p.strip()]
        if not s.entries:
            lines.append(f"  {words['not_answered_text']}")
        if s.key == "problem" and brief.feedback:
            lines.append(f"  {words['feedback']}: {brief.feedback}")
    lines += ["", f"{len(brief.sections) + 1}. {words['open_questions']}"]
    lines += [f"  - {q.text} -> {q.notebook} ({q.file})" for q in brief.open_questions] or [f"  {words['none_open']}"]
    return safe_text("\n".join(lines), shown=True)


def brief_markdown(brief: Brief, date: str | None = None) -> str:
    """The brief as a Markdown document; learner text is quoted and escaped."""
    content = load_brief_content()
    words = content.labels
    lines = [f"# {md_escape(content.title)}", ""]
    if date:
        lines += [f"_{content.built_from.format(date=md_escape(date))}_", ""]
    lines += [f"> **{words['note']}:** {md_escape(n)}" for n in brief.notes]
    for i, s in enumerate(brief.sections, 1):
        lines += [f"## {i}. {s.heading}", ""]
        for e in s.entries:
            lines += [f"**{md_escape(e.label)}**", "", *md_quote(e.text), ""]
        if not s.entries:
            lines += [f"_{words['not_answered']}_", ""]
        if s.key == "problem" and brief.feedback:
            lines += [f"*{words['feedback']}:* {md_escape(brief.feedback)}", ""]
    lines += [f"## {len(brief.sections) + 1}. {words['open_questions']}", ""]
    lines += [f"- {md_escape(q.text)} → {md_escape(q.notebook)} ([{md_escape(q.file)}]({q.file}))"
              for q in brief.open_questions] or [words["none_open"]]
    return "\n".join(lines) + "\n"


def _diagram_html(brief: Brief) -> str:
    diagram = WorkflowDiagram(completed=brief.completed)
    try:
        svg = diagram.to_svg()
        return f'<div class="mlw-brief-diagram">{svg[svg.index("<svg"):]}</div>'
    except (RenderUnavailable, RenderFailed):
        return f'<div class="mlw-brief-diagram"><pre>{html_escape(diagram.to_text())}</pre></div>'


def brief_html(brief: Brief, *, diagram: bool = True, date: str | None = None) -> str:
    """The brief as an HTML fragment (with its CSS); every string escaped."""
    e = html_escape
    content = load_brief_content()
    words = content.labels
    done, total = len(brief.completed), len(load_course().stages)
    parts = [f'<style>{stylesheet("brief")}</style><div class="mlw-brief"><h2>{e(content.title)}</h2>']
    if date:
        parts.append(f"<p><i>{e(content.built_from.format(date=date))}</i></p>")
    parts += [f'<p class="mlw-brief-note">{e(n)}</p>' for n in brief.notes]
    parts.append(f'<p class="mlw-brief-progress">{e(words["progress"].format(done=done, total=total))}</p>')
    if diagram:
        parts.append(_diagram_html(brief))
    for i, s in enumerate(brief.sections, 1):
        parts.append(f'<section class="mlw-brief-section" data-key="{e(s.key)}"><h3>{i}. {e(s.heading)}</h3>')
        for entry in s.entries:
            parts.append(f'<div class="mlw-brief-entry"><div class="mlw-brief-label">{e(entry.label)}</div>'
                         f'<p class="mlw-brief-answer">{e(entry.text)}</p></div>')
        if not s.entries:
            parts.append(f'<p class="mlw-brief-missing">{e(words["not_answered"])}</p>')
        if s.key == "problem" and brief.feedback:
            parts.append(f'<p class="mlw-brief-feedback">{e(words["feedback"])}: {e(brief.feedback)}</p>')
        parts.append("</section>")
    items = "".join(f"<li>{e(q.text)} <b>→ {e(q.notebook)}</b> (<code>{e(q.file)}</code>)</li>"
                    for q in brief.open_questions)
    parts.append(f'<section class="mlw-brief-section" data-key="open">'
                 f"<h3>{len(brief.sections) + 1}. {e(words['open_questions'])}</h3>"
                 + (f'<ul class="mlw-brief-open">{items}</ul>' if items else f"<p>{e(words['none_open'])}</p>")
                 + "</section></div>")
    return "".join(parts)


def brief_page(brief: Brief, date: str | None = None) -> str:
    """A self-contained HTML page (inline CSS and SVG, no scripts, nothing fetched)."""
    title = html_escape(load_brief_content().title)
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title}</title><style>body{{margin:2em auto;max-width:62em;padding:0 1em}}</style></head>"
            f"<body>{brief_html(brief, date=date)}</body></html>\n")


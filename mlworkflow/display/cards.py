"""HTML and text renderings of a stage, shared by the stepper, its static fallback and notebooks.

Pure functions: a stage in, a string out. Every piece of text is HTML-escaped. The section
titles ("Why this matters for PMs", ...) are course text, read from ``content/cards.json``.

    >>> stage_card_text(load_course().stage("data")).splitlines()[0]
    'Stage 2 of 6: Data Collection and Preparation'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from mlworkflow.core.content import Fields, read_content, stylesheet
from mlworkflow.core.course import Course, Stage, load_course
from mlworkflow.core.text import html_escape

__all__ = [
    "SECTIONS",
    "CardText",
    "StageNotes",
    "card_css",
    "load_card_text",
    "stage_card_html",
    "stage_card_text",
    "stage_notes",
    "stage_section_html",
]

# The stage fields a card can show, in the order a card shows them (titles come from cards.json).
SECTIONS = ("key_steps", "why_it_matters", "questions_to_ask", "red_flags", "handover")


@dataclass(frozen=True)
class CardText:
    """The words a stage card puts around a stage's own text."""

    section_titles: dict[str, str]
    more_summary: str


def _parse(data: object, label: str) -> CardText:
    top = Fields(data, label)
    version = top.number("version")
    if version != 1:
        raise top.fail("version", f"unsupported version {version!r} (this mlworkflow reads version 1)")
    sections = top.object("sections")
    unknown = sorted(set(sections.data) - set(SECTIONS))
    if unknown:
        raise sections.fail(unknown[0], f"unknown section; expected one of {', '.join(SECTIONS)}")
    titles = {key: sections.text(key) for key in SECTIONS}
    return CardText(section_titles=titles, more_summary=top.text("more_summary"))


@lru_cache(maxsize=1)
def _shipped() -> CardText:
    return _parse(*read_content("cards.json"))


def load_card_text(path: str | Path | None = None) -> CardText:
    """The card's section titles (the shipped ``cards.json``, or another file for testing a draft).

    Raises :class:`~mlworkflow.core.content.ContentError` naming the file and field when malformed.
    """
    if path is None:
        return _shipped()
    return _parse(*read_content("cards.json", path))


@lru_cache(maxsize=1)
def card_css() -> str:
    """The card's ``<style>`` element (read once, when first needed)."""
    return stylesheet("card", tag=True)


def __getattr__(name: str) -> str:
    if name == "CARD_CSS":  # kept for old callers; read lazily so importing stays free of I/O
        return card_css()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _items(items: tuple[str, ...], tag: str = "ul") -> str:
    return f"<{tag}>" + "".join(f"<li>{html_escape(i)}</li>" for i in items) + f"</{tag}>"


def stage_section_html(stage: Stage, section: str) -> str:
    """One section of a stage as HTML; ``section`` is one of :data:`SECTIONS` (``"why_it_matters"``, ...)."""
    titles = load_card_text().section_titles
    if section not in titles:
        raise ValueError(f"unknown section {section!r}; choose from {', '.join(titles)}")
    value = getattr(stage, section)
    if isinstance(value, str):
        body = f'<div class="mlw-why">{html_escape(value)}</div>'
    else:
        body = _items(value, "ol" if section == "key_steps" else "ul")
    return f"<h4>{html_escape(titles[section])}</h4>{body}"


def stage_card_html(stage: Stage, course: Course | None = None) -> str:
    """The stage card: position, title, summary, key steps, why it matters, questions to ask."""
    total = len((course or load_course()).stages)
    extra = stage_section_html(stage, "red_flags") + stage_section_html(stage, "handover")
    more = html_escape(load_card_text().more_summary)
    return (
        f'{card_css()}<div class="mlw-card-body" data-stage="{html_escape(stage.key)}">'
        f'<div class="mlw-position">Stage {stage.number} of {total}</div>'
        f'<h3 class="mlw-card-title">{html_escape(stage.title)}</h3>'
        f'<p class="mlw-summary">{html_escape(stage.summary)}</p>'
        + stage_section_html(stage, "key_steps")
        + stage_section_html(stage, "why_it_matters")
        + stage_section_html(stage, "questions_to_ask")
        + f"<details><summary>{more}</summary>{extra}</details></div>"
    )


def stage_card_text(stage: Stage, course: Course | None = None) -> str:
    """The same card as plain text, for terminals and ``text/plain``."""
    total = len((course or load_course()).stages)
    titles = load_card_text().section_titles
    lines = [f"Stage {stage.number} of {total}: {stage.title}", stage.summary, "", f"{titles['key_steps']}:"]
    lines += [f"  {i}. {s}" for i, s in enumerate(stage.key_steps, 1)]
    lines += ["", f"{titles['why_it_matters']}:", f"  {stage.why_it_matters}", "", f"{titles['questions_to_ask']}:"]
    lines += [f"  - {q}" for q in stage.questions_to_ask]
    return "\n".join(lines)


class StageNotes:
    """Chosen sections of a stage, for a notebook cell: ``stage_notes("data")``.

    Displays as HTML in notebooks and as readable text elsewhere.
    """

    def __init__(self, stage: str | int, sections: tuple[str, ...]):
        self.stage = load_course().stage(stage)
        self.sections = sections
        for section in sections:  # fail now, in the cell that asked, not at display time
            stage_section_html(self.stage, section)

    def _repr_html_(self) -> str:
        body = "".join(stage_section_html(self.stage, s) for s in self.sections)
        return f'{card_css()}<div class="mlw-card-body mlw-stage-notes">{body}</div>'

    def __repr__(self) -> str:
        parts = []
        for section in self.sections:
            value = getattr(self.stage, section)
            title = section.replace("_", " ").capitalize()
            items = f"  {value}" if isinstance(value, str) else "\n".join(f"  - {v}" for v in value)
            parts.append(f"{title}:\n{items}")
        return "\n\n".join(parts)


def stage_notes(stage: str | int, *sections: str) -> StageNotes:
    """'Why this matters for PMs' and 'Questions to ask your team' (or the sections named) for a stage."""
    return StageNotes(stage, sections or ("why_it_matters", "questions_to_ask"))

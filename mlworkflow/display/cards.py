"""HTML and text renderings of a stage, shared by the stepper, its static fallback and notebooks.

Pure functions: a stage in, a string out. Every piece of text is HTML-escaped.
"""

from __future__ import annotations

import html

from mlworkflow.core.content import stylesheet
from mlworkflow.core.course import Course, Stage, load_course

__all__ = ["CARD_CSS", "StageNotes", "stage_card_html", "stage_card_text", "stage_notes", "stage_section_html"]

CARD_CSS = stylesheet("card", tag=True)


def _items(items: tuple[str, ...], tag: str = "ul") -> str:
    return f"<{tag}>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + f"</{tag}>"


def stage_section_html(stage: Stage, section: str) -> str:
    """One section of a stage as HTML: ``key_steps``, ``why_it_matters``, ``questions_to_ask``, ``red_flags`` or ``handover``."""
    titles = {
        "key_steps": "Key steps",
        "why_it_matters": "Why this matters for PMs",
        "questions_to_ask": "Questions to ask your team",
        "red_flags": "Red flags",
        "handover": "What the team should hand over",
    }
    if section not in titles:
        raise ValueError(f"unknown section {section!r}; choose from {', '.join(titles)}")
    value = getattr(stage, section)
    if isinstance(value, str):
        body = f'<div class="mlw-why">{html.escape(value)}</div>'
    else:
        body = _items(value, "ol" if section == "key_steps" else "ul")
    return f"<h4>{titles[section]}</h4>{body}"


def stage_card_html(stage: Stage, course: Course | None = None) -> str:
    """The stage card: position, title, summary, key steps, why it matters, questions to ask."""
    total = len((course or load_course()).stages)
    extra = stage_section_html(stage, "red_flags") + stage_section_html(stage, "handover")
    return (
        f'{CARD_CSS}<div class="mlw-card-body" data-stage="{html.escape(stage.key)}">'
        f'<div class="mlw-position">Stage {stage.number} of {total}</div>'
        f'<h3 class="mlw-card-title">{html.escape(stage.title)}</h3>'
        f'<p class="mlw-summary">{html.escape(stage.summary)}</p>'
        + stage_section_html(stage, "key_steps")
        + stage_section_html(stage, "why_it_matters")
        + stage_section_html(stage, "questions_to_ask")
        + f"<details><summary>Red flags and what to hand over</summary>{extra}</details></div>"
    )


def stage_card_text(stage: Stage, course: Course | None = None) -> str:
    """The same card as plain text, for terminals and ``text/plain``."""
    total = len((course or load_course()).stages)
    lines = [f"Stage {stage.number} of {total}: {stage.title}", stage.summary, "", "Key steps:"]
    lines += [f"  {i}. {s}" for i, s in enumerate(stage.key_steps, 1)]
    lines += ["", "Why this matters for PMs:", f"  {stage.why_it_matters}", "", "Questions to ask your team:"]
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
        return f'{CARD_CSS}<div class="mlw-card-body mlw-stage-notes">{body}</div>'

    def __repr__(self) -> str:
        parts = []
        for section in self.sections:
            value = getattr(self.stage, section)
            title = section.replace("_", " ").capitalize()
            parts.append(f"{title}:\n" + (f"  {value}" if isinstance(value, str) else "\n".join(f"  - {v}" for v in value)))
        return "\n\n".join(parts)


def stage_notes(stage: str | int, *sections: str) -> StageNotes:
    """'Why this matters for PMs' and 'Questions to ask your team' (or the sections named) for a stage."""
    return StageNotes(stage, sections or ("why_it_matters", "questions_to_ask"))

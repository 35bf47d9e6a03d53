"""The projector deck as data: a title slide, one slide per stage, the loops; pure, no widgets.

Every word comes from the course content (``content/stages.json`` and ``cards.json``); this
module only arranges it. :class:`ProjectorDiagram` is the workflow diagram drawn top to bottom
and sized so its smallest label reads at a given pixel size.

    >>> deck = course_slides()
    >>> [s.key for s in deck][:3], len(deck)
    (['title', 'problem', 'data'], 8)
    >>> deck[1].stage, deck[1].heading
    ('problem', 'Problem Definition')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mlworkflow.core.course import Course, load_course
from mlworkflow.core.text import html_escape
from mlworkflow.display.cards import load_card_text, stage_section_html
from mlworkflow.display.diagram import WorkflowDiagram

__all__ = ["LABEL_PX", "ProjectorDiagram", "Slide", "course_slides", "scale_svg", "slide_index"]

LABEL_PX = 30.0  # the smallest diagram label on screen, in CSS pixels (the deck's floor is 28)
LOOPS_HEADING = "Loops back"  # the same words the diagram's text version uses

_SVG_SIZE = re.compile(r'(<svg\b[^>]*?)\swidth="[^"]*"\s+height="[^"]*"')
_VIEWBOX = re.compile(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"')
_FONT_SIZE = re.compile(r'font-size="([\d.]+)"')


def scale_svg(svg: str, smallest_text_px: float) -> str:
    """``svg`` with its width and height set so its smallest ``font-size`` shows at ``smallest_text_px``.

    Graphviz writes sizes in points with a viewBox in the same units; this rewrites only the
    outer ``width``/``height``, so the picture scales and stays sharp. Unchanged if the SVG
    has no viewBox or no text.
    """
    box, sizes = _VIEWBOX.search(svg), [float(s) for s in _FONT_SIZE.findall(svg)]
    if box is None or not sizes or min(sizes) <= 0:
        return svg
    k = smallest_text_px / min(sizes)
    width, height = float(box.group(1)) * k, float(box.group(2)) * k
    return _SVG_SIZE.sub(lambda m: f'{m.group(1)} width="{width:.0f}px" height="{height:.0f}px"', svg, count=1)


class ProjectorDiagram(WorkflowDiagram):
    """The workflow top to bottom (it fits beside a slide), compact, labels at ``label_px``."""

    def __init__(self, current: str | int | None = None, completed: Any = (), *,
                 label_px: float = LABEL_PX, course: Course | None = None):
        super().__init__(current, completed, direction="TB", course=course)
        self.label_px = label_px

    def build(self) -> Any:
        g = super().build()
        g.attr(ranksep="0.2")  # graph attributes apply wherever they are set
        return g

    def to_svg(self, backend: str | None = None) -> str:
        return scale_svg(super().to_svg(backend), self.label_px)


@dataclass(frozen=True)
class Slide:
    """One screen of the deck: its ``key``, heading, HTML body, plain text and diagram state."""

    key: str
    heading: str
    html: str
    text: str
    stage: str | None = None
    completed: tuple[str, ...] = ()

    def diagram(self, course: Course | None = None) -> ProjectorDiagram:
        """The side diagram for this slide: its stage highlighted, earlier ones ticked."""
        return ProjectorDiagram(self.stage, self.completed, course=course)


def _title_slide(course: Course) -> Slide:
    body = (f'<div class="mlw-slide mlw-slide-title"><h1 class="mlw-slide-heading">{html_escape(course.title)}</h1>'
            f'<p class="mlw-slide-lead">{html_escape(course.tagline)}</p></div>')
    return Slide("title", course.title, body, f"{course.title}\n{course.tagline}")


def _stage_slide(course: Course, i: int) -> Slide:
    stage, total = course.stages[i], len(course.stages)
    position = f"Stage {stage.number} of {total}"
    more = html_escape(load_card_text().more_summary)
    body = (
        f'<div class="mlw-slide mlw-slide-stage" data-stage="{html_escape(stage.key)}">'
        f'<div class="mlw-position">{position}</div>'
        f'<h2 class="mlw-slide-heading">{html_escape(stage.title)}</h2>'
        f'<p class="mlw-summary">{html_escape(stage.summary)}</p>'
        f'{stage_section_html(stage, "why_it_matters")}'
        f'<div class="mlw-slide-columns"><section>{stage_section_html(stage, "key_steps")}</section>'
        f'<section>{stage_section_html(stage, "questions_to_ask")}</section></div>'
        f'<details><summary>{more}</summary><div class="mlw-slide-columns">'
        f'<section>{stage_section_html(stage, "red_flags")}</section>'
        f'<section>{stage_section_html(stage, "handover")}</section></div></details></div>'
    )
    titles = load_card_text().section_titles
    text = "\n".join([
        f"{position}: {stage.title}", stage.summary, f"{titles['why_it_matters']}: {stage.why_it_matters}",
        f"{titles['key_steps']}:", *(f"  {n}. {s}" for n, s in enumerate(stage.key_steps, 1)),
        f"{titles['questions_to_ask']}:",
        *(f"  - {q}" for q in stage.questions_to_ask),
    ])
    done = tuple(s.key for s in course.stages[:i])
    return Slide(stage.key, stage.title, body, text, stage=stage.key, completed=done)


def _loops_slide(course: Course) -> Slide:
    items, lines = [], [LOOPS_HEADING]
    for loop in course.loops:
        src, dst = course.stage(loop.source).title, course.stage(loop.target).title
        items.append(f'<li><b>{html_escape(src)} → {html_escape(dst)}</b> '
                     f'<span class="mlw-loop-label">({html_escape(loop.label)})</span>: {html_escape(loop.why)}</li>')
        lines.append(f"  {src} → {dst} ({loop.label}): {loop.why}")
    body = (f'<div class="mlw-slide mlw-slide-loops"><h2 class="mlw-slide-heading">{LOOPS_HEADING}</h2>'
            f'<ul class="mlw-loops">{"".join(items)}</ul></div>')
    return Slide("loops", LOOPS_HEADING, body, "\n".join(lines))


def course_slides(course: Course | None = None) -> tuple[Slide, ...]:
    """The deck: the course title, each stage in order, then the loops back (if the course has any)."""
    course = course or load_course()
    slides = [_title_slide(course), *(_stage_slide(course, i) for i in range(len(course.stages)))]
    if course.loops:
        slides.append(_loops_slide(course))
    return tuple(slides)


def slide_index(slides: tuple[Slide, ...], at: str | int) -> int:
    """The position of the slide called ``at`` (``"title"``, a stage key, ``"loops"``), or ``at`` clamped."""
    if isinstance(at, int) and not isinstance(at, bool):
        return max(0, min(at, len(slides) - 1))
    for i, slide in enumerate(slides):
        if slide.key == at:
            return i
    raise KeyError(f"no slide called {at!r}; the slides are: {', '.join(s.key for s in slides)}")

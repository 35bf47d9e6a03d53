"""The projector deck as a widget: one slide at a time, Previous / Next, the diagram beside it.

A thin view over :func:`~mlworkflow.leader.projector.slides.course_slides`; ``mlworkflow present`` shows
it with Voila, whose template adds projector-sized type and the arrow keys.

    >>> show = Slideshow()
    >>> show.next(); show.slide.key
    'problem'
    >>> show.go_to("loops"); show.index
    7
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
from traitlets import Int, observe, validate

from mlworkflow.core.course import Course, load_course
from mlworkflow.leader.projector.slides import Slide, course_slides, slide_index
from mlworkflow.ui import StaticFallback, guard, show

__all__ = ["Slideshow"]


class Slideshow(StaticFallback, widgets.HBox):
    """The course on a projector: ``index`` (0-based) is the slide shown, clamped to the deck."""

    index = Int(0)

    def __init__(self, start: int | str = 0, *, course: Course | None = None, **kwargs: Any):
        self._course = course or load_course()
        self._slides = course_slides(self._course)
        self._prev_button = widgets.Button(description="Previous", icon="arrow-left",
                                           tooltip="Previous slide (← or Page Up)")
        self._next_button = widgets.Button(description="Next", icon="arrow-right",
                                           tooltip="Next slide (→ or Page Down)")
        self._prev_button.add_class("mlw-prev")
        self._next_button.add_class("mlw-next")
        self._prev_button.on_click(self._on_previous)
        self._next_button.on_click(self._on_next)
        self._diagram = widgets.Output()
        self._diagram.add_class("mlw-slide-diagram")
        self._view = widgets.HTML()
        self._view.add_class("mlw-slide-view")
        nav = widgets.HBox([self._prev_button, self._next_button])
        nav.add_class("mlw-slide-nav")
        side = widgets.VBox([nav, self._diagram])  # buttons first: they stay put whatever the diagram's height
        side.add_class("mlw-slide-side")
        super().__init__(children=[side, self._view], **kwargs)
        self.add_class("mlw-slideshow")
        self.index = slide_index(self._slides, start)
        self._render()

    @property
    def slides(self) -> tuple[Slide, ...]:
        return self._slides

    @property
    def slide(self) -> Slide:
        """The slide shown now."""
        return self._slides[self.index]

    def next(self) -> None:
        """Show the next slide (stays on the last)."""
        self.index += 1

    def previous(self) -> None:
        """Show the previous slide (stays on the first)."""
        self.index -= 1

    def go_to(self, at: str | int) -> None:
        """Show the slide called ``at`` (``"title"``, a stage key such as ``"data"``, ``"loops"``) or at an index."""
        self.index = slide_index(self._slides, at)

    @guard("going to the previous slide")
    def _on_previous(self, _button: widgets.Button) -> None:
        self.previous()

    @guard("going to the next slide")
    def _on_next(self, _button: widgets.Button) -> None:
        self.next()

    @validate("index")
    def _clamp(self, proposal: Any) -> int:
        return slide_index(self._slides, int(proposal["value"]))

    @observe("index")
    @guard("showing the slide")
    def _on_change(self, change: Any) -> None:
        if hasattr(self, "_view"):
            self._render()

    def _render(self) -> None:
        slide = self.slide
        self._prev_button.disabled = self.index == 0
        self._next_button.disabled = self.index == len(self._slides) - 1
        self._view.value = slide.html
        show(self._diagram, slide.diagram(self._course))

    def _static_html(self) -> str:
        return "<hr>".join(s.html for s in self._slides)

    def _static_text(self) -> str:
        return "\n\n".join(s.text for s in self._slides)

"""The stage stepper: step through the six stages, see each one's card and where it sits in the workflow.

    >>> stepper = StageStepper(start=0)
    >>> stepper.next(); stepper.stage.title
    'Data Collection and Preparation'
    >>> stepper.go_to("monitoring"); stepper.index
    5
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

import ipywidgets as widgets
from traitlets import Bool, Int, observe, validate

from mlworkflow.core.course import Course, Stage, load_course
from mlworkflow.display.cards import stage_card_html, stage_card_text
from mlworkflow.display.diagram import RenderFailed, RenderUnavailable, WorkflowDiagram
from mlworkflow.ui import StaticFallback, show

__all__ = ["StageStepper"]


class StageStepper(StaticFallback, widgets.VBox):
    """Previous / Next, a row of the six stages, the current stage's card, and the workflow diagram.

    ``index`` (0-based) is the public state; it is clamped to the course's stages.
    """

    index = Int(0)
    show_loops = Bool(False)

    def __init__(
        self,
        start: int | str = 0,
        *,
        completed: Iterable[str | int] = (),
        show_loops: bool = False,
        course: Course | None = None,
        **kwargs: Any,
    ):
        self._course = course or load_course()
        self._completed = tuple(self._course.stage(c).key for c in completed)
        self._prev_button = widgets.Button(description="Previous", icon="arrow-left", tooltip="Go to the previous stage")
        self._next_button = widgets.Button(description="Next", icon="arrow-right", tooltip="Go to the next stage")
        self._prev_button.add_class("mlw-prev")
        self._next_button.add_class("mlw-next")
        self._position = widgets.HTML()
        self._stage_buttons = []
        for stage in self._course.stages:
            button = widgets.Button(
                description=f"{stage.number} {stage.title}",
                tooltip=f"Go to stage {stage.number}: {stage.title}",
                layout=widgets.Layout(width="auto"),
            )
            button.add_class("mlw-stage-button")
            button.on_click(lambda _b, key=stage.key: self.go_to(key))
            self._stage_buttons.append(button)
        self._card = widgets.HTML()
        self._card.add_class("mlw-card")
        self._diagram = widgets.Output()
        self._diagram.add_class("mlw-diagram")
        self._prev_button.on_click(lambda _b: self.previous())
        self._next_button.on_click(lambda _b: self.next())

        nav = widgets.HBox([self._prev_button, self._position, self._next_button])
        nav.add_class("mlw-nav")
        row = widgets.HBox(self._stage_buttons, layout=widgets.Layout(flex_flow="row wrap"))
        row.add_class("mlw-stage-row")
        super().__init__(children=[nav, row, self._card, self._diagram], **kwargs)
        self.add_class("mlw-stepper")
        self.show_loops = show_loops
        start_index = self._course.stage(start).index if isinstance(start, str) else start
        with self.hold_trait_notifications():
            self.index = start_index
        self._render()

    # -- public API -------------------------------------------------------------------------
    @property
    def course(self) -> Course:
        return self._course

    @property
    def stage(self) -> Stage:
        """The stage shown now."""
        return self._course.stages[self.index]

    def next(self) -> None:
        """Move to the next stage (stays on the last one)."""
        self.index += 1

    def previous(self) -> None:
        """Move to the previous stage (stays on the first one)."""
        self.index -= 1

    def go_to(self, key: str | int) -> None:
        """Jump to a stage by key (``"evaluation"``) or 0-based index."""
        self.index = self._course.stage(key).index

    def diagram(self) -> WorkflowDiagram:
        """The diagram for the current state (current stage highlighted)."""
        return WorkflowDiagram(current=self.stage.key, completed=self._completed, show_loops=self.show_loops, course=self._course)

    # -- wiring -----------------------------------------------------------------------------
    @validate("index")
    def _clamp(self, proposal: Any) -> int:
        return max(0, min(len(self._course.stages) - 1, int(proposal["value"])))

    @observe("index", "show_loops")
    def _on_change(self, change: Any) -> None:
        if hasattr(self, "_card"):
            self._render()

    def _render(self) -> None:
        stage, last = self.stage, len(self._course.stages) - 1
        self._prev_button.disabled = self.index == 0
        self._next_button.disabled = self.index == last
        self._position.value = f"<b>Stage {stage.number} of {last + 1}</b>"
        for i, button in enumerate(self._stage_buttons):
            current = i == self.index
            button.button_style = "info" if current else ""
            if current:
                button.add_class("mlw-current")
            else:
                button.remove_class("mlw-current")
        self._card.value = stage_card_html(stage, self._course)
        show(self._diagram, self.diagram())

    def _static_html(self) -> str:
        diagram = self.diagram()
        try:
            svg = diagram.to_svg()
            picture = svg[svg.index("<svg"):]
        except (RenderUnavailable, RenderFailed):
            picture = f"<pre>{html.escape(diagram.to_text())}</pre>"
        return f'<div class="mlw-stepper-static">{stage_card_html(self.stage, self._course)}{picture}</div>'

    def _static_text(self) -> str:
        return stage_card_text(self.stage, self._course) + "\n\n" + self.diagram().to_text()

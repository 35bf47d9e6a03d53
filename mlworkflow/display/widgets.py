"""The stage stepper widget: a thin view over :class:`~mlworkflow.display.navigation.StageNavigation`.

    >>> stepper = StageStepper(start=0)
    >>> stepper.next(); stepper.stage.title
    'Data Collection and Preparation'
    >>> stepper.go_to("monitoring"); stepper.index
    5
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ipywidgets as widgets
from traitlets import Bool, Int, observe, validate

from mlworkflow.core.course import Course, Stage
from mlworkflow.core.text import html_escape
from mlworkflow.display.diagram import RenderFailed, RenderUnavailable, WorkflowDiagram
from mlworkflow.display.navigation import StageNavigation
from mlworkflow.ui import StaticFallback, guard, show

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
        self._nav = StageNavigation(start, completed=completed, show_loops=show_loops, course=course)
        self._prev_button = widgets.Button(
            description="Previous", icon="arrow-left", tooltip="Go to the previous stage"
        )
        self._next_button = widgets.Button(description="Next", icon="arrow-right", tooltip="Go to the next stage")
        self._prev_button.add_class("mlw-prev")
        self._next_button.add_class("mlw-next")
        self._position = widgets.HTML()
        self._stage_buttons = []
        for spec in self._nav.buttons():
            button = widgets.Button(description=spec.label, tooltip=spec.tooltip, layout=widgets.Layout(width="auto"))
            button.add_class("mlw-stage-button")
            button.on_click(self._on_stage_button)
            self._stage_buttons.append(button)
        self._card = widgets.HTML()
        self._card.add_class("mlw-card")
        self._diagram = widgets.Output()
        self._diagram.add_class("mlw-diagram")
        self._prev_button.on_click(self._on_previous)
        self._next_button.on_click(self._on_next)

        nav = widgets.HBox([self._prev_button, self._position, self._next_button])
        nav.add_class("mlw-nav")
        row = widgets.HBox(self._stage_buttons, layout=widgets.Layout(flex_flow="row wrap"))
        row.add_class("mlw-stage-row")
        super().__init__(children=[nav, row, self._card, self._diagram], **kwargs)
        self.add_class("mlw-stepper")
        with self.hold_trait_notifications():
            self.show_loops = self._nav.show_loops
            self.index = self._nav.index
        self._render()

    # -- public API -------------------------------------------------------------------------
    @property
    def course(self) -> Course:
        return self._nav.course

    @property
    def stage(self) -> Stage:
        """The stage shown now."""
        return self._nav.stage

    def next(self) -> None:
        """Move to the next stage (stays on the last one)."""
        self.index = self._nav.next()

    def previous(self) -> None:
        """Move to the previous stage (stays on the first one)."""
        self.index = self._nav.previous()

    def go_to(self, key: str | int) -> None:
        """Jump to a stage by key (``"evaluation"``) or 0-based index."""
        self.index = self._nav.go_to(key)

    def diagram(self) -> WorkflowDiagram:
        """The diagram for the current state (current stage highlighted)."""
        return self._nav.diagram()

    # -- wiring -----------------------------------------------------------------------------
    @guard("going to the previous stage")
    def _on_previous(self, _button: widgets.Button) -> None:
        self.previous()

    @guard("going to the next stage")
    def _on_next(self, _button: widgets.Button) -> None:
        self.next()

    @guard("going to that stage")
    def _on_stage_button(self, button: widgets.Button) -> None:
        self.go_to(self._stage_buttons.index(button))

    @validate("index")
    def _clamp(self, proposal: Any) -> int:
        return self._nav.clamp(proposal["value"])

    @observe("index", "show_loops")
    @guard("showing the stage")
    def _on_change(self, change: Any) -> None:
        if hasattr(self, "_card"):
            self._render()

    def _render(self) -> None:
        # What the learner reads first goes first, and each button changes in one message, not three:
        # a step is about five messages where it was about ten (the round trip, not Python, is the cost).
        self._nav.index, self._nav.show_loops = self.index, self.show_loops
        self._card.value = self._nav.card_html()
        show(self._diagram, self.diagram())
        self._position.value = f"<b>{html_escape(self._nav.position)}</b>"
        self._prev_button.disabled = self._nav.at_start
        self._next_button.disabled = self._nav.at_end
        for button, spec in zip(self._stage_buttons, self._nav.buttons(), strict=True):
            with button.hold_sync():
                button.button_style = "info" if spec.current else ""
                button.icon = "map-marker" if spec.current else ""  # "you are here" in a shape, not colour alone
                if spec.current:
                    button.add_class("mlw-current")
                else:
                    button.remove_class("mlw-current")

    def _static_html(self) -> str:
        diagram = self.diagram()
        try:
            svg = diagram.to_svg()
            picture = svg[svg.index("<svg"):]
        except (RenderUnavailable, RenderFailed):
            picture = f"<pre>{html_escape(diagram.to_text())}</pre>"
        return f'<div class="mlw-stepper-static">{self._nav.card_html()}{picture}</div>'

    def _static_text(self) -> str:
        return self._nav.card_text() + "\n\n" + self.diagram().to_text()

"""Where a learner is in the course: the stepper's logic, with no widgets.

A :class:`StageNavigation` holds the current stage (always one of the course's stages) and
answers what the stepper shows for it. Tests and the :class:`~mlworkflow.display.widgets.StageStepper`
drive it the same way.

    >>> nav = StageNavigation(start="problem")
    >>> nav.next(); nav.stage.title
    1
    'Data Collection and Preparation'
    >>> nav.press("End"), nav.at_end
    (True, True)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mlworkflow.core.course import Course, Stage, load_course
from mlworkflow.display.cards import stage_card_html, stage_card_text
from mlworkflow.display.diagram import WorkflowDiagram

__all__ = ["KEYS", "StageButton", "StageNavigation"]

# Keyboard-like moves :meth:`StageNavigation.press` understands (digits jump to that stage number).
KEYS = {
    "ArrowRight": "next",
    "ArrowDown": "next",
    "PageDown": "next",
    "n": "next",
    "ArrowLeft": "previous",
    "ArrowUp": "previous",
    "PageUp": "previous",
    "p": "previous",
    "Home": "first",
    "End": "last",
}


@dataclass(frozen=True)
class StageButton:
    """What one button of the stage row says, and whether it is the current stage."""

    key: str
    label: str
    tooltip: str
    current: bool


class StageNavigation:
    """The current stage of ``course``, moved by next / previous / jump, never outside the course."""

    def __init__(
        self,
        start: int | str = 0,
        *,
        completed: Iterable[str | int] = (),
        show_loops: bool = False,
        course: Course | None = None,
    ):
        self.course = course or load_course()
        self.completed = tuple(self.course.stage(c).key for c in completed)
        self.show_loops = bool(show_loops)
        self._index = 0
        self.index = self.index_of(start) if isinstance(start, str) else start

    # -- position ----------------------------------------------------------------------------
    @property
    def total(self) -> int:
        """How many stages the course has."""
        return len(self.course.stages)

    def clamp(self, index: int) -> int:
        """``index`` moved inside the course: below the first is the first, past the last is the last."""
        return max(0, min(self.total - 1, int(index)))

    @property
    def index(self) -> int:
        """The current stage, 0-based; setting it clamps."""
        return self._index

    @index.setter
    def index(self, value: int) -> None:
        self._index = self.clamp(value)

    def index_of(self, key: str | int) -> int:
        """The 0-based index of a stage key (``"evaluation"``) or index; ``KeyError`` if there is none."""
        return self.course.stage(key).index

    @property
    def stage(self) -> Stage:
        """The stage shown now."""
        return self.course.stages[self._index]

    @property
    def at_start(self) -> bool:
        return self._index == 0

    @property
    def at_end(self) -> bool:
        return self._index == self.total - 1

    @property
    def position(self) -> str:
        """``"Stage 3 of 6"``."""
        return f"Stage {self.stage.number} of {self.total}"

    # -- moves (each returns the new index) ---------------------------------------------------
    def next(self) -> int:
        """Move to the next stage (stays on the last one)."""
        self.index = self._index + 1
        return self._index

    def previous(self) -> int:
        """Move to the previous stage (stays on the first one)."""
        self.index = self._index - 1
        return self._index

    def go_to(self, key: str | int) -> int:
        """Jump to a stage by key (``"evaluation"``) or 0-based index; ``KeyError`` if there is none."""
        self.index = self.index_of(key)
        return self._index

    def press(self, key: str) -> bool:
        """Act on a key name (``"ArrowRight"``, ``"Home"``, ``"3"`` for stage 3); False if it means nothing here."""
        if key.isdigit():
            number = int(key)
            if not 1 <= number <= self.total:
                return False
            self.index = number - 1
            return True
        move = KEYS.get(key)
        if move is None:
            return False
        if move == "next":
            self.next()
        elif move == "previous":
            self.previous()
        else:
            self.index = 0 if move == "first" else self.total - 1
        return True

    # -- what the stepper shows ---------------------------------------------------------------
    def buttons(self) -> list[StageButton]:
        """The stage row: one button per stage, the current one marked."""
        return [
            StageButton(
                key=s.key,
                label=f"{s.number} {s.title}",
                tooltip=f"Go to stage {s.number}: {s.title}",
                current=s.index == self._index,
            )
            for s in self.course.stages
        ]

    def card_html(self) -> str:
        """The current stage's card as HTML."""
        return stage_card_html(self.stage, self.course)

    def card_text(self) -> str:
        """The current stage's card as plain text."""
        return stage_card_text(self.stage, self.course)

    def diagram(self) -> WorkflowDiagram:
        """The workflow diagram with the current stage highlighted and completed ones ticked."""
        return WorkflowDiagram(
            current=self.stage.key, completed=self.completed, show_loops=self.show_loops, course=self.course
        )

"""Cleaning lab widget: switch each cleaning step on or off and see what the data, and each choice, costs.

A thin view over :mod:`mlworkflow.stages.data.lab` (which holds the figures, summaries and chart):

    >>> lab = CleaningLab()                  # in a notebook: a toggle per step, figures, a chart
    >>> print(lab.summary_text())            # the current choices, before and after, as text
    >>> print(lab.compare(missing="drop"))   # what dropping rows with gaps costs instead
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
from traitlets import Bool, Enum, observe

from mlworkflow.core.text import html_escape
from mlworkflow.stages.data.lab import (
    DEFAULT_CHOICES,
    MISSING_CHOICES,
    LabSummary,
    chart_html,
    check_choices,
    cleaning_chart,
    compare,
    key_figures,
    lab_text,
    summarise,
)
from mlworkflow.ui import StaticFallback, guard, show_html

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["CleaningLab"]


class CleaningLab(StaticFallback, widgets.VBox):
    """A toggle per cleaning step and a choice for missing values; figures, costs and a chart follow.

    Public state: ``fix_types``, ``normalise_categories``, ``drop_duplicates``,
    ``drop_impossible`` (on/off) and ``missing`` (``impute``, ``drop`` or ``keep``).
    Results are cached per combination, so going back to a choice is instant.
    """

    fix_types = Bool(True)
    normalise_categories = Bool(True)
    drop_duplicates = Bool(True)
    drop_impossible = Bool(True)
    missing = Enum(tuple(MISSING_CHOICES), default_value="impute")

    def __init__(self, raw: pd.DataFrame | None = None, **choices: Any):
        from mlworkflow.stages.data.cleaning import STEPS
        from mlworkflow.stages.data.datasets import churn_raw

        self._rendering = True  # no re-render while the starting choices are set
        self._raw = churn_raw() if raw is None else raw
        self._before = key_figures(self._raw)
        self._cache: dict[tuple[Any, ...], tuple[LabSummary, str]] = {}
        toggles = []
        for key in ("fix_types", "normalise_categories", "drop_duplicates", "drop_impossible"):
            box = widgets.Checkbox(value=True, description=STEPS[key], indent=False)
            box.add_class("mlw-clean-toggle")
            box.add_class(f"mlw-clean-{key.replace('_', '-')}")
            toggles.append((key, box))
        self._missing_choice = widgets.ToggleButtons(
            options=[(label, key) for key, label in MISSING_CHOICES.items()], value="impute",
            description="Missing values", style={"description_width": "initial"})
        self._missing_choice.add_class("mlw-clean-missing")
        self._summary = widgets.Output()
        self._summary.add_class("mlw-clean-summary")
        self._chart = widgets.Output()
        self._chart.add_class("mlw-clean-chart")
        controls = widgets.VBox([b for _, b in toggles] + [self._missing_choice])
        controls.add_class("mlw-clean-controls")
        super().__init__(children=[controls, self._summary, self._chart])
        self.add_class("mlw-cleaning-lab")
        for key, box in toggles:
            widgets.link((box, "value"), (self, key))
        widgets.link((self._missing_choice, "value"), (self, "missing"))
        try:
            for key, value in check_choices(choices).items():
                setattr(self, key, value)
        finally:
            self._rendering = False
        self._render()

    @property
    def choices(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in DEFAULT_CHOICES}

    def summary_for(self, **choices: Any) -> LabSummary:
        """The summary for ``choices`` (missing ones default to this lab's current choices); cached."""
        return self._cached({**self.choices, **choices})[0]

    def _cached(self, choices: dict[str, Any]) -> tuple[LabSummary, str]:
        key = tuple(check_choices(choices)[k] for k in DEFAULT_CHOICES)
        if key not in self._cache:
            summary = summarise(self._raw, self._before, **choices)
            self._cache[key] = (summary, chart_html(cleaning_chart(summary)))
        return self._cache[key]

    @property
    def summary(self) -> LabSummary:
        return self.summary_for()

    def summary_text(self) -> str:
        return self.summary.text()

    def compare(self, **alternative: Any) -> str:
        """What ``alternative`` choices would cost compared with the current ones, as text."""
        return compare(self.summary, self.summary_for(**alternative))

    @observe("fix_types", "normalise_categories", "drop_duplicates", "drop_impossible", "missing")
    @guard("applying your cleaning choices")
    def _on_choice(self, _change: Any) -> None:
        if not self._rendering:
            self._render()

    def _render(self) -> None:
        summary, chart = self._cached(self.choices)
        show_html(self._summary, summary.html(), summary.text())
        show_html(self._chart, chart, lab_text().chart_text)

    def _say_error(self, message: str) -> None:
        show_html(self._summary, f'<p role="alert" class="mlw-clean-error">{html_escape(message)}</p>', message)
        self._chart.outputs = ()

    def _static_html(self) -> str:
        summary, chart = self._cached(self.choices)
        return (f'<div class="mlw-cleaning-lab mlw-cleaning-lab-static">{summary.html()}{chart}'
                f"<p><em>{html_escape(lab_text().static_note)}</em></p></div>")

    def _static_text(self) -> str:
        return self.summary_text()

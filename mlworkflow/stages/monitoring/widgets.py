"""The monitoring notebook's widget: an alert-threshold slider over the drift table.

    >>> DriftMonitor(drift_scores(train, churn_months()))

Drift scores, alerts and their sentences are pure (``stages.monitoring.drift``); this is a view over them.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
from traitlets import Float, observe, validate

from mlworkflow.core.text import html_escape
from mlworkflow.stages.monitoring.drift import alert_months, alert_summary, band_text, drift_html, load_monitoring
from mlworkflow.ui import StaticFallback, guard

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["DriftMonitor"]


class DriftMonitor(StaticFallback, widgets.VBox):
    """An alert-threshold slider over a month-by-input table of drift scores (PSI).

    ``threshold`` is the public state; cells at or over it are marked and their months alert.
    """

    threshold = Float()

    def __init__(self, drift: pd.DataFrame, threshold: float | None = None, **kwargs: Any) -> None:
        if drift.empty:
            raise ValueError("the drift table is empty: score at least one month first (drift_scores)")
        self._drift = drift
        default = load_monitoring().default_threshold if threshold is None else threshold
        self._slider = widgets.FloatSlider(value=default, min=0.05, max=1.0, step=0.05, readout_format=".2f",
                                           description="Alert at PSI ≥", style={"description_width": "initial"},
                                           continuous_update=True)  # a step is about 0.3 ms: follow the drag
        self._slider.add_class("mlw-drift-threshold")
        self._slider.observe(self._on_slide, names="value")
        self._summary = widgets.HTML()
        self._summary.add_class("mlw-drift-summary")
        self._table = widgets.HTML()
        self._table.add_class("mlw-drift-grid")
        super().__init__(children=[self._slider, self._summary, self._table], **kwargs)
        self.add_class("mlw-drift-monitor")
        self.threshold = default

    @property
    def alerts(self) -> dict[int, list[str]]:
        """Months that alert at the current threshold, with the inputs that crossed it."""
        return alert_months(self._drift, self.threshold)

    @validate("threshold")
    def _clamp(self, proposal: Any) -> float:
        value = float(proposal["value"])
        return 0.05 if math.isnan(value) else min(1.0, max(0.05, value))

    @guard("moving the alert threshold")
    def _on_slide(self, change: Any) -> None:
        self.threshold = change["new"]

    @observe("threshold")
    @guard("updating the drift table")
    def _on_threshold(self, change: Any) -> None:
        self._slider.value = self.threshold
        self._summary.value = (f"<p><b>{html_escape(alert_summary(self._drift, self.threshold))}</b><br>"
                               f"<i>{html_escape(band_text(self.threshold))}</i></p>")
        self._table.value = drift_html(self._drift, self.threshold)

    def _say_error(self, message: str) -> None:
        """Errors go in the summary line above the table, where the alert sentence would be."""
        self._summary.value = (f'<p role="alert" class="mlw-drift-error" style="color:#b91c1c">'
                               f"{html_escape(message)}</p>")

    def _static_html(self) -> str:
        return (f'<div class="mlw-drift-static"><p><b>{html_escape(alert_summary(self._drift, self.threshold))}</b></p>'
                f"{drift_html(self._drift, self.threshold)}"
                "<p><em>Run this notebook in Jupyter to move the threshold.</em></p></div>")

    def _static_text(self) -> str:
        return alert_summary(self._drift, self.threshold) + "\n" + self._drift.to_string()

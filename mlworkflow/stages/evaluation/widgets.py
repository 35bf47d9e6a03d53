"""Notebook 04's widget: a threshold slider and the offer economics over a model's scores.

    >>> ThresholdExplorer(valid["churned"], scores)   # in a notebook: slider, matrix, metrics, money

The counts and money are :mod:`mlworkflow.stages.evaluation.metrics`; the words and the chart are
:mod:`mlworkflow.stages.evaluation.threshold`.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
from traitlets import Float, Unicode, observe, validate

from mlworkflow.core.content import ContentError
from mlworkflow.display.charts import NO_MATH, MarkerChart, png_bundle, png_html
from mlworkflow.stages.evaluation.metrics import RetentionEconomics, ThresholdResult, evaluate, sweep
from mlworkflow.stages.evaluation.threshold import (
    THRESHOLDS,
    best_html,
    confusion_matrix_html,
    confusion_matrix_text,
    load_threshold_text,
    metrics_html,
    money_html,
    value_figure,
)
from mlworkflow.ui import StaticFallback, guard

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

__all__ = ["ThresholdExplorer"]

_KEEP_CHARTS = 4  # drawn charts kept (one per set of offer economics)
_KEEP_PNGS = 400  # marked charts kept, about 45 kB each


class ThresholdExplorer(StaticFallback, widgets.VBox):
    """A threshold slider and the offer economics, over validation labels and model scores.

    Public state: ``threshold``, ``offer_cost``, ``value_saved``, ``success_rate``. ``result`` is
    the :class:`ThresholdResult` now shown; ``best`` the threshold with the highest net value.
    """

    threshold = Float(0.5)
    # set in __init__ from the economics given, else RetentionEconomics() (content/economics.json)
    offer_cost = Float()
    value_saved = Float()
    success_rate = Float()
    title = Unicode("")

    def __init__(
        self, y_true: npt.ArrayLike, scores: npt.ArrayLike, *, threshold: float = 0.5,
        economics: RetentionEconomics | None = None, title: str = "", **kwargs: Any,
    ):
        import numpy as np

        self._y, self._scores = np.asarray(y_true), np.asarray(scores)
        evaluate(self._y, self._scores)  # bad inputs fail here, in the cell that built the widget
        econ = economics or RetentionEconomics()
        self._sweeps: dict[RetentionEconomics, list[ThresholdResult]] = {}
        self._pngs: dict[tuple[RetentionEconomics, float], bytes] = {}
        self._charts: dict[RetentionEconomics, MarkerChart] = {}
        self._heading = widgets.HTML()
        self._slider = self._control(
            # updates while dragging: a step redraws only the marker (the money and matrix are arithmetic)
            widgets.FloatSlider(min=0, max=1, step=0.01, readout_format=".2f", continuous_update=True,
                                description="Threshold"), "threshold", "mlw-threshold-slider")
        self._offer = self._control(widgets.FloatText(step=5, description="Offer cost $"),
                                    "offer_cost", "mlw-offer-cost")
        self._saved = self._control(widgets.FloatText(step=10, description="Saved customer $"),
                                    "value_saved", "mlw-value-saved")
        self._rate = self._control(
            widgets.FloatSlider(min=0, max=1, step=0.05, readout_format=".0%", continuous_update=False,
                                description="Offer success"), "success_rate", "mlw-success-rate")
        self._message = widgets.HTML()
        self._message.add_class("mlw-error")
        self._matrix, self._metrics, self._money = widgets.HTML(), widgets.HTML(), widgets.HTML()
        for part, css in ((self._matrix, "mlw-confusion-matrix"), (self._metrics, "mlw-metrics"),
                          (self._money, "mlw-money")):
            part.add_class(css)
        self._chart = widgets.Output()
        self._chart.add_class("mlw-value-chart")
        money_box = widgets.VBox([self._offer, self._saved, self._rate])
        super().__init__(children=[
            self._heading, self._slider, money_box, self._message,
            widgets.HBox([self._matrix, widgets.VBox([self._metrics, self._money])]), self._chart,
        ], **kwargs)
        self.add_class("mlw-threshold")
        with self.hold_trait_notifications():
            self.threshold, self.title = threshold, title
            self.offer_cost, self.value_saved, self.success_rate = econ.offer_cost, econ.value_saved, econ.success_rate
        self._render()

    def _control(self, control: Any, trait: str, css: str) -> Any:
        control.style = {"description_width": "11em"}
        # Wide enough that "Saved customer $" is not cut and the sliders have a track worth dragging.
        control.layout.width = "36em" if isinstance(control, widgets.FloatSlider) else "20em"
        control.add_class(css)
        widgets.link((control, "value"), (self, trait))
        return control

    # -- public API
    @property
    def economics(self) -> RetentionEconomics:
        """The offer economics now set (ValueError if a control holds an impossible value)."""
        return RetentionEconomics(self.offer_cost, self.value_saved, self.success_rate)

    @property
    def result(self) -> ThresholdResult:
        return evaluate(self._y, self._scores, self.threshold, self.economics)

    @property
    def best(self) -> ThresholdResult:
        """The threshold with the highest net value, from the cached sweep (a slider step sweeps nothing)."""
        return max(self.curve(), key=lambda r: (r.net_value, -r.threshold))  # the rule of best_threshold

    def curve(self) -> list[ThresholdResult]:
        """The result at every slider step, for the current economics (cached)."""
        econ = self.economics
        if econ not in self._sweeps:
            self._sweeps[econ] = sweep(self._y, self._scores, THRESHOLDS, econ)
        return self._sweeps[econ]

    # -- wiring
    @validate("threshold", "success_rate")
    def _clamp(self, proposal: Any) -> float:
        return round(max(0.0, min(1.0, float(proposal["value"]))), 2)

    def _problem(self) -> str | None:
        """What is wrong with the numbers typed in, in plain words (None if nothing)."""
        problems = load_threshold_text().problems
        if self.offer_cost < 0:
            return problems["offer_cost"]
        if self.value_saved < 0:
            return problems["value_saved"]
        return None

    @observe("threshold", "offer_cost", "value_saved", "success_rate", "title")
    @guard("updating the threshold view")
    def _on_change(self, change: Any) -> None:
        if hasattr(self, "_chart"):
            self._render()

    def _say_error(self, message: str) -> None:
        """Errors go to the widget's own message line, above the matrix."""
        self._message.value = f'<div class="mlw-error-body" role="alert">{html.escape(message)}</div>'

    def _png(self) -> bytes:
        """The value chart with the threshold marked: the curves are drawn once per economics, and a
        slider step only redraws the marker (about 15 ms, where the whole figure took 100-300 ms)."""
        econ = self.economics
        key = (econ, self.threshold)
        if key not in self._pngs:
            if econ not in self._charts:
                if len(self._charts) >= _KEEP_CHARTS:  # typing costs makes a new chart each time: keep a few
                    self._charts.pop(next(iter(self._charts)))
                self._charts[econ] = MarkerChart(value_figure(self.curve(), None))
            if len(self._pngs) >= _KEEP_PNGS:
                self._pngs.pop(next(iter(self._pngs)))
            self._pngs[key] = self._charts[econ].png(self.threshold)
        return self._pngs[key]

    def _render(self) -> None:
        self._heading.value = f"<h4>{html.escape(self.title)}</h4>" if self.title else ""
        problem = self._problem()
        if problem is not None:  # keep the last good view, and say what to fix
            fix = load_threshold_text().problems["fix"]
            self._message.value = f'<div class="mlw-error-body">{html.escape(problem)} {html.escape(fix)}</div>'
            return
        try:
            r, best = self.result, self.best
        except (ValueError, ContentError) as exc:
            line = load_threshold_text().problems["cannot_update"].format(problem=exc)
            self._message.value = f'<div class="mlw-error-body">{html.escape(line)}</div>'
            return
        self._message.value = ""
        self._matrix.value = confusion_matrix_html(r)
        self._metrics.value = metrics_html(r)
        self._money.value = money_html(r) + best_html(best)
        alt = f'{load_threshold_text().chart["alt"]}, with the threshold {self.threshold:.2f} marked'
        self._chart.outputs = ({"output_type": "display_data", "data": png_bundle(self._png(), alt), "metadata": {}},)

    def _static_html(self) -> str:
        r = self.result
        heading = f"<h4>{html.escape(self.title)}</h4>" if self.title else ""
        return (
            f'<div class="mlw-threshold-static {NO_MATH}">{heading}<p>Threshold <b>{r.threshold:.2f}</b></p>'
            f"{confusion_matrix_html(r)}{metrics_html(r)}{money_html(r)}"
            f'{png_html(self._png(), load_threshold_text().chart["alt"])}</div>'
        )

    def _static_text(self) -> str:
        return self.result.summary() + "\n\n" + confusion_matrix_text(self.result)

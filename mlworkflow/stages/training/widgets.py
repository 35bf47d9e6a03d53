"""Notebook 03's widget: a depth slider over the overfitting experiment.

    >>> OverfittingExplorer(curve)        # in a notebook: a depth slider, a chart and a verdict

The logic (curve, verdicts, chart, text) is in :mod:`mlworkflow.stages.training.experiments`.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets
from traitlets import Int, observe, validate

from mlworkflow.core.content import ContentError
from mlworkflow.display.charts import figure_png, png_bundle, png_html
from mlworkflow.stages.training.experiments import (
    ComplexityCurve,
    Verdict,
    curve_figure,
    curve_help_html,
    default_curve,
    load_training_text,
    verdict,
    verdict_html,
)
from mlworkflow.ui import StaticFallback, guard, show_html

__all__ = ["OverfittingExplorer"]


def _cannot_show(problem: Exception) -> str:
    """'Could not show this depth: ...' from the course text (the bare problem if that text is broken too)."""
    try:
        return load_training_text().cannot_show.format(problem=problem)
    except ContentError:
        return str(problem)


class OverfittingExplorer(StaticFallback, widgets.VBox):
    """A depth slider over a precomputed :class:`ComplexityCurve`: chart, scores and a verdict.

    ``depth`` is the public state (clamped to the curve's depths). Without a curve, the course's
    churn customers are used (about two seconds, once per session).
    """

    depth = Int(1)

    def __init__(self, curve: ComplexityCurve | None = None, *, depth: int | None = None, **kwargs: Any):
        self._curve = curve or default_curve()
        self._pngs: dict[int, bytes] = {}
        text = load_training_text()
        d = self._curve.depths
        self._slider = widgets.IntSlider(
            value=d[0], min=d[0], max=d[-1], step=1, description=text.complexity,
            continuous_update=True, style={"description_width": "initial"}, layout=widgets.Layout(width="28em"),
        )
        self._slider.add_class("mlw-depth-slider")
        help_text = widgets.HTML(curve_help_html())
        self._verdict = widgets.HTML()
        self._verdict.add_class("mlw-verdict")
        self._chart = widgets.Output()
        self._chart.add_class("mlw-curve-chart")
        super().__init__(children=[self._slider, help_text, self._verdict, self._chart], **kwargs)
        self.add_class("mlw-overfitting")
        widgets.link((self._slider, "value"), (self, "depth"))
        self.depth = self._curve.best_depth if depth is None else depth
        self._render()

    @property
    def curve(self) -> ComplexityCurve:
        return self._curve

    @property
    def verdict(self) -> Verdict:
        """The verdict at the current depth."""
        return verdict(self._curve, self.depth)

    @validate("depth")
    def _clamp(self, proposal: Any) -> int:
        d = self._curve.depths
        return max(d[0], min(d[-1], int(proposal["value"])))

    @observe("depth")
    @guard("showing this tree depth")
    def _on_depth(self, change: Any) -> None:
        if hasattr(self, "_chart"):
            self._render()

    def _say_error(self, message: str) -> None:
        """Errors go where the verdict is, so the learner sees them next to the slider."""
        self._verdict.value = f'<div class="mlw-error" role="alert">{html.escape(message)}</div>'

    def _png(self, depth: int) -> bytes:
        if depth not in self._pngs:  # rendered once per depth, so moving back is instant
            self._pngs[depth] = figure_png(curve_figure(self._curve, depth))
        return self._pngs[depth]

    def _render(self) -> None:
        try:
            self._verdict.value = verdict_html(self.verdict)
            alt = f'{load_training_text().chart["alt"]}, with tree depth {self.depth} marked'
            self._chart.outputs = (
                {"output_type": "display_data", "data": png_bundle(self._png(self.depth), alt), "metadata": {}},
            )
        except (ValueError, ContentError) as exc:  # a broken content file or curve: say so
            self._verdict.value = f'<div class="mlw-error">{html.escape(_cannot_show(exc))}</div>'
            show_html(self._chart, "")

    def _static_html(self) -> str:
        return (
            f'<div class="mlw-overfitting-static">{verdict_html(self.verdict)}'
            f'{png_html(self._png(self.depth), load_training_text().chart["alt"])}</div>'
        )

    def _static_text(self) -> str:
        return self.verdict.text()

"""The decision threshold in counts, metrics and money, and a go / no-go call (notebook 04).

Built on :mod:`mlworkflow.stages.evaluation.metrics`; this module adds the words, the chart, the decision and
the widget.

    >>> from mlworkflow.stages.evaluation.metrics import evaluate
    >>> r = evaluate([1, 0, 1, 0], [0.9, 0.6, 0.4, 0.1], threshold=0.5)
    >>> go_no_go(r, GoNoGoBar(min_recall=0.5, min_net_value=0)).go
    True
    >>> ThresholdExplorer(y_true, scores)     # in a notebook: a threshold slider, matrix, metrics, money
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
from traitlets import Float, Unicode, observe, validate

from mlworkflow.core.content import ContentError, Fields, read_content, stylesheet
from mlworkflow.core.text import money
from mlworkflow.display.charts import NO_MATH, figure_png, png_html
from mlworkflow.stages.evaluation.metrics import RetentionEconomics, ThresholdResult, best_threshold, evaluate, sweep
from mlworkflow.ui import StaticFallback, show

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = [
    "THRESHOLDS",
    "Check",
    "Decision",
    "GoNoGoBar",
    "ThresholdExplorer",
    "ThresholdText",
    "confusion_matrix_html",
    "confusion_matrix_text",
    "go_no_go",
    "load_threshold_text",
    "metrics_html",
    "money_html",
    "segment_results",
    "segment_text",
    "value_figure",
]

THRESHOLDS: tuple[float, ...] = tuple(i / 100 for i in range(101))  # the slider's steps, 0.00 to 1.00
# JupyterLab typesets "$...$" in HTML outputs as maths; these classes (MathJax 2 and 3 names) stop it.
_CSS = stylesheet("threshold", tag=True)


@dataclass(frozen=True)
class ThresholdText:
    matrix: dict[str, str]
    metrics: dict[str, str]
    decision: dict[str, tuple[str, str]]  # "go" / "no_go" -> (label, explanation)


@lru_cache(maxsize=1)
def load_threshold_text() -> ThresholdText:
    """Course text for notebook 04 from ``content/threshold.json``."""
    data, label = read_content("threshold.json")
    top = Fields(data, label)
    m, k, d = top.object("matrix"), top.object("metrics"), top.object("decision")
    matrix = {key: m.text(key) for key in ("row_stayed", "row_churned", "col_left_alone", "col_offer", "tn", "fp", "fn", "tp")}
    metrics = {key: k.text(key) for key in ("accuracy", "precision", "recall")}
    decision = {key: (d.object(key).text("label"), d.object(key).text("explanation")) for key in ("go", "no_go")}
    return ThresholdText(matrix, metrics, decision)


# ---------------------------------------------------------------- words and pictures




def confusion_matrix_text(r: ThresholdResult) -> str:
    """The confusion matrix as a small plain-text table (rows: what happened; columns: what we did)."""
    t = load_threshold_text().matrix
    w = max(len(t["row_stayed"]), len(t["row_churned"])) + 2
    return "\n".join([
        f"{'':<{w}}{t['col_left_alone']:>14}{t['col_offer']:>16}",
        f"{t['row_stayed']:<{w}}{r.tn:>14,}{r.fp:>16,}",
        f"{t['row_churned']:<{w}}{r.fn:>14,}{r.tp:>16,}",
    ])


def confusion_matrix_html(r: ThresholdResult) -> str:
    """The confusion matrix as an HTML table; right answers green, mistakes red."""
    t, e = load_threshold_text().matrix, html.escape

    def cell(n: int, key: str, good: bool) -> str:
        return f'<td class="mlw-cm-{key} {"mlw-good" if good else "mlw-bad"}"><b>{n:,}</b><br><small>{e(t[key])}</small></td>'

    return (
        f'{_CSS}<table class="mlw-cm"><tr><th></th>'
        f"<th>{e(t['col_left_alone'])}</th><th>{e(t['col_offer'])}</th></tr>"
        f"<tr><th>{e(t['row_stayed'])}</th>{cell(r.tn, 'tn', True)}{cell(r.fp, 'fp', False)}</tr>"
        f"<tr><th>{e(t['row_churned'])}</th>{cell(r.fn, 'fn', False)}{cell(r.tp, 'tp', True)}</tr></table>"
    )


def metrics_html(r: ThresholdResult) -> str:
    """Accuracy, precision and recall with one-line meanings."""
    t = load_threshold_text().metrics
    items = "".join(
        f'<li class="mlw-metric-{k}"><b>{v:.1%}</b> {html.escape(t[k])}</li>'
        for k, v in (("accuracy", r.accuracy), ("precision", r.precision), ("recall", r.recall))
    )
    return f'<ul class="mlw-metrics-list">{items}</ul>'


def money_html(r: ThresholdResult) -> str:
    """Offers paid for, revenue kept and the net value, in dollars."""
    sign = "mlw-good" if r.net_value >= 0 else "mlw-bad"
    return (
        f'<div class="mlw-money-body {NO_MATH}">{r.flagged:,} offers cost <b>${r.campaign_cost:,.0f}</b>; '
        f"{r.tp:,} churners reached keep an expected <b>${r.value_kept:,.0f}</b>.<br>"
        f'Net value: <b class="mlw-net {sign}">{money(r.net_value)}</b> compared with doing nothing.</div>'
    )


def value_figure(results: Sequence[ThresholdResult], current: float | None = None) -> Figure:
    """Net value, precision and recall against the threshold; ``current`` and the best marked."""
    from matplotlib.figure import Figure

    xs = [r.threshold for r in results]
    best = max(results, key=lambda r: (r.net_value, -r.threshold))
    fig = Figure(figsize=(9, 3.2), dpi=90, layout="constrained")
    money, rates = fig.subplots(1, 2)
    values = [r.net_value for r in results]
    money.plot(xs, values, color="#047857")
    money.axhline(0, color="#6b7280", lw=0.8)
    money.plot([best.threshold], [best.net_value], "o", color="#047857")
    money.annotate(f"best: {best.threshold:.2f}", (best.threshold, best.net_value), xytext=(6, 4),
                   textcoords="offset points", fontsize=8)
    if best.net_value > 0 and min(values) < -1.5 * best.net_value:  # big losses would flatten the peak
        money.set_ylim(-1.5 * best.net_value, 1.3 * best.net_value)
        money.text(0.01, 0.02, "lower thresholds lose more (off the chart)", transform=money.transAxes, fontsize=7, color="#6b7280")
    money.set(title="Net value of the campaign (USD)", xlabel="Threshold")
    nan = float("nan")  # precision is undefined where nobody is flagged: leave a gap, not a zero
    rates.plot(xs, [r.precision if r.flagged else nan for r in results], color="#7c3aed", label="Precision")
    rates.plot(xs, [r.recall for r in results], color="#ea580c", label="Recall")
    rates.set(title="Precision and recall", xlabel="Threshold", ylim=(0, 1.02))
    rates.legend(fontsize=8, frameon=False)
    for ax in (money, rates):
        if current is not None:
            ax.axvline(current, color="#dc2626", lw=1.5)
        ax.spines[["top", "right"]].set_visible(False)
    return fig


# ---------------------------------------------------------------- go / no-go


@dataclass(frozen=True)
class GoNoGoBar:
    """What 'go' means, agreed before anyone looks at results. ``None`` leaves a measure out."""

    min_recall: float | None = None
    min_precision: float | None = None
    min_net_value: float | None = None

    def __post_init__(self) -> None:
        if self.min_recall is None and self.min_precision is None and self.min_net_value is None:
            raise ValueError("a go / no-go bar needs at least one of min_recall, min_precision, min_net_value")
        for name in ("min_recall", "min_precision"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 1:
                raise ValueError(f"{name} is a share between 0 and 1 (0.3 means 30%), got {value}")


@dataclass(frozen=True)
class Check:
    measure: str
    required: str
    actual: str
    passed: bool


@dataclass(frozen=True)
class Decision:
    go: bool
    label: str
    explanation: str
    threshold: float
    checks: tuple[Check, ...]

    def text(self) -> str:
        lines = [f"Decision at threshold {self.threshold:.2f}: {self.label}"]
        lines += [f"  [{'pass' if c.passed else 'MISS'}] {c.measure} at least {c.required}: {c.actual}" for c in self.checks]
        return "\n".join(lines + [self.explanation])

    __str__ = text

    def _repr_html_(self) -> str:
        e = html.escape
        items = "".join(
            f'<li class="{"mlw-pass" if c.passed else "mlw-miss"}">{"✔" if c.passed else "✘"} '
            f"{e(c.measure)} at least {e(c.required)}: <b>{e(c.actual)}</b></li>"
            for c in self.checks
        )
        kind = "mlw-go" if self.go else "mlw-no-go"
        return (f'{_CSS}<div class="mlw-decision {kind} {NO_MATH}"><b>{e(self.label)}</b> at threshold {self.threshold:.2f}'
                f"<ul>{items}</ul>{e(self.explanation)}</div>")


def go_no_go(result: ThresholdResult, bar: GoNoGoBar) -> Decision:
    """Compare one result with the bar: GO only if every measure in the bar is met."""
    checks = []
    if bar.min_recall is not None:
        checks.append(Check("Recall", f"{bar.min_recall:.0%}", f"{result.recall:.1%}", result.recall >= bar.min_recall))
    if bar.min_precision is not None:
        checks.append(Check("Precision", f"{bar.min_precision:.0%}", f"{result.precision:.1%}",
                            result.precision >= bar.min_precision))
    if bar.min_net_value is not None:
        checks.append(Check("Net value", money(bar.min_net_value), money(result.net_value),
                            result.net_value >= bar.min_net_value))
    go = all(c.passed for c in checks)
    label, explanation = load_threshold_text().decision["go" if go else "no_go"]
    return Decision(go, label, explanation, result.threshold, tuple(checks))


def segment_results(
    frame: pd.DataFrame, scores: Sequence[float], threshold: float, *, by: str = "segment",
    economics: RetentionEconomics | None = None,
) -> dict[str, ThresholdResult]:
    """:func:`evaluate` separately for each value of column ``by`` (e.g. ``"region"``)."""
    import numpy as np

    if by not in frame.columns:
        raise ValueError(f"there is no column {by!r}; try one of: {', '.join(map(str, frame.columns))}")
    s, y, groups = np.asarray(scores, dtype=float), frame["churned"].to_numpy(), frame[by].astype(str).to_numpy()
    return {g: evaluate(y[groups == g], s[groups == g], threshold, economics) for g in sorted(set(groups))}


def segment_text(results: dict[str, ThresholdResult], bar: GoNoGoBar | None = None) -> str:
    """One line per group: customers, churners, recall, precision, net value (and the bar's verdict)."""
    w = max(len(g) for g in results) + 2
    lines = [f"{'':<{w}}{'Customers':>9}{'Churners':>9}{'Recall':>8}{'Precision':>10}{'Net value':>11}" + ("  Bar" if bar else "")]
    for g, r in results.items():
        line = f"{g:<{w}}{r.total:>9,}{r.tp + r.fn:>9,}{r.recall:>8.1%}{r.precision:>10.1%}{money(r.net_value):>11}"
        lines.append(line + (f"  {go_no_go(r, bar).label}" if bar else ""))
    return "\n".join(lines)


# ---------------------------------------------------------------- the widget


class ThresholdExplorer(StaticFallback, widgets.VBox):
    """A threshold slider and the offer economics, over validation labels and model scores.

    Public state: ``threshold``, ``offer_cost``, ``value_saved``, ``success_rate``. ``result`` is
    the :class:`ThresholdResult` now shown; ``best`` the threshold with the highest net value.
    """

    threshold = Float(0.5)
    offer_cost = Float(20.0)
    value_saved = Float(180.0)
    success_rate = Float(0.4)
    title = Unicode("")

    def __init__(
        self, y_true: Sequence[int], scores: Sequence[float], *, threshold: float = 0.5,
        economics: RetentionEconomics | None = None, title: str = "", **kwargs: Any,
    ):
        self._y, self._scores = list(y_true), list(scores)
        evaluate(self._y, self._scores)  # bad inputs fail here, in the cell that built the widget
        econ = economics or RetentionEconomics()
        self._sweeps: dict[RetentionEconomics, list[ThresholdResult]] = {}
        self._pngs: dict[tuple[RetentionEconomics, float], bytes] = {}
        self._heading = widgets.HTML()
        self._slider = self._control(widgets.FloatSlider(min=0, max=1, step=0.01, readout_format=".2f", continuous_update=False,
                                                         description="Threshold"), "threshold", "mlw-threshold-slider")
        self._offer = self._control(widgets.FloatText(step=5, description="Offer cost $"),
                                    "offer_cost", "mlw-offer-cost")
        self._saved = self._control(widgets.FloatText(step=10, description="Saved customer $"),
                                    "value_saved", "mlw-value-saved")
        self._rate = self._control(widgets.FloatSlider(min=0, max=1, step=0.05, readout_format=".0%", continuous_update=False,
                                                       description="Offer success"), "success_rate", "mlw-success-rate")
        self._message = widgets.HTML()
        self._message.add_class("mlw-error")
        self._matrix, self._metrics, self._money = widgets.HTML(), widgets.HTML(), widgets.HTML()
        for part, css in ((self._matrix, "mlw-confusion-matrix"), (self._metrics, "mlw-metrics"), (self._money, "mlw-money")):
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
        return best_threshold(self._y, self._scores, THRESHOLDS, self.economics)

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
        if self.offer_cost < 0:
            return "The cost of an offer cannot be negative."
        if self.value_saved < 0:
            return "The value of a saved customer cannot be negative."
        return None

    @observe("threshold", "offer_cost", "value_saved", "success_rate", "title")
    def _on_change(self, change: Any) -> None:
        if hasattr(self, "_chart"):
            self._render()

    def _png(self) -> bytes:
        key = (self.economics, self.threshold)
        if key not in self._pngs:
            self._pngs[key] = figure_png(value_figure(self.curve(), self.threshold))
        return self._pngs[key]

    def _render(self) -> None:
        self._heading.value = f"<h4>{html.escape(self.title)}</h4>" if self.title else ""
        problem = self._problem()
        if problem is not None:  # keep the last good view, and say what to fix
            self._message.value = f'<div class="mlw-error-body">{html.escape(problem)} Please change it.</div>'
            return
        try:
            r, best = self.result, self.best
        except (ValueError, ContentError) as exc:
            self._message.value = f'<div class="mlw-error-body">Could not update: {html.escape(str(exc))}</div>'
            return
        self._message.value = ""
        self._matrix.value = confusion_matrix_html(r)
        self._metrics.value = metrics_html(r)
        self._money.value = money_html(r) + (
            f'<div class="mlw-best {NO_MATH}">Best threshold for net value: <b>{best.threshold:.2f}</b> ({money(best.net_value)}).</div>'
        )
        from IPython.display import Image

        show(self._chart, Image(data=self._png(), format="png"))

    def _static_html(self) -> str:
        r = self.result
        heading = f"<h4>{html.escape(self.title)}</h4>" if self.title else ""
        return (
            f'<div class="mlw-threshold-static {NO_MATH}">{heading}<p>Threshold <b>{r.threshold:.2f}</b></p>'
            f"{confusion_matrix_html(r)}{metrics_html(r)}{money_html(r)}"
            f'{png_html(self._png(), "Net value, precision and recall by threshold")}</div>'
        )

    def _static_text(self) -> str:
        return self.result.summary() + "\n\n" + confusion_matrix_text(self.result)

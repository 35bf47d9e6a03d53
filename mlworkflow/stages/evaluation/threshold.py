"""The decision threshold in counts, metrics and money, and a go / no-go call (notebook 04).

Built on :mod:`mlworkflow.stages.evaluation.metrics`; this module adds the words, the chart and the
decision. The slider over them is :class:`mlworkflow.stages.evaluation.widgets.ThresholdExplorer`.

    >>> from mlworkflow.stages.evaluation.metrics import evaluate
    >>> r = evaluate([1, 0, 1, 0], [0.9, 0.6, 0.4, 0.1], threshold=0.5)
    >>> go_no_go(r, GoNoGoBar(min_recall=0.5, min_net_value=0)).go
    True

Course text comes from ``content/threshold.json``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from mlworkflow.core.content import Fields, read_content, stylesheet
from mlworkflow.core.text import count, money, percent
from mlworkflow.display.charts import NO_MATH
from mlworkflow.stages.evaluation.metrics import RetentionEconomics, ThresholdResult, evaluate

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = [
    "THRESHOLDS",
    "Check",
    "Decision",
    "GoNoGoBar",
    "ThresholdText",
    "best_html",
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


def _css() -> str:
    return stylesheet("threshold", tag=True)


@dataclass(frozen=True)
class ThresholdText:
    matrix: dict[str, str]
    metrics: dict[str, str]
    decision: dict[str, tuple[str, str]]  # "go" / "no_go" -> (label, explanation)
    money: dict[str, str]  # spent, net, best: templates with {placeholders}
    problems: dict[str, str]  # offer_cost, value_saved, fix, cannot_update
    chart: dict[str, str]  # net_value, rates, x_axis, off_chart, alt


@lru_cache(maxsize=1)
def load_threshold_text() -> ThresholdText:
    """Course text for notebook 04 from ``content/threshold.json`` (ContentError names a bad field)."""
    data, label = read_content("threshold.json")
    top = Fields(data, label)
    m, k, d = top.object("matrix"), top.object("metrics"), top.object("decision")
    cash, problems, chart = top.object("money"), top.object("problems"), top.object("chart")
    cells = ("row_stayed", "row_churned", "col_left_alone", "col_offer", "tn", "fp", "fn", "tp")
    matrix = {key: m.text(key) for key in cells}
    metrics = {key: k.text(key) for key in ("accuracy", "precision", "recall")}
    decision = {key: (d.object(key).text("label"), d.object(key).text("explanation")) for key in ("go", "no_go")}
    return ThresholdText(
        matrix, metrics, decision,
        money={
            "spent": cash.template("spent", ("offers", "cost", "churners", "kept"), exact=False),
            "net": cash.template("net", ("net",), exact=False),
            "best": cash.template("best", ("threshold", "net"), exact=False),
        },
        problems={key: problems.text(key) for key in ("offer_cost", "value_saved", "fix")}
        | {"cannot_update": problems.template("cannot_update", ("problem",), exact=False)},
        chart={key: chart.text(key) for key in ("net_value", "rates", "x_axis", "off_chart", "alt")},
    )


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
        mark = "mlw-good" if good else "mlw-bad"
        return f'<td class="mlw-cm-{key} {mark}"><b>{count(n)}</b><br><small>{e(t[key])}</small></td>'

    return (
        f'{_css()}<table class="mlw-cm"><tr><th></th>'
        f"<th>{e(t['col_left_alone'])}</th><th>{e(t['col_offer'])}</th></tr>"
        f"<tr><th>{e(t['row_stayed'])}</th>{cell(r.tn, 'tn', True)}{cell(r.fp, 'fp', False)}</tr>"
        f"<tr><th>{e(t['row_churned'])}</th>{cell(r.fn, 'fn', False)}{cell(r.tp, 'tp', True)}</tr></table>"
    )


def metrics_html(r: ThresholdResult) -> str:
    """Accuracy, precision and recall with one-line meanings."""
    t = load_threshold_text().metrics
    items = "".join(
        f'<li class="mlw-metric-{k}"><b>{percent(v)}</b> {html.escape(t[k])}</li>'
        for k, v in (("accuracy", r.accuracy), ("precision", r.precision), ("recall", r.recall))
    )
    return f'<ul class="mlw-metrics-list">{items}</ul>'


def money_html(r: ThresholdResult) -> str:
    """Offers paid for, revenue kept and the net value, in dollars."""
    t = load_threshold_text().money
    sign = "mlw-good" if r.net_value >= 0 else "mlw-bad"
    spent = html.escape(t["spent"]).format(offers=count(r.flagged), cost=f"<b>{money(r.campaign_cost)}</b>",
                                           churners=count(r.tp), kept=f"<b>{money(r.value_kept)}</b>")
    net = html.escape(t["net"]).format(net=f'<b class="mlw-net {sign}">{money(r.net_value)}</b>')
    return f'<div class="mlw-money-body {NO_MATH}">{spent}<br>{net}</div>'


def best_html(best: ThresholdResult) -> str:
    """One line naming the threshold with the highest net value."""
    line = html.escape(load_threshold_text().money["best"]).format(
        threshold=f"<b>{best.threshold:.2f}</b>", net=money(best.net_value))
    return f'<div class="mlw-best {NO_MATH}">{line}</div>'


def value_figure(results: Sequence[ThresholdResult], current: float | None = None) -> Figure:
    """Net value, precision and recall against the threshold; ``current`` and the best marked."""
    from matplotlib.figure import Figure

    words = load_threshold_text().chart
    xs = [r.threshold for r in results]
    best = max(results, key=lambda r: (r.net_value, -r.threshold))
    fig = Figure(figsize=(9, 3.2), dpi=90, layout="constrained")
    cash, rates = fig.subplots(1, 2)
    values = [r.net_value for r in results]
    cash.plot(xs, values, color="#047857")
    cash.axhline(0, color="#6b7280", lw=0.8)
    cash.plot([best.threshold], [best.net_value], "o", color="#047857")
    cash.annotate(f"best: {best.threshold:.2f}", (best.threshold, best.net_value), xytext=(6, 4),
                  textcoords="offset points", fontsize=8)
    if best.net_value > 0 and min(values) < -1.5 * best.net_value:  # big losses would flatten the peak
        cash.set_ylim(-1.5 * best.net_value, 1.3 * best.net_value)
        cash.text(0.01, 0.02, words["off_chart"], transform=cash.transAxes, fontsize=7, color="#6b7280")
    cash.set(title=words["net_value"], xlabel=words["x_axis"])
    nan = float("nan")  # precision is undefined where nobody is flagged: leave a gap, not a zero
    rates.plot(xs, [r.precision if r.flagged else nan for r in results], color="#7c3aed", label="Precision")
    rates.plot(xs, [r.recall for r in results], color="#ea580c", label="Recall")
    rates.set(title=words["rates"], xlabel=words["x_axis"], ylim=(0, 1.02))
    rates.legend(fontsize=8, frameon=False)
    for ax in (cash, rates):
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
        lines += [f"  [{'pass' if c.passed else 'MISS'}] {c.measure} at least {c.required}: {c.actual}"
                  for c in self.checks]
        return "\n".join([*lines, self.explanation])

    __str__ = text

    def _repr_html_(self) -> str:
        e = html.escape
        items = "".join(
            f'<li class="{"mlw-pass" if c.passed else "mlw-miss"}">{"✔" if c.passed else "✘"} '
            f"{e(c.measure)} at least {e(c.required)}: <b>{e(c.actual)}</b></li>"
            for c in self.checks
        )
        kind = "mlw-go" if self.go else "mlw-no-go"
        return (f'{_css()}<div class="mlw-decision {kind} {NO_MATH}"><b>{e(self.label)}</b> '
                f"at threshold {self.threshold:.2f}<ul>{items}</ul>{e(self.explanation)}</div>")


def go_no_go(result: ThresholdResult, bar: GoNoGoBar) -> Decision:
    """Compare one result with the bar: GO only if every measure in the bar is met."""
    checks = []
    if bar.min_recall is not None:
        checks.append(Check("Recall", percent(bar.min_recall, 0), percent(result.recall),
                            result.recall >= bar.min_recall))
    if bar.min_precision is not None:
        checks.append(Check("Precision", percent(bar.min_precision, 0), percent(result.precision),
                            result.precision >= bar.min_precision))
    if bar.min_net_value is not None:
        checks.append(Check("Net value", money(bar.min_net_value), money(result.net_value),
                            result.net_value >= bar.min_net_value))
    go = all(c.passed for c in checks)
    label, explanation = load_threshold_text().decision["go" if go else "no_go"]
    return Decision(go, label, explanation, result.threshold, tuple(checks))


def segment_results(
    frame: pd.DataFrame, scores: npt.ArrayLike, threshold: float, *, by: str = "segment",
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
    head = f"{'':<{w}}{'Customers':>9}{'Churners':>9}{'Recall':>8}{'Precision':>10}{'Net value':>11}"
    lines = [head + ("  Bar" if bar else "")]
    for g, r in results.items():
        line = (f"{g:<{w}}{count(r.total):>9}{count(r.tp + r.fn):>9}{percent(r.recall):>8}{percent(r.precision):>10}"
                f"{money(r.net_value):>11}")
        lines.append(line + (f"  {go_no_go(r, bar).label}" if bar else ""))
    return "\n".join(lines)

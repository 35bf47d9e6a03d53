"""The untouched test set, the go / no-go with its uncertainty, and what picking a threshold costs (notebook 04).

The validation customers choose the model, its settings and the threshold. Each choice fits
them a little, so their numbers flatter the model. The test set is customers nobody has looked
at, from the months *after* the training snapshot (a time-based split), scored once at the
threshold already chosen.

    >>> from mlworkflow.stages.evaluation.metrics import RetentionEconomics
    >>> report = holdout_report([1, 0, 1, 0], [0.9, 0.6, 0.4, 0.1], 0.5, n_boot=200)
    >>> report.result.tp, report.result.fp
    (1, 1)

numpy, pandas and scikit-learn are imported inside the functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from mlworkflow.core.content import Fields, read_content
from mlworkflow.core.text import count, money, percent
from mlworkflow.stages.evaluation.metrics import RetentionEconomics, ThresholdResult, best_threshold, evaluate
from mlworkflow.stages.training.uncertainty import LEVEL, RESAMPLES, interval, resamples

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt
    import pandas as pd

    from mlworkflow.stages.evaluation.threshold import GoNoGoBar

__all__ = ["HoldoutReport", "PickOptimism", "holdout_customers", "holdout_report", "holdout_text", "threshold_optimism"]


@lru_cache(maxsize=1)
def _texts() -> dict[str, str]:
    data, label = read_content("threshold.json")
    top = Fields(data, label)
    held, pick = top.object("holdout"), top.object("optimism")
    return {
        "test_set": held.template("test_set", ("customers", "months", "churners", "share")),
        "intro": held.template("intro", ("customers", "resamples", "level")),
        "line": held.template("line", ("measure", "value", "low", "high")),
        "per_1000": held.template("per_1000", ("value", "low", "high")),
        "clear_pass": held.template("clear_pass", ("measure", "bar")),
        "clear_miss": held.template("clear_miss", ("measure", "bar")),
        "too_close": held.template("too_close", ("measure", "bar")),
        "picked": pick.template("picked", ("customers", "picks", "value")),
        "other": pick.template("other", ("value",)),
        "gap": pick.template("gap", ("gap", "share")),
    }


def holdout_customers(months: int = 2) -> pd.DataFrame:
    """Customers of the ``months`` months after the training snapshot, labelled: the untouched test set.

    Only months before the first event in DRIFT_EVENTS (a price rise in month 3), so the test
    is of the model, not of a changed world.
    """
    from mlworkflow.stages.data.datasets import churn_months, load_drift_events

    first_change = min(load_drift_events())
    if not 1 <= months < first_change:
        raise ValueError(f"months must be from 1 to {first_change - 1}: month {first_change} brings a change")
    return churn_months(months=months)


def holdout_text(frame: pd.DataFrame) -> str:
    """One line describing the test set: how many customers, from which months, how many cancelled."""
    months = sorted(int(m) for m in frame["month"].unique())
    named = " and ".join(str(m) for m in months) if len(months) <= 2 else f"{months[0]} to {months[-1]}"
    churners = int(frame["churned"].sum())
    return _texts()["test_set"].format(customers=count(len(frame)), months=named, churners=count(churners),
                                       share=percent(churners / len(frame)))


@dataclass(frozen=True)
class HoldoutReport:
    """One threshold's result on the test set, with bootstrap intervals."""

    result: ThresholdResult
    recall: tuple[float, float]
    precision: tuple[float, float]
    net_per_customer: tuple[float, float]
    n_boot: int
    level: float = LEVEL

    @property
    def net_value_per_customer(self) -> float:
        return self.result.net_value / self.result.total

    def text(self) -> str:
        t, r = _texts(), self.result
        lines = [r.summary(), "", t["intro"].format(customers=count(r.total), resamples=count(self.n_boot),
                                                     level=f"{self.level:.0%}")]
        for name, value, (low, high) in (("Recall", r.recall, self.recall), ("Precision", r.precision, self.precision)):
            lines.append(t["line"].format(measure=name, value=percent(value), low=percent(low), high=percent(high)))
        low, high = self.net_per_customer
        lines.append(t["line"].format(measure="Net value per customer", value=money(self.net_value_per_customer,
                                      cents=True), low=money(low, cents=True), high=money(high, cents=True)))
        lines.append(t["per_1000"].format(value=money(1000 * self.net_value_per_customer), low=money(1000 * low),
                                          high=money(1000 * high)))
        return "\n".join(lines)

    __str__ = text
    __repr__ = text

    def against(self, bar: GoNoGoBar) -> str:
        """Each part of the bar: clearly met, clearly missed, or too close to call at this sample size."""
        t, lines = _texts(), []
        parts = [("Recall", bar.min_recall, self.recall, lambda v: percent(v, 0)),
                 ("Precision", bar.min_precision, self.precision, lambda v: percent(v, 0))]
        if bar.min_net_value is not None:  # the bar is for the whole campaign; the interval is per customer
            parts.append(("Net value per customer", bar.min_net_value / self.result.total, self.net_per_customer,
                          lambda v: money(v, cents=v % 1 != 0)))
        for measure, need, (low, high), shown in parts:
            if need is None:
                continue
            key = "clear_pass" if low >= need else "clear_miss" if high < need else "too_close"
            lines.append(t[key].format(measure=measure, bar=shown(need)))
        return "\n".join(lines)


def holdout_report(
    y_true: npt.ArrayLike, scores: npt.ArrayLike, threshold: float, *, n_boot: int = RESAMPLES, seed: int = 0,
    level: float = LEVEL, economics: RetentionEconomics | None = None,
) -> HoldoutReport:
    """:func:`evaluate` at ``threshold``, plus percentile intervals from ``n_boot`` resamples of the customers."""
    import numpy as np

    result = evaluate(y_true, scores, threshold, economics)
    e = result.economics
    y = np.asarray(y_true).astype(int)
    flagged = np.asarray(scores, dtype=float) >= threshold
    draws = resamples(len(y), n_boot=n_boot, seed=seed)
    tp = (flagged & (y == 1))[draws].sum(axis=1)
    fp = (flagged & (y == 0))[draws].sum(axis=1)
    churners = (y == 1)[draws].sum(axis=1)
    net = (tp * e.success_rate * e.value_saved - (tp + fp) * e.offer_cost) / len(y)
    with np.errstate(invalid="ignore", divide="ignore"):
        recall = np.where(churners > 0, tp / np.maximum(churners, 1), 0.0)
        precision = np.where(tp + fp > 0, tp / np.maximum(tp + fp, 1), 0.0)
    return HoldoutReport(result, interval(recall, level), interval(precision, level), interval(net, level), n_boot,
                         level)


@dataclass(frozen=True)
class PickOptimism:
    """Net value per customer of thresholds picked on one half, on that half and on the other half."""

    picked: float  # average, on the half each threshold was picked on
    other: float  # average, the same thresholds on the other half
    picks: int
    customers: int

    @property
    def gap(self) -> float:
        return self.picked - self.other

    def text(self) -> str:
        t = _texts()
        share = percent(self.gap / self.picked, 0) if self.picked > 0 else "all"
        return "\n".join([
            t["picked"].format(customers=count(self.customers), picks=count(self.picks),
                               value=money(self.picked, cents=True)),
            t["other"].format(value=money(self.other, cents=True)),
            t["gap"].format(gap=money(self.gap, cents=True), share=share),
        ])

    __str__ = text
    __repr__ = text


def threshold_optimism(
    y_true: npt.ArrayLike, scores: npt.ArrayLike, thresholds: Sequence[float] | None = None, *, repeats: int = 50,
    seed: int = 0, economics: RetentionEconomics | None = None,
) -> PickOptimism:
    """Split the customers in random halves ``repeats`` times; pick the best threshold on one half, score it on both."""
    import numpy as np
    from sklearn.model_selection import RepeatedStratifiedKFold

    from mlworkflow.stages.evaluation.threshold import THRESHOLDS

    y, s = np.asarray(y_true).astype(int), np.asarray(scores, dtype=float)
    grid = THRESHOLDS if thresholds is None else thresholds
    picked, other = [], []
    halves = RepeatedStratifiedKFold(n_splits=2, n_repeats=repeats, random_state=seed)
    for pick, check in halves.split(s.reshape(-1, 1), y):
        best = best_threshold(y[pick], s[pick], grid, economics)
        picked.append(best.net_value / len(pick))
        other.append(evaluate(y[check], s[check], best.threshold, economics).net_value / len(check))
    return PickOptimism(float(np.mean(picked)), float(np.mean(other)), len(picked), len(y))

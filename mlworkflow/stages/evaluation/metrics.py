"""What a decision threshold means in counts, metrics and money (notebook 04's slider).

A model gives each customer a churn score between 0 and 1; the business picks a threshold
and sends a retention offer to everyone at or above it.

    >>> from mlworkflow.stages.evaluation.metrics import evaluate, RetentionEconomics
    >>> r = evaluate([1, 0, 1, 0], [0.9, 0.6, 0.4, 0.1], threshold=0.5)
    >>> (r.tp, r.fp, r.fn, r.tn), r.precision, r.recall
    ((1, 1, 1, 1), 0.5, 0.5)
    >>> r.net_value                  # money, with the case's economics (content/economics.json)
    4.78

Plain numpy; no scikit-learn needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mlworkflow.core.text import count, money, percent

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import numpy.typing as npt

    from mlworkflow.stages.evaluation.economics import CaseEconomics

__all__ = ["RetentionEconomics", "ThresholdResult", "best_threshold", "evaluate", "sweep"]


def _case() -> CaseEconomics:
    from mlworkflow.stages.evaluation.economics import case_economics

    return case_economics()


@dataclass(frozen=True)
class RetentionEconomics:
    """The money side of a churn campaign, per customer.

    ``offer_cost``: what one retention offer costs (a discount, an agent's call), paid for
    every customer flagged. ``value_saved``: what keeping a would-be churner is worth (their
    future revenue). ``success_rate``: the share of contacted churners the offer keeps.
    Each left out comes from the case (``content/economics.json``, via ``case_economics()``).
    """

    offer_cost: float = field(default_factory=lambda: _case().offer_cost)
    value_saved: float = field(default_factory=lambda: _case().value_saved)
    success_rate: float = field(default_factory=lambda: _case().save_rate)

    def __post_init__(self) -> None:
        if self.offer_cost < 0 or self.value_saved < 0:
            raise ValueError("offer_cost and value_saved cannot be negative")
        if not 0 <= self.success_rate <= 1:
            raise ValueError("success_rate must be between 0 and 1")


@dataclass(frozen=True)
class ThresholdResult:
    """Counts, metrics and money at one threshold. Churn (label 1) is the positive class."""

    threshold: float
    tp: int  # churners flagged
    fp: int  # loyal customers flagged (offer wasted)
    fn: int  # churners missed
    tn: int  # loyal customers left alone
    economics: RetentionEconomics

    @property
    def total(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def flagged(self) -> int:
        return self.tp + self.fp

    @property
    def accuracy(self) -> float:
        """Share of all customers the model got right."""
        return (self.tp + self.tn) / self.total if self.total else 0.0

    @property
    def precision(self) -> float:
        """Of the customers flagged, the share who were really going to churn (0 if none flagged)."""
        return self.tp / self.flagged if self.flagged else 0.0

    @property
    def recall(self) -> float:
        """Of the customers who churned, the share the model flagged (0 if nobody churned)."""
        churners = self.tp + self.fn
        return self.tp / churners if churners else 0.0

    @property
    def campaign_cost(self) -> float:
        """Money spent on offers: every flagged customer gets one."""
        return self.flagged * self.economics.offer_cost

    @property
    def value_kept(self) -> float:
        """Expected revenue kept: flagged churners x success rate x value of a saved customer."""
        return self.tp * self.economics.success_rate * self.economics.value_saved

    @property
    def net_value(self) -> float:
        """Value kept minus campaign cost, compared with doing nothing."""
        return round(self.value_kept - self.campaign_cost, 2)

    @property
    def value_missed(self) -> float:
        """Revenue walking out with the churners the model did not flag (as if every offer worked)."""
        return self.fn * self.economics.value_saved

    def confusion_matrix(self) -> list[list[int]]:
        """``[[tn, fp], [fn, tp]]``: rows are what happened (stayed, churned), columns what was predicted."""
        return [[self.tn, self.fp], [self.fn, self.tp]]

    def summary(self) -> str:
        """Two lines in plain words, for a print() in a notebook."""
        return (
            f"Threshold {self.threshold:.2f}: {count(self.flagged)} of {count(self.total)} customers flagged; "
            f"{count(self.tp)} churners caught, {count(self.fn)} missed, {count(self.fp)} offers to loyal customers.\n"
            f"Accuracy {percent(self.accuracy)}, precision {percent(self.precision)}, recall {percent(self.recall)}; "
            f"net value {money(self.net_value)} (offers {money(self.campaign_cost)}, kept {money(self.value_kept)})."
        )


def _arrays(y_true: npt.ArrayLike, scores: npt.ArrayLike) -> tuple[npt.NDArray[np.int_], npt.NDArray[np.float64]]:
    import numpy as np

    y = np.asarray(y_true)
    s = np.asarray(scores, dtype=float)
    if y.shape != s.shape or y.ndim != 1:
        raise ValueError(f"y_true and scores must be 1-D and the same length (got {y.shape} and {s.shape})")
    if not np.isin(y, (0, 1)).all():
        raise ValueError("y_true must hold only 0 (stayed) and 1 (churned)")
    if np.isnan(s).any():
        raise ValueError("scores must not contain missing values")
    return y.astype(int), s


def evaluate(
    y_true: npt.ArrayLike,
    scores: npt.ArrayLike,
    threshold: float = 0.5,
    economics: RetentionEconomics | None = None,
) -> ThresholdResult:
    """Flag everyone with ``score >= threshold`` and count what happens."""
    y, s = _arrays(y_true, scores)
    flagged = s >= threshold
    return ThresholdResult(
        threshold=float(threshold),
        tp=int((flagged & (y == 1)).sum()),
        fp=int((flagged & (y == 0)).sum()),
        fn=int((~flagged & (y == 1)).sum()),
        tn=int((~flagged & (y == 0)).sum()),
        economics=economics or RetentionEconomics(),
    )


def sweep(
    y_true: npt.ArrayLike,
    scores: npt.ArrayLike,
    thresholds: Sequence[float] | None = None,
    economics: RetentionEconomics | None = None,
) -> list[ThresholdResult]:
    """:func:`evaluate` at each threshold (default 0.00, 0.05, ..., 1.00), for a curve."""
    if thresholds is None:
        thresholds = [i / 20 for i in range(21)]
    return [evaluate(y_true, scores, t, economics) for t in thresholds]


def best_threshold(
    y_true: npt.ArrayLike,
    scores: npt.ArrayLike,
    thresholds: Sequence[float] | None = None,
    economics: RetentionEconomics | None = None,
) -> ThresholdResult:
    """The threshold with the highest net value (the lowest such threshold on a tie)."""
    results = sweep(y_true, scores, thresholds, economics)
    return max(results, key=lambda r: (r.net_value, -r.threshold))

"""Is a score a probability? The calibration check and the expected-value rule (notebook 04).

If a model is *calibrated*, customers scored about 0.3 cancel about 30% of the time. Then the
threshold follows from the economics, with no searching: an offer is worth sending when
``score x value of reaching a churner > cost of an offer``, that is when the score is at least
the break-even precision.

    >>> check = calibration_check([0, 0, 1, 1], [0.1, 0.3, 0.7, 0.9], n_bins=2, n_boot=100)
    >>> [(b.customers, b.churned) for b in check.bands]
    [(2, 0.0), (2, 1.0)]

The bands and shares come from scikit-learn's ``calibration_curve`` (equal-width bins).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from mlworkflow.core.content import Fields, read_content
from mlworkflow.core.text import count, money, percent
from mlworkflow.stages.training.uncertainty import LEVEL, RESAMPLES, interval

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

    from mlworkflow.stages.evaluation.economics import CaseEconomics

__all__ = ["CalibrationBand", "CalibrationCheck", "calibration_check", "expected_value_rule",
           "expected_value_threshold"]


@lru_cache(maxsize=1)
def _texts() -> dict[str, object]:
    data, label = read_content("threshold.json")
    words = Fields(data, label).object("calibration")
    return {
        "heading": words.template("heading", ("width", "customers")),
        "columns": words.texts("columns", min_items=4),
        "rule": words.template("rule", ("reached", "cost", "threshold")),
        "step": words.template("step", ("threshold", "picked")),
    }


@dataclass(frozen=True)
class CalibrationBand:
    low: float
    high: float
    customers: int
    mean_score: float  # what the model predicted, on average, in this band
    churned: float  # the share who really cancelled
    interval: tuple[float, float]  # for ``churned``, from resampling the band's customers


@dataclass(frozen=True)
class CalibrationCheck:
    """Predicted against actual churn, band by band; ``print()`` it."""

    bands: tuple[CalibrationBand, ...]
    customers: int
    width: float

    def text(self) -> str:
        t = _texts()
        columns = t["columns"]
        assert isinstance(columns, tuple)
        rows = [(f"{b.low:.1f} to {b.high:.1f}", count(b.customers), f"{b.mean_score:.2f}",
                 f"{percent(b.churned, 0)} ({percent(b.interval[0], 0)} to {percent(b.interval[1], 0)})")
                for b in self.bands]
        widths = [max(len(columns[i]), *(len(r[i]) for r in rows)) for i in range(4)]
        line = "  ".join
        return "\n".join([
            str(t["heading"]).format(width=f"{self.width:.1f}", customers=count(self.customers)),
            line(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(columns, widths, strict=True))),
            *(line(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
              for r in rows),
        ])

    __str__ = text
    __repr__ = text


def calibration_check(
    y_true: npt.ArrayLike, scores: npt.ArrayLike, *, n_bins: int = 5, n_boot: int = RESAMPLES, seed: int = 0,
    level: float = LEVEL,
) -> CalibrationCheck:
    """Customers in ``n_bins`` equal score bands: average score against the share who cancelled."""
    import numpy as np
    from sklearn.calibration import calibration_curve

    y, s = np.asarray(y_true).astype(int), np.asarray(scores, dtype=float)
    churned, predicted = calibration_curve(y, s, n_bins=n_bins, strategy="uniform")
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    band_of = np.searchsorted(edges[1:-1], s)  # the bands calibration_curve uses
    rng = np.random.default_rng(seed)
    bands = []
    for k, (share, mean) in zip(np.flatnonzero(np.bincount(band_of, minlength=n_bins)), zip(churned, predicted,
                                                                                             strict=True), strict=True):
        labels = y[band_of == k]
        draws = rng.choice(labels, size=(n_boot, len(labels))).mean(axis=1)
        bands.append(CalibrationBand(float(edges[k]), float(edges[k + 1]), len(labels), float(mean), float(share),
                                     interval(draws, level)))
    return CalibrationCheck(tuple(bands), len(y), 1 / n_bins)


def expected_value_threshold(economics: CaseEconomics | None = None) -> float:
    """The score above which an offer is worth sending, if scores are calibrated: cost / value of reaching a churner."""
    from mlworkflow.stages.evaluation.economics import case_economics

    e = economics or case_economics()
    return e.offer_cost / e.value_reached


def expected_value_rule(picked: float, economics: CaseEconomics | None = None) -> str:
    """The rule in words, its threshold on the slider's steps, and the threshold picked from data (``picked``)."""
    import math

    from mlworkflow.stages.evaluation.economics import case_economics

    e = economics or case_economics()
    t, cut = _texts(), expected_value_threshold(e)
    step = math.ceil(round(cut * 100, 6)) / 100  # the first slider step at or above the cut-off
    return "\n".join([
        str(t["rule"]).format(reached=money(e.value_reached, cents=True), cost=money(e.offer_cost, cents=True),
                              threshold=f"{cut:.3f}"),
        str(t["step"]).format(threshold=f"{step:.2f}", picked=f"{picked:.2f}"),
    ])

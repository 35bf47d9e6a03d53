"""What a team can measure after launch, when the offers change the outcomes they are judged on.

Once flagged customers get an offer, some would-be churners are saved and show up as "stayed".
Their outcomes no longer say whether the model was right. An untreated random **holdout** (a
small share of flagged customers who get no offer) keeps an honest sample:

    >>> held = holdout_mask(flagged, share=0.1, seed=0)          # 10% of the flagged, at random
    >>> seen = observed_outcomes(churned, flagged & ~held, 0.4)  # what the team records
    >>> print(holdout_reading(churned, flagged, held, seen).text())

The simulation knows every customer's outcome *without* an offer (``churned``); the readings
use only what a real team would record (``seen``), except the column labelled as the truth.
Intervals: Wilson for a share (scipy), a seeded percentile bootstrap for a difference (scipy).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlworkflow.core.text import percent

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

__all__ = [
    "HoldoutReading",
    "Interval",
    "holdout_mask",
    "holdout_reading",
    "holdout_sizes",
    "observed_outcomes",
    "outcome_gap",
    "share_interval",
]


@dataclass(frozen=True)
class Interval:
    """An estimate with its 95% interval."""

    estimate: float
    low: float
    high: float

    def text(self, digits: int = 1) -> str:
        return f"{percent(self.estimate, digits)} ({percent(self.low, digits)} to {percent(self.high, digits)})"


def _bool(values: npt.ArrayLike) -> np.ndarray:
    import numpy as np

    return np.asarray(values, dtype=bool)


def holdout_mask(flagged: npt.ArrayLike, share: float, seed: int = 0) -> np.ndarray:
    """A random ``share`` of the flagged customers (at least one if any is flagged): they get no offer.

    >>> holdout_mask([True, True, False, True], share=0.5, seed=0).sum()
    np.int64(2)
    """
    import numpy as np

    if not 0 < share < 1:
        raise ValueError("share must be between 0 and 1, e.g. 0.1 for 10%")
    flagged = _bool(flagged)
    where = np.flatnonzero(flagged)
    size = max(1, round(share * len(where))) if len(where) else 0
    chosen = np.random.default_rng(seed).choice(where, size=size, replace=False)
    mask = np.zeros(len(flagged), dtype=bool)
    mask[chosen] = True
    return mask


def observed_outcomes(churned: npt.ArrayLike, offered: npt.ArrayLike, save_rate: float, seed: int = 0) -> np.ndarray:
    """What the team records (1 cancelled, 0 stayed): each offered would-be churner stays with chance ``save_rate``.

    Everyone else's outcome is what it would have been anyway. The same simulation of the offer as
    the rollout's (:func:`mlworkflow.stages.deployment.experiment.observe`).
    """
    from mlworkflow.stages.deployment.experiment import observe

    return observe(_bool(offered), churned, save_rate=save_rate, seed=seed).astype(int)


def share_interval(successes: int, n: int) -> Interval:
    """A share and its 95% Wilson interval (``scipy.stats.binomtest``); all NaN when ``n`` is 0."""
    from scipy.stats import binomtest

    if n == 0:
        nan = float("nan")
        return Interval(nan, nan, nan)
    ci = binomtest(int(successes), int(n)).proportion_ci(confidence_level=0.95, method="wilson")
    return Interval(successes / n, float(ci.low), float(ci.high))


def _difference(a: np.ndarray, b: np.ndarray, seed: int, n_boot: int) -> Interval:
    """Mean of ``a`` minus mean of ``b``, with a seeded 95% percentile bootstrap (independent samples)."""
    import numpy as np
    from scipy.stats import bootstrap

    estimate = float(a.mean() - b.mean())
    if len(a) < 2 or len(b) < 2:
        return Interval(estimate, float("nan"), float("nan"))
    res = bootstrap((a, b), lambda x, y, axis=-1: np.mean(x, axis=axis) - np.mean(y, axis=axis),
                    n_resamples=n_boot, method="percentile", random_state=np.random.default_rng(seed))
    return Interval(estimate, float(res.confidence_interval.low), float(res.confidence_interval.high))


@dataclass(frozen=True)
class HoldoutReading:
    """Post-launch precision, recall and the offer's effect: the truth, and what a team measures."""

    flagged: int
    held_out: int
    true_precision: float  # simulation only: flagged customers who would have churned with no offer
    true_recall: float
    true_effect: float  # simulation only: churners the offers kept, per offer sent
    naive_precision: float  # no holdout: churn among the offered, read as if it were precision
    naive_recall: float
    precision: Interval  # churn in the holdout
    recall: Interval
    effect: Interval  # churn in the holdout minus churn among the offered: churners kept per offer

    def table(self) -> pd.DataFrame:
        """Three columns: the truth (only a simulation knows it), the team without a holdout, with one."""
        import pandas as pd

        dash = "cannot tell"
        truth = [percent(self.true_precision), percent(self.true_recall), percent(self.true_effect)]
        return pd.DataFrame({
            "Truth (simulation only)": truth,
            "Team, no holdout": [percent(self.naive_precision), percent(self.naive_recall), dash],
            f"Team, holdout of {self.held_out}": [self.precision.text(), self.recall.text(), self.effect.text()],
        }, index=["Precision", "Recall", "Churners kept per offer"])

    def text(self) -> str:
        return (f"{self.flagged} customers flagged, {self.held_out} of them held out (no offer).\n"
                + self.table().to_string())


def holdout_reading(churned: npt.ArrayLike, flagged: npt.ArrayLike, held: npt.ArrayLike, seen: npt.ArrayLike,
                    *, seed: int = 0, n_boot: int = 2000) -> HoldoutReading:
    """Compare what a team measures with and without the holdout ``held`` against the truth ``churned``.

    ``seen`` is what the team recorded (:func:`observed_outcomes`). Recall with a holdout: the
    holdout's churn rate estimates how many flagged customers would have churned; churners among
    the customers not flagged are seen directly (nobody offered them anything).
    """
    import numpy as np

    y, flagged, held, seen = np.asarray(churned).astype(int), _bool(flagged), _bool(held), np.asarray(seen).astype(int)
    if (held & ~flagged).any():
        raise ValueError("the holdout must be drawn from the flagged customers")
    offered = flagged & ~held
    missed = int(seen[~flagged].sum())  # not flagged: no offer, so the record is the truth
    n_flag = int(flagged.sum())
    tp = int(y[flagged].sum())
    naive_tp = int(seen[flagged].sum())

    def recall(rate: float) -> float:
        caught = rate * n_flag
        return caught / (caught + missed) if caught + missed else float("nan")

    p = share_interval(int(seen[held].sum()), int(held.sum()))
    return HoldoutReading(
        flagged=n_flag, held_out=int(held.sum()),
        true_precision=tp / n_flag if n_flag else float("nan"),
        true_recall=tp / int(y.sum()) if y.sum() else float("nan"),
        true_effect=float((y[offered] - seen[offered]).mean()) if offered.any() else float("nan"),
        naive_precision=naive_tp / n_flag if n_flag else float("nan"),
        naive_recall=naive_tp / (naive_tp + missed) if naive_tp + missed else float("nan"),
        precision=p, recall=Interval(recall(p.estimate), recall(p.low), recall(p.high)),
        effect=_difference(seen[held].astype(float), seen[offered].astype(float), seed, n_boot),
    )


def holdout_sizes(churned: npt.ArrayLike, flagged: npt.ArrayLike, shares: tuple[float, ...], save_rate: float,
                  *, seed: int = 0, n_boot: int = 2000) -> pd.DataFrame:
    """For each holdout share: customers held out, the precision and the offer's effect with their intervals."""
    import pandas as pd

    rows = {}
    for share in shares:
        held = holdout_mask(flagged, share, seed)
        seen = observed_outcomes(churned, _bool(flagged) & ~held, save_rate, seed)
        r = holdout_reading(churned, flagged, held, seen, seed=seed, n_boot=n_boot)
        rows[f"{share:.0%}"] = {"customers held out": r.held_out, "precision (95% interval)": r.precision.text(0),
                                "churners kept per offer (95% interval)": r.effect.text(0)}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("holdout")


def outcome_gap(scores: npt.ArrayLike, outcomes: npt.ArrayLike, groups: npt.ArrayLike, *, seed: int = 0,
                n_boot: int = 2000) -> pd.DataFrame:
    """Per group (a month): the model's expected churn, the churn that happened, and the gap with its 95% interval.

    Pass only customers whose outcomes are untouched by an offer (those not flagged, and the
    holdout) and whose inputs the model has seen before: then a gap is not a new input but a
    changed relation between inputs and churn (concept drift). It shows only once outcomes are in.
    """
    import numpy as np
    import pandas as pd
    from scipy.stats import bootstrap

    s, y, g = np.asarray(scores, dtype=float), np.asarray(outcomes).astype(float), np.asarray(groups)
    rows = {}
    for k, key in enumerate(sorted(set(g.tolist()))):
        d = y[g == key] - s[g == key]  # the gap, customer by customer; its mean is actual minus expected
        ci = bootstrap((d,), np.mean, n_resamples=n_boot, method="percentile",
                       random_state=np.random.default_rng([seed, k])).confidence_interval
        rows[key] = {"customers": len(d), "expected": round(float(s[g == key].mean()), 3),
                     "actual": round(float(y[g == key].mean()), 3), "gap": round(float(d.mean()), 3),
                     "gap low": round(float(ci.low), 3), "gap high": round(float(ci.high), 3)}
    return pd.DataFrame.from_dict(rows, orient="index")

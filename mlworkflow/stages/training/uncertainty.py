"""How sure is a comparison? Bootstrap intervals for the churn models (notebooks 03 and 04).

A score measured on 750 customers would come out a little different on another 750. The
bootstrap estimates how different: draw the same number of customers again, with replacement,
many times, and recompute the score on each draw. The middle 95% of those scores is the interval.
When two models are compared, both are scored on the *same* draw each time (a paired bootstrap),
so the interval is for their difference.

    >>> from mlworkflow.stages.data.datasets import churn_customers
    >>> from mlworkflow.stages.training.models import fit_churn_model, split
    >>> train, valid = split(churn_customers())
    >>> models = {"Logistic": fit_churn_model(train), "Forest": fit_churn_model(train, kind="forest")}
    >>> print(ranking_difference(valid, models))        # doctest: +SKIP

Randomness is seeded, so the same call prints the same interval. numpy and scikit-learn are
imported inside the functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from mlworkflow.core.content import Fields, read_content
from mlworkflow.core.text import count

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

__all__ = ["RankingDifference", "interval", "paired_ranking_differences", "ranking_difference", "resamples"]

RESAMPLES = 2000
LEVEL = 0.95


def resamples(
    n: int, *, n_boot: int = RESAMPLES, seed: int = 0, stratify: npt.ArrayLike | None = None
) -> npt.NDArray[np.intp]:
    """``n_boot`` bootstrap draws of row positions ``0..n-1``, one draw per row of the result.

    With ``stratify`` (one label per row) each label's rows are drawn separately, so every draw
    keeps the same number of churners: a ranking score needs both churners and stayers.
    """
    import numpy as np

    if n < 1 or n_boot < 1:
        raise ValueError("need at least one row and one resample")
    rng = np.random.default_rng(seed)
    if stratify is None:
        return rng.integers(0, n, size=(n_boot, n))
    labels = np.asarray(stratify)
    if labels.shape != (n,):
        raise ValueError(f"stratify needs one label per row ({n}), got shape {labels.shape}")
    groups = [np.flatnonzero(labels == value) for value in np.unique(labels)]
    return np.concatenate([rng.choice(g, size=(n_boot, len(g))) for g in groups], axis=1)


def interval(values: npt.ArrayLike, level: float = LEVEL) -> tuple[float, float]:
    """The middle ``level`` share of bootstrap values (a percentile interval)."""
    import numpy as np

    if not 0 < level < 1:
        raise ValueError("level is a share between 0 and 1, e.g. 0.95")
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(np.asarray(values, dtype=float), [tail, 100 - tail])
    return float(low), float(high)


def paired_ranking_differences(
    y_true: npt.ArrayLike, scores_a: npt.ArrayLike, scores_b: npt.ArrayLike, *, n_boot: int = RESAMPLES,
    seed: int = 0,
) -> npt.NDArray[np.float64]:
    """Ranking score (ROC AUC) of ``a`` minus that of ``b``, on each of ``n_boot`` draws of the same customers.

    Each draw keeps the number of churners (stratified). The ranking score of a draw is the
    Mann-Whitney U statistic over (churners x stayers), the same number ``roc_auc_score`` gives,
    computed for all draws at once by scipy (installed with scikit-learn).
    """
    import numpy as np
    from scipy.stats import mannwhitneyu

    y, a, b = np.asarray(y_true), np.asarray(scores_a, dtype=float), np.asarray(scores_b, dtype=float)
    if not y.shape == a.shape == b.shape or y.ndim != 1:
        raise ValueError("labels and both sets of scores must be 1-D and the same length")
    labels = sorted(set(y.tolist()))
    if len(labels) != 2:
        raise ValueError("a ranking score needs both churners and customers who stayed")
    draws = resamples(len(y), n_boot=n_boot, seed=seed, stratify=y)
    stayers = int((y == labels[0]).sum())  # stratified draws put the lower label's rows first
    pairs = stayers * (len(y) - stayers)

    def auc(s: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        drawn = s[draws]
        u = mannwhitneyu(drawn[:, stayers:], drawn[:, :stayers], axis=1, method="asymptotic").statistic
        return np.asarray(u, dtype=float) / pairs

    return auc(a) - auc(b)


@lru_cache(maxsize=1)
def _texts() -> dict[str, str]:
    data, label = read_content("training.json")
    words = Fields(data, label).object("difference")
    names = ("first", "second", "first_score", "second_score", "customers", "difference", "low", "high",
             "resamples", "level")
    return {"summary": words.template("summary", names, exact=False)} | {
        key: words.template(key, ("first", "second"), exact=False)
        for key in ("first_better", "second_better", "unclear")
    }


@dataclass(frozen=True)
class RankingDifference:
    """Two candidates' ranking scores on the same customers, and an interval for the difference."""

    names: tuple[str, str]
    scores: tuple[float, float]
    low: float
    high: float
    customers: int
    n_boot: int
    level: float = LEVEL

    @property
    def difference(self) -> float:
        return self.scores[0] - self.scores[1]

    @property
    def meaning(self) -> str:
        """first_better, second_better or unclear: does the interval leave out zero?"""
        return "first_better" if self.low > 0 else "second_better" if self.high < 0 else "unclear"

    def text(self) -> str:
        t = _texts()
        first, second = self.names
        summary = t["summary"].format(
            first=first, second=second, first_score=f"{self.scores[0]:.3f}", second_score=f"{self.scores[1]:.3f}",
            customers=count(self.customers), difference=f"{self.difference:+.3f}", low=f"{self.low:+.3f}",
            high=f"{self.high:+.3f}", resamples=count(self.n_boot), level=f"{self.level:.0%}",
        )
        return summary + "\n" + t[self.meaning].format(first=first, second=second)

    __str__ = text
    __repr__ = text


def _scores(candidate: Any, frame: pd.DataFrame) -> npt.NDArray[np.float64]:
    import numpy as np

    from mlworkflow.stages.training.models import churn_scores

    if hasattr(candidate, "predict_proba"):
        return churn_scores(candidate, frame)
    return np.asarray(candidate, dtype=float)


def ranking_difference(
    frame: pd.DataFrame, candidates: Mapping[str, Any], *, n_boot: int = RESAMPLES, seed: int = 0,
    level: float = LEVEL,
) -> RankingDifference:
    """Compare two candidates (name -> fitted model, or name -> one score per row of ``frame``) on ``frame``."""
    from mlworkflow.stages.training.experiments import ranking_score

    if len(candidates) != 2:
        raise ValueError(f"compare exactly two candidates, got {len(candidates)}")
    (name_a, a), (name_b, b) = ((str(k), _scores(v, frame)) for k, v in candidates.items())
    y = frame["churned"].to_numpy()
    diffs = paired_ranking_differences(y, a, b, n_boot=n_boot, seed=seed)
    low, high = interval(diffs, level)
    return RankingDifference((name_a, name_b), (ranking_score(y, a), ranking_score(y, b)), low, high, len(y),
                             n_boot, level)

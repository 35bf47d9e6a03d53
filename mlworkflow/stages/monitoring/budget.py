"""Comparing two ways of choosing whom to offer, at the same budget (the same number of offers).

A model that sends more offers catches more churners; that says little about whether it ranks
customers better. So each contender sends exactly ``offers`` offers, to its top-scored customers:

    >>> table = equal_budget(y, {"Original": old_scores, "Retrained": new_scores}, offers=84)
    >>> print(budget_text(table))

A rule with no scores (today's "failed payment" rule) takes part as 1 for flagged, 0 otherwise,
with ``offers`` set to the number it flags. The interval on the difference is a seeded 95%
percentile bootstrap over customers (``scipy.stats.bootstrap``), both selections held fixed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlworkflow.core.text import count, money

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import numpy.typing as npt

    from mlworkflow.stages.evaluation.economics import CaseEconomics

__all__ = ["BudgetComparison", "Upkeep", "equal_budget", "top_offers", "upkeep"]


def top_offers(scores: npt.ArrayLike, offers: int) -> np.ndarray:
    """A mask of the ``offers`` highest scores (ties: the earlier customer first)."""
    import numpy as np

    s = np.asarray(scores, dtype=float)
    if not 0 <= offers <= len(s):
        raise ValueError(f"offers must be between 0 and the number of customers ({len(s)})")
    mask = np.zeros(len(s), dtype=bool)
    mask[np.argsort(-s, kind="stable")[:offers]] = True
    return mask


@dataclass(frozen=True)
class BudgetComparison:
    """Two contenders at the same number of offers: churners each reaches, and the difference."""

    names: tuple[str, str]
    offers: int
    customers: int
    reached: tuple[int, int]
    difference: float  # second minus first, churners reached
    low: float
    high: float

    def text(self) -> str:
        (a, b), (ra, rb) = self.names, self.reached
        return (f"Same budget: {count(self.offers)} offers to {count(self.customers)} customers.\n"
                f"{a}: reaches {ra} churners. {b}: reaches {rb}.\n"
                f"Difference ({b} minus {a}): {self.difference:+.0f} churners "
                f"(95% interval {self.low:+.0f} to {self.high:+.0f}).")

    __str__ = text


def equal_budget(churned: npt.ArrayLike, scores: Mapping[str, npt.ArrayLike], offers: int, *, seed: int = 0,
                 n_boot: int = 2000) -> BudgetComparison:
    """Two contenders' top ``offers`` customers: churners reached by each, and the difference with its interval."""
    import numpy as np
    from scipy.stats import bootstrap

    if len(scores) != 2:
        raise ValueError("compare exactly two contenders")
    y, offers = np.asarray(churned).astype(int), int(offers)
    (a, sa), (b, sb) = scores.items()
    hit_a, hit_b = y * top_offers(sa, offers), y * top_offers(sb, offers)
    per_customer = (hit_b - hit_a).astype(float)
    ci = bootstrap((per_customer,), np.sum, n_resamples=n_boot, method="percentile",
                   random_state=np.random.default_rng(seed)).confidence_interval
    return BudgetComparison((a, b), offers, len(y), (int(hit_a.sum()), int(hit_b.sum())),
                            float(per_customer.sum()), float(ci.low), float(ci.high))


@dataclass(frozen=True)
class Upkeep:
    """What the model adds over the simple rule in a month at full scale, against what it costs to run."""

    extra: float  # extra value a month, over the rule at the same budget
    low: float
    high: float
    running_cost: float

    @property
    def keep(self) -> bool:
        """Keep the model only while even the low end of its extra value covers its running cost."""
        return self.low > self.running_cost

    def text(self) -> str:
        verdict = "keep it" if self.keep else "review it: retire it, or fix it, unless it is clearly worth its cost"
        return (f"Extra value over the simple rule: about {money(round(self.extra, -3))} a month "
                f"(95% interval {money(round(self.low, -3))} to {money(round(self.high, -3))}).\n"
                f"Cost to run and maintain: {money(self.running_cost)} a month. Verdict: {verdict}.")

    __str__ = text


def upkeep(comparison: BudgetComparison, running_cost: float | None = None,
           economics: CaseEconomics | None = None) -> Upkeep:
    """Scale an equal-budget comparison (model second) to the whole base for one month, and weigh its upkeep.

    Each extra churner reached is worth the save rate times the value of a save; both contenders
    send the same offers, so their offer costs cancel. ``running_cost`` defaults to the case's
    monthly running cost, itemised in ``content/deployment.json`` (notebook 05's cost table).
    """
    from mlworkflow.stages.deployment.cost import running_cost as case_running_cost
    from mlworkflow.stages.evaluation.economics import case_economics

    econ = economics or case_economics()
    if running_cost is None:
        running_cost = case_running_cost().total
    factor = econ.subscribers / comparison.customers * econ.value_reached
    return Upkeep(comparison.difference * factor, comparison.low * factor, comparison.high * factor, running_cost)

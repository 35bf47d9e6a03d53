"""Running cost: what the model costs to run and maintain each month, against what it is expected to earn.

A model that earns less than it costs to run is a NO-GO however good its metrics. The cost items
are in ``content/deployment.json`` (``running_cost``, illustrative amounts); the expected gain
is computed from data the team has before launch (the validation set and the assumed save
rate), with a bootstrap 95% range.

    >>> running_cost()                            # the monthly items and their total
    >>> cost_vs_gain(model_says, rule_says, churned, versus="today's rule")
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from mlworkflow.core.content import Fields, read_content
from mlworkflow.core.text import html_escape, html_table, money, signed_money

if TYPE_CHECKING:  # pragma: no cover
    from numpy.typing import ArrayLike

    from mlworkflow.stages.evaluation.metrics import RetentionEconomics

__all__ = ["CostVsGain", "RunningCost", "cost_vs_gain", "running_cost"]


@dataclass(frozen=True)
class RunningCost:
    """What running and maintaining the model costs a month, item by item."""

    items: tuple[tuple[str, float], ...]
    note: str

    @property
    def total(self) -> float:
        return sum(amount for _, amount in self.items)

    def _rows(self) -> list[list[str]]:
        return [[item, money(amount)] for item, amount in self.items] + [["Total a month", money(self.total)]]

    def _repr_html_(self) -> str:
        return (html_table(["Running cost", "Per month"], self._rows(), "mlw-running-cost")
                + f"<p><i>{html_escape(self.note)}</i></p>")

    def __repr__(self) -> str:
        return "\n".join([*(f"{item}: {amount}" for item, amount in self._rows()), self.note])


@lru_cache(maxsize=1)
def running_cost() -> RunningCost:
    """The monthly running cost of the churn model (illustrative), from ``content/deployment.json``."""
    data, label = read_content("deployment.json")
    cost = Fields(data, label).object("running_cost")
    items = []
    for i in cost.objects("items"):
        amount = i.number("per_month")
        if amount < 0:
            raise i.fail("per_month", "expected an amount of zero or more")
        items.append((i.text("item"), float(amount)))
    return RunningCost(tuple(items), cost.text("note"))


@dataclass(frozen=True)
class CostVsGain:
    """One month's expected gain over an alternative, at the scale of the whole base, against the running cost."""

    versus: str
    gain: float  # expected gain a month (a save counts over the value's horizon)
    low: float
    high: float
    cost: float

    def text(self) -> str:
        after = (self.gain - self.cost, self.low - self.cost, self.high - self.cost)
        return (f"Over {self.versus}: expected gain {signed_money(round(self.gain, -2))} a month "
                f"(95% range {signed_money(round(self.low, -2))} to {signed_money(round(self.high, -2))}); "
                f"after running cost {signed_money(round(after[0], -2))} "
                f"({signed_money(round(after[1], -2))} to {signed_money(round(after[2], -2))}).")

    __str__ = text


def cost_vs_gain(model_says: ArrayLike, other_says: ArrayLike, churned: ArrayLike, *, versus: str,
                 economics: RetentionEconomics | None = None, boots: int = 2000, seed: int = 0) -> CostVsGain:
    """The model's expected gain over ``other_says`` for one month of the whole base, with a bootstrap 95% range.

    Each customer's expected value under both targetings uses the assumed save rate; resampling
    the planning customers (``scipy.stats.bootstrap``, ``boots`` times, seeded) shows how much it could move.
    """
    import numpy as np
    from scipy.stats import bootstrap

    from mlworkflow.stages.deployment.experiment import expected_values
    from mlworkflow.stages.evaluation.economics import case_economics
    from mlworkflow.stages.evaluation.metrics import RetentionEconomics

    econ = economics or RetentionEconomics()
    gain = expected_values(model_says, churned, econ) - expected_values(other_says, churned, econ)
    if len(gain) < 2:
        raise ValueError("need at least two customers to estimate a gain and its range")
    ci = bootstrap((gain,), np.mean, n_resamples=boots, method="percentile",
                   random_state=np.random.default_rng(seed)).confidence_interval
    low, high = ci.low, ci.high
    scale = case_economics().subscribers
    return CostVsGain(versus, float(gain.mean()) * scale, float(low) * scale, float(high) * scale,
                      running_cost().total)

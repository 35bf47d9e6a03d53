"""Proving value after launch: what a rollout observes, how uncertain a measured difference is, and test size.

A real rollout sees, for each customer, which group they were randomly put in, whether they were
sent an offer and whether they cancelled within the month. It never sees whether an offered
customer would have cancelled without the offer. So value is measured only by comparing randomised
groups, and the test that proves it is sized before it starts:

    >>> plan = plan_value_test(model_says, rule_says, churned)   # planning data: the validation set
    >>> plan.per_arm                                            # customers needed in each group
    >>> print(plan.text())

The range of a measured difference is Welch's t-test (scipy); the test's size is the textbook
two-means formula, written out with its docstring and tested (quantiles from ``statistics.NormalDist``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING

from mlworkflow.core.text import count, percent, signed_money

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    from numpy.typing import ArrayLike

    from mlworkflow.stages.evaluation.metrics import RetentionEconomics

__all__ = ["Difference", "ValueTestPlan", "customer_values", "difference_range", "expected_value", "expected_values",
           "observe", "plan_value_test", "sample_size_per_arm"]


def _z(p: float) -> float:
    return NormalDist().inv_cdf(p)


def observe(offered: ArrayLike, churned: ArrayLike, *, save_rate: float, seed: int | Sequence[int] = 0) -> np.ndarray:
    """What a team sees for each customer once offers go out: did they cancel within the month (True or False)?

    ``churned`` is what each customer would do with no offer: the simulation knows it, a real team
    does not. An offer keeps a would-be churner with probability ``save_rate``; each customer's
    draw is fixed by ``seed``, so the same customer reacts the same way in either group. The
    rollout (05) and the monitoring holdout (06) both use this one simulation of the offer.

    >>> observe([True, True, False], [True, False, True], save_rate=1.0).tolist()
    [False, False, True]
    """
    import numpy as np

    if not 0 <= save_rate <= 1:
        raise ValueError("save_rate must be between 0 and 1")
    offer, churn = np.asarray(offered, dtype=bool), np.asarray(churned, dtype=bool)
    persuaded = np.random.default_rng(seed).random(len(churn)) < save_rate
    return churn & ~(offer & persuaded)


def customer_values(offered: ArrayLike, cancelled: ArrayLike, economics: RetentionEconomics) -> np.ndarray:
    """Each customer's observed net value: a customer still there is worth ``value_saved``; an offer costs money."""
    import numpy as np

    offer, gone = np.asarray(offered, dtype=bool), np.asarray(cancelled, dtype=bool)
    return (~gone) * economics.value_saved - offer * economics.offer_cost


@dataclass(frozen=True)
class Difference:
    """A measured difference in mean value per customer (group a minus group b), with its 95% range."""

    diff: float
    low: float
    high: float

    @property
    def margin(self) -> float:
        """Half the width of the range: the difference is this uncertain, either way."""
        return (self.high - self.low) / 2

    def per_1000(self) -> tuple[float, float, float]:
        """The difference and its range per 1,000 customers, rounded to cents."""
        return round(self.diff * 1000, 2), round(self.low * 1000, 2), round(self.high * 1000, 2)


def difference_range(a: ArrayLike, b: ArrayLike, *, confidence: float = 0.95) -> Difference | None:
    """mean(a) - mean(b), with its range from Welch's t-test (``scipy.stats.ttest_ind``, unequal variances).

    None if either group has fewer than two customers.

    >>> d = difference_range([1, 2, 3, 4], [1, 2, 3, 4])
    >>> d.diff, round(d.margin, 3)
    (0.0, 2.234)
    """
    import numpy as np
    from scipy.stats import ttest_ind

    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(x) < 2 or len(y) < 2:
        return None
    ci = ttest_ind(x, y, equal_var=False).confidence_interval(confidence)
    return Difference(float(x.mean() - y.mean()), float(ci.low), float(ci.high))


def sample_size_per_arm(effect: float, sd_a: float, sd_b: float, *, alpha: float = 0.05, power: float = 0.8) -> int:
    """Customers needed in each of two equal groups to detect a true difference ``effect`` in mean value.

    ``n = (z[1 - alpha/2] + z[power])**2 * (sd_a**2 + sd_b**2) / effect**2``, rounded up: the standard
    formula for a two-sided test of two means (normal approximation). ``alpha`` is the chance of a
    false alarm when there is no difference; ``power`` the chance of detecting ``effect`` when it is real.

    >>> sample_size_per_arm(0.5, 1, 1)         # a difference of half a standard deviation
    63
    """
    if effect == 0:
        raise ValueError("a difference of zero cannot be detected: the test would need infinitely many customers")
    if not (0 < alpha < 1 and 0 < power < 1) or sd_a < 0 or sd_b < 0:
        raise ValueError("alpha and power must be between 0 and 1, and spreads zero or more")
    z = _z(1 - alpha / 2) + _z(power)
    return math.ceil(z**2 * (sd_a**2 + sd_b**2) / effect**2)


def _stay_and_offer(offered: ArrayLike, churned: ArrayLike, economics: RetentionEconomics
                    ) -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    offer, churn = np.asarray(offered, dtype=float), np.asarray(churned, dtype=float)
    if offer.shape != churn.shape:
        raise ValueError("offered and churned must be lists of the same length")
    return 1 - churn * (1 - economics.success_rate * offer), offer


def expected_values(offered: ArrayLike, churned: ArrayLike, economics: RetentionEconomics) -> np.ndarray:
    """Planned before launch: each customer's expected net value under a targeting.

    Uses past no-offer outcomes (``churned``, e.g. the validation set) and the *assumed* save rate:
    an offered would-be churner stays with probability ``success_rate``.

    >>> from mlworkflow.stages.evaluation.metrics import RetentionEconomics
    >>> expected_values([1, 1, 0], [1, 0, 1], RetentionEconomics(10, 100, 0.5)).tolist()
    [40.0, 90.0, 0.0]
    """
    stay, offer = _stay_and_offer(offered, churned, economics)
    return economics.value_saved * stay - economics.offer_cost * offer


def expected_value(offered: ArrayLike, churned: ArrayLike, economics: RetentionEconomics) -> tuple[float, float]:
    """The mean and standard deviation of one customer's observed net value, planned before launch.

    The spread counts both who is in the group and whether each customer stays (the coin the
    save rate flips), which is what the test will see.
    """
    stay, offer = _stay_and_offer(offered, churned, economics)
    v, c = economics.value_saved, economics.offer_cost
    mu = float((v * stay - c * offer).mean())
    second = float((stay * (v - c * offer) ** 2 + (1 - stay) * (c * offer) ** 2).mean())
    return mu, math.sqrt(max(second - mu**2, 0.0))


@dataclass(frozen=True)
class ValueTestPlan:
    """A randomised test of one targeting against another, sized in advance."""

    versus: str  # what the model is compared with, in words
    effect: float  # expected difference in net value per customer
    sd_model: float
    sd_other: float
    per_arm: int
    alpha: float
    power: float

    def power_with(self, per_arm: int) -> float:
        """The chance that a test with ``per_arm`` customers in each group detects the expected difference.

        ``power = Phi(|effect| / sqrt((sd_model**2 + sd_other**2) / per_arm) - z[1 - alpha/2])``: the
        sample-size formula solved the other way (the far tail is left out, as there).
        """
        if per_arm < 1:
            raise ValueError("a test needs at least one customer in each group")
        se = math.sqrt((self.sd_model**2 + self.sd_other**2) / per_arm)
        return NormalDist().cdf(abs(self.effect) / se - _z(1 - self.alpha / 2))

    def months_at(self, arm_share: float, subscribers: int) -> float:
        """Months to reach ``per_arm`` customers when each group gets ``arm_share`` of the subscribers a month."""
        if not 0 < arm_share <= 0.5 or subscribers < 1:
            raise ValueError("arm_share must be above 0 and at most 0.5 (two groups), with subscribers")
        return self.per_arm / (arm_share * subscribers)

    def text(self, arm_share: float | None = None, subscribers: int | None = None) -> str:
        """The plan in one sentence; with ``arm_share``, how long it runs on the whole base (case_economics)."""
        line = (f"Model vs {self.versus}: expected {signed_money(self.effect * 1000)} per 1,000 customers; "
                f"needs {count(self.per_arm)} customers in each group "
                f"({percent(self.alpha, 0)} false alarms, {percent(self.power, 0)} power).")
        if arm_share is None:
            return line
        if subscribers is None:
            from mlworkflow.stages.evaluation.economics import case_economics

            subscribers = case_economics().subscribers
        return (f"{line}\n  With {percent(arm_share, 0)} of all {count(subscribers)} subscribers in each group, "
                f"that is about {self.months_at(arm_share, subscribers):,.1f} months.")


def plan_value_test(model_says: ArrayLike, other_says: ArrayLike, churned: ArrayLike, *, versus: str = "today's rule",
                    economics: RetentionEconomics | None = None, alpha: float = 0.05,
                    power: float = 0.8) -> ValueTestPlan:
    """Size the test that proves the model's value, from data the team has before launch."""
    from mlworkflow.stages.evaluation.metrics import RetentionEconomics

    econ = economics or RetentionEconomics()
    mean_m, sd_m = expected_value(model_says, churned, econ)
    mean_o, sd_o = expected_value(other_says, churned, econ)
    effect = mean_m - mean_o
    return ValueTestPlan(versus, effect, sd_m, sd_o, sample_size_per_arm(effect, sd_m, sd_o, alpha=alpha, power=power),
                    alpha, power)

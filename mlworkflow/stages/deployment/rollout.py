"""Shadow and canary rollouts of the churn model, simulated on the case's customers.

A share of customers gets the model's decision, the rest keep today's rule (the control);
comparing the two groups shows what the model is worth, with an honest 95% range.

    >>> result = simulate_rollout(model_says, rule_says, churned, "canary-5")
    >>> print(result.summary())                  # one line of numbers
    >>> rollout_html(result)                     # the same, explained (what the widget shows)

The sentences that say what a result means are in ``content/deployment.json`` (``rollout.verdicts``).
The widget over this is ``stages.deployment.widgets.RolloutSimulator``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlworkflow.core.text import html_escape, html_table, money, signed_money
from mlworkflow.stages.deployment.service import RolloutStage, load_deployment
from mlworkflow.stages.evaluation.metrics import RetentionEconomics

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    from numpy.typing import ArrayLike

__all__ = ["GroupOutcome", "RolloutResult", "assign_groups", "rollout_html", "simulate_rollout", "verdict_text"]


@dataclass(frozen=True)
class GroupOutcome:
    """One group's decisions and what they were worth (expected value, see RetentionEconomics)."""

    customers: int
    offers: int
    churners: int
    caught: int
    net_value: float

    @property
    def per_1000(self) -> float | None:
        """Net value per 1,000 customers, so groups of different sizes compare (None if empty)."""
        return round(self.net_value / self.customers * 1000, 2) if self.customers else None


def _values(flags: np.ndarray, churned: np.ndarray, economics: RetentionEconomics) -> np.ndarray:
    """Each customer's expected net value: an offer costs money, and keeps a churner with some chance."""
    return flags * (churned * economics.success_rate * economics.value_saved - economics.offer_cost)


def _outcome(flags: np.ndarray, churned: np.ndarray, economics: RetentionEconomics) -> GroupOutcome:
    net = float(_values(flags, churned, economics).sum())
    return GroupOutcome(len(flags), int(flags.sum()), int(churned.sum()), int((flags & churned).sum()), round(net, 2))


def _margin(a: np.ndarray, b: np.ndarray) -> float | None:
    """Half-width of a 95% range for mean(a) - mean(b), per 1,000 customers (None if a group is too small)."""
    if len(a) < 2 or len(b) < 2:
        return None
    return round(1.96 * math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b)) * 1000, 2)


@dataclass(frozen=True)
class RolloutResult:
    stage: RolloutStage
    agreement: float  # share of all customers where model and rule decide the same
    disagree_model_only: int  # model offers, rule does not
    disagree_rule_only: int
    model_group: GroupOutcome  # customers who got the model's decision
    control: GroupOutcome  # customers still on today's rule
    estimate_all_model: GroupOutcome  # the model deciding for everyone (shadow estimate)
    estimate_all_rule: GroupOutcome
    margin_per_1000: float | None  # the measured difference is this uncertain, either way (95%)

    @property
    def total(self) -> int:
        return self.model_group.customers + self.control.customers

    @property
    def difference_per_1000(self) -> float | None:
        """Measured: model group minus control, per 1,000 customers (None without both groups)."""
        a, b = self.model_group.per_1000, self.control.per_1000
        return None if a is None or b is None else round(a - b, 2)

    @property
    def estimated_difference_per_1000(self) -> float:
        """Not measured: what the model would earn over the rule if it decided for everyone."""
        a, b = self.estimate_all_model.per_1000, self.estimate_all_rule.per_1000
        if a is None or b is None:  # both estimates cover every customer, and simulate_rollout refuses none
            raise ValueError("an estimate needs at least one customer")
        return round(a - b, 2)

    @property
    def difference_range(self) -> tuple[float, float] | None:
        """The 95% range of the measured difference per 1,000 customers (None if nothing is measured)."""
        diff, m = self.difference_per_1000, self.margin_per_1000
        return None if diff is None or m is None else (round(diff - m, 2), round(diff + m, 2))

    @property
    def verdict(self) -> str:
        """better, worse, too close to call, or not measured."""
        rng = self.difference_range
        if rng is None:
            return "not measured"
        return "better" if rng[0] > 0 else "worse" if rng[1] < 0 else "too close to call"

    def summary(self) -> str:
        """One line of deterministic numbers, for a checked notebook cell."""
        rng = self.difference_range
        measured = ("nothing measured" if rng is None else
                    f"model vs control {signed_money(self.difference_per_1000)} per 1,000 "
                    f"(95% range {signed_money(rng[0])} to {signed_money(rng[1])}): {self.verdict}")
        return (f"{self.stage.label:<13} {self.model_group.customers:>5,} of {self.total:,} on the model; "
                f"agreement {self.agreement:.1%}; {measured}")


def assign_groups(n: int, share: float, seed: int = 0) -> np.ndarray:
    """Who gets the model's decision: a random ``share`` of ``n``.

    A bigger share keeps the smaller one's customers (a canary widens; nobody is switched back).
    """
    import numpy as np

    if not 0 <= share <= 1:
        raise ValueError("share must be between 0 and 1")
    ranks = np.random.default_rng(seed).permutation(n)
    return ranks < round(share * n)


def simulate_rollout(model_says: ArrayLike, rule_says: ArrayLike, churned: ArrayLike,
                     stage: str, *, economics: RetentionEconomics | None = None, seed: int = 0) -> RolloutResult:
    """Roll the model out to the share of customers ``stage`` names; the rest stay on the rule."""
    import numpy as np

    model, rule, y = (np.asarray(a).astype(bool) for a in (model_says, rule_says, churned))
    if not (model.shape == rule.shape == y.shape) or model.ndim != 1 or len(model) == 0:
        raise ValueError("model_says, rule_says and churned must be lists of the same, non-zero length")
    econ = economics or RetentionEconomics()
    s = load_deployment().stage(stage)
    on_model = assign_groups(len(y), s.share, seed)
    return RolloutResult(
        s, round(float((model == rule).mean()), 4), int((model & ~rule).sum()), int((rule & ~model).sum()),
        _outcome(model[on_model], y[on_model], econ), _outcome(rule[~on_model], y[~on_model], econ),
        _outcome(model, y, econ), _outcome(rule, y, econ),
        _margin(_values(model[on_model], y[on_model], econ), _values(rule[~on_model], y[~on_model], econ)),
    )


def verdict_text(r: RolloutResult) -> str:
    """What the result means, in plain sentences (from ``content/deployment.json``; not HTML-escaped)."""
    words = load_deployment().verdicts
    rng, diff = r.difference_range, r.difference_per_1000
    if rng is None or diff is None:
        why = words.nobody_on_model if r.model_group.customers < 2 else words.no_control
        return words.not_measured.format(why=why, estimate=money(r.estimated_difference_per_1000))
    measured = words.measured.format(amount=money(abs(diff)), direction=words.more if diff >= 0 else words.less,
                                     low=money(rng[0]), high=money(rng[1]))
    return f"{measured} {words.conclusion(r.verdict)}"


def rollout_html(r: RolloutResult) -> str:
    """One stage's result as HTML: share on the model, agreement, and model group vs control."""
    pct = r.model_group.customers / r.total * 100
    bar = (f'<div class="mlw-rollout-bar" style="background:#e5e7eb;width:100%;max-width:36em;height:1.1em">'
           f'<div style="background:#1d4ed8;height:100%;width:{pct:.1f}%"></div></div>')
    rows = [[name, f"{g.customers:,}", f"{g.offers:,}", f"{g.caught:,} of {g.churners:,}", money(g.net_value),
             money(g.per_1000)] for name, g in (("On the model", r.model_group), ("Control (today's rule)", r.control))]
    headers = ["Group", "Customers", "Offers", "Churners caught", "Net value", "Per 1,000 customers"]
    return (f'<div class="mlw-rollout-result"><p><b>{r.model_group.customers:,} of {r.total:,} customers '
            f'({pct:.0f}%) get the model\'s decision.</b></p>{bar}'
            f'<p class="mlw-rollout-agreement">Model and today\'s rule agree on <b>{r.agreement:.1%}</b> of customers '
            f'(model only: {r.disagree_model_only:,}; rule only: {r.disagree_rule_only:,}).</p>'
            + html_table(headers, rows, "mlw-rollout-table")
            + f'<p class="mlw-rollout-verdict">{html_escape(verdict_text(r))}</p></div>')

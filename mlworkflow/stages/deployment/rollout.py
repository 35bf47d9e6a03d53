"""Shadow and canary rollouts of the churn model, simulated on the case's customers.

A random share of customers gets the model's decision; the rest keep today's rule (the control).
The result holds only what a real rollout observes: who was in which group, who was sent an
offer, who cancelled within the month. The value difference between the groups comes with its
95% range; a small canary's range is wide, which is why the rollout widens on health checks
(``stages.deployment.health``) and value is proven by a planned test (``stages.deployment.experiment``).

    >>> result = simulate_rollout(model_says, rule_says, churned, "canary-5")
    >>> print(result.summary())                  # one line of numbers
    >>> rollout_html(result, health)             # the same, explained (what the widget shows)

The sentences that say what a result means are in ``content/deployment.json`` (``rollout.verdicts``).
The widget over this is ``stages.deployment.widgets.RolloutSimulator``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlworkflow.core.text import html_escape, html_table, money, signed_money
from mlworkflow.stages.deployment.experiment import Difference, customer_values, difference_range, observe
from mlworkflow.stages.deployment.service import RolloutStage, load_deployment
from mlworkflow.stages.evaluation.metrics import RetentionEconomics

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    from numpy.typing import ArrayLike

    from mlworkflow.stages.deployment.health import HealthReport

__all__ = ["GroupOutcome", "RolloutResult", "assign_groups", "next_step", "rollout_html", "simulate_rollout",
           "verdict_text"]


@dataclass(frozen=True)
class GroupOutcome:
    """What a rollout observes about one group: customers, offers sent, cancellations, and their net value."""

    customers: int
    offers: int
    cancelled: int
    net_value: float  # customers still there x value of a customer, minus the offers' cost

    @property
    def per_1000(self) -> float | None:
        """Net value per 1,000 customers, so groups of different sizes compare (None if empty)."""
        return round(self.net_value / self.customers * 1000, 2) if self.customers else None

    @property
    def cancel_rate(self) -> float | None:
        return self.cancelled / self.customers if self.customers else None


def _outcome(offered: np.ndarray, cancelled: np.ndarray, values: np.ndarray) -> GroupOutcome:
    return GroupOutcome(len(offered), int(offered.sum()), int(cancelled.sum()), round(float(values.sum()), 2))


@dataclass(frozen=True)
class RolloutResult:
    stage: RolloutStage
    agreement: float  # share of all customers where model and rule decide the same
    disagree_model_only: int  # model offers, rule does not
    disagree_rule_only: int
    model_group: GroupOutcome  # customers who got the model's decision
    control: GroupOutcome  # customers still on today's rule
    difference: Difference | None  # model group minus control, per customer, with its 95% range

    @property
    def total(self) -> int:
        return self.model_group.customers + self.control.customers

    @property
    def difference_per_1000(self) -> float | None:
        """Measured: model group minus control, per 1,000 customers (None without both groups)."""
        return None if self.difference is None else self.difference.per_1000()[0]

    @property
    def margin_per_1000(self) -> float | None:
        """Half-width of the 95% range per 1,000 customers: the measurement is this uncertain, either way."""
        return None if self.difference is None else round(self.difference.margin * 1000, 2)

    @property
    def difference_range(self) -> tuple[float, float] | None:
        """The 95% range of the measured difference per 1,000 customers (None if nothing is measured)."""
        return None if self.difference is None else self.difference.per_1000()[1:]

    @property
    def verdict(self) -> str:
        """better, worse, too close to call, or not measured."""
        rng = self.difference_range
        if rng is None:
            return "not measured"
        return "better" if rng[0] > 0 else "worse" if rng[1] < 0 else "too close to call"

    def summary(self) -> str:
        """One line of deterministic numbers, for a checked notebook cell."""
        rng, m = self.difference_range, self.margin_per_1000
        measured = ("nothing measured" if rng is None or m is None else
                    f"model vs control {signed_money(self.difference_per_1000)} per 1,000, "
                    f"95% range +/-{money(m)} ({signed_money(rng[0])} to {signed_money(rng[1])}): {self.verdict}")
        return f"{self.stage.label:<13} {self.model_group.customers:>5,} of {self.total:,} on the model; {measured}"


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
    """Roll the model out to the share of customers ``stage`` names; the rest stay on the rule.

    ``churned`` (what each customer would do with no offer) drives the simulated world; the result
    keeps only what the rollout observes: offers sent and cancellations, per group.
    """
    import numpy as np

    model, rule, y = (np.asarray(a).astype(bool) for a in (model_says, rule_says, churned))
    if not (model.shape == rule.shape == y.shape) or model.ndim != 1 or len(model) == 0:
        raise ValueError("model_says, rule_says and churned must be lists of the same, non-zero length")
    econ = economics or RetentionEconomics()
    s = load_deployment().stage(stage)
    on_model = assign_groups(len(y), s.share, seed)
    offered = np.where(on_model, model, rule)
    cancelled = observe(offered, y, save_rate=econ.success_rate, seed=[seed, 1])
    values = customer_values(offered, cancelled, econ)
    on, off = on_model, ~on_model
    return RolloutResult(
        s, round(float((model == rule).mean()), 4), int((model & ~rule).sum()), int((rule & ~model).sum()),
        _outcome(offered[on], cancelled[on], values[on]), _outcome(offered[off], cancelled[off], values[off]),
        difference_range(values[on], values[off]),
    )


def verdict_text(r: RolloutResult) -> str:
    """What the result means, in plain sentences (from ``content/deployment.json``; not HTML-escaped)."""
    words = load_deployment().verdicts
    rng, diff = r.difference_range, r.difference_per_1000
    if rng is None or diff is None:
        why = words.nobody_on_model if r.model_group.customers < 2 else words.no_control
        return words.not_measured.format(why=why)
    measured = words.measured.format(amount=money(abs(diff)), direction=words.more if diff >= 0 else words.less,
                                     low=money(rng[0]), high=money(rng[1]))
    return f"{measured} {words.conclusion(r.verdict)}"


def next_step(r: RolloutResult, health: HealthReport) -> str:
    """Widen, hold or keep a holdout: decided by the health checks, never by the value range alone.

    A value range below zero is the one value signal that stops a rollout: the model group is
    measurably worse.
    """
    words, stages = load_deployment().verdicts, load_deployment().stages
    if r.verdict == "worse" or not health.ok:
        return words.hold
    later = [s for s in stages if s.share > r.stage.share]
    return words.widen.format(next=later[0].label) if later else words.last


def rollout_html(r: RolloutResult, health: HealthReport | None = None) -> str:
    """One stage's result as HTML: share on the model, each group's observed outcomes, the value reading."""
    pct = r.model_group.customers / r.total * 100
    bar = (f'<div class="mlw-rollout-bar" style="background:#e5e7eb;width:100%;max-width:36em;height:1.1em">'
           f'<div style="background:#1d4ed8;height:100%;width:{pct:.1f}%"></div></div>')
    rows = [[name, f"{g.customers:,}", f"{g.offers:,}", f"{g.cancelled:,}", money(g.per_1000)]
            for name, g in (("On the model", r.model_group), ("Control (today's rule)", r.control))]
    headers = ["Group", "Customers", "Offers sent", "Cancelled in the month", "Net value per 1,000 customers"]
    step = "" if health is None else f'<p class="mlw-rollout-next"><b>{html_escape(next_step(r, health))}</b></p>'
    return (f'<div class="mlw-rollout-result"><p><b>{r.model_group.customers:,} of {r.total:,} customers '
            f'({pct:.0f}%) get the model\'s decision.</b></p>{bar}'
            f'<p class="mlw-rollout-agreement">Model and today\'s rule agree on <b>{r.agreement:.1%}</b> of customers '
            f'(model only: {r.disagree_model_only:,}; rule only: {r.disagree_rule_only:,}).</p>'
            + html_table(headers, rows, "mlw-rollout-table")
            + f'<p class="mlw-rollout-verdict">{html_escape(verdict_text(r))}</p>{step}</div>')

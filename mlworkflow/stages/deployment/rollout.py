"""Shadow and canary rollouts of the churn model, simulated on the case's customers.

A share of customers gets the model's decision, the rest keep today's rule (the control);
comparing the two groups shows what the model is worth, with an honest 95% range.

    >>> RolloutSimulator(model, customers)     # pick shadow, a canary share, or everyone
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
from traitlets import TraitError, Unicode, observe, validate

from mlworkflow.core.text import html_table, money
from mlworkflow.stages.deployment.service import RolloutStage, load_deployment
from mlworkflow.stages.evaluation.metrics import RetentionEconomics
from mlworkflow.ui import StaticFallback

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["GroupOutcome", "RolloutResult", "RolloutSimulator", "assign_groups", "rollout_html", "simulate_rollout"]


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
        return round(self.estimate_all_model.per_1000 - self.estimate_all_rule.per_1000, 2)

    @property
    def difference_range(self) -> tuple[float, float] | None:
        """The 95% range of the measured difference per 1,000 customers (None if nothing is measured)."""
        diff, m = self.difference_per_1000, self.margin_per_1000
        return None if diff is None or m is None else (round(diff - m, 2), round(diff + m, 2))

    @property
    def verdict(self) -> str:
        """better, worse, too close to call, or not measured."""
        rng = self.difference_range
        return "not measured" if rng is None else "better" if rng[0] > 0 else "worse" if rng[1] < 0 else "too close to call"

    def summary(self) -> str:
        """One line of deterministic numbers, for a checked notebook cell."""
        rng = self.difference_range
        measured = ("nothing measured" if rng is None else
                    f"model vs control {self.difference_per_1000:+,.0f} $/1,000 (95% range {rng[0]:+,.0f} to {rng[1]:+,.0f}): {self.verdict}")
        return (f"{self.stage.label:<13} {self.model_group.customers:>5,} of {self.total:,} on the model; "
                f"agreement {self.agreement:.1%}; {measured}")


def assign_groups(n: int, share: float, seed: int = 0) -> np.ndarray:
    """Who gets the model's decision: a random ``share`` of ``n``; a bigger share keeps the smaller one's customers."""
    import numpy as np

    if not 0 <= share <= 1:
        raise ValueError("share must be between 0 and 1")
    ranks = np.random.default_rng(seed).permutation(n)
    return ranks < round(share * n)


def simulate_rollout(model_says: Sequence[bool], rule_says: Sequence[bool], churned: Sequence[int],
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




def rollout_html(r: RolloutResult) -> str:
    """One stage's result as HTML: share on the model, agreement, and model group vs control."""
    pct = r.model_group.customers / r.total * 100
    bar = (f'<div class="mlw-rollout-bar" style="background:#e5e7eb;width:100%;max-width:36em;height:1.1em">'
           f'<div style="background:#1d4ed8;height:100%;width:{pct:.1f}%"></div></div>')
    rng, diff = r.difference_range, r.difference_per_1000
    if rng is None:
        why = "nobody is on the model" if r.model_group.customers < 2 else "no control group is left"
        verdict = (f"Nothing is measured here: {why}. An estimate from scores and past outcomes says the model would "
                   f"earn {money(r.estimated_difference_per_1000)} per 1,000 customers more than today's rule, if it decided for everyone.")
    else:
        verdict = (f"Measured: the model group earns {money(abs(diff))} per 1,000 customers {'more' if diff >= 0 else 'less'} than "
                   f"the control (95% range {money(rng[0])} to {money(rng[1])}). " + {
                       "better": "The whole range is above zero: the model is better than today's rule.",
                       "worse": "The whole range is below zero: the model is worse. Roll back.",
                       "too close to call": "The range includes zero: this group is too small to tell the two apart yet.",
                   }[r.verdict])
    rows = [[name, f"{g.customers:,}", f"{g.offers:,}", f"{g.caught:,} of {g.churners:,}", money(g.net_value), money(g.per_1000)]
            for name, g in (("On the model", r.model_group), ("Control (today's rule)", r.control))]
    return (f'<div class="mlw-rollout-result"><p><b>{r.model_group.customers:,} of {r.total:,} customers '
            f'({pct:.0f}%) get the model\'s decision.</b></p>{bar}'
            f'<p class="mlw-rollout-agreement">Model and today\'s rule agree on <b>{r.agreement:.1%}</b> of customers '
            f'(model only: {r.disagree_model_only:,}; rule only: {r.disagree_rule_only:,}).</p>'
            + html_table(["Group", "Customers", "Offers", "Churners caught", "Net value", "Per 1,000 customers"], rows, "mlw-rollout-table")
            + f'<p class="mlw-rollout-verdict">{html.escape(verdict)}</p></div>')


class RolloutSimulator(StaticFallback, widgets.VBox):
    """Pick a rollout stage (shadow, canary %, full) and see who gets the model and how it compares.

    ``stage`` (a stage id such as ``"canary-5"``) is the public state. All stages are computed
    on construction, so switching is instant.
    """

    stage = Unicode()

    def __init__(self, model_says: Sequence[bool], rule_says: Sequence[bool], churned: Sequence[int], *,
                 economics: RetentionEconomics | None = None, seed: int = 0, stage: str | None = None, **kwargs: Any):
        self._content = load_deployment()
        self._results = {s.id: simulate_rollout(model_says, rule_says, churned, s.id, economics=economics, seed=seed)
                         for s in self._content.stages}
        self._picker = widgets.ToggleButtons(options=[(s.label, s.id) for s in self._content.stages],
                                             value=stage or self._content.default_stage)
        self._picker.add_class("mlw-rollout-stages")
        self._picker.observe(lambda change: setattr(self, "stage", change["new"]), names="value")
        self._explain = widgets.HTML()
        self._explain.add_class("mlw-rollout-explain")
        self._summary = widgets.HTML()
        self._summary.add_class("mlw-rollout-summary")
        super().__init__(children=[self._picker, self._explain, self._summary], **kwargs)
        self.add_class("mlw-rollout")
        self.stage = self._picker.value

    @property
    def result(self) -> RolloutResult:
        return self._results[self.stage]

    @validate("stage")
    def _valid_stage(self, proposal: Any) -> str:
        if proposal["value"] not in self._results:
            raise TraitError(f"unknown rollout stage {proposal['value']!r}; choose from {', '.join(self._results)}")
        return proposal["value"]

    @observe("stage")
    def _on_stage(self, change: Any) -> None:
        self._picker.value = self.stage
        self._explain.value = f"<p><i>{html.escape(self.result.stage.explain)}</i></p>"
        self._summary.value = rollout_html(self.result)

    def _static_html(self) -> str:
        rows = [[r.stage.label, f"{r.model_group.customers:,}", f"{r.agreement:.1%}", money(r.difference_per_1000), r.verdict]
                for r in self._results.values()]
        return ('<div class="mlw-rollout-static"><h4>Rollout stages</h4>'
                + html_table(["Stage", "On the model", "Agreement with rule", "Model vs control per 1,000", "Verdict"], rows, "mlw-rollout-table")
                + "<p><em>Run this notebook in Jupyter to switch stages.</em></p></div>")

    def _static_text(self) -> str:
        return "\n".join(r.summary() for r in self._results.values())

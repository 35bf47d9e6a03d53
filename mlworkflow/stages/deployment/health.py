"""Health checks: what decides whether a rollout widens (errors, latency, scores, offers vs capacity).

All four are measured on live traffic from the first day of shadow mode, on every customer the
model scores, so they do not need a large canary. Whether the model is *worth* it is a different
question, answered by a planned test (``stages.deployment.experiment``).

    >>> report = check_health(predict_churn, live, reference_scores=churn_scores(model, valid), latency=latency)
    >>> report.ok                                 # every check within its limit
    >>> report                                    # a table in Jupyter, text elsewhere

The limits and the names of the checks are in ``content/deployment.json`` (``health``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from mlworkflow.core.content import Fields, read_content
from mlworkflow.core.text import count, html_escape, html_table, percent

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping

    import pandas as pd
    from numpy.typing import ArrayLike

    from mlworkflow.stages.deployment.service import ChurnService, LatencyResult
    from mlworkflow.stages.evaluation.economics import CaseEconomics

__all__ = ["HealthCheck", "HealthContent", "HealthReport", "check_health", "load_health"]

CHECKS = ("errors", "latency", "scores", "offers")


@dataclass(frozen=True)
class HealthContent:
    max_fallback_share: float
    max_score_psi: float
    names: dict[str, str]  # check id -> what it checks, in words
    all_pass: str
    failed: str


@lru_cache(maxsize=1)
def load_health() -> HealthContent:
    """The health checks' limits and words, from ``content/deployment.json`` (``health``)."""
    data, label = read_content("deployment.json")
    h = Fields(data, label).object("health")
    share, psi_limit = h.number("max_fallback_share"), h.number("max_score_psi")
    if not 0 <= share <= 1:
        raise h.fail("max_fallback_share", "expected a share between 0 and 1")
    if psi_limit <= 0:
        raise h.fail("max_score_psi", "expected a number above 0")
    names = h.object("checks")
    return HealthContent(float(share), float(psi_limit), {c: names.text(c) for c in CHECKS},
                         h.text("all_pass"), h.text("failed"))


@dataclass(frozen=True)
class HealthCheck:
    check: str  # what is checked, in words
    measured: str
    limit: str
    ok: bool


@dataclass(frozen=True)
class HealthReport:
    """The health checks of one rollout; widen only when ``ok``."""

    checks: tuple[HealthCheck, ...]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def verdict(self) -> str:
        words = load_health()
        return words.all_pass if self.ok else words.failed

    def text(self) -> str:
        lines = [f"[{'ok' if c.ok else 'FAIL'}] {c.check}: {c.measured} (limit: {c.limit})" for c in self.checks]
        return "\n".join([*lines, self.verdict()])

    def html(self) -> str:
        rows = [["✔" if c.ok else "✘", c.check, c.measured, c.limit] for c in self.checks]
        return (html_table(["", "Health check", "Measured", "Limit"], rows, "mlw-health")
                + f'<p class="mlw-health-verdict"><b>{html_escape(self.verdict())}</b></p>')

    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        return self.text()


def check_health(service: ChurnService, live: pd.DataFrame, reference_scores: ArrayLike, *,
                 latency: LatencyResult | None = None, economics: CaseEconomics | None = None) -> HealthReport:
    """The four health checks on live traffic: fallbacks, latency (p95 and p99), score drift, offers vs capacity.

    ``reference_scores`` are the scores the model gave in evaluation (the validation set); the live
    scores (of the records the model can score) are compared with them by PSI, as the monitoring
    notebook compares inputs. Without a ``latency`` measurement the latency check is left out.
    """
    import numpy as np

    from mlworkflow.stages.deployment.service import load_deployment
    from mlworkflow.stages.evaluation.economics import WEEKS_PER_MONTH, case_economics
    from mlworkflow.stages.monitoring.drift import psi

    words, econ = load_health(), economics or case_economics()
    if len(live) == 0:
        raise ValueError("health checks need at least one live customer")
    broken = np.array([bool(service.problems(cast("Mapping[str, Any]", r))) for r in live.to_dict("records")])
    fallbacks = float(broken.mean())
    scores = service.scores(live[~broken]) if (~broken).any() else np.array([])
    drift = psi(np.asarray(reference_scores, dtype=float), scores) if len(scores) else float("inf")
    per_week = float((scores >= service.threshold).sum()) / len(live) * econ.subscribers / WEEKS_PER_MONTH
    checks = [HealthCheck(words.names["errors"], percent(fallbacks), f"at most {percent(words.max_fallback_share)}",
                          fallbacks <= words.max_fallback_share)]
    if latency is not None:
        budget = load_deployment().latency_budget
        checks.append(HealthCheck(words.names["latency"], f"p95 {latency.p95_ms:.1f} ms, p99 {latency.p99_ms:.1f} ms",
                                  f"p95 {budget.p95_ms:g} ms, p99 {budget.p99_ms:g} ms", latency.meets(budget)))
    checks += [
        HealthCheck(words.names["scores"], f"PSI {drift:.2f}", f"below {words.max_score_psi:g}",
                    drift < words.max_score_psi),
        HealthCheck(words.names["offers"], f"{count(round(per_week, -2))} a week",
                    f"{count(econ.weekly_capacity)} a week", per_week <= econ.weekly_capacity),
    ]
    return HealthReport(tuple(checks))

"""The deployment notebook's widget: pick a rollout stage; see its health, who gets the model, the value so far.

    >>> RolloutSimulator(model_says=predict_churn.would_offer(live),
    ...                  rule_says=current_rule(live), churned=live["churned"], health=health)

The simulation and its explanation are pure (``stages.deployment.rollout``); this is a view over them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
from traitlets import TraitError, Unicode, observe, validate

from mlworkflow.core.text import html_escape, html_table, money
from mlworkflow.stages.deployment.rollout import RolloutResult, next_step, rollout_html, simulate_rollout
from mlworkflow.stages.deployment.service import load_deployment
from mlworkflow.ui import StaticFallback, guard

if TYPE_CHECKING:  # pragma: no cover
    from numpy.typing import ArrayLike

    from mlworkflow.stages.deployment.health import HealthReport
    from mlworkflow.stages.evaluation.metrics import RetentionEconomics

__all__ = ["RolloutSimulator"]


class RolloutSimulator(StaticFallback, widgets.VBox):
    """Pick a rollout stage (shadow, canary %, full): its health checks, who gets the model, the value so far.

    ``stage`` (a stage id such as ``"canary-5"``) is the public state. ``health`` (from
    ``check_health``) decides the next step: widen when it passes. All stages are computed on
    construction, so switching is instant.
    """

    stage = Unicode()

    def __init__(self, model_says: ArrayLike, rule_says: ArrayLike, churned: ArrayLike, *,
                 health: HealthReport | None = None, economics: RetentionEconomics | None = None, seed: int = 0,
                 stage: str | None = None, **kwargs: Any) -> None:
        self._content, self._health = load_deployment(), health
        self._results = {s.id: simulate_rollout(model_says, rule_says, churned, s.id, economics=economics, seed=seed)
                         for s in self._content.stages}
        self._picker = widgets.ToggleButtons(options=[(s.label, s.id) for s in self._content.stages],
                                             value=stage or self._content.default_stage)
        self._picker.add_class("mlw-rollout-stages")
        self._picker.observe(self._on_pick, names="value")
        self._explain = widgets.HTML()
        self._explain.add_class("mlw-rollout-explain")
        self._health_panel = widgets.HTML("" if health is None else "<h4>Health: decides whether to widen</h4>"
                                          + health.html())
        self._health_panel.add_class("mlw-rollout-health")
        self._summary = widgets.HTML()
        self._summary.add_class("mlw-rollout-summary")
        super().__init__(children=[self._picker, self._explain, self._health_panel, self._summary], **kwargs)
        self.add_class("mlw-rollout")
        self.stage = self._picker.value

    @property
    def result(self) -> RolloutResult:
        return self._results[self.stage]

    @validate("stage")
    def _valid_stage(self, proposal: Any) -> str:
        if proposal["value"] not in self._results:
            raise TraitError(f"unknown rollout stage {proposal['value']!r}; choose from {', '.join(self._results)}")
        return str(proposal["value"])

    @guard("switching the rollout stage")
    def _on_pick(self, change: Any) -> None:
        self.stage = change["new"]

    @observe("stage")
    @guard("showing the rollout stage")
    def _on_stage(self, change: Any) -> None:
        self._picker.value = self.stage
        self._explain.value = f"<p><i>{html_escape(self.result.stage.explain)}</i></p>"
        self._summary.value = rollout_html(self.result, self._health)

    def _say_error(self, message: str) -> None:
        """Errors replace the result panel, where the learner is looking."""
        self._summary.value = (f'<p role="alert" class="mlw-rollout-error" style="color:#b91c1c">'
                               f"{html_escape(message)}</p>")

    def _static_html(self) -> str:
        rows = [[r.stage.label, f"{r.model_group.customers:,}", money(r.difference_per_1000), money(r.margin_per_1000),
                 r.verdict] + ([] if self._health is None else [next_step(r, self._health)])
                for r in self._results.values()]
        headers = ["Stage", "On the model", "Model vs control per 1,000", "95% range, +/-", "Value verdict"]
        headers += [] if self._health is None else ["Next step"]
        health = "" if self._health is None else "<h4>Health: decides whether to widen</h4>" + self._health.html()
        return ('<div class="mlw-rollout-static"><h4>Rollout stages</h4>' + health
                + html_table(headers, rows, "mlw-rollout-table")
                + "<p><em>Run this notebook in Jupyter to switch stages.</em></p></div>")

    def _static_text(self) -> str:
        lines = [r.summary() for r in self._results.values()]
        return "\n".join(lines if self._health is None else [self._health.text(), *lines])

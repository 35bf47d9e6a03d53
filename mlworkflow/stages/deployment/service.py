"""Deployment (notebook 05): the model as a function the business calls, and a safe rollout.

    >>> predict_churn = ChurnService(model, reference=train, threshold=0.25)
    >>> predict_churn(customer)                  # score, decision and a reason in plain words
    >>> RolloutSimulator(model_says=predict_churn.would_offer(live),
    ...                  rule_says=current_rule(live), churned=live["churned"])

Course text (batch vs real time, the integration checklist, the rollout stages and what their
results mean) is in ``content/deployment.json``. The simulation is plain numpy; pandas is imported where needed.
"""

from __future__ import annotations

import html
import math
import numbers
import statistics
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeGuard

from mlworkflow.core.content import Fields, read_content
from mlworkflow.core.text import html_table
from mlworkflow.stages.training.models import CATEGORICAL, NUMERIC, churn_scores

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

__all__ = [
    "ChecklistItem",
    "ChurnPrediction",
    "ChurnService",
    "DeploymentContent",
    "LatencyBudget",
    "LatencyResult",
    "Mode",
    "RolloutStage",
    "RolloutVerdicts",
    "compare_modes",
    "current_rule",
    "integration_checklist",
    "load_deployment",
    "measure_latency",
]

FEATURES = NUMERIC + CATEGORICAL


# ---------------------------------------------------------------- content

@dataclass(frozen=True)
class Mode:
    id: str
    name: str
    fields: Mapping[str, str]


@dataclass(frozen=True)
class ChecklistItem:
    area: str
    item: str
    churn_case: str


@dataclass(frozen=True)
class RolloutStage:
    id: str
    label: str
    share: float
    explain: str


@dataclass(frozen=True)
class RolloutVerdicts:
    """What a rollout stage's result means, in sentences; ``{name}`` placeholders are filled in code."""

    not_measured: str  # {why}
    nobody_on_model: str
    no_control: str
    measured: str  # {amount}, {direction}, {low}, {high}
    more: str
    less: str
    better: str
    worse: str
    too_close: str
    widen: str  # {next}: the health checks pass
    hold: str  # a health check failed, or the model group is measurably worse
    last: str  # everyone is on the model

    def conclusion(self, verdict: str) -> str:
        """The sentence for a measured verdict: better, worse or too close to call."""
        return {"better": self.better, "worse": self.worse, "too close to call": self.too_close}[verdict]


_PLACEHOLDERS = {"not_measured": {"why"}, "measured": {"amount", "direction", "low", "high"}, "widen": {"next"}}


def _parse_verdicts(v: Fields) -> RolloutVerdicts:
    texts = {f.name: v.template(f.name, _PLACEHOLDERS.get(f.name, set())) for f in fields(RolloutVerdicts)}
    return RolloutVerdicts(**texts)


@dataclass(frozen=True)
class DeploymentContent:
    modes: tuple[Mode, ...]
    mode_rows: tuple[tuple[str, str], ...]  # (field, label)
    scenarios: tuple[tuple[str, str, str], ...]  # (request, mode id, why)
    feature_labels: Mapping[str, str]
    rule_name: str
    rule_description: str
    checklist: tuple[ChecklistItem, ...]
    stages: tuple[RolloutStage, ...]
    default_stage: str
    verdicts: RolloutVerdicts
    latency_budget: LatencyBudget

    def stage(self, stage_id: str) -> RolloutStage:
        for s in self.stages:
            if s.id == stage_id:
                return s
        raise ValueError(f"unknown rollout stage {stage_id!r}; choose from {', '.join(s.id for s in self.stages)}")


def _parse_budget(top: Fields) -> LatencyBudget:
    budget = top.object("latency_budget")
    p95, p99 = budget.number("p95_ms"), budget.number("p99_ms")
    if not 0 < p95 <= p99:
        raise budget.fail("p99_ms", "expected 0 < p95_ms <= p99_ms")
    return LatencyBudget(float(p95), float(p99))


def _parse(data: Any, label: str) -> DeploymentContent:
    top = Fields(data, label)
    rows = tuple((r.text("field"), r.text("label")) for r in top.objects("mode_rows"))
    modes = tuple(Mode(m.text("id"), m.text("name"), {f: m.text(f) for f, _ in rows})
                  for m in top.objects("modes", min_items=2))
    ids = {m.id for m in modes}
    scenarios = []
    for s in top.objects("scenarios"):
        if s.text("fits") not in ids:
            raise s.fail("fits", f"expected one of {', '.join(sorted(ids))}")
        scenarios.append((s.text("request"), s.text("fits"), s.text("why")))
    labels = top.object("feature_labels")
    rule = top.object("current_rule")
    roll = top.object("rollout")
    stages = []
    for s in roll.objects("stages", min_items=2):
        share = s.number("share")
        if not 0 <= share <= 1:
            raise s.fail("share", "expected a share between 0 and 1")
        stages.append(RolloutStage(s.text("id"), s.text("label"), float(share), s.text("explain")))
    content = DeploymentContent(
        modes, rows, tuple(scenarios), {f: labels.text(f) for f in FEATURES},
        rule.text("name"), rule.text("description"),
        tuple(ChecklistItem(c.text("area"), c.text("item"), c.text("churn_case")) for c in top.objects("checklist")),
        tuple(stages), roll.text("default"), _parse_verdicts(roll.object("verdicts")), _parse_budget(top),
    )
    try:
        content.stage(content.default_stage)
    except ValueError as exc:
        raise roll.fail("default", str(exc)) from exc
    return content


@lru_cache(maxsize=1)
def load_deployment() -> DeploymentContent:
    """The deployment notebook's course text, from ``content/deployment.json``."""
    return _parse(*read_content("deployment.json"))


class _Shown:
    """Something a notebook cell displays: HTML in Jupyter, readable text elsewhere."""

    def __init__(self, html_text: str, plain: str):
        self._html, self._plain = html_text, plain

    def _repr_html_(self) -> str:
        return self._html

    def __repr__(self) -> str:
        return self._plain


def compare_modes() -> _Shown:
    """Batch vs real-time side by side, then which one fits each example request."""
    c = load_deployment()
    rows = [[label] + [m.fields[f] for m in c.modes] for f, label in c.mode_rows]
    names = {m.id: m.name for m in c.modes}
    fits = [[r, names[m], why] for r, m, why in c.scenarios]
    page = (html_table([""] + [m.name for m in c.modes], rows, "mlw-modes")
            + "<h4>Which fits? Decide for each request, then open the answers.</h4><ol class=\"mlw-mode-requests\">"
            + "".join(f"<li>{html.escape(r)}</li>" for r, _m, _why in c.scenarios)
            + "</ol><details><summary>Show the answers</summary>"
            + html_table(["Request", "Fits", "Why"], fits, "mlw-mode-scenarios") + "</details>")
    text = "\n".join(f"{label}:\n" + "\n".join(f"  {m.name}: {m.fields[f]}" for m in c.modes)
                     for f, label in c.mode_rows)
    text += "\n\nWhich fits?\n" + "\n".join(f"  - {r} -> {names[m]}: {why}" for r, m, why in c.scenarios)
    return _Shown(page, text)


def integration_checklist() -> _Shown:
    """What the integration needs (owners, latency, fallbacks...), with the churn case's answers."""
    items = load_deployment().checklist
    page = html_table(["", "Area", "Question to settle before launch", "Our churn case"],
                  [["☐", i.area, i.item, i.churn_case] for i in items], "mlw-checklist")
    text = "\n".join(f"[ ] {i.area}: {i.item}\n    Churn case: {i.churn_case}" for i in items)
    return _Shown(page, text)


def current_rule(customers: pd.DataFrame) -> np.ndarray:
    """Today's rule, before any model: an offer to everyone with a failed payment in 90 days."""
    return (customers["payment_failures"].to_numpy() >= 1)


# ---------------------------------------------------------------- the model as a function

@dataclass(frozen=True)
class ChurnPrediction:
    """What the calling system gets back for one customer."""

    customer_id: str
    score: float | None  # None when the fallback answered
    decision: str  # "send offer" or "no offer"
    reason: str
    source: str  # "model" or "fallback"
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The answer as the JSON an API would return."""
        return {"customer_id": self.customer_id, "churn_score": None if self.score is None else round(self.score, 3),
                "decision": self.decision, "reason": self.reason, "source": self.source, "notes": list(self.notes)}

    def as_json(self) -> str:
        """The answer as the calling system receives it: indented JSON, one field a line."""
        import json

        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False)

    def __str__(self) -> str:
        score = "no score, fallback used" if self.score is None else f"churn score {self.score:.2f}"
        lines = [f"Customer {self.customer_id}: {score} -> {self.decision}", f"Reason: {self.reason}"]
        return "\n".join(lines + [f"Note: {n}" for n in self.notes])


def _fmt(value: Any) -> str:
    return f"{value:g}" if _is_number(value) else str(value)


def _is_number(value: Any) -> TypeGuard[float]:
    """A real number (int, float or a numpy number), not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


class ChurnService:
    """``predict_churn(customer)``: a trained pipeline wrapped as the function other systems call.

    ``reference`` (the training rows) gives the typical customer the reason is measured
    against and the category values the model knows. A record the model cannot score safely
    (a field missing or not a number) gets today's rule instead: the fallback.
    """

    def __init__(self, model: Any, reference: pd.DataFrame, threshold: float = 0.25):
        self._model, self.threshold = model, float(threshold)
        self._typical = {c: float(reference[c].median()) for c in NUMERIC}
        self._typical.update({c: reference[c].mode().iloc[0] for c in CATEGORICAL})
        self._known = {c: set(reference[c].dropna().unique()) for c in CATEGORICAL}
        self._labels = load_deployment().feature_labels

    def scores(self, customers: pd.DataFrame) -> np.ndarray:
        """Churn scores for many customers at once (the batch call)."""
        with warnings.catch_warnings():  # unknown categories are reported as notes, in plain words
            warnings.filterwarnings("ignore", message="Found unknown categories")
            return churn_scores(self._model, customers)

    def would_offer(self, customers: pd.DataFrame) -> np.ndarray:
        """True for each customer whose score reaches the threshold."""
        return self.scores(customers) >= self.threshold

    def problems(self, customer: Mapping[str, Any]) -> list[str]:
        """What stops the model scoring this record safely, in plain words (empty if nothing)."""
        found = []
        for col in FEATURES:
            value = customer.get(col)
            if value is None or (_is_number(value) and math.isnan(value)):
                found.append(f"{self._labels[col]} is missing")
            elif col in NUMERIC and (not _is_number(value) or value < 0):
                found.append(f"{self._labels[col]} is {value!r}, not a number of zero or more")
            elif col in CATEGORICAL and not isinstance(value, str):
                found.append(f"{self._labels[col]} is {value!r}, not a text value")
        return found

    def __call__(self, customer: Mapping[str, Any]) -> ChurnPrediction:
        import pandas as pd

        cid = str(customer.get("customer_id", "unknown"))
        problems = self.problems(customer)
        if problems:
            failures = customer.get("payment_failures")
            rule_says = _is_number(failures) and failures >= 1
            return ChurnPrediction(cid, None, "send offer" if rule_says else "no offer",
                                   "Fallback to today's rule because " + "; ".join(problems) + ".", "fallback")
        rows = [dict(customer)] + [{**customer, col: self._typical[col]} for col in FEATURES]
        scores = self.scores(pd.DataFrame(rows))
        score = float(scores[0])
        effects = {col: float(scores[0] - s) for col, s in zip(FEATURES, scores[1:], strict=True)}
        raising = score >= self.threshold
        col = max(effects, key=lambda c: effects[c]) if raising else min(effects, key=lambda c: effects[c])
        if abs(effects[col]) < 0.005:
            reason = "No single field stands out: this customer looks much like a typical one."
        else:
            reason = (f"Biggest factor {'raising' if raising else 'lowering'} the risk: {self._labels[col]} is "
                      f"{_fmt(customer[col])} (typical customer: {_fmt(self._typical[col])}); with a typical value "
                      f"the score would be {score - effects[col]:.2f}.")
        notes = tuple(f"{self._labels[c]} {customer[c]!r} was not in the training data; the model treats it as average."
                      for c in CATEGORICAL if customer[c] not in self._known[c])
        return ChurnPrediction(cid, score, "send offer" if raising else "no offer", reason, "model", notes)


@dataclass(frozen=True)
class LatencyResult:
    """Wall-clock times: each single-customer call (as real-time requests), and batches of ``batch_size``.

    Budgets are set on the slow calls, not the typical one: "95% of requests within 100 ms" is a
    budget on the 95th percentile (p95). The median says little about the customers who wait.
    """

    single_times_ms: tuple[float, ...]
    batch_ms: float  # median of the batch runs
    batch_size: int

    def _percentile(self, q: float) -> float:
        import numpy as np

        return float(np.percentile(self.single_times_ms, q))

    @property
    def median_ms(self) -> float:
        return self._percentile(50)

    @property
    def p95_ms(self) -> float:
        """95% of single calls took this long or less."""
        return self._percentile(95)

    @property
    def p99_ms(self) -> float:
        return self._percentile(99)

    @property
    def per_prediction_batch_ms(self) -> float:
        return self.batch_ms / self.batch_size

    def meets(self, budget: LatencyBudget) -> bool:
        """True when the p95 and the p99 of single calls are both within the budget."""
        return self.p95_ms <= budget.p95_ms and self.p99_ms <= budget.p99_ms

    def summary(self, budget: LatencyBudget | None = None) -> str:
        lines = [f"One customer per call ({len(self.single_times_ms):,} calls): median {self.median_ms:.1f} ms, "
                 f"p95 {self.p95_ms:.1f} ms, p99 {self.p99_ms:.1f} ms.",
                 f"{self.batch_size:,} customers per call: {self.batch_ms:.1f} ms in all, "
                 f"{self.per_prediction_batch_ms:.4f} ms per prediction "
                 f"(about {self.median_ms / max(self.per_prediction_batch_ms, 1e-9):,.0f} times cheaper each)."]
        if budget is not None:
            verdict = "within budget" if self.meets(budget) else "OVER BUDGET"
            lines.append(f"Budget for the model's part: p95 within {budget.p95_ms:g} ms and p99 within "
                         f"{budget.p99_ms:g} ms: {verdict}.")
        return "\n".join(lines)


@dataclass(frozen=True)
class LatencyBudget:
    """How fast single calls must be, as percentiles (from ``content/deployment.json``)."""

    p95_ms: float
    p99_ms: float


def measure_latency(score: Callable[[pd.DataFrame], Any], customers: pd.DataFrame, *,
                    batch_size: int = 1000, repeats: int = 7, single_calls: int = 200) -> LatencyResult:
    """Time ``score`` on ``single_calls`` customers one at a time, and on a batch (median of ``repeats``)."""
    if len(customers) < max(batch_size, single_calls) or repeats < 1 or single_calls < 1:
        raise ValueError(f"need at least {max(batch_size, single_calls)} customers, one repeat and one single "
                         "call to measure latency")

    def times_ms(frames: list[pd.DataFrame]) -> list[float]:
        times = []
        for frame in frames:
            start = time.perf_counter()
            score(frame)
            times.append((time.perf_counter() - start) * 1000)
        return times

    batch = customers.iloc[:batch_size]
    score(batch)  # warm-up: the first call pays one-off costs
    singles = times_ms([customers.iloc[[i]] for i in range(single_calls)])
    return LatencyResult(tuple(singles), statistics.median(times_ms([batch] * repeats)), batch_size)

"""Deployment (notebook 05): the model as a function the business calls, and a safe rollout.

    >>> predict_churn = ChurnService(model, reference=train, threshold=0.25)
    >>> predict_churn(customer)                  # score, decision and a reason in plain words
    >>> RolloutSimulator(model_says=predict_churn.would_offer(live),
    ...                  rule_says=current_rule(live), churned=live["churned"])

Course text (batch vs real time, the integration checklist, the rollout stages) is in
``content/deployment.json``. The simulation is plain numpy; pandas is imported where needed.
"""

from __future__ import annotations

import html
import math
import numbers
import statistics
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
from traitlets import TraitError, Unicode, observe, validate

from mlworkflow._content import Fields, read_content
from mlworkflow._widgets import StaticFallback
from mlworkflow.evaluation import RetentionEconomics
from mlworkflow.models import CATEGORICAL, NUMERIC, churn_scores

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

__all__ = [
    "Mode", "ChecklistItem", "RolloutStage", "DeploymentContent", "load_deployment",
    "compare_modes", "integration_checklist", "current_rule",
    "ChurnPrediction", "ChurnService", "LatencyResult", "measure_latency",
    "GroupOutcome", "RolloutResult", "assign_groups", "simulate_rollout", "rollout_html",
    "RolloutSimulator",
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

    def stage(self, stage_id: str) -> RolloutStage:
        for s in self.stages:
            if s.id == stage_id:
                return s
        raise ValueError(f"unknown rollout stage {stage_id!r}; choose from {', '.join(s.id for s in self.stages)}")


def _parse(data: Any, label: str) -> DeploymentContent:
    top = Fields(data, label)
    rows = tuple((r.text("field"), r.text("label")) for r in top.objects("mode_rows"))
    modes = tuple(Mode(m.text("id"), m.text("name"), {f: m.text(f) for f, _ in rows}) for m in top.objects("modes", min_items=2))
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
        tuple(stages), roll.text("default"),
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


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]], css: str) -> str:
    head = "".join(f"<th style='text-align:left'>{html.escape(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td style='text-align:left;vertical-align:top'>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


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
    page = (_table([""] + [m.name for m in c.modes], rows, "mlw-modes")
            + "<h4>Which fits? (decide, then open)</h4><details><summary>Show the answers</summary>"
            + _table(["Request", "Fits", "Why"], fits, "mlw-mode-scenarios") + "</details>")
    text = "\n".join(f"{label}:\n" + "\n".join(f"  {m.name}: {m.fields[f]}" for m in c.modes) for f, label in c.mode_rows)
    text += "\n\nWhich fits?\n" + "\n".join(f"  - {r} -> {names[m]}: {why}" for r, m, why in c.scenarios)
    return _Shown(page, text)


def integration_checklist() -> _Shown:
    """What the integration needs (owners, latency, fallbacks...), with the churn case's answers."""
    items = load_deployment().checklist
    page = _table(["", "Area", "Question to settle before launch", "Our churn case"],
                  [["☐", i.area, i.item, i.churn_case] for i in items], "mlw-checklist")
    text = "\n".join(f"[ ] {i.area}: {i.item}\n    Churn case: {i.churn_case}" for i in items)
    return _Shown(page, text)


def current_rule(customers: "pd.DataFrame") -> "np.ndarray":
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

    def __str__(self) -> str:
        score = "no score, fallback used" if self.score is None else f"churn score {self.score:.2f}"
        lines = [f"Customer {self.customer_id}: {score} -> {self.decision}", f"Reason: {self.reason}"]
        return "\n".join(lines + [f"Note: {n}" for n in self.notes])


def _fmt(value: Any) -> str:
    return f"{value:g}" if _is_number(value) else str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


class ChurnService:
    """``predict_churn(customer)``: a trained pipeline wrapped as the function other systems call.

    ``reference`` (the training rows) gives the typical customer the reason is measured
    against and the category values the model knows. A record the model cannot score safely
    (a field missing or not a number) gets today's rule instead: the fallback.
    """

    def __init__(self, model: Any, reference: "pd.DataFrame", threshold: float = 0.25):
        self._model, self.threshold = model, float(threshold)
        self._typical = {c: float(reference[c].median()) for c in NUMERIC}
        self._typical.update({c: reference[c].mode().iloc[0] for c in CATEGORICAL})
        self._known = {c: set(reference[c].dropna().unique()) for c in CATEGORICAL}
        self._labels = load_deployment().feature_labels

    def scores(self, customers: "pd.DataFrame") -> "np.ndarray":
        """Churn scores for many customers at once (the batch call)."""
        with warnings.catch_warnings():  # unknown categories are reported as notes, in plain words
            warnings.filterwarnings("ignore", message="Found unknown categories")
            return churn_scores(self._model, customers)

    def would_offer(self, customers: "pd.DataFrame") -> "np.ndarray":
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
        score, effects = float(scores[0]), {col: float(scores[0] - s) for col, s in zip(FEATURES, scores[1:])}
        raising = score >= self.threshold
        col = max(effects, key=effects.get) if raising else min(effects, key=effects.get)
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
    """Median wall-clock times: one customer per call vs ``batch_size`` customers per call."""

    single_ms: float
    batch_ms: float
    batch_size: int

    @property
    def per_prediction_batch_ms(self) -> float:
        return self.batch_ms / self.batch_size

    def summary(self) -> str:
        return (f"One customer per call: {self.single_ms:.2f} ms per prediction.\n"
                f"{self.batch_size:,} customers per call: {self.batch_ms:.1f} ms in all, "
                f"{self.per_prediction_batch_ms:.4f} ms per prediction "
                f"(about {self.single_ms / max(self.per_prediction_batch_ms, 1e-9):,.0f} times cheaper each).")


def measure_latency(score: Callable[["pd.DataFrame"], Any], customers: "pd.DataFrame", *,
                    batch_size: int = 1000, repeats: int = 7) -> LatencyResult:
    """Time ``score`` on single customers and on a batch; median of ``repeats`` runs each."""
    if len(customers) < batch_size or repeats < 1:
        raise ValueError(f"need at least {batch_size} customers and one repeat to measure latency")

    def median_ms(frames: list) -> float:
        times = []
        for frame in frames:
            start = time.perf_counter()
            score(frame)
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)

    batch = customers.iloc[:batch_size]
    score(batch)  # warm-up: the first call pays one-off costs
    return LatencyResult(median_ms([customers.iloc[[i]] for i in range(repeats)]),
                         median_ms([batch] * repeats), batch_size)


# ---------------------------------------------------------------- rollout simulation

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


def _values(flags: "np.ndarray", churned: "np.ndarray", economics: RetentionEconomics) -> "np.ndarray":
    """Each customer's expected net value: an offer costs money, and keeps a churner with some chance."""
    return flags * (churned * economics.success_rate * economics.value_saved - economics.offer_cost)


def _outcome(flags: "np.ndarray", churned: "np.ndarray", economics: RetentionEconomics) -> GroupOutcome:
    net = float(_values(flags, churned, economics).sum())
    return GroupOutcome(len(flags), int(flags.sum()), int(churned.sum()), int((flags & churned).sum()), round(net, 2))


def _margin(a: "np.ndarray", b: "np.ndarray") -> float | None:
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


def assign_groups(n: int, share: float, seed: int = 0) -> "np.ndarray":
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


def _money(x: float | None) -> str:
    return "—" if x is None else f"{'-' if x < 0 else ''}${abs(x):,.0f}"


def rollout_html(r: RolloutResult) -> str:
    """One stage's result as HTML: share on the model, agreement, and model group vs control."""
    pct = r.model_group.customers / r.total * 100
    bar = (f'<div class="mlw-rollout-bar" style="background:#e5e7eb;width:100%;max-width:36em;height:1.1em">'
           f'<div style="background:#1d4ed8;height:100%;width:{pct:.1f}%"></div></div>')
    rng, diff = r.difference_range, r.difference_per_1000
    if rng is None:
        why = "nobody is on the model" if r.model_group.customers < 2 else "no control group is left"
        verdict = (f"Nothing is measured here: {why}. An estimate from scores and past outcomes says the model would "
                   f"earn {_money(r.estimated_difference_per_1000)} per 1,000 customers more than today's rule, if it decided for everyone.")
    else:
        verdict = (f"Measured: the model group earns {_money(abs(diff))} per 1,000 customers {'more' if diff >= 0 else 'less'} than "
                   f"the control (95% range {_money(rng[0])} to {_money(rng[1])}). " + {
                       "better": "The whole range is above zero: the model is better than today's rule.",
                       "worse": "The whole range is below zero: the model is worse. Roll back.",
                       "too close to call": "The range includes zero: this group is too small to tell the two apart yet.",
                   }[r.verdict])
    rows = [[name, f"{g.customers:,}", f"{g.offers:,}", f"{g.caught:,} of {g.churners:,}", _money(g.net_value), _money(g.per_1000)]
            for name, g in (("On the model", r.model_group), ("Control (today's rule)", r.control))]
    return (f'<div class="mlw-rollout-result"><p><b>{r.model_group.customers:,} of {r.total:,} customers '
            f'({pct:.0f}%) get the model\'s decision.</b></p>{bar}'
            f'<p class="mlw-rollout-agreement">Model and today\'s rule agree on <b>{r.agreement:.1%}</b> of customers '
            f'(model only: {r.disagree_model_only:,}; rule only: {r.disagree_rule_only:,}).</p>'
            + _table(["Group", "Customers", "Offers", "Churners caught", "Net value", "Per 1,000 customers"], rows, "mlw-rollout-table")
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
        rows = [[r.stage.label, f"{r.model_group.customers:,}", f"{r.agreement:.1%}", _money(r.difference_per_1000), r.verdict]
                for r in self._results.values()]
        return ('<div class="mlw-rollout-static"><h4>Rollout stages</h4>'
                + _table(["Stage", "On the model", "Agreement with rule", "Model vs control per 1,000", "Verdict"], rows, "mlw-rollout-table")
                + "<p><em>Run this notebook in Jupyter to switch stages.</em></p></div>")

    def _static_text(self) -> str:
        return "\n".join(r.summary() for r in self._results.values())

"""Deployment service: course content, the model as a function (with its fallback), latency."""

import json
import math
import re

import numpy as np
import pandas as pd
import pytest

from mlworkflow.core.content import ContentError, read_content
from mlworkflow.stages.data.datasets import churn_customers
from mlworkflow.stages.deployment import service as deployment
from mlworkflow.stages.deployment.service import (
    ChurnService,
    LatencyBudget,
    LatencyResult,
    compare_modes,
    current_rule,
    integration_checklist,
    load_deployment,
    measure_latency,
)
from mlworkflow.stages.training.models import fit_churn_model


@pytest.fixture(scope="module")
def case():
    train = churn_customers(n=800, seed=3)
    model = fit_churn_model(train)
    return train, ChurnService(model, reference=train, threshold=0.25)


# -- content ---------------------------------------------------------------------------

def test_shipped_content_is_complete():
    c = load_deployment()
    assert {m.id for m in c.modes} == {"batch", "realtime"}
    assert {fits for _, fits, _ in c.scenarios} == {"batch", "realtime"}
    assert {"Owners", "Latency", "Fallbacks"} <= {i.area for i in c.checklist}
    shares = [s.share for s in c.stages]
    assert shares[0] == 0 and shares[-1] == 1 and shares == sorted(shares)
    assert c.stage(c.default_stage).share == 0
    assert "{why}" in c.verdicts.not_measured and "{amount}" in c.verdicts.measured
    assert c.verdicts.conclusion("worse").endswith("Roll back.")
    assert "{next}" in c.verdicts.widen and c.latency_budget.p95_ms <= c.latency_budget.p99_ms
    assert {"Rollout", "Proving value", "Approval"} <= {i.area for i in c.checklist}


@pytest.mark.parametrize("mutate, field", [
    (lambda d: d["scenarios"][0].update(fits="nightly"), "scenarios[0].fits"),
    (lambda d: d["rollout"]["stages"][1].update(share=5), "rollout.stages[1].share"),
    (lambda d: d["rollout"].update(default="everyone"), "rollout.default"),
    (lambda d: d["feature_labels"].pop("plan"), "feature_labels.plan"),
    (lambda d: d["modes"][1].pop("latency"), "modes[1].latency"),
    (lambda d: d["rollout"].pop("verdicts"), "rollout.verdicts"),
    (lambda d: d["rollout"]["verdicts"].update(better=""), "rollout.verdicts.better"),
    (lambda d: d["rollout"]["verdicts"].update(measured="Measured: {amount} {direction}."),
     "rollout.verdicts.measured"),
    (lambda d: d["rollout"]["verdicts"].update(not_measured="Nothing {why} {estimate}"),
     "rollout.verdicts.not_measured"),
    (lambda d: d["rollout"]["verdicts"].update(widen="Widen now."), "rollout.verdicts.widen"),
    (lambda d: d["latency_budget"].update(p99_ms=50), "latency_budget.p99_ms"),
    (lambda d: d.pop("latency_budget"), "latency_budget"),
    (lambda d: d["rollout"]["verdicts"].update(worse="Worse {"), "rollout.verdicts.worse"),
])
def test_malformed_content_names_the_file_and_field(monkeypatch, tmp_path, mutate, field):
    data, _ = read_content("deployment.json")
    mutate(data)
    copy = tmp_path / "deployment.json"
    copy.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(deployment, "read_content", lambda name: read_content(name, path=copy))
    deployment.load_deployment.cache_clear()
    try:
        with pytest.raises(ContentError, match=re.escape(f"{copy}: {field}")):
            deployment.load_deployment()
    finally:
        deployment.load_deployment.cache_clear()


def test_comparison_and_checklist_show_as_html_and_text():
    modes, checklist = compare_modes(), integration_checklist()
    assert "Batch scoring" in modes._repr_html_() and "Real-time scoring" in repr(modes)
    assert "<details>" in modes._repr_html_()  # answers hidden until opened
    assert "Fallbacks" in checklist._repr_html_() and repr(checklist).startswith("[ ] ")


def test_current_rule_is_a_failed_payment():
    df = pd.DataFrame({"payment_failures": [0, 1, 3]})
    assert current_rule(df).tolist() == [False, True, True]


# -- the model as a function -----------------------------------------------------------

def test_prediction_has_score_decision_and_reason(case):
    train, predict = case
    customer = train.iloc[0].to_dict()  # numpy number types, as from a real frame
    p = predict(customer)
    assert p.source == "model" and 0 <= p.score <= 1
    assert p.decision == ("send offer" if p.score >= 0.25 else "no offer")
    assert p.reason and not p.notes
    assert p.as_dict()["churn_score"] == round(p.score, 3)
    assert json.dumps(p.as_dict())  # what an API would return must serialise
    assert json.loads(p.as_json()) == p.as_dict() and p.as_json().startswith('{\n  "customer_id"')
    assert str(p).startswith(f"Customer {customer['customer_id']}: churn score")


def test_reason_names_the_field_that_moves_the_score_most(case):
    train, predict = case
    customer = {**train.iloc[0].to_dict(), "payment_failures": 6, "support_tickets": 0, "tenure_months": 24}
    p = predict(customer)
    assert p.decision == "send offer"
    assert "failed card payments" in p.reason and "is 6" in p.reason


def test_batch_scores_match_single_calls(case):
    train, predict = case
    rows = train.head(5)
    batch = predict.scores(rows)
    singles = [predict(r).score for r in rows.to_dict("records")]
    assert np.allclose(batch, singles)
    assert predict.would_offer(rows).tolist() == (batch >= 0.25).tolist()


@pytest.mark.parametrize("change, problem", [
    ({"hours_watched": None}, "hours watched last month is missing"),
    ({"hours_watched": float("nan")}, "hours watched last month is missing"),
    ({"monthly_price": "$13.99"}, "monthly price (USD) is '$13.99'"),
    ({"tenure_months": -3}, "months subscribed is -3"),
    ({"plan": None}, "plan is missing"),
    ({"region": 3}, "region is 3, not a text value"),
])
def test_unsafe_input_falls_back_to_todays_rule(case, change, problem):
    train, predict = case
    customer = {**train.iloc[0].to_dict(), "payment_failures": 2, **change}
    p = predict(customer)
    assert p.source == "fallback" and p.score is None
    assert p.decision == "send offer"  # today's rule: a failed payment means an offer
    assert problem in p.reason
    assert "fallback" in str(p)


def test_fallback_without_payment_information_sends_no_offer(case):
    train, predict = case
    customer = {k: v for k, v in train.iloc[0].to_dict().items() if k != "payment_failures"}
    assert predict(customer).decision == "no offer"


def test_unknown_category_is_scored_and_noted(case, recwarn):
    train, predict = case
    p = predict({**train.iloc[0].to_dict(), "segment": "Student"})
    assert p.source == "model" and p.score is not None
    assert p.notes and "'Student' was not in the training data" in p.notes[0]
    assert not [w for w in recwarn if "unknown categories" in str(w.message)]


# -- latency ---------------------------------------------------------------------------

def test_latency_times_single_calls_and_batches():
    calls = []
    frame = pd.DataFrame({"x": range(50)})
    result = measure_latency(lambda df: calls.append(len(df)), frame, batch_size=20, repeats=3, single_calls=4)
    assert calls == [20, 1, 1, 1, 1, 20, 20, 20]  # warm-up, singles, batches
    assert result.batch_size == 20 and len(result.single_times_ms) == 4 and result.batch_ms >= 0
    assert math.isclose(result.per_prediction_batch_ms, result.batch_ms / 20)
    assert "per prediction" in result.summary() and "p95" in result.summary()


def test_latency_is_judged_on_the_slow_calls_not_the_median():
    budget = LatencyBudget(p95_ms=100, p99_ms=250)
    typical = LatencyResult(tuple([10.0] * 90 + [150.0] * 10), 5.0, 1000)  # one call in ten is slow
    assert typical.median_ms == 10 and typical.p95_ms == 150 and typical.p99_ms == 150
    assert not typical.meets(budget)
    assert "p95 within 100 ms and p99 within 250 ms: OVER BUDGET" in typical.summary(budget)
    tail = LatencyResult(tuple([10.0] * 995 + [400.0] * 5), 5.0, 1000)  # p95 fine, p99 fine, max not
    assert tail.p95_ms == 10 and tail.meets(budget)
    assert LatencyResult(tuple([10.0] * 97 + [300.0] * 3), 5.0, 1000).meets(budget) is False  # p99 over
    assert load_deployment().latency_budget == budget


def test_latency_needs_enough_rows():
    with pytest.raises(ValueError, match="at least 1000"):
        measure_latency(len, pd.DataFrame({"x": range(10)}))

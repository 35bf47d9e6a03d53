"""Deployment: content, the model as a function (with its fallback), latency, rollout simulation and widget."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from traitlets import TraitError

from mlworkflow.core.content import ContentError
from mlworkflow.stages.data.datasets import churn_customers, churn_months
from mlworkflow.stages.deployment import rollout
from mlworkflow.stages.deployment import service as deployment
from mlworkflow.stages.deployment.rollout import RolloutSimulator, assign_groups, rollout_html, simulate_rollout
from mlworkflow.stages.deployment.service import (
    ChurnService,
    compare_modes,
    current_rule,
    integration_checklist,
    load_deployment,
    measure_latency,
)
from mlworkflow.stages.evaluation.metrics import RetentionEconomics
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


@pytest.mark.parametrize("mutate, field", [
    (lambda d: d["scenarios"][0].update(fits="nightly"), "scenarios[0].fits"),
    (lambda d: d["rollout"]["stages"][1].update(share=5), "rollout.stages[1].share"),
    (lambda d: d["rollout"].update(default="everyone"), "rollout.default"),
    (lambda d: d["feature_labels"].pop("plan"), "feature_labels.plan"),
    (lambda d: d["modes"][1].pop("latency"), "modes[1].latency"),
])
def test_malformed_content_names_the_field(mutate, field):
    from mlworkflow.core.content import read_content

    data, _ = read_content("deployment.json")
    data = json.loads(json.dumps(data))
    mutate(data)
    with pytest.raises(ContentError, match=field.replace("[", r"\[").replace("]", r"\]")):
        deployment._parse(data, "deployment.json")


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

def test_latency_is_the_median_of_repeats():
    calls = []
    frame = pd.DataFrame({"x": range(50)})
    result = measure_latency(lambda df: calls.append(len(df)), frame, batch_size=20, repeats=3)
    assert calls == [20] + [1, 1, 1] + [20, 20, 20]  # warm-up, singles, batches
    assert result.batch_size == 20 and result.single_ms >= 0 and result.batch_ms >= 0
    assert math.isclose(result.per_prediction_batch_ms, result.batch_ms / 20)
    assert "per prediction" in result.summary()


def test_latency_needs_enough_rows():
    with pytest.raises(ValueError, match="at least 1000"):
        measure_latency(len, pd.DataFrame({"x": range(10)}))


# -- rollout ---------------------------------------------------------------------------

def test_groups_have_the_share_and_grow_by_keeping_earlier_customers():
    small, big = assign_groups(1000, 0.05, seed=1), assign_groups(1000, 0.25, seed=1)
    assert small.sum() == 50 and big.sum() == 250
    assert (big[small]).all()  # a canary widens; nobody is switched back
    assert assign_groups(10, 0).sum() == 0 and assign_groups(10, 1).sum() == 10
    with pytest.raises(ValueError):
        assign_groups(10, 1.5)


def test_hand_checked_rollout():
    # 4 customers; economics: offer $10, a kept churner worth $100 with certainty
    econ = RetentionEconomics(offer_cost=10, value_saved=100, success_rate=1.0)
    model, rule, churned = [1, 1, 0, 0], [1, 0, 1, 0], [1, 1, 0, 0]
    full = simulate_rollout(model, rule, churned, "full", economics=econ)
    assert full.agreement == 0.5 and (full.disagree_model_only, full.disagree_rule_only) == (1, 1)
    assert full.model_group.net_value == 2 * 100 - 2 * 10 and full.control.customers == 0
    assert full.estimate_all_rule.net_value == 100 - 2 * 10
    assert full.estimated_difference_per_1000 == (180 - 80) / 4 * 1000
    assert full.difference_per_1000 is None and full.verdict == "not measured"
    shadow = simulate_rollout(model, rule, churned, "shadow", economics=econ)
    assert shadow.model_group.customers == 0 and shadow.control.net_value == 80
    assert shadow.model_group.per_1000 is None


def test_measured_difference_and_its_range():
    rng = np.random.default_rng(0)
    churned = rng.random(20_000) < 0.2
    model = churned | (rng.random(20_000) < 0.05)  # a good model: flags churners
    rule = rng.random(20_000) < 0.2  # a useless rule
    half = simulate_rollout(model, rule, churned, "canary-50")
    assert half.model_group.customers == 10_000 and half.verdict == "better"
    low, high = half.difference_range
    assert low < half.difference_per_1000 < high and low > 0
    worse = simulate_rollout(rule, model, churned, "canary-50")
    assert worse.verdict == "worse"
    same = simulate_rollout(rule, rule, churned, "canary-50")
    assert same.verdict == "too close to call"


def test_rollout_rejects_bad_input():
    with pytest.raises(ValueError, match="same, non-zero length"):
        simulate_rollout([1, 0], [1], [0, 1], "shadow")
    with pytest.raises(ValueError, match="unknown rollout stage"):
        simulate_rollout([1], [1], [1], "everyone")


def test_rollout_html_reads_each_case():
    rng = np.random.default_rng(1)
    churned = rng.random(2000) < 0.2
    html = rollout_html(simulate_rollout(churned, ~churned, churned, "shadow"))
    assert "0 of 2,000 customers" in html and "Nothing is measured" in html
    html = rollout_html(simulate_rollout(churned, ~churned, churned, "canary-50"))
    assert "1,000 of 2,000" in html and "95% range" in html and "model is better" in html


# -- widget ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def live():
    rng = np.random.default_rng(2)
    churned = rng.random(4000) < 0.2
    return churned | (rng.random(4000) < 0.05), rng.random(4000) < 0.15, churned


def test_widget_starts_in_shadow_and_buttons_change_the_display(live):
    sim = RolloutSimulator(*live)
    assert sim.stage == "shadow" and "0 of 4,000" in sim._summary.value
    assert sim._picker.value == "shadow" and "Shadow" in sim._picker._options_labels
    sim._picker.value = "canary-25"  # what a click on the toggle does
    assert sim.stage == "canary-25" and "1,000 of 4,000" in sim._summary.value
    assert "canary grows" in sim._explain.value
    sim.stage = "full"  # and from code, the toggle follows
    assert sim._picker.value == "full" and "4,000 of 4,000" in sim._summary.value
    assert sim.result.stage.id == "full"


def test_widget_rejects_unknown_stage_and_has_css_hooks(live):
    sim = RolloutSimulator(*live, stage="canary-5")
    assert sim.stage == "canary-5"
    with pytest.raises(TraitError, match="unknown rollout stage"):
        sim.stage = "everyone"
    assert "mlw-rollout" in sim._dom_classes
    assert "mlw-rollout-stages" in sim._picker._dom_classes
    assert "mlw-rollout-summary" in sim._summary._dom_classes


def test_widget_static_fallback(live):
    sim = RolloutSimulator(*live)
    data = sim._repr_mimebundle_()
    data = data[0] if isinstance(data, tuple) else data
    assert "mlw-rollout-static" in data["text/html"] and "Canary 50%" in data["text/html"]
    assert data["text/plain"].count("\n") == len(load_deployment().stages) - 1


def test_every_shown_string_is_escaped(monkeypatch, live):
    evil = "<script>alert(1)</script>"
    content = load_deployment()
    stages = tuple(type(s)(s.id, evil, s.share, evil) for s in content.stages)
    checklist = tuple(type(i)(evil, evil, evil) for i in content.checklist)
    fake = type(content)(content.modes, content.mode_rows, ((evil, "batch", evil),), content.feature_labels,
                         evil, evil, checklist, stages, content.default_stage)
    monkeypatch.setattr(deployment, "load_deployment", lambda: fake)
    monkeypatch.setattr(rollout, "load_deployment", lambda: fake)
    sim = RolloutSimulator(*live)
    shown = [sim._explain.value, sim._summary.value, sim._static_html(),
             compare_modes()._repr_html_(), integration_checklist()._repr_html_()]
    for page in shown:
        assert "<script>" not in page
    assert "&lt;script&gt;" in sim._explain.value


def test_rollout_on_the_case_is_deterministic():
    """Same inputs, same seed: the same result (notebook 05 checks these numbers)."""
    customers = churn_customers(n=1200, seed=5)
    model = fit_churn_model(customers)
    live = churn_months(months=1, n_per_month=1000, seed=5)
    predict = ChurnService(model, reference=customers)
    result = simulate_rollout(predict.would_offer(live), current_rule(live), live["churned"], "canary-50")
    again = simulate_rollout(predict.would_offer(live), current_rule(live), live["churned"], "canary-50")
    assert result == again

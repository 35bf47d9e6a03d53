"""Rollout simulation: groups, hand-checked outcomes, the measured difference and what it means."""

import numpy as np
import pytest

from mlworkflow.stages.data.datasets import churn_customers, churn_months
from mlworkflow.stages.deployment import rollout
from mlworkflow.stages.deployment.health import HealthCheck, HealthReport
from mlworkflow.stages.deployment.rollout import assign_groups, next_step, rollout_html, simulate_rollout, verdict_text
from mlworkflow.stages.deployment.service import ChurnService, current_rule, load_deployment
from mlworkflow.stages.evaluation.metrics import RetentionEconomics
from mlworkflow.stages.training.models import fit_churn_model

# -- rollout ---------------------------------------------------------------------------

def test_groups_have_the_share_and_grow_by_keeping_earlier_customers():
    small, big = assign_groups(1000, 0.05, seed=1), assign_groups(1000, 0.25, seed=1)
    assert small.sum() == 50 and big.sum() == 250
    assert (big[small]).all()  # a canary widens; nobody is switched back
    assert assign_groups(10, 0).sum() == 0 and assign_groups(10, 1).sum() == 10
    with pytest.raises(ValueError):
        assign_groups(10, 1.5)


def test_hand_checked_rollout():
    # 4 customers; economics: offer $10, a customer still there worth $100, every offer keeps a churner
    econ = RetentionEconomics(offer_cost=10, value_saved=100, success_rate=1.0)
    model, rule, churned = [1, 1, 0, 0], [1, 0, 1, 0], [1, 1, 0, 0]
    full = simulate_rollout(model, rule, churned, "full", economics=econ)
    assert full.agreement == 0.5 and (full.disagree_model_only, full.disagree_rule_only) == (1, 1)
    assert full.model_group == rollout.GroupOutcome(4, 2, 0, 4 * 100 - 2 * 10) and full.control.customers == 0
    assert full.difference is None and full.difference_per_1000 is None and full.verdict == "not measured"
    shadow = simulate_rollout(model, rule, churned, "shadow", economics=econ)
    assert shadow.model_group.customers == 0 and shadow.model_group.per_1000 is None
    assert shadow.control == rollout.GroupOutcome(4, 2, 1, 3 * 100 - 2 * 10)  # the rule misses one churner
    assert shadow.control.cancel_rate == 0.25


def test_the_result_holds_only_what_a_rollout_observes():
    fields = set(rollout.GroupOutcome.__dataclass_fields__)
    assert fields == {"customers", "offers", "cancelled", "net_value"}  # no "would have churned" anywhere
    rng = np.random.default_rng(4)
    churned = rng.random(4000) < 0.2
    a = simulate_rollout(churned, churned, churned, "canary-50", seed=1)
    b = simulate_rollout(churned, churned, ~churned, "canary-50", seed=1)
    assert a.model_group.offers == b.model_group.offers  # offers follow the decisions alone


def test_measured_difference_and_its_range():
    rng = np.random.default_rng(0)
    churned = rng.random(20_000) < 0.2
    model = churned | (rng.random(20_000) < 0.05)  # a good model: flags churners
    rule = rng.random(20_000) < 0.2  # a useless rule
    half = simulate_rollout(model, rule, churned, "canary-50")
    assert half.model_group.customers == 10_000 and half.verdict == "better"
    low, high = half.difference_range
    assert low < half.difference_per_1000 < high and low > 0
    assert half.margin_per_1000 == pytest.approx((high - low) / 2, abs=0.01)
    worse = simulate_rollout(rule, model, churned, "canary-50")
    assert worse.verdict == "worse"
    same = simulate_rollout(rule, rule, churned, "canary-50")
    assert same.verdict == "too close to call"
    small = simulate_rollout(model, rule, churned, "canary-5")
    assert small.margin_per_1000 > 2 * half.margin_per_1000  # a small canary cannot judge value


def test_next_step_widens_on_health_not_on_value():
    healthy = HealthReport((HealthCheck("x", "1", "2", True),))
    sick = HealthReport((HealthCheck("x", "3", "2", False),))
    rng = np.random.default_rng(0)
    churned = rng.random(2000) < 0.2
    canary = simulate_rollout(churned, churned, churned, "canary-5")
    assert canary.verdict == "too close to call"
    assert next_step(canary, healthy) == "Next: widen to Canary 25% (the health checks pass)."
    assert next_step(canary, sick).startswith("Next: hold or roll back")
    worse = simulate_rollout(~churned, churned, churned, "canary-50")
    assert worse.verdict == "worse" and next_step(worse, healthy).startswith("Next: hold or roll back")
    full = simulate_rollout(churned, churned, churned, "full")
    assert "holdout" in next_step(full, healthy)
    assert "widen to Canary 5%" in next_step(simulate_rollout(churned, churned, churned, "shadow"), healthy)


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
    assert "1,000 of 2,000" in html and "95% range" in html and "above zero so far" in html
    assert "Cancelled in the month" in html and "mlw-rollout-next" not in html
    healthy = HealthReport((HealthCheck("x", "1", "2", True),))
    assert "widen to Full rollout" in rollout_html(simulate_rollout(churned, ~churned, churned, "canary-50"), healthy)



def test_rollout_on_the_case_is_deterministic():
    """Same inputs, same seed: the same result (notebook 05 checks these numbers)."""
    customers = churn_customers(n=1200, seed=5)
    model = fit_churn_model(customers)
    live = churn_months(months=1, n_per_month=1000, seed=5)
    predict = ChurnService(model, reference=customers)
    result = simulate_rollout(predict.would_offer(live), current_rule(live), live["churned"], "canary-50")
    again = simulate_rollout(predict.would_offer(live), current_rule(live), live["churned"], "canary-50")
    assert result == again


def test_verdict_text_fills_the_content_sentences():
    econ = RetentionEconomics(offer_cost=10, value_saved=100, success_rate=1.0)
    full = simulate_rollout([1, 1, 0, 0], [1, 0, 1, 0], [1, 1, 0, 0], "full", economics=econ)
    assert verdict_text(full).startswith("Nothing is measured here: no control group is left")
    shadow = simulate_rollout([1, 1, 0, 0], [1, 0, 1, 0], [1, 1, 0, 0], "shadow", economics=econ)
    assert verdict_text(shadow).startswith("Nothing is measured here: nobody gets the model's decision yet.")


def test_verdict_text_says_less_and_negative_money_with_the_sign_in_front():
    rng = np.random.default_rng(0)
    churned = rng.random(20_000) < 0.2
    worse = simulate_rollout(rng.random(20_000) < 0.2, churned, churned, "canary-50")
    text = verdict_text(worse)
    assert " less than the control (95% range -$" in text and "$-" not in text
    assert text.endswith("The whole range is below zero: the model group is measurably worse. Roll back.")


def test_verdicts_come_from_the_content(monkeypatch):
    content = load_deployment()
    words = type(content.verdicts)(**{**vars(content.verdicts), "too_close": "Wait and see."})
    fake = type(content)(**{**vars(content), "verdicts": words})
    monkeypatch.setattr(rollout, "load_deployment", lambda: fake)
    rng = np.random.default_rng(0)
    churned = rng.random(2000) < 0.2
    same = simulate_rollout(churned, churned, churned, "canary-50")
    assert same.verdict == "too close to call" and verdict_text(same).endswith(" Wait and see.")
    assert "Wait and see." in rollout_html(same)

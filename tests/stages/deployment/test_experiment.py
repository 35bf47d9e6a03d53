"""Proving value: what a rollout observes, the range of a measured difference, and the planned test's size."""

import math

import numpy as np
import pytest

from mlworkflow.stages.deployment.experiment import (
    customer_values,
    difference_range,
    expected_value,
    expected_values,
    observe,
    plan_value_test,
    sample_size_per_arm,
)
from mlworkflow.stages.evaluation.metrics import RetentionEconomics

ECON = RetentionEconomics(offer_cost=10, value_saved=100, success_rate=0.5)


def test_observe_keeps_only_offered_would_be_churners_and_the_same_customer_reacts_the_same():
    churned = np.ones(1000, dtype=bool)
    assert not observe(np.ones(1000, bool), churned, save_rate=1.0).any()
    assert observe(np.ones(1000, bool), churned, save_rate=0.0).all()
    assert observe(np.zeros(1000, bool), churned, save_rate=1.0).all()  # no offer, no save
    assert not observe(np.ones(5, bool), np.zeros(5, bool), save_rate=0.5).any()  # stayers stay
    some, more = np.arange(1000) < 300, np.arange(1000) < 600
    kept_some = ~observe(some, churned, save_rate=0.4, seed=3)
    kept_more = ~observe(more, churned, save_rate=0.4, seed=3)
    assert (kept_more[some] == kept_some[some]).all()  # whichever group, the same draw
    assert 0.3 < kept_more[more].mean() < 0.5


def test_customer_values_by_hand():
    values = customer_values([1, 1, 0, 0], [0, 1, 0, 1], ECON)
    assert values.tolist() == [90, -10, 100, 0]


def test_difference_range_is_welch_and_needs_two_each():
    rng = np.random.default_rng(0)
    a, b = rng.normal(1, 2, 4000), rng.normal(0, 1, 6000)
    d = difference_range(a, b)
    margin = 1.96 * math.sqrt(a.var(ddof=1) / 4000 + b.var(ddof=1) / 6000)
    assert d.diff == pytest.approx(a.mean() - b.mean())
    assert d.margin == pytest.approx(margin, rel=1e-3)  # t with thousands of customers is the normal
    assert d.low < d.diff < d.high
    assert difference_range([1], [1, 2]) is None
    assert d.per_1000()[0] == round(d.diff * 1000, 2)


def test_sample_size_matches_the_textbook_and_refuses_nonsense():
    assert sample_size_per_arm(0.5, 1, 1) == 63  # (1.96 + 0.84)^2 * 2 / 0.25 = 62.8
    assert sample_size_per_arm(-0.5, 1, 1) == 63
    assert sample_size_per_arm(0.25, 1, 1) == 252  # half the effect, four times the customers
    assert sample_size_per_arm(0.5, 1, 1, power=0.9) > 63
    with pytest.raises(ValueError, match="cannot be detected"):
        sample_size_per_arm(0, 1, 1)
    with pytest.raises(ValueError):
        sample_size_per_arm(1, 1, 1, alpha=1.5)


def test_a_test_of_the_planned_size_detects_the_effect_about_80_percent_of_the_time():
    n = sample_size_per_arm(0.2, 1, 1)
    rng = np.random.default_rng(7)
    found = [difference_range(rng.normal(0.2, 1, n), rng.normal(0, 1, n)).low > 0 for _ in range(400)]
    assert 0.74 < np.mean(found) < 0.86


def test_expected_value_agrees_with_simulated_outcomes():
    rng = np.random.default_rng(1)
    churned, offered = rng.random(200_000) < 0.2, rng.random(200_000) < 0.3
    mean, sd = expected_value(offered, churned, ECON)
    # a seed stream of its own: the offer's draws must not repeat the draws that made the data
    seen = customer_values(offered, observe(offered, churned, save_rate=0.5, seed=[1, 1]), ECON)
    assert mean == pytest.approx(seen.mean(), abs=0.3) and sd == pytest.approx(seen.std(), rel=0.01)
    assert expected_values([1, 1, 0], [1, 0, 1], ECON).tolist() == [40.0, 90.0, 0.0]
    with pytest.raises(ValueError, match="same length"):
        expected_values([1], [1, 0], ECON)


def test_plan_sizes_the_test_and_its_power_and_duration_follow():
    rng = np.random.default_rng(2)
    churned = rng.random(5000) < 0.2
    model = churned & (rng.random(5000) < 0.5)  # a good targeting
    rule = rng.random(5000) < 0.3  # a wasteful one
    plan = plan_value_test(model, rule, churned, economics=ECON)
    assert plan.effect > 0 and plan.per_arm == sample_size_per_arm(plan.effect, plan.sd_model, plan.sd_other)
    assert plan.power_with(plan.per_arm) == pytest.approx(0.8, abs=0.01)
    assert plan.power_with(plan.per_arm // 4) < 0.4
    assert plan.months_at(0.05, 1000) == pytest.approx(plan.per_arm / 50)
    text = plan.text(arm_share=0.05, subscribers=1000)
    assert text.startswith("Model vs today's rule: expected +$") and f"needs {plan.per_arm:,} customers" in text
    assert "5% false alarms, 80% power" in text and "5% of all 1,000 subscribers in each group" in text
    with pytest.raises(ValueError):
        plan.months_at(0.6, 1000)

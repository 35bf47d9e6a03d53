"""Running cost: the monthly items, and the expected gain a month against them, with a bootstrap range."""

import json
import re

import numpy as np
import pytest

from mlworkflow.core.content import ContentError, read_content
from mlworkflow.stages.deployment import cost
from mlworkflow.stages.deployment.cost import cost_vs_gain, running_cost
from mlworkflow.stages.evaluation.economics import case_economics
from mlworkflow.stages.evaluation.metrics import RetentionEconomics
from mlworkflow.stages.monitoring.budget import BudgetComparison, upkeep


def test_running_cost_items_add_up_to_the_case_assumption_monitoring_uses():
    rc = running_cost()
    assert len(rc.items) >= 3 and rc.total == sum(a for _, a in rc.items)
    nothing = BudgetComparison(("rule", "model"), 1, 1, (0, 0), 0.0, 0.0, 0.0)
    assert rc.total == upkeep(nothing).running_cost  # one case, one running cost
    assert repr(rc).count("\n") == len(rc.items) + 1 and "Total a month" in rc._repr_html_()


def test_gain_by_hand_and_its_range():
    econ = RetentionEconomics(offer_cost=10, value_saved=100, success_rate=0.5)
    churned = np.array([1, 0] * 500, dtype=bool)
    model, none = churned.copy(), np.zeros(1000, dtype=bool)  # offers exactly the churners
    result = cost_vs_gain(model, none, churned, versus="no offers", economics=econ)
    per_customer = 0.5 * (0.5 * 100 - 10)  # half are churners: each offer keeps half of them
    assert result.gain == pytest.approx(per_customer * case_economics().subscribers)
    assert result.low < result.gain < result.high  # resamples differ in their mix of churners
    assert result.cost == running_cost().total
    assert result.text().startswith("Over no offers: expected gain +$")
    assert "after running cost" in str(result)


def test_gain_range_is_seeded_and_contains_the_estimate():
    rng = np.random.default_rng(0)
    churned, model, rule = rng.random(800) < 0.2, rng.random(800) < 0.1, rng.random(800) < 0.2
    a = cost_vs_gain(model, rule, churned, versus="the rule", boots=500)
    assert a == cost_vs_gain(model, rule, churned, versus="the rule", boots=500)
    assert a.low < a.gain < a.high
    with pytest.raises(ValueError):
        cost_vs_gain([1], [0], [1], versus="x")


@pytest.mark.parametrize("mutate, field", [
    (lambda d: d["running_cost"]["items"][0].update(per_month=-5), "running_cost.items[0].per_month"),
    (lambda d: d["running_cost"].pop("note"), "running_cost.note"),
])
def test_malformed_cost_content_names_the_field(monkeypatch, tmp_path, mutate, field):
    data, _ = read_content("deployment.json")
    mutate(data)
    copy = tmp_path / "deployment.json"
    copy.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(cost, "read_content", lambda name: read_content(name, path=copy))
    running_cost.cache_clear()
    try:
        with pytest.raises(ContentError, match=re.escape(f"{copy}: {field}")):
            running_cost()
    finally:
        running_cost.cache_clear()

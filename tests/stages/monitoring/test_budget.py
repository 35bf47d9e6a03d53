"""Comparing at equal budget, and what a model adds over the simple rule against its running cost."""

import numpy as np
import pytest

from mlworkflow.stages.deployment.cost import running_cost
from mlworkflow.stages.evaluation.economics import case_economics
from mlworkflow.stages.monitoring.budget import equal_budget, top_offers, upkeep


def test_top_offers_takes_the_highest_scores_ties_in_order():
    assert top_offers([0.1, 0.9, 0.5, 0.9], 2).tolist() == [False, True, False, True]
    assert top_offers([1, 0, 1, 1], 2).tolist() == [True, False, True, False]
    assert not top_offers([0.3], 0).any()
    with pytest.raises(ValueError):
        top_offers([0.3], 2)


def test_equal_budget_counts_churners_reached_at_the_same_number_of_offers():
    churned = [1, 1, 0, 0, 1, 0]
    sharp = [0.9, 0.8, 0.1, 0.2, 0.7, 0.3]  # its top 3 are the churners
    blunt = [0.9, 0.1, 0.8, 0.7, 0.2, 0.3]
    c = equal_budget(churned, {"Blunt": blunt, "Sharp": sharp}, np.int64(3), n_boot=200)
    assert c.offers == 3 and type(c.offers) is int and c.reached == (1, 3) and c.difference == 2
    assert c.low <= 2 <= c.high
    assert "Sharp minus Blunt): +2 churners" in c.text()
    with pytest.raises(ValueError, match="two"):
        equal_budget(churned, {"Only": sharp}, 3)


def test_more_offers_is_not_a_better_ranking():
    rng = np.random.default_rng(0)
    churned = (rng.random(2000) < 0.2).astype(int)
    scores = churned * 0.3 + rng.random(2000)
    # the same ranking, shifted up: at a fixed threshold it sends more offers, at equal budget it ties
    c = equal_budget(churned, {"Model": scores, "Same, shifted": scores + 0.2}, 300, n_boot=200)
    assert c.difference == 0 and c.low == c.high == 0


def test_upkeep_scales_to_the_base_and_weighs_the_running_cost():
    e = case_economics()
    c = equal_budget([1, 1, 0, 0] * 25, {"Rule": [0, 0, 1, 1] * 25, "Model": [1, 1, 0, 0] * 25}, 50, n_boot=200)
    u = upkeep(c, running_cost=1000)
    assert u.extra == pytest.approx(50 * e.subscribers / 100 * e.value_reached)
    assert u.keep and "Verdict: keep it" in u.text()
    assert not upkeep(c, running_cost=u.low + 1).keep
    assert upkeep(c).running_cost == running_cost().total == 15000

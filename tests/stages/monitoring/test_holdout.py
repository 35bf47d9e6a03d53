"""What a team measures after launch: the holdout, the outcomes offers change, intervals, the outcome gap."""

import math

import numpy as np
import pytest

from mlworkflow.stages.monitoring.holdout import (
    holdout_mask,
    holdout_reading,
    holdout_sizes,
    observed_outcomes,
    outcome_gap,
    share_interval,
)


def test_holdout_is_a_seeded_random_share_of_the_flagged():
    flagged = np.array([True] * 40 + [False] * 60)
    held = holdout_mask(flagged, 0.25, seed=3)
    assert held.sum() == 10 and not (held & ~flagged).any()
    assert (holdout_mask(flagged, 0.25, seed=3) == held).all()
    assert not (holdout_mask(flagged, 0.25, seed=4) == held).all()
    assert holdout_mask([True, False], 0.01).sum() == 1  # at least one customer
    assert holdout_mask([False, False], 0.5).sum() == 0
    with pytest.raises(ValueError, match="between 0 and 1"):
        holdout_mask(flagged, 1.0)


def test_observed_outcomes_only_offered_churners_can_be_saved():
    churned = np.array([1] * 1000 + [0] * 1000)
    offered = np.array([True] * 500 + [False] * 500 + [True] * 500 + [False] * 500)
    seen = observed_outcomes(churned, offered, 0.4, seed=0)
    assert (seen[500:] == churned[500:]).all()  # not offered, or loyal: the record is the truth
    assert 0.35 < 1 - seen[:500].mean() < 0.45  # about 40% of offered churners kept
    assert (observed_outcomes(churned, offered, 0.0) == churned).all()
    assert observed_outcomes(churned, offered, 1.0)[:500].sum() == 0
    with pytest.raises(ValueError):
        observed_outcomes(churned, offered, 1.5)


def test_share_interval_is_wilson():
    i = share_interval(5, 10)
    assert i.estimate == 0.5 and i.low == pytest.approx(0.2366, abs=1e-4) and i.high == pytest.approx(0.7634, abs=1e-4)
    assert math.isnan(share_interval(0, 0).estimate)
    assert i.text(0) == "50% (24% to 76%)"


@pytest.fixture(scope="module")
def launch():
    rng = np.random.default_rng(0)
    churned = (rng.random(4000) < 0.2).astype(int)
    flagged = np.zeros(4000, dtype=bool)
    flagged[:1000] = True
    churned[:1000] = (rng.random(1000) < 0.6).astype(int)  # the flagged are riskier: precision about 60%
    held = holdout_mask(flagged, 0.2, seed=1)
    seen = observed_outcomes(churned, flagged & ~held, 0.5, seed=1)
    return churned, flagged, held, seen


def test_without_a_holdout_saved_churners_look_like_wasted_offers(launch):
    churned, flagged, held, seen = launch
    r = holdout_reading(churned, flagged, held, seen, n_boot=500)
    assert r.flagged == 1000 and r.held_out == 200
    assert r.true_precision == churned[flagged].mean()
    assert r.naive_precision < r.true_precision - 0.2  # half the offered churners hidden
    assert r.naive_recall < r.true_recall
    assert r.precision.low < r.true_precision < r.precision.high  # the holdout is honest
    assert r.recall.low < r.true_recall < r.recall.high
    assert r.effect.low < 0.3 < r.effect.high  # kept per offer: 0.6 x 0.5
    assert r.true_effect == pytest.approx(0.3, abs=0.05)
    table = r.table()
    assert list(table.index) == ["Precision", "Recall", "Churners kept per offer"]
    assert table.iloc[2, 1] == "cannot tell" and "holdout of 200" in table.columns[2]
    with pytest.raises(ValueError, match="flagged"):
        holdout_reading(churned, flagged, ~flagged, seen)


def test_a_bigger_holdout_narrows_the_interval(launch):
    churned, flagged, _, _ = launch
    sizes = holdout_sizes(churned, flagged, (0.05, 0.5), 0.5, n_boot=300)
    assert list(sizes["customers held out"]) == [50, 500]

    def width(text):
        low, high = text.split("(")[1].rstrip(")").split(" to ")
        return float(high.rstrip("%")) - float(low.rstrip("%"))

    small, big = sizes["precision (95% interval)"]
    assert width(big) < width(small) / 2


def test_outcome_gap_finds_a_change_in_the_relation():
    rng = np.random.default_rng(2)
    scores = rng.uniform(0.05, 0.3, 4000)
    month = np.repeat([1, 2], 2000)
    outcomes = (rng.random(4000) < scores + np.where(month == 2, 0.1, 0.0)).astype(int)
    gap = outcome_gap(scores, outcomes, month, n_boot=500)
    assert list(gap.index) == [1, 2]
    assert gap.loc[1, "gap low"] < 0 < gap.loc[1, "gap high"]  # calibrated: no gap
    assert gap.loc[2, "gap low"] > 0.05  # same inputs, more churn: concept drift
    assert gap.loc[2, "gap"] == pytest.approx(gap.loc[2, "actual"] - gap.loc[2, "expected"], abs=2e-3)

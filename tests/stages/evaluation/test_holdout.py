"""The untouched test set, the go / no-go with intervals, and what picking a threshold on the same data costs.

Economics here are the conftest's round numbers: $20 an offer, $180 a save, 40% kept ($72 a churner reached).
"""

from __future__ import annotations

import numpy as np
import pytest

from mlworkflow.stages.evaluation.holdout import (
    holdout_customers,
    holdout_report,
    holdout_text,
    threshold_optimism,
)
from mlworkflow.stages.evaluation.threshold import GoNoGoBar


def test_holdout_customers_are_later_months_before_any_change():
    test = holdout_customers()
    assert sorted(test["month"].unique()) == [1, 2] and len(test) == 2000
    assert "2,000 customers from months 1 and 2" in holdout_text(test)
    assert len(holdout_customers(1)) == 1000
    with pytest.raises(ValueError, match="month 3 brings a change"):
        holdout_customers(3)


def test_the_report_matches_evaluate_and_its_intervals_hold_the_estimate():
    rng = np.random.default_rng(0)
    y = (rng.random(500) < 0.2).astype(int)
    s = np.clip(y * 0.3 + rng.random(500) * 0.7, 0, 1)
    report = holdout_report(y, s, 0.5, n_boot=400)
    r = report.result
    assert report.recall[0] <= r.recall <= report.recall[1]
    assert report.precision[0] <= r.precision <= report.precision[1]
    assert report.net_per_customer[0] <= report.net_value_per_customer <= report.net_per_customer[1]
    assert report.net_value_per_customer == pytest.approx((r.tp * 72 - r.flagged * 20) / 500, abs=0.01)
    assert holdout_report(y, s, 0.5, n_boot=400) == report  # seeded
    assert "intervals from 400 resamples of these 500 customers" in report.text()


def test_against_the_bar_says_met_missed_or_too_close():
    # 10 churners flagged out of 100 customers, 10 loyal flagged: recall 50%, precision 50%
    y = np.array([1] * 20 + [0] * 80)
    s = np.array([1.0] * 10 + [0.0] * 10 + [1.0] * 10 + [0.0] * 70)
    report = holdout_report(y, s, 0.5, n_boot=500)
    lines = report.against(GoNoGoBar(min_recall=0.05, min_precision=0.9, min_net_value=0)).splitlines()
    assert lines[0] == "Recall at least 5%: met, even at the low end of the interval."
    assert lines[1] == "Precision at least 90%: missed, even at the high end of the interval."
    assert lines[2] == "Net value per customer at least $0: met, even at the low end of the interval."
    close = report.against(GoNoGoBar(min_recall=0.5))
    assert close == "Recall at least 50%: too close to call; the interval spans the bar."


def test_picking_the_threshold_on_the_same_customers_looks_better_than_it_is():
    rng = np.random.default_rng(1)
    y = (rng.random(600) < 0.28).astype(int)  # about break-even ($20 / $72) whoever is flagged
    s = rng.random(600)  # scores unrelated to churn: every pick fits noise
    result = threshold_optimism(y, s, [i / 20 for i in range(21)], repeats=10)
    assert result.picks == 20 and result.customers == 600
    assert result.picked > result.other and result.gap > 0
    assert "overstates the net value by" in result.text()

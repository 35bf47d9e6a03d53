"""Who bears the mistakes, group by group: churners missed (with an interval) and loyal customers flagged."""

from __future__ import annotations

import pandas as pd
import pytest

from mlworkflow.stages.evaluation.harm import harm_by_group


def test_counts_by_hand():
    frame = pd.DataFrame({"churned": [1, 1, 1, 0, 0, 1, 0, 0],
                          "region": ["A", "A", "A", "A", "B", "B", "B", "B"]})
    scores = [0.9, 0.1, 0.2, 0.8, 0.1, 0.9, 0.7, 0.6]
    table = harm_by_group(frame, scores, 0.5, n_boot=200)
    a, b = table.groups
    assert (a.group, a.churners, a.missed, a.loyal, a.false_alarms) == ("A", 3, 2, 1, 1)
    assert (b.group, b.churners, b.missed, b.loyal, b.false_alarms) == ("B", 1, 0, 3, 2)
    assert a.miss_rate == pytest.approx(2 / 3) and b.false_alarm_rate == pytest.approx(2 / 3)
    assert a.missed_interval[0] <= a.miss_rate <= a.missed_interval[1]
    assert b.missed_interval == (0.0, 0.0)
    text = table.text()
    assert "Churners missed (95% interval)" in text and "Intervals from 200 resamples" in text


def test_a_group_without_churners_and_bad_input():
    frame = pd.DataFrame({"churned": [0, 0], "plan": ["Basic", "Basic"]})
    (g,) = harm_by_group(frame, [0.9, 0.1], 0.5, by="plan", n_boot=10).groups
    assert (g.churners, g.miss_rate, g.false_alarms) == (0, 0.0, 1)
    with pytest.raises(ValueError, match="no column"):
        harm_by_group(frame, [0.9, 0.1], 0.5, by="region")
    with pytest.raises(ValueError, match="one score per row"):
        harm_by_group(frame, [0.9], 0.5, by="plan")

"""The calibration check (scikit-learn's calibration_curve, band by band) and the expected-value rule."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.calibration import calibration_curve

from mlworkflow.stages.evaluation.calibration import calibration_check, expected_value_rule, expected_value_threshold
from mlworkflow.stages.evaluation.economics import case_economics


def test_bands_match_calibration_curve_and_count_every_customer():
    rng = np.random.default_rng(0)
    s = rng.random(400) ** 2
    y = (rng.random(400) < s).astype(int)  # calibrated by construction
    check = calibration_check(y, s, n_bins=5, n_boot=200)
    churned, predicted = calibration_curve(y, s, n_bins=5, strategy="uniform")
    assert [b.churned for b in check.bands] == pytest.approx(list(churned))
    assert [b.mean_score for b in check.bands] == pytest.approx(list(predicted))
    assert sum(b.customers for b in check.bands) == 400
    assert all(b.interval[0] <= b.churned <= b.interval[1] for b in check.bands)
    assert "0.0 to 0.2" in check.text() and "Share who cancelled" in check.text()


def test_empty_bands_are_left_out():
    check = calibration_check([0, 1, 0, 1], [0.1, 0.15, 0.9, 0.95], n_bins=5, n_boot=50)
    assert [(b.low, b.high) for b in check.bands] == [(0.0, 0.2), (0.8, 1.0)]


def test_the_expected_value_threshold_is_the_break_even_precision():
    e = case_economics()
    assert expected_value_threshold() == pytest.approx(e.break_even_precision)
    assert expected_value_threshold() * e.value_reached == pytest.approx(e.offer_cost)
    text = expected_value_rule(0.38)
    assert "score x $33.12 is more than $14.17, so at a score of 0.428 or more" in text
    assert "that is 0.43; the threshold picked on the validation customers was 0.38" in text

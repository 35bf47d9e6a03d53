"""Bootstrap intervals for comparisons (notebook 03): resampling, the paired ranking difference and its words."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from mlworkflow.stages.training.uncertainty import (
    RankingDifference,
    interval,
    paired_ranking_differences,
    ranking_difference,
    resamples,
)


def test_resamples_are_seeded_and_stratified_draws_keep_each_label_count():
    y = np.array([0] * 8 + [1] * 2)
    draws = resamples(10, n_boot=50, seed=1, stratify=y)
    assert draws.shape == (50, 10)
    assert (y[draws].sum(axis=1) == 2).all()  # every draw has both churners' worth of churners
    assert (resamples(10, n_boot=50, seed=1, stratify=y) == draws).all()
    plain = resamples(10, n_boot=50, seed=1)
    assert plain.min() >= 0 and plain.max() <= 9
    with pytest.raises(ValueError):
        resamples(3, stratify=[0, 1])


def test_interval_is_the_middle_share():
    assert interval(range(101), 0.9) == pytest.approx((5.0, 95.0))
    with pytest.raises(ValueError):
        interval([1, 2], 1.5)


def test_each_draw_gives_the_ranking_score_sklearn_would():
    rng = np.random.default_rng(0)
    y = (rng.random(200) < 0.2).astype(int)
    a, b = rng.random(200) + y * 0.5, rng.random(200)
    diffs = paired_ranking_differences(y, a, b, n_boot=5, seed=3)
    draws = resamples(200, n_boot=5, seed=3, stratify=y)
    expected = [roc_auc_score(y[i], a[i]) - roc_auc_score(y[i], b[i]) for i in draws]
    assert np.allclose(diffs, expected)


def test_paired_differences_refuse_one_class_or_mismatched_lengths():
    with pytest.raises(ValueError):
        paired_ranking_differences([1, 1], [0.2, 0.3], [0.1, 0.4])
    with pytest.raises(ValueError):
        paired_ranking_differences([0, 1], [0.2], [0.1, 0.4])


def _frame(n=300, seed=0):
    import pandas as pd

    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    return pd.DataFrame({"churned": y}), y, rng


def test_a_clearly_better_ranking_and_a_tie_say_so():
    frame, y, rng = _frame()
    good, noise = y + rng.normal(0, 0.5, len(y)), rng.random(len(y))
    clear = ranking_difference(frame, {"Good": good, "Noise": noise}, n_boot=300)
    assert clear.low > 0 and clear.meaning == "first_better"
    assert "The whole interval is above zero: Good really does rank" in clear.text()
    reverse = ranking_difference(frame, {"Noise": noise, "Good": good}, n_boot=300)
    assert reverse.meaning == "second_better"
    tie = ranking_difference(frame, {"A": good, "B": good + rng.normal(0, 0.01, len(y))}, n_boot=300)
    assert tie.meaning == "unclear" and "cannot be told apart" in str(tie)


def test_ranking_difference_needs_two_candidates_and_takes_fitted_models():
    from mlworkflow.stages.data.datasets import churn_customers
    from mlworkflow.stages.training.models import fit_churn_model, split

    train, valid = split(churn_customers(n=600, seed=2))
    model = fit_churn_model(train)
    result = ranking_difference(valid, {"Model": model, "Rule": valid["payment_failures"] > 0}, n_boot=100)
    assert isinstance(result, RankingDifference) and result.customers == len(valid)
    assert result.low <= result.difference <= result.high
    with pytest.raises(ValueError):
        ranking_difference(valid, {"Model": model})

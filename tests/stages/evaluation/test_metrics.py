"""Threshold metrics and money, checked by hand on a tiny example."""

import pytest

from mlworkflow.stages.evaluation.metrics import RetentionEconomics, best_threshold, evaluate, sweep

# six customers: two churners (1) and four who stayed (0)
Y = [1, 1, 0, 0, 0, 0]
S = [0.9, 0.4, 0.7, 0.3, 0.2, 0.1]


def test_hand_checked_example_at_half():
    r = evaluate(Y, S, 0.5)
    # flagged: 0.9 (churner) and 0.7 (stayed) -> TP 1, FP 1; missed 0.4 -> FN 1; TN 3
    assert (r.tp, r.fp, r.fn, r.tn) == (1, 1, 1, 3)
    assert r.confusion_matrix() == [[3, 1], [1, 1]]
    assert r.accuracy == pytest.approx(4 / 6)
    assert r.precision == pytest.approx(0.5)
    assert r.recall == pytest.approx(0.5)
    # 2 offers x $20 = $40 spent; 1 churner x 40% x $180 = $72 kept
    assert (r.campaign_cost, r.value_kept, r.net_value, r.value_missed) == (40.0, 72.0, 32.0, 180.0)
    assert "net value $32" in r.summary()


def test_threshold_is_inclusive_and_moves_the_tradeoff():
    low = evaluate(Y, S, 0.4)
    assert (low.tp, low.fp, low.fn, low.tn) == (2, 1, 0, 3) and low.recall == 1.0
    assert low.precision == pytest.approx(2 / 3)


def test_accuracy_paradox_flag_nobody():
    r = evaluate(Y, S, 1.01)
    assert r.flagged == 0 and r.recall == 0.0 and r.precision == 0.0
    assert r.accuracy == pytest.approx(4 / 6) and r.net_value == 0.0


def test_custom_economics_and_best_threshold():
    econ = RetentionEconomics(offer_cost=10, value_saved=100, success_rate=1.0)
    r = evaluate(Y, S, 0.4, econ)
    assert r.net_value == 2 * 100 - 3 * 10
    best = best_threshold(Y, S, [0.1, 0.4, 0.5, 0.95], econ)
    assert best.threshold == 0.4
    assert [x.threshold for x in sweep(Y, S)][:3] == [0.0, 0.05, 0.1] and len(sweep(Y, S)) == 21


@pytest.mark.parametrize(
    "y, s, message",
    [([1, 0], [0.5], "same length"), ([1, 2], [0.5, 0.5], "only 0"), ([1, 0], [float("nan"), 0.1], "missing")],
)
def test_bad_inputs_are_explained(y, s, message):
    with pytest.raises(ValueError, match=message):
        evaluate(y, s, 0.5)


def test_economics_are_validated():
    with pytest.raises(ValueError):
        RetentionEconomics(success_rate=1.5)
    with pytest.raises(ValueError):
        RetentionEconomics(offer_cost=-1)


def test_counts_add_up_and_recall_falls_as_threshold_rises():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    pairs = st.lists(st.tuples(st.integers(0, 1), st.floats(0, 1)), min_size=1, max_size=40)

    @settings(max_examples=100, deadline=None)
    @given(pairs)
    def check(rows):
        y, s = [r[0] for r in rows], [r[1] for r in rows]
        results = sweep(y, s)
        assert all(r.total == len(rows) for r in results)
        recalls = [r.recall for r in results]
        assert recalls == sorted(recalls, reverse=True)

    check()


def test_summary_prints_losses_with_the_sign_first():
    r = evaluate(Y, S, 0.0, RetentionEconomics(offer_cost=100))  # 6 x $100 spent, 2 x 0.4 x $180 = $144 kept
    assert r.summary().endswith("net value -$456 (offers $600, kept $144).")
    assert r.summary().startswith("Threshold 0.00: 6 of 6 customers flagged; 2 churners caught, 0 missed")


def test_numpy_and_pandas_inputs_are_accepted():
    import numpy as np
    import pandas as pd

    r = evaluate(pd.Series(Y), np.array(S), 0.5)
    assert (r.tp, r.fp, r.fn, r.tn) == (1, 1, 1, 3)

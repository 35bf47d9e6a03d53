"""The threshold explorer: slider and economics over labels and scores, its guard and its static view."""

from __future__ import annotations

from typing import Any

import pytest
from widget_checks import own_callbacks, unguarded

from mlworkflow.stages.evaluation import widgets as evaluation_widgets
from mlworkflow.stages.evaluation.widgets import ThresholdExplorer

# six customers: two churners (1) and four who stayed (0), as in test_metrics.py
Y = [1, 1, 0, 0, 0, 0]
S = [0.9, 0.4, 0.7, 0.3, 0.2, 0.1]


def test_every_callback_is_guarded():
    explorer = ThresholdExplorer(Y, S)
    callbacks = own_callbacks(explorer)
    assert len(callbacks) >= 5, "one observer per public trait should be found"
    assert unguarded(explorer) == []


def test_a_failing_callback_becomes_a_sentence_in_the_widget(monkeypatch):
    w = ThresholdExplorer(Y, S)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(evaluation_widgets, "metrics_html", broken)
    w._slider.value = 0.4  # as a learner dragging the slider: no exception may reach the browser
    assert w.threshold == 0.4
    assert "Something went wrong while updating the threshold view (RuntimeError)" in w._message.value
    assert 'role="alert"' in w._message.value and "Traceback" not in w._message.value


def test_slider_moves_change_matrix_metrics_and_money():
    w = ThresholdExplorer(Y, S)
    assert w.threshold == 0.5 and '<b>1</b><br><small>churners caught' in w._matrix.value
    before = (w._matrix.value, w._metrics.value, w._money.value, w._chart.outputs)
    w._slider.value = 0.4  # as a learner dragging the slider
    assert w.threshold == 0.4 and (w.result.tp, w.result.fp) == (2, 1)
    after = (w._matrix.value, w._metrics.value, w._money.value, w._chart.outputs)
    assert all(x != y for x, y in zip(before, after, strict=True))
    assert "<b>100.0%</b> Recall" in w._metrics.value and "image/png" in w._chart.outputs[0]["data"]


def test_takes_pandas_and_numpy():
    import numpy as np
    import pandas as pd

    w = ThresholdExplorer(pd.Series(Y), np.array(S), threshold=0.4)
    assert (w.result.tp, w.result.fp, w.result.fn, w.result.tn) == (2, 1, 0, 3)


def test_economics_change_the_money_and_the_best_threshold():
    w = ThresholdExplorer(Y, S, threshold=0.4)
    assert w.best.threshold == 0.31  # flag the two churners and one loyal customer: $84 net
    assert "Best threshold for net value: <b>0.31</b> ($84)." in w._money.value
    w._offer.value = 60.0
    assert w.economics.offer_cost == 60 and "$180" in w._money.value  # 3 offers x $60
    # now only the surest customer is worth an offer: 0.4 x $180 - $60 = $12 (0.71 is the lowest such step)
    assert w.best.threshold == 0.71 and w.best.net_value == 12
    w.success_rate = 1.5
    assert w.success_rate == 1.0  # clamped to a share


def test_impossible_numbers_are_explained_and_the_last_view_kept():
    w = ThresholdExplorer(Y, S)
    matrix = w._matrix.value
    w.offer_cost = -5
    assert "The cost of an offer cannot be negative. Please change it." in w._message.value
    assert w._matrix.value == matrix
    w.offer_cost = 5
    assert w._message.value == ""
    w.value_saved = -1
    assert "saved customer cannot be negative" in w._message.value


def test_bad_inputs_fail_when_the_widget_is_built():
    with pytest.raises(ValueError, match="same length"):
        ThresholdExplorer([1, 0], [0.5])


def test_title_is_escaped_and_css_hooks_exist():
    w = ThresholdExplorer(Y, S, title="<script>alert(1)</script>")
    assert "&lt;script&gt;" in w._heading.value and "<script>" not in w._heading.value
    assert "mlw-threshold" in w._dom_classes
    for part, css in [(w._slider, "mlw-threshold-slider"), (w._offer, "mlw-offer-cost"), (w._saved, "mlw-value-saved"),
                      (w._rate, "mlw-success-rate"), (w._matrix, "mlw-confusion-matrix"), (w._metrics, "mlw-metrics"),
                      (w._money, "mlw-money"), (w._chart, "mlw-value-chart"), (w._message, "mlw-error")]:
        assert css in part._dom_classes


def test_static_fallback_shows_the_current_threshold():
    w = ThresholdExplorer(Y, S, threshold=0.4, title="<b>x</b>")
    data = w._repr_mimebundle_()
    bundle = data[0] if isinstance(data, tuple) else data
    assert "Threshold <b>0.40</b>" in bundle["text/html"] and "data:image/png;base64," in bundle["text/html"]
    assert "&lt;b&gt;x" in bundle["text/html"] and bundle["text/plain"].startswith("Threshold 0.40:")



def test_best_comes_from_the_cached_sweep_and_agrees_with_best_threshold(monkeypatch):
    from mlworkflow.stages.evaluation.metrics import best_threshold

    w = ThresholdExplorer(Y, S, threshold=0.4)
    for offer in (10.0, 60.0, 20.0):
        w._offer.value = offer
        assert w.best == best_threshold(Y, S, evaluation_widgets.THRESHOLDS, w.economics)
    calls = []
    monkeypatch.setattr(evaluation_widgets, "sweep", lambda *a: calls.append(a) or [])
    w.threshold = 0.5  # a slider step: the sweep for these economics is cached, nothing is swept again
    assert calls == [] and w.best.threshold in evaluation_widgets.THRESHOLDS

"""Notebook 04's logic: matrix and money in words, go / no-go, segments, and the threshold widget."""

from __future__ import annotations

import pandas as pd
import pytest

from mlworkflow.stages.evaluation import threshold as th
from mlworkflow.stages.evaluation.metrics import RetentionEconomics, evaluate
from mlworkflow.stages.evaluation.threshold import (
    GoNoGoBar,
    ThresholdExplorer,
    confusion_matrix_html,
    confusion_matrix_text,
    go_no_go,
    metrics_html,
    money_html,
    segment_results,
    segment_text,
    value_figure,
)

# six customers: two churners (1) and four who stayed (0), as in test_evaluation.py
Y = [1, 1, 0, 0, 0, 0]
S = [0.9, 0.4, 0.7, 0.3, 0.2, 0.1]


def test_matrix_text_by_hand():
    # at 0.5: flagged 0.9 (churner) and 0.7 (stayed) -> TP 1, FP 1, FN 1, TN 3
    lines = confusion_matrix_text(evaluate(Y, S, 0.5)).splitlines()
    assert lines[1].split()[-2:] == ["3", "1"] and lines[2].split()[-2:] == ["1", "1"]
    assert "Actually stayed" in lines[1] and "Sent an offer" in lines[0]


def test_matrix_html_marks_right_answers_and_mistakes():
    html = confusion_matrix_html(evaluate(Y, S, 0.4))  # TP 2, FP 1, FN 0, TN 3
    assert 'mlw-cm-tp mlw-good"><b>2</b>' in html and 'mlw-cm-fp mlw-bad"><b>1</b>' in html
    assert 'mlw-cm-fn mlw-bad"><b>0</b>' in html and 'mlw-cm-tn mlw-good"><b>3</b>' in html


def test_metrics_and_money_by_hand():
    r = evaluate(Y, S, 0.5)
    assert "<b>66.7%</b> Accuracy" in metrics_html(r) and "<b>50.0%</b> Precision" in metrics_html(r)
    # 2 offers x $20 = $40; 1 churner x 40% x $180 = $72 kept; net $32
    money = money_html(r)
    assert "$40" in money and "$72" in money and "$32" in money and "mlw-good" in money and "mathjax_ignore" in money
    losing = money_html(evaluate(Y, S, 0.0, RetentionEconomics(offer_cost=100)))
    assert "-$456" in losing and "mlw-bad" in losing  # 6 x $100 = $600 spent, 2 x 0.4 x $180 = $144 kept


def test_text_from_content_is_escaped(monkeypatch):
    real = th.load_threshold_text()
    matrix = dict.fromkeys(real.matrix, "<script>x</script>")
    monkeypatch.setattr(th, "load_threshold_text", lambda: th.ThresholdText(matrix, dict.fromkeys(real.metrics, "<i>m</i>"),
                                                                            dict.fromkeys(real.decision, ("<b>GO</b>", "a & b"))))
    r = evaluate(Y, S, 0.5)
    assert "<script>" not in confusion_matrix_html(r) and "&lt;script&gt;" in confusion_matrix_html(r)
    assert "<i>m</i>" not in metrics_html(r)
    assert "<b>GO</b>" not in go_no_go(r, GoNoGoBar(min_recall=0.1))._repr_html_()


def test_value_figure_marks_current_and_stays_out_of_pyplot():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    fig = value_figure(th.sweep(Y, S), current=0.5)
    assert len(fig.axes) == 2 and plt.get_fignums() == before


# ---------------------------------------------------------------- go / no-go

def test_go_only_when_every_part_of_the_bar_is_met():
    r = evaluate(Y, S, 0.5)  # recall 50%, precision 50%, net $32
    go = go_no_go(r, GoNoGoBar(min_recall=0.5, min_precision=0.5, min_net_value=32))
    assert go.go and go.label == "GO" and [c.passed for c in go.checks] == [True, True, True]
    no = go_no_go(r, GoNoGoBar(min_recall=0.6, min_net_value=0))
    assert not no.go and no.label == "NO-GO" and [c.measure for c in no.checks] == ["Recall", "Net value"]
    assert "[MISS] Recall at least 60%: 50.0%" in no.text() and "[pass] Net value at least $0: $32" in str(no)
    assert "mlw-no-go" in no._repr_html_() and "mathjax_ignore" in no._repr_html_()


def test_negative_money_in_a_decision_reads_naturally():
    r = evaluate(Y, S, 0.0)  # everyone flagged: $120 spent, $144 kept -> $24
    losing = evaluate(Y, S, 0.0, RetentionEconomics(offer_cost=100))
    assert go_no_go(r, GoNoGoBar(min_net_value=-10)).checks[0].required == "-$10"
    assert go_no_go(losing, GoNoGoBar(min_net_value=0)).checks[0].actual == "-$456"


@pytest.mark.parametrize("kwargs, message", [({}, "at least one"), ({"min_recall": 30}, "between 0 and 1")])
def test_bar_is_validated(kwargs, message):
    with pytest.raises(ValueError, match=message):
        GoNoGoBar(**kwargs)


def test_segments_by_hand():
    frame = pd.DataFrame({"churned": Y, "region": ["B", "A", "A", "B", "A", "B"]})
    results = segment_results(frame, S, 0.5, by="region")
    assert list(results) == ["A", "B"]
    a, b = results["A"], results["B"]
    assert (a.tp, a.fp, a.fn, a.tn) == (0, 1, 1, 1) and (b.tp, b.fp, b.fn, b.tn) == (1, 0, 0, 2)
    lines = segment_text(results, GoNoGoBar(min_recall=0.5)).splitlines()
    assert lines[1].startswith("A") and lines[1].endswith("NO-GO") and lines[2].endswith("GO")
    with pytest.raises(ValueError, match="no column 'country'"):
        segment_results(frame, S, 0.5, by="country")


# ---------------------------------------------------------------- the widget

def test_slider_moves_change_matrix_metrics_and_money():
    w = ThresholdExplorer(Y, S)
    assert w.threshold == 0.5 and '<b>1</b><br><small>churners caught' in w._matrix.value
    before = (w._matrix.value, w._metrics.value, w._money.value, w._chart.outputs)
    w._slider.value = 0.4  # as a learner dragging the slider
    assert w.threshold == 0.4 and (w.result.tp, w.result.fp) == (2, 1)
    after = (w._matrix.value, w._metrics.value, w._money.value, w._chart.outputs)
    assert all(x != y for x, y in zip(before, after))
    assert "<b>100.0%</b> Recall" in w._metrics.value and "image/png" in w._chart.outputs[0]["data"]


def test_economics_change_the_money_and_the_best_threshold():
    w = ThresholdExplorer(Y, S, threshold=0.4)
    assert w.best.threshold == 0.31  # flag the two churners and one loyal customer: $84 net
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
    assert "cost of an offer cannot be negative" in w._message.value and "Traceback" not in w._message.value
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

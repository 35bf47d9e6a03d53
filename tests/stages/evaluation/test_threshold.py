"""Notebook 04's logic: matrix and money in words, go / no-go and segments."""

from __future__ import annotations

import copy
import dataclasses

import pandas as pd
import pytest

from mlworkflow.core.content import ContentError, read_content
from mlworkflow.stages.evaluation import threshold as th
from mlworkflow.stages.evaluation.metrics import RetentionEconomics, evaluate
from mlworkflow.stages.evaluation.threshold import (
    THRESHOLDS,
    GoNoGoBar,
    best_html,
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
    assert money == (
        '<div class="mlw-money-body tex2jax_ignore mathjax_ignore">'
        "2 offers cost <b>$40</b>; 1 churners reached keep an expected <b>$72</b>.<br>"
        'Net value: <b class="mlw-net mlw-good">$32</b> compared with doing nothing.</div>'
    )


def test_best_html_names_the_threshold_and_its_money():
    line = best_html(evaluate(Y, S, 0.0, RetentionEconomics(offer_cost=100)))
    assert "Best threshold for net value: <b>0.00</b> (-$456)." in line and "mathjax_ignore" in line
    assert THRESHOLDS[0] == 0.0 and THRESHOLDS[-1] == 1.0 and len(THRESHOLDS) == 101


def _broken(monkeypatch, edit):
    data, _ = read_content("threshold.json")
    data = copy.deepcopy(data)
    edit(data)
    monkeypatch.setattr(th, "read_content", lambda name: (data, name))
    th.load_threshold_text.cache_clear()


@pytest.mark.parametrize("edit, field, problem", [
    (lambda d: d["matrix"].pop("tp"), r"matrix\.tp", "missing"),
    (lambda d: d["decision"]["go"].update(label=7), r"decision\.go\.label", "expected non-empty text"),
    (lambda d: d["money"].update(net="Net: {profit}"), r"money\.net", "expected only {net}, found {profit}"),
    (lambda d: d.pop("chart"), "chart", "missing"),
])
def test_a_malformed_copy_names_file_and_field(monkeypatch, edit, field, problem):
    _broken(monkeypatch, edit)
    try:
        with pytest.raises(ContentError, match=rf"threshold.json: {field}: {problem}"):
            th.load_threshold_text()
    finally:
        th.load_threshold_text.cache_clear()


def test_text_from_content_is_escaped(monkeypatch):
    real = th.load_threshold_text()
    matrix = dict.fromkeys(real.matrix, "<script>x</script>")
    hostile = dataclasses.replace(
        real, matrix=matrix, metrics=dict.fromkeys(real.metrics, "<i>m</i>"),
        decision=dict.fromkeys(real.decision, ("<b>GO</b>", "a & b")),
        money={"spent": "<s>{offers}</s> {cost} {churners} {kept}", "net": "<u>{net}</u>", "best": "<q>{threshold}"},
    )
    monkeypatch.setattr(th, "load_threshold_text", lambda: hostile)
    r = evaluate(Y, S, 0.5)
    assert "<script>" not in confusion_matrix_html(r) and "&lt;script&gt;" in confusion_matrix_html(r)
    assert "<i>m</i>" not in metrics_html(r)
    assert "<b>GO</b>" not in go_no_go(r, GoNoGoBar(min_recall=0.1))._repr_html_()
    money = money_html(r) + best_html(r)
    assert "<s>" not in money and "<u>" not in money and "<q>" not in money
    assert "&lt;s&gt;2&lt;/s&gt; <b>$40</b>" in money


def test_value_figure_marks_current_and_stays_out_of_pyplot():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    fig = value_figure([evaluate(Y, S, t) for t in (0.0, 0.5, 1.0)], current=0.5)
    assert len(fig.axes) == 2 and plt.get_fignums() == before
    assert [ax.get_title() for ax in fig.axes] == ["Net value of the campaign (USD)", "Precision and recall"]


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

"""Notebook 03's logic: task-type content, baselines, ranking score, the overfitting curve and its widget."""

from __future__ import annotations

import pytest

from mlworkflow.core.content import ContentError
from mlworkflow.stages.training import task_types, training
from mlworkflow.stages.training.training import (
    ComplexityCurve,
    OverfittingExplorer,
    TaskTypes,
    caught_in_top,
    compare_with_baseline,
    complexity_curve,
    curve_figure,
    load_task_types,
    load_training_text,
    ranking_score,
    verdict,
)

# A hand-made curve: depth 2 is best; depth 1 is too simple; depth 3 memorises.
CURVE = ComplexityCurve(depths=(1, 2, 3), train=(0.60, 0.80, 0.99), valid=(0.60, 0.70, 0.62))


@pytest.fixture(scope="module")
def data():
    from mlworkflow.stages.data.datasets import churn_customers
    from mlworkflow.stages.training.models import split

    return split(churn_customers(n=1200, seed=3), seed=0)


# ---------------------------------------------------------------- content

def test_task_types_content_loads_and_every_answer_is_a_type():
    tt = load_task_types()
    assert [t.key for t in tt.types] == ["classification", "regression", "clustering"]
    assert len(tt.exercise) >= 4 and {a for _, a, _ in tt.exercise} == {"classification", "regression", "clustering"}
    assert "Classification" in repr(tt) and "<table" in tt._repr_html_()


def test_task_types_html_is_escaped():
    t = training.TaskType("classification", "<b>C</b>", "q?", "o", ("x<y",), "m")
    html = TaskTypes("T", (t,), (("<script>alert(1)</script>", "classification", "w&x"),))._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;C&lt;/b&gt;" in html and "w&amp;x" in html


def test_broken_content_names_file_and_field(monkeypatch):
    bad = {"title": "T", "task_types": [{"key": "classification", "name": "C", "question": "q", "output": "o",
                                        "examples": ["e"], "measured_by": "m"}] * 3,
           "exercise": [{"request": "r", "answer": "guessing", "why": "w"}]}
    monkeypatch.setattr(task_types, "read_content", lambda name: (bad, name))
    load_task_types.cache_clear()
    try:
        with pytest.raises(ContentError, match=r"task_types.json: exercise\[0\].answer: expected one of"):
            load_task_types()
    finally:
        load_task_types.cache_clear()


def test_training_text_has_the_three_verdicts():
    text = load_training_text()
    assert set(text.verdicts) == {"underfit", "about_right", "overfit"} and set(text.baselines) == {"nobody", "payment"}


# ---------------------------------------------------------------- scoring

def test_ranking_score_by_hand():
    # churners scored 0.9 and 0.4, stayers 0.6 and 0.1: of the 4 pairs, 3 are ordered right
    assert ranking_score([1, 0, 1, 0], [0.9, 0.6, 0.4, 0.1]) == pytest.approx(0.75)
    assert ranking_score([1, 0, 1, 0], [0.5] * 4) == pytest.approx(0.5)  # ties count half: a coin flip
    with pytest.raises(ValueError, match="both churners"):
        ranking_score([0, 0], [0.1, 0.2])


def test_caught_in_top_by_hand():
    y, s = [1, 0, 1, 0], [0.9, 0.6, 0.4, 0.1]
    assert [caught_in_top(y, s, n) for n in (0, 1, 2, 3, 4, 10)] == [0, 1, 1, 2, 2, 2]
    assert caught_in_top([0, 1], [0.5, 0.5], 1) == 0  # ties: the earlier row is contacted first


def test_leaderboard_puts_baselines_first_with_a_shared_budget(data):
    from mlworkflow.stages.training.models import fit_churn_model

    train, valid = data
    board = compare_with_baseline(train, valid, {"<Logistic>": fit_churn_model(train)})
    nobody, rule, model = board.rows
    assert board.budget == int((valid["payment_failures"] > 0).sum()) == rule.contacted == model.contacted
    assert nobody.found == 0 and nobody.valid_score == 0.5 and nobody.train_score is None
    assert nobody.accuracy == pytest.approx(1 - valid["churned"].mean())
    assert model.train_score is not None and 0.5 < model.valid_score <= 1
    assert board.churners == int(valid["churned"].sum()) and board.customers == len(valid)
    text = str(board)
    assert "<Logistic>" in text and f"Offer budget: {board.budget}" in text
    assert "&lt;Logistic&gt;" in board._repr_html_() and "<Logistic>" not in board._repr_html_()


# ---------------------------------------------------------------- overfitting

def test_best_depth_and_verdicts_by_hand():
    assert CURVE.best_depth == 2 and CURVE.at(3) == (0.99, 0.62)
    assert [verdict(CURVE, d).key for d in (1, 2, 3)] == ["underfit", "about_right", "overfit"]
    v = verdict(CURVE, 3)
    assert v.label == "Overfit" and "gap 0.37" in v.text() and "depth 2" in v.text()
    assert verdict(CURVE, 3, tolerance=0.1).key == "about_right"


def test_best_depth_prefers_the_simplest_on_a_tie():
    assert ComplexityCurve((1, 2, 3), (0.6, 0.7, 0.8), (0.65, 0.7001, 0.7)).best_depth == 2


@pytest.mark.parametrize("bad", [dict(depths=(), train=(), valid=()), dict(depths=(1, 2), train=(0.5,), valid=(0.5, 0.6))])
def test_curve_shape_is_checked(bad):
    with pytest.raises(ValueError, match="same length"):
        ComplexityCurve(**bad)


def test_unknown_depth_is_explained():
    with pytest.raises(ValueError, match="depths run from 1 to 3"):
        CURVE.at(7)


def test_deep_trees_memorise(data):
    curve = complexity_curve(*data, depths=(2, 15))
    (t2, v2), (t15, v15) = curve.at(2), curve.at(15)
    assert t15 > t2 and t15 - v15 > t2 - v2  # training score rises, the gap widens


def test_curve_figure_is_not_left_open_in_pyplot():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    fig = curve_figure(CURVE, 3)
    assert len(fig.axes[0].lines) >= 3 and plt.get_fignums() == before


# ---------------------------------------------------------------- the widget

def _verdict_html(w: OverfittingExplorer) -> str:
    return w._verdict.value


def test_explorer_starts_at_the_best_depth_and_the_slider_moves_the_verdict():
    w = OverfittingExplorer(CURVE)
    assert w.depth == 2 and w._slider.value == 2 and "About right" in _verdict_html(w)
    w._slider.value = 3
    assert w.depth == 3 and "Overfit" in _verdict_html(w) and "mlw-overfit" in _verdict_html(w)
    w.depth = 1
    assert w._slider.value == 1 and "Underfit" in _verdict_html(w)
    assert "image/png" in w._chart.outputs[0]["data"]


def test_explorer_clamps_depth_and_has_css_hooks():
    w = OverfittingExplorer(CURVE, depth=99)
    assert w.depth == 3
    w.depth = -4
    assert w.depth == 1
    assert "mlw-overfitting" in w._dom_classes and "mlw-depth-slider" in w._slider._dom_classes
    assert "mlw-verdict" in w._verdict._dom_classes and "mlw-curve-chart" in w._chart._dom_classes


def test_explorer_static_fallback_and_text():
    data = OverfittingExplorer(CURVE, depth=3)._repr_mimebundle_()
    bundle = data[0] if isinstance(data, tuple) else data
    assert "data:image/png;base64," in bundle["text/html"] and "Overfit" in bundle["text/html"]
    assert bundle["text/plain"].startswith("Depth 3: Overfit.")


def test_explorer_escapes_content_text(monkeypatch):
    real = load_training_text()
    hostile = training.TrainingText(
        real.baselines, real.metric, real.metric_explanation, "<i>Depth</i>", "<script>x</script>",
        dict.fromkeys(real.verdicts, ("<b>L</b>", "<img src=x onerror=alert(1)>", "a & b")),
    )
    monkeypatch.setattr(training, "load_training_text", lambda: hostile)
    w = OverfittingExplorer(CURVE)
    everything = _verdict_html(w) + "".join(c.value for c in w.children if hasattr(c, "value") and isinstance(c.value, str))
    assert "<script>" not in everything and "<img src=x" not in everything and "&lt;b&gt;L&lt;/b&gt;" in everything

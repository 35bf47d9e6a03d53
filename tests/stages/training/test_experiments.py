"""Notebook 03's logic: baselines, ranking score, the overfitting curve, verdicts and their text."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from mlworkflow.core.content import ContentError, read_content
from mlworkflow.stages.training import experiments
from mlworkflow.stages.training.experiments import (
    ComplexityCurve,
    caught_in_top,
    compare_with_baseline,
    complexity_curve,
    curve_figure,
    curve_help_html,
    load_training_text,
    ranking_score,
    verdict,
    verdict_html,
)

# A hand-made curve: depth 2 is best; depth 1 is too simple; depth 3 memorises.
CURVE = ComplexityCurve(depths=(1, 2, 3), train=(0.60, 0.80, 0.99), valid=(0.60, 0.70, 0.62))


@pytest.fixture(scope="module")
def data():
    from mlworkflow.stages.data.datasets import churn_customers
    from mlworkflow.stages.training.models import split

    return split(churn_customers(n=1200, seed=3), seed=0)


# ---------------------------------------------------------------- content

def test_training_text_has_the_three_verdicts_and_the_leaderboard_words():
    text = load_training_text()
    assert set(text.verdicts) == {"underfit", "about_right", "overfit"} and set(text.baselines) == {"nobody", "payment"}
    assert "{budget}" in text.leaderboard["budget"] and "{best_depth}" in text.verdict_summary


def _broken(monkeypatch, edit):
    data, _ = read_content("training.json")
    data = copy.deepcopy(data)
    edit(data)
    monkeypatch.setattr(experiments, "read_content", lambda name: (data, name))
    load_training_text.cache_clear()


@pytest.mark.parametrize("edit, field, problem", [
    (lambda d: d["verdicts"].pop("overfit"), r"verdicts\.overfit", "missing"),
    (lambda d: d["verdicts"]["underfit"].update(advice=""), r"verdicts\.underfit\.advice", "expected non-empty text"),
    (
        lambda d: d["leaderboard"].update(budget="Budget: {budgett}"),
        r"leaderboard\.budget",
        "expected only {budget}, found {budgett}",
    ),
    (lambda d: d.update(verdict_summary="Training {train"), "verdict_summary", "unbalanced braces"),
])
def test_a_malformed_copy_names_file_and_field(monkeypatch, edit, field, problem):
    _broken(monkeypatch, edit)
    try:
        with pytest.raises(ContentError, match=rf"training.json: {field}: {problem}"):
            load_training_text()
    finally:
        load_training_text.cache_clear()


# ---------------------------------------------------------------- scoring

def test_ranking_score_by_hand():
    # churners scored 0.9 and 0.4, stayers 0.6 and 0.1: of the 4 pairs, 3 are ordered right
    assert ranking_score([1, 0, 1, 0], [0.9, 0.6, 0.4, 0.1]) == pytest.approx(0.75)
    assert ranking_score([1, 0, 1, 0], [0.5] * 4) == pytest.approx(0.5)  # ties count half: a coin flip
    with pytest.raises(ValueError, match="both churners"):
        ranking_score([0, 0], [0.1, 0.2])


def test_ranking_score_takes_numpy_and_pandas():
    import numpy as np
    import pandas as pd

    assert ranking_score(pd.Series([1, 0, 1, 0]), np.array([0.9, 0.6, 0.4, 0.1])) == pytest.approx(0.75)


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
    assert "<Logistic>" in text and f"Offer budget: {board.budget} customers" in text
    assert text.startswith(f"Checked on {len(valid):,} validation customers")
    html = board._repr_html_()
    assert "&lt;Logistic&gt;" in html and "<Logistic>" not in html
    assert f"Churners found with {board.budget} offers (of {board.churners})" in html


# ---------------------------------------------------------------- overfitting

def test_best_depth_and_verdicts_by_hand():
    assert CURVE.best_depth == 2 and CURVE.at(3) == (0.99, 0.62)
    assert [verdict(CURVE, d).key for d in (1, 2, 3)] == ["underfit", "about_right", "overfit"]
    v = verdict(CURVE, 3)
    assert v.label == "Overfit" and "gap 0.37" in v.text() and "depth 2" in v.text()
    assert v.text().splitlines()[1] == (
        "Training 0.99, validation 0.62 (gap 0.37); the best validation score is at depth 2.")
    assert verdict(CURVE, 3, tolerance=0.1).key == "about_right"


def test_best_depth_prefers_the_simplest_on_a_tie():
    assert ComplexityCurve((1, 2, 3), (0.6, 0.7, 0.8), (0.65, 0.7001, 0.7)).best_depth == 2


@pytest.mark.parametrize("bad", [
    {"depths": (), "train": (), "valid": ()},
    {"depths": (1, 2), "train": (0.5,), "valid": (0.5, 0.6)},
])
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
    ax = fig.axes[0]
    assert len(ax.lines) >= 3 and plt.get_fignums() == before
    assert ax.get_xlabel() == "Tree depth (model complexity)"


def test_verdict_and_help_html_escape_course_text(monkeypatch):
    real = load_training_text()
    hostile = dataclasses.replace(
        real, metric="<i>Score</i>", complexity_explanation="<script>x</script>",
        verdicts=dict.fromkeys(real.verdicts, ("<b>L</b>", "<img src=x onerror=alert(1)>", "a & b")),
    )
    monkeypatch.setattr(experiments, "load_training_text", lambda: hostile)
    everything = verdict_html(verdict(CURVE, 3)) + curve_help_html()
    assert "<script>x" not in everything and "<img src=x" not in everything and "<i>Score" not in everything
    assert "&lt;b&gt;L&lt;/b&gt;" in everything and "a &amp; b" in everything and "mlw-overfit" in everything

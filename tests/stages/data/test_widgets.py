"""The cleaning lab widget: starting state, toggles, its guarded callbacks, and its static fallback."""

import pytest
from widget_checks import own_callbacks, unguarded

import mlworkflow.stages.data.widgets as widgets_module
from mlworkflow.stages.data.datasets import MESS, churn_raw
from mlworkflow.stages.data.lab import DEFAULT_CHOICES
from mlworkflow.stages.data.widgets import CleaningLab

MISSING = sum(MESS["missing"].values())


@pytest.fixture(scope="module")
def raw():
    return churn_raw()


@pytest.fixture(scope="module")
def lab(raw):
    return CleaningLab(raw)


def _summary(lab):
    return lab._summary.outputs[0]["data"]["text/plain"]


def test_callbacks_are_all_guarded(lab):
    callbacks = own_callbacks(lab)
    assert len(callbacks) == 5  # the one observer, registered for each of the five choices
    assert unguarded(lab) == []


def test_errors_are_said_in_plain_words(raw, monkeypatch):
    lab = CleaningLab(raw)

    def broken(*args, **kwargs):
        raise ValueError("the data has no 'plan' column")

    monkeypatch.setattr(widgets_module, "summarise", broken)
    lab.drop_impossible = False  # not cached yet, so summarise runs; must not raise
    said = _summary(lab)
    assert said.startswith("Something went wrong while applying your cleaning choices (ValueError).")
    assert 'role="alert"' in lab._summary.outputs[0]["data"]["text/html"]
    assert lab._chart.outputs == ()
    monkeypatch.undo()
    lab.drop_impossible = True  # cached: the lab recovers
    assert "Ready for a model: yes" in _summary(lab)


def test_widget_starts_with_the_default_cleaning(lab):
    assert lab.choices == DEFAULT_CHOICES
    assert "Ready for a model: yes" in _summary(lab)
    assert lab._chart.outputs[0]["data"]["text/html"].startswith('<img class="mlw-clean-chart-img"')
    assert lab._chart.outputs[0]["data"]["text/plain"].startswith("Chart: rows after each step")


def test_toggles_change_the_summary(lab):
    try:
        lab._missing_choice.value = "drop"
        assert lab.missing == "drop"
        assert "3,040 -> 2,800" in _summary(lab)
        box = next(c for c in lab.children[0].children if "mlw-clean-fix-types" in c._dom_classes)
        box.value = False
        assert lab.fix_types is False
        assert "[off] Fix numbers stored as text" in _summary(lab)
        assert "Ready for a model: no" in _summary(lab)
    finally:
        lab.fix_types, lab.missing = True, "impute"
    assert "Ready for a model: yes" in _summary(lab)


def test_lab_compare_uses_current_choices(lab):
    assert f"{MISSING} more customers removed" in lab.compare(missing="drop")
    assert lab.summary_for(missing="keep").choices["missing"] == "keep"


def test_construct_with_choices(raw):
    lab = CleaningLab(raw, drop_duplicates=False)
    assert lab.drop_duplicates is False
    assert "[off] Drop duplicate rows" in _summary(lab)
    with pytest.raises(ValueError):
        CleaningLab(raw, missing="guess")


def test_static_fallback_shows_figures_and_chart(lab):
    data = lab._repr_mimebundle_()
    assert "mlw-cleaning-lab-static" in data["text/html"] and "<img" in data["text/html"]
    assert "Run this notebook in Jupyter to switch the steps on and off." in data["text/html"]
    assert data["text/plain"].lstrip().startswith("Key figure")

"""The cleaning lab: key figures, choice summaries and comparisons (pure), the chart, and the widget."""

import pytest

import mlworkflow.stages.data.widgets as lab_module
from mlworkflow.stages.data.datasets import MESS, churn_customers, churn_raw
from mlworkflow.stages.data.widgets import (
    FIGURES,
    CleaningLab,
    cleaning_chart,
    compare,
    key_figures,
    model_blockers,
    summarise,
)

N = 3000
MISSING = sum(MESS["missing"].values())


@pytest.fixture(scope="module")
def raw():
    return churn_raw()


@pytest.fixture(scope="module")
def default(raw):
    return summarise(raw)


@pytest.fixture(scope="module")
def lab(raw):
    return CleaningLab(raw)


def test_key_figures_of_raw_data_count_the_injected_mess(raw):
    figures = key_figures(raw)
    assert set(figures) == set(FIGURES)
    assert figures["rows"] == N + MESS["duplicate_rows"]
    assert figures["duplicate rows"] == MESS["duplicate_rows"]
    assert figures["missing values"] == MISSING
    assert figures["numbers stored as text"] == sum(MESS["numbers_as_text"].values())
    assert figures["impossible values"] == sum(MESS["impossible_values"].values())
    assert figures["plan spellings"] > 3
    assert len(model_blockers(figures)) == 5


def test_clean_data_has_no_blockers():
    figures = key_figures(churn_customers())
    assert figures["plan spellings"] == 3 and model_blockers(figures) == []
    assert 13 < figures["churn rate"] < 16


def test_default_summary(default):
    assert default.after["rows"] == N - sum(MESS["impossible_values"].values())
    assert default.after["missing values"] == 0 and default.blockers == []
    assert default.after["mean hours watched"] < default.before["mean hours watched"]  # 1,250-hour months gone
    text = default.text()
    assert "Ready for a model: yes" in text
    assert "[on ] Drop duplicate rows: 40 rows lost." in text


def test_each_switched_off_step_leaves_its_blocker(raw):
    assert any("stored as text" in b for b in summarise(raw, fix_types=False).blockers)
    assert any("spelled" in b for b in summarise(raw, normalise_categories=False).blockers)
    assert any("counted twice" in b for b in summarise(raw, drop_duplicates=False).blockers)
    assert any("impossible" in b for b in summarise(raw, drop_impossible=False).blockers)
    assert any("missing" in b for b in summarise(raw, missing="keep").blockers)


def test_dropping_missing_rows_costs_customers_and_shifts_churn(raw, default):
    drop = summarise(raw, missing="drop")
    assert drop.after["rows"] == default.after["rows"] - MISSING  # each gap is on its own row
    text = compare(default, drop)
    assert text.splitlines()[0] == "Handle missing values: Fill in (impute) -> Drop those rows"
    assert f"{MISSING} more customers removed" in text
    assert "churn rate" in text
    assert compare(default, default).startswith("No change")
    assert compare(default, summarise(raw, drop_duplicates=False)).startswith("Drop duplicate rows: on -> off")


def test_unknown_choices_are_refused(raw):
    with pytest.raises(ValueError, match="fix_types"):
        summarise(raw, fix_everything=True)
    with pytest.raises(ValueError, match="impute"):
        summarise(raw, missing="guess")


def test_chart_has_two_panels(default):
    fig = cleaning_chart(default)
    assert len(fig.axes) == 2
    assert "Rows removed" in fig.axes[0].get_title()


def test_html_is_escaped(default):
    html = default.html()
    assert "data dictionary&#x27;s range" in html and "'Unknown'" not in html


# -- widget ---------------------------------------------------------------------------

def _summary(lab):
    return lab._summary.outputs[0]["data"]["text/plain"]


def test_widget_starts_with_the_default_cleaning(lab):
    assert lab.choices == lab_module.DEFAULT_CHOICES
    assert "Ready for a model: yes" in _summary(lab)
    assert lab._chart.outputs[0]["data"]["text/html"].startswith('<img class="mlw-clean-chart-img"')


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


def test_construct_with_choices(raw):
    lab = CleaningLab(raw, drop_duplicates=False)
    assert lab.drop_duplicates is False
    assert "[off] Drop duplicate rows" in _summary(lab)
    with pytest.raises(ValueError):
        CleaningLab(raw, missing="guess")


def test_errors_are_said_in_plain_words(raw, monkeypatch):
    lab = CleaningLab(raw)

    def broken(*args, **kwargs):
        raise ValueError("the data has no 'plan' column")

    monkeypatch.setattr(lab_module, "summarise", broken)
    lab.drop_impossible = False  # not cached yet, so summarise runs
    html = lab._summary.outputs[0]["data"]["text/html"]
    assert "could not be applied" in html and "no &#x27;plan&#x27; column" in html
    assert lab._chart.outputs == ()


def test_static_fallback_shows_figures_and_chart(lab):
    data = lab._repr_mimebundle_()
    assert "mlw-cleaning-lab-static" in data["text/html"] and "<img" in data["text/html"]
    assert data["text/plain"].lstrip().startswith("Key figure")

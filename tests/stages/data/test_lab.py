"""The cleaning lab's logic: key figures, choice summaries and comparisons, the chart, and its sentences."""

import json
from importlib import resources

import pytest

from mlworkflow.core.content import ContentError
from mlworkflow.stages.data.datasets import MESS, churn_customers, churn_raw
from mlworkflow.stages.data.lab import (
    DEFAULT_CHOICES,
    FIGURES,
    chart_html,
    check_choices,
    cleaning_chart,
    compare,
    key_figures,
    lab_text,
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


def test_figures_print_with_the_shared_formatters(default):
    rows = {name: (b, a) for name, b, a in default.rows()}
    assert rows["rows"] == ("3,040", "2,995")
    assert rows["churn rate"][0].endswith("%") and rows["churn rate"][0].count(".") == 1
    assert FIGURES["churn rate"](14.5) == "14.50%" and FIGURES["rows"](3040) == "3,040"


def test_check_choices_fills_in_the_defaults():
    assert check_choices({}) == DEFAULT_CHOICES
    assert check_choices({"missing": "keep"})["missing"] == "keep"
    with pytest.raises(ValueError, match="unknown cleaning choice 'nope'"):
        check_choices({"nope": 1})


def test_chart_html_is_an_image_with_alt_text(default):
    html = chart_html(cleaning_chart(default))
    assert html.startswith('<img class="mlw-clean-chart-img" alt="Rows after each step')
    assert "data:image/png;base64," in html


def test_lab_sentences_come_from_the_content(default):
    words = lab_text()
    assert default.html().count(words.ready) == 1
    assert words.blockers["duplicate_rows"].format(n="40") == "40 customers are counted twice."
    assert compare(default, default) == words.no_change


def _lab_content():
    return json.loads(resources.files("mlworkflow.content").joinpath("data.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda d: d["cleaning_lab"]["blockers"].pop("missing_values"), "cleaning_lab.blockers.missing_values"),
        (lambda d: d["cleaning_lab"]["blockers"].update(duplicate_rows="Counted twice."),
         "cleaning_lab.blockers.duplicate_rows"),
        (lambda d: d["cleaning_lab"].update(customers_lost="{lost} gone, {share}, {churn}"),
         "cleaning_lab.customers_lost"),
        (lambda d: d["cleaning_lab"].update(ready=""), "cleaning_lab.ready"),
        (lambda d: d.pop("cleaning_lab"), "cleaning_lab"),
    ],
)
def test_malformed_lab_text_names_file_and_field(tmp_path, mutate, field):
    data = _lab_content()
    mutate(data)
    path = tmp_path / "data.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ContentError) as err:
        lab_text(path)
    assert err.value.field == field and str(path) in str(err.value)

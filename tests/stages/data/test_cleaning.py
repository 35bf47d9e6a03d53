"""The data-quality report and each cleaning step, with what each choice costs."""

import json
from importlib import resources

import pandas as pd
import pytest

from mlworkflow.core.content import ContentError
from mlworkflow.stages.data.cleaning import STEP_KEYS, STEPS, UNKNOWN, clean, load_steps, quality_report
from mlworkflow.stages.data.datasets import MESS, churn_customers, churn_raw

N = 3000
MISSING = sum(MESS["missing"].values())
IMPOSSIBLE = sum(MESS["impossible_values"].values())


@pytest.fixture(scope="module")
def raw():
    return churn_raw()


def _step(result, key):
    return next(s for s in result.steps if s.key == key)


def test_report_text_and_table(raw):
    report = quality_report(raw)
    assert report.rows == N + MESS["duplicate_rows"]
    table = report.table()
    assert set(table["problem"]) == {"Duplicate rows", "Missing values", "Numbers stored as text",
                                     "Inconsistent spellings", "Impossible values"}
    assert table["count"].sum() == report.problem_count
    text = report.text()
    assert text.startswith("3,040 rows checked.") and "- Duplicate rows: 40" in text
    assert "Missing values: 90 in hours_watched" in text
    assert quality_report(churn_customers()).text() == "3,000 rows checked. No problems found."


def test_report_on_a_tiny_frame():
    df = pd.DataFrame({
        "plan": ["Basic", "basic ", "Gold", None, "Basic"],
        "hours_watched": [1.0, 2.0, 800.0, 3.0, 1.0],
        "tenure_months": [1, "2", 3, -1, 1],
    })
    r = quality_report(df)
    assert r.duplicate_rows == 1
    assert r.missing == {"plan": 1}
    assert r.inconsistent_categories == {"plan": {"basic ": 1}}
    assert r.unknown_categories == {"plan": 1}
    assert r.numbers_as_text == {"tenure_months": 1}
    assert r.impossible_values == {"hours_watched": 1, "tenure_months": 1}


def test_all_steps_on_gives_clean_data(raw):
    result = clean(raw)
    assert [s.key for s in result.steps] == list(STEPS)
    assert result.report_after.problem_count == 0
    assert len(result.frame) == N - IMPOSSIBLE
    assert result.rows_lost == MESS["duplicate_rows"] + IMPOSSIBLE
    assert _step(result, "fix_types").values_changed == sum(MESS["numbers_as_text"].values())
    assert _step(result, "normalise_categories").values_changed == sum(MESS["inconsistent_categories"].values())
    assert _step(result, "drop_duplicates").rows_lost == MESS["duplicate_rows"]
    assert _step(result, "drop_impossible").rows_lost == IMPOSSIBLE
    assert _step(result, "missing").values_changed == MISSING and _step(result, "missing").rows_lost == 0
    frame = result.frame
    assert frame["monthly_price"].dtype == float and frame["tenure_months"].dtype == int
    assert (frame["region"] == UNKNOWN).sum() == MESS["missing"]["region"]
    assert raw.isna().sum().sum() == MISSING  # the raw frame is untouched


def test_dropping_missing_costs_rows_instead_of_imputing(raw):
    result = clean(raw, missing="drop")
    assert _step(result, "missing").rows_lost == MISSING and _step(result, "missing").values_changed == 0
    assert len(result.frame) == N - IMPOSSIBLE - MISSING
    assert result.after["rows"] == len(result.frame)


def test_every_step_off_changes_nothing(raw):
    result = clean(raw, fix_types=False, normalise_categories=False, drop_duplicates=False,
                   drop_impossible=False, missing=False)
    assert not any(s.applied for s in result.steps)
    assert result.rows_lost == 0 and result.before == result.after
    assert _step(result, "drop_duplicates").note.startswith("40 customers counted twice")
    assert quality_report(result.frame).problem_count == quality_report(raw).problem_count


@pytest.mark.parametrize("step", list(STEPS))
def test_each_step_alone_fixes_its_own_problem(raw, step):
    off = {"fix_types": False, "normalise_categories": False, "drop_duplicates": False,
           "drop_impossible": False, "missing": "keep"}
    off[step] = "impute" if step == "missing" else True
    after = clean(raw, **off).report_after
    before = quality_report(raw)
    field = {"fix_types": "numbers_as_text", "normalise_categories": "inconsistent_categories",
             "drop_duplicates": "duplicate_rows", "drop_impossible": "impossible_values",
             "missing": "missing"}[step]
    assert getattr(before, field) and not getattr(after, field)


def test_impossible_values_skew_the_average(raw):
    kept = clean(raw, drop_impossible=False)
    dropped = clean(raw)
    assert kept.after["mean hours_watched"] > dropped.after["mean hours_watched"] + 2


def test_costs_and_comparison_tables(raw):
    result = clean(raw)
    costs = result.costs()
    assert list(costs.columns) == ["step", "on", "rows lost", "values changed", "note"]
    assert costs["rows lost"].sum() == result.rows_lost
    comparison = result.comparison()
    assert comparison.loc["rows", "before"] == N + 40 and comparison.loc["rows", "after"] == N - IMPOSSIBLE
    assert comparison.loc["missing values", "after"] == 0


def test_bad_missing_choice():
    with pytest.raises(ValueError, match="impute"):
        clean(churn_raw(), missing="guess")


# -- the steps' words -----------------------------------------------------------------

def test_step_titles_and_notes_come_from_the_content():
    texts = load_steps()
    assert tuple(texts) == STEP_KEYS and {k: t.title for k, t in texts.items()} == STEPS
    assert texts["missing"].note("impute", 3000) == "3,000 gaps filled (median or 'Unknown')"
    assert texts["drop_duplicates"].note("on") == "copies would count those customers twice"


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda d: d["cleaning_steps"].pop("missing"), "cleaning_steps.missing"),
        (lambda d: d["cleaning_steps"]["missing"]["notes"].pop("drop"), "cleaning_steps.missing.notes.drop"),
        (lambda d: d["cleaning_steps"]["fix_types"].update(title=""), "cleaning_steps.fix_types.title"),
        (lambda d: d["cleaning_steps"]["fix_types"]["notes"].update(on="{count} read"),
         "cleaning_steps.fix_types.notes.on"),
    ],
)
def test_malformed_step_text_names_file_and_field(tmp_path, mutate, field):
    data = json.loads(resources.files("mlworkflow.content").joinpath("data.json").read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "data.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ContentError) as err:
        load_steps(path)
    assert err.value.field == field and str(path) in str(err.value)

"""The churn case: shape, documented columns, injected mess, determinism, imbalance and drift."""

import copy
import json
import subprocess
import sys
from importlib import resources

import pytest

from mlworkflow.core.content import ContentError
from mlworkflow.stages.data import datasets
from mlworkflow.stages.data.cleaning import quality_report
from mlworkflow.stages.data.datasets import (
    DATA_DICTIONARY,
    HOURS_IN_MONTH,
    LABEL,
    MESS,
    churn_customers,
    churn_months,
    churn_raw,
    load_data_dictionary,
    load_drift_events,
)


@pytest.fixture(scope="module")
def customers():
    return churn_customers()


@pytest.fixture(scope="module")
def raw():
    return churn_raw()


def test_import_does_not_pull_in_pandas_or_numpy():
    code = ("import sys, mlworkflow.stages.data.datasets as d; "
            "print('pandas' in sys.modules, 'numpy' in sys.modules, d._shipped_dictionary.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "0"]  # nor reads the content file


def test_content_constants_are_the_shipped_content():
    assert DATA_DICTIONARY is load_data_dictionary() and datasets.DRIFT_EVENTS is load_drift_events()
    assert DATA_DICTIONARY["hours_watched"]["max"] == HOURS_IN_MONTH
    assert DATA_DICTIONARY["tenure_months"] == {
        "kind": "integer", "unit": "months", "min": 1, "max": 240,
        "description": "How long the customer has subscribed, counting the current month."}
    assert datasets.DRIFT_EVENTS[3].startswith("Price rise: Basic $8.99 to $9.99")
    with pytest.raises(AttributeError):
        datasets.NOT_A_NAME  # noqa: B018 - the attribute access is what is tested


def _shipped():
    return json.loads(resources.files("mlworkflow.content").joinpath("data.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda d: d["data_dictionary"]["plan"].update(kind="text"), "data_dictionary.plan.kind"),
        (lambda d: d["data_dictionary"]["plan"].pop("values"), "data_dictionary.plan.values"),
        (lambda d: d["data_dictionary"]["region"].pop("description"), "data_dictionary.region.description"),
        (lambda d: d["data_dictionary"]["tenure_months"].pop("max"), "data_dictionary.tenure_months.max"),
        (lambda d: d["data_dictionary"]["tenure_months"].update(min=500), "data_dictionary.tenure_months.max"),
        (lambda d: d["data_dictionary"].pop("churned"), "data_dictionary.churned"),
        (lambda d: d["data_dictionary"].update(plan="Basic"), "data_dictionary.plan"),
    ],
)
def test_malformed_data_dictionary_names_file_and_field(tmp_path, mutate, field):
    data = copy.deepcopy(_shipped())
    mutate(data)
    path = tmp_path / "data.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ContentError) as err:
        load_data_dictionary(path)
    assert err.value.field == field and str(path) in str(err.value)


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda d: d["drift_events"][0].update(month=0), "drift_events[0].month"),
        (lambda d: d["drift_events"][1].update(month=3), "drift_events[1].month"),
        (lambda d: d["drift_events"][1].pop("event"), "drift_events[1].event"),
        (lambda d: d.update(drift_events=[]), "drift_events"),
    ],
)
def test_malformed_drift_events_name_file_and_field(tmp_path, mutate, field):
    data = copy.deepcopy(_shipped())
    mutate(data)
    path = tmp_path / "data.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ContentError) as err:
        load_drift_events(path)
    assert err.value.field == field and str(path) in str(err.value)


def test_clean_frame_matches_the_data_dictionary(customers):
    assert customers.shape == (3000, len(DATA_DICTIONARY))
    assert list(customers.columns) == list(DATA_DICTIONARY)
    assert customers["customer_id"].is_unique
    assert not customers.isna().any().any()
    assert quality_report(customers).problem_count == 0
    for col, spec in DATA_DICTIONARY.items():
        if "values" in spec:
            assert set(customers[col]) <= set(spec["values"]), col
        if "min" in spec:
            assert customers[col].between(spec["min"], spec["max"]).all(), col
    table = datasets.data_dictionary()
    assert list(table.index) == list(DATA_DICTIONARY) and table["description"].str.len().min() > 10


def test_label_is_realistically_imbalanced(customers):
    assert 0.10 <= customers[LABEL].mean() <= 0.20
    for seed in (0, 1, 2):
        assert 0.10 <= churn_customers(seed=seed)[LABEL].mean() <= 0.20


def test_relationships_point_the_plausible_way(customers):
    rate = customers.groupby(customers["tenure_months"] <= 3)[LABEL].mean()
    assert rate[True] > rate[False] * 1.5  # new customers leave more
    rate = customers.groupby(customers["payment_failures"] > 0)[LABEL].mean()
    assert rate[True] > rate[False] * 1.5
    by_plan = customers.groupby("plan")[LABEL].mean()
    assert by_plan["Basic"] > by_plan["Premium"]


def test_seeded_and_deterministic(customers, raw):
    assert churn_customers().equals(customers)
    assert churn_raw().equals(raw)
    assert churn_months(months=2, n_per_month=200).equals(churn_months(months=2, n_per_month=200))
    assert not churn_customers(seed=7).equals(customers)


def test_raw_has_exactly_the_documented_mess(raw):
    assert raw.attrs["mess"] == MESS
    assert len(raw) == 3000 + MESS["duplicate_rows"]
    report = quality_report(raw)
    assert report.duplicate_rows == MESS["duplicate_rows"]
    assert report.missing == MESS["missing"]
    assert report.numbers_as_text == MESS["numbers_as_text"]
    assert {c: sum(v.values()) for c, v in report.inconsistent_categories.items()} == MESS["inconsistent_categories"]
    assert report.impossible_values == MESS["impossible_values"]
    assert report.unknown_categories == {}
    assert raw["monthly_price"].map(lambda v: isinstance(v, str) and v.startswith("$")).sum() == 40


def test_raw_without_its_mess_is_the_clean_data(raw, customers):
    # every injected problem sits on its own rows, so the untouched rows are the clean ones
    deduped = raw.drop_duplicates()
    assert len(deduped) == len(customers)
    assert set(deduped["customer_id"]) == set(customers["customer_id"])


def test_raw_needs_room_for_its_mess():
    with pytest.raises(ValueError, match="at least"):
        churn_raw(n=100)


def test_later_months_drift():
    months = churn_months()
    assert sorted(months["month"].unique()) == [1, 2, 3, 4, 5, 6]
    assert months.groupby("month").size().eq(1000).all()
    assert months["customer_id"].is_unique
    assert not set(months["customer_id"]) & set(churn_customers()["customer_id"])
    by_month = months.groupby("month")
    students = by_month["segment"].apply(lambda s: (s == "Student").mean())
    assert students[1] == students[3] == 0 and students[4] > 0.05 and students[6] > students[4]
    standard = months[(months["plan"] == "Standard") & (months["segment"] != "Student")]
    assert standard.groupby("month")["monthly_price"].max().tolist() == [13.99] * 2 + [15.99] * 4
    churn = by_month[LABEL].mean()
    assert churn[[3, 4, 5, 6]].min() > churn[[1, 2]].max()
    assert set(datasets.DRIFT_EVENTS) == {3, 4}

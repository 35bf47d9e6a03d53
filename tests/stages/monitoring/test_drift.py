"""Monitoring: PSI (hand-checked), drift tables and alerts, monthly metrics, retrain comparison, charts, content."""

import json
import math
import re

import numpy as np
import pandas as pd
import pytest

from mlworkflow.core.content import ContentError, read_content
from mlworkflow.display.charts import Chart
from mlworkflow.stages.data.datasets import churn_customers, churn_months
from mlworkflow.stages.monitoring import drift as drift_module
from mlworkflow.stages.monitoring.drift import (
    alert_months,
    alert_summary,
    band_text,
    compare_models,
    drift_html,
    drift_scores,
    load_monitoring,
    metrics_text,
    month_number,
    monthly_metrics,
    new_categories,
    new_category_text,
    plot_drift,
    plot_inputs,
    plot_metrics,
    psi,
    psi_band,
)
from mlworkflow.stages.training.models import fit_churn_model

# -- PSI -------------------------------------------------------------------------------

def test_psi_hand_checked_categories():
    # shares 50/50 -> 25/75: (0.25 - 0.5) ln(0.25/0.5) + (0.75 - 0.5) ln(0.75/0.5)
    expected = (-0.25) * math.log(0.5) + 0.25 * math.log(1.5)
    assert psi(["A"] * 50 + ["B"] * 50, ["A"] * 25 + ["B"] * 75) == pytest.approx(expected)
    assert round(expected, 4) == 0.2747


def test_psi_hand_checked_numbers():
    # 4 bins at the training quartiles (2.5, 4.5, 6.5): training 2 values per bin (25% each);
    # later: 1, 1, 6, 6, 6, 6, 8, 8 -> shares 25%, 0% (floored), 50%, 25%
    train = [1, 2, 3, 4, 5, 6, 7, 8]
    later = [1, 1, 6, 6, 6, 6, 8, 8]
    floor = 1e-4
    expected = (floor - 0.25) * math.log(floor / 0.25) + (0.5 - 0.25) * math.log(0.5 / 0.25)
    assert psi(train, later, bins=4) == pytest.approx(expected)


def test_psi_is_zero_for_the_same_data_and_grows_with_the_shift():
    rng = np.random.default_rng(0)
    base = rng.normal(0, 1, 5000)
    assert psi(base, base) == pytest.approx(0)
    shifts = [psi(base, base + d) for d in (0.1, 0.5, 1.0)]
    assert shifts == sorted(shifts) and shifts[0] < 0.1 < shifts[-1]


def test_psi_new_category_counts_with_the_floor():
    value = psi(["A"] * 10, ["A"] * 9 + ["B"])
    assert value == pytest.approx((0.9 - 1) * math.log(0.9) + (0.1 - 1e-4) * math.log(0.1 / 1e-4))


def test_a_new_categorys_psi_is_set_by_the_floor_not_the_data():
    # 10% of customers in a category the training data never had: the floor decides the score
    train, later = ["A"] * 10, ["A"] * 9 + ["B"]
    assert drift_module.FLOOR == 1e-4
    by_floor = {f: psi(train, later, floor=f) for f in (1e-4, 1e-3, 1e-2)}
    for f, value in by_floor.items():
        assert value == pytest.approx((0.9 - 1) * math.log(0.9) + (0.1 - f) * math.log(0.1 / f))
    assert round(by_floor[1e-4], 2) == 0.70 and round(by_floor[1e-2], 2) == 0.22  # as the docstring says
    assert by_floor[1e-4] > 0.25 > by_floor[1e-2]  # "shifted" or not, by an arbitrary choice
    assert psi(train, ["A"] * 10, floor=1e-2) == pytest.approx(0)  # the floor does not touch shared categories


def test_new_categories_are_alerted_on_as_such():
    reference = pd.DataFrame({"segment": ["Individual", "Family"] * 5, "plan": ["Basic"] * 10})
    months = pd.DataFrame({"month": [1] * 4 + [2] * 4,
                           "segment": ["Individual", "Family", "Family", "Individual",
                                       "Student", "Student", "Family", None],
                           "plan": ["Basic"] * 7 + ["Ultra"]})
    found = new_categories(reference, months, features=["segment", "plan"])
    assert found == {2: {"segment": {"Student": round(2 / 3, 3)}, "plan": {"Ultra": 0.25}}}
    text = new_category_text(found)
    first = "Month 2: Account type has a value the training data never had: Student (66.7%"
    assert text.splitlines()[0].startswith(first)
    assert "Plan" in text.splitlines()[1] and new_category_text({}) == ""


def test_new_categories_on_the_case_find_the_students_from_month_4():
    found = new_categories(churn_customers(n=1500, seed=1), churn_months(months=5, n_per_month=800, seed=1))
    assert sorted(found) == [4, 5] and set(found[4]) == {"segment"} and set(found[4]["segment"]) == {"Student"}


def test_psi_needs_values_and_ignores_missing():
    with pytest.raises(ValueError, match="at least one value"):
        psi([], [1, 2])
    assert psi([1.0, 2.0, None], [1.0, 2.0]) == pytest.approx(0)


def test_psi_bands():
    assert psi_band(0.05).label == "stable"
    assert psi_band(0.1).label == "moving"
    assert psi_band(0.3).label == "shifted" and psi_band(30).advice


# -- drift tables and alerts -----------------------------------------------------------

@pytest.fixture(scope="module")
def drift():
    return pd.DataFrame({"monthly_price": [0.01, 0.3, 0.4], "segment": [0.0, 0.05, 0.7]},
                        index=pd.Index([1, 2, 3], name="month"))


def test_alert_months_lists_inputs_worst_first(drift):
    assert alert_months(drift, 0.2) == {2: ["monthly_price"], 3: ["segment", "monthly_price"]}
    assert alert_months(drift, 0.4) == {3: ["segment", "monthly_price"]}  # at the threshold counts
    assert alert_months(drift, 0.9) == {}
    assert alert_summary(drift, 0.9) == "At a threshold of 0.90, no month fires an alert."
    assert alert_summary(drift, 0.5) == "At a threshold of 0.50, 1 of 3 months fire an alert: month 3."


def test_drift_html_marks_cells_and_months(drift):
    page = drift_html(drift, 0.35)
    assert page.count("mlw-drift-hot") == 2 and page.count("mlw-drift-alert") == 1
    assert "Monthly price" in page and "Account type" in page  # readable names from the content


def test_drift_scores_on_the_case_find_the_documented_events():
    reference = churn_customers(n=1500, seed=1)
    months = churn_months(months=5, n_per_month=800, seed=1)
    d = drift_scores(reference, months)
    assert list(d.index) == [1, 2, 3, 4, 5] and d.index.name == "month"
    assert d.loc[[1, 2]].max().max() < 0.1  # before anything changed: quiet
    assert d.loc[3, "monthly_price"] > 0.25  # the price rise
    assert d.loc[4, "segment"] > 0.25 and d.loc[3, "segment"] < 0.01  # the new segment
    assert alert_months(d, 0.2)[3] == ["monthly_price"]


# -- model performance -----------------------------------------------------------------

@pytest.fixture(scope="module")
def case():
    train = churn_customers(n=1500, seed=2)
    months = churn_months(months=6, n_per_month=600, seed=2)
    return fit_churn_model(train), train, months


def test_monthly_metrics_one_row_per_month(case, recwarn):
    model, _, months = case
    m = monthly_metrics(model, months, threshold=0.25)
    assert list(m.index) == [1, 2, 3, 4, 5, 6]
    assert set(m.columns) == set(drift_module.METRICS)
    assert (m["customers"] == 600).all()
    month1 = months[months["month"] == 1]
    assert m.loc[1, "actual_churn"] == round(month1["churned"].mean(), 3)
    # the documented story: churn rises, the stale model's estimate falls behind
    gap = m["actual_churn"] - m["predicted_churn"]
    assert gap[6] > gap[1]
    assert not [w for w in recwarn if "unknown categories" in str(w.message)]


def test_compare_models_before_and_after(case):
    model, _, months = case
    retrained = fit_churn_model(months[months["month"].isin([4, 5])])
    table = compare_models({"Original": model, "Retrained": retrained}, months[months["month"] == 6])
    assert list(table.columns) == ["Original", "Retrained"]
    assert "Churn rate (model's estimate)" in table.index and "Recall" in table.index
    assert table.loc["Customers scored", "Original"] == 600
    assert isinstance(table.loc["Churners missed", "Original"], int)
    actual = table.loc["Churn rate (actual)", "Original"]
    # retraining on recent months brings the estimate back towards reality
    assert abs(table.loc["Churn rate (model's estimate)", "Retrained"] - actual) < abs(
        table.loc["Churn rate (model's estimate)", "Original"] - actual)


def test_auc_is_missing_when_a_month_has_one_class(case):
    model, train, _ = case
    month = train.head(20).assign(churned=0, month=1)
    assert math.isnan(monthly_metrics(model, month).loc[1, "auc"])


def test_charts_render_and_describe_themselves(case):
    model, train, months = case
    d = drift_scores(train, months)
    for chart in (plot_metrics(monthly_metrics(model, months)), plot_inputs(train, months), plot_drift(d, 0.2)):
        assert isinstance(chart, Chart)
        assert chart._repr_png_().startswith(b"\x89PNG")
        assert repr(chart).startswith("[Chart] ")


# -- content ---------------------------------------------------------------------------

def test_content_loads():
    c = load_monitoring()
    assert 0 < c.default_threshold < 1
    assert [b.label for b in c.bands] == ["stable", "moving", "shifted"]
    assert set(c.features) == set(drift_module.FEATURES)
    assert "{values}" in c.alerts.new_category


@pytest.mark.parametrize("mutate, field", [
    (lambda d: d["psi_bands"][-1].update(below=1), "psi_bands"),
    (lambda d: d["psi_bands"][0].update(below="low"), "psi_bands[0].below"),
    (lambda d: d["features"].pop("plan"), "features.plan"),
    (lambda d: d.update(default_threshold="high"), "default_threshold"),
    (lambda d: d["metrics"].pop("recall"), "metrics.recall"),
    (lambda d: d["table_columns"].pop("net_value"), "table_columns.net_value"),
    (lambda d: d.pop("alerts"), "alerts"),
    (lambda d: d["alerts"].update(new_category="Month {month}: {feature} is new."), "alerts.new_category"),
    (lambda d: d["alerts"].update(none="No alert at {limit}."), "alerts.none"),
    (lambda d: d["alerts"].update(many="{threshold}: {alerting} of {months} months."), "alerts.many"),
    (lambda d: d["alerts"].update(band="A PSI of {threshold reads as {label}."), "alerts.band"),
])
def test_malformed_content_names_the_file_and_field(monkeypatch, tmp_path, mutate, field):
    data, _ = read_content("monitoring.json")
    mutate(data)
    copy = tmp_path / "monitoring.json"
    copy.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(drift_module, "read_content", lambda name: read_content(name, path=copy))
    drift_module.load_monitoring.cache_clear()
    try:
        with pytest.raises(ContentError, match=re.escape(f"{copy}: {field}")):
            drift_module.load_monitoring()
    finally:
        drift_module.load_monitoring.cache_clear()


def test_metrics_text_labels_columns_for_a_pm():
    frame = pd.DataFrame(
        {"customers": [1000], "actual_churn": [0.159], "predicted_churn": [0.147], "auc": [0.7254],
         "precision": [0.403], "recall": [0.352], "missed": [103], "net_value": [1252.0]},
        index=pd.Index([1], name="month"),
    )
    text = metrics_text(frame)
    assert "Actual churn" in text and "Model's estimate" in text and "Ranking score (AUC)" in text
    assert "15.9%" in text and "$1,252" in text and "0.725" in text and "net_value" not in text


def test_metrics_text_puts_the_minus_before_the_dollar():
    frame = pd.DataFrame(
        {"customers": [1000], "actual_churn": [0.2], "predicted_churn": [0.1], "auc": [0.6],
         "precision": [0.2], "recall": [0.1], "missed": [180], "net_value": [-456.2]},
        index=pd.Index([4], name="month"),
    )
    text = metrics_text(frame)
    assert "-$456" in text and "$-" not in text


def test_month_number_accepts_whole_numbers_only():
    assert month_number(np.int64(3)) == 3 and type(month_number(np.int64(3))) is int
    assert month_number(7) == 7
    for bad in ("3", 3.0, True, None):
        with pytest.raises(TypeError, match="whole month number"):
            month_number(bad)


def test_band_text_reads_the_threshold_as_an_alert_setting():
    assert band_text(0.5) == ("The threshold 0.50 is in the shifted range. An alert this high stays quiet until the "
                              "inputs have clearly shifted: few false alarms, but it speaks late.")
    low = band_text(0.05)  # beside "4 of 6 months fire an alert", it must not say "nothing to do"
    assert low.startswith("The threshold 0.05 is in the stable range.") and "false alarms" in low
    assert "Nothing to do" not in low


def test_alert_sentences_come_from_the_content(monkeypatch, drift):
    content = load_monitoring()
    alerts = type(content.alerts)(none="Quiet at {threshold}.", one="{alerting}/{months} at {threshold}: {listed}.",
                                  many="{alerting}/{months} at {threshold}: {listed}!", band="{threshold} is {label}.",
                                  new_category="{month} {feature} {values}")
    fake = type(content)(**{**vars(content), "alerts": alerts})
    monkeypatch.setattr(drift_module, "load_monitoring", lambda: fake)
    assert alert_summary(drift, 0.9) == "Quiet at 0.90."
    assert alert_summary(drift, 0.5) == "1/3 at 0.50: 3."
    assert alert_summary(drift, 0.2) == "2/3 at 0.20: 2, 3!"
    assert band_text(0.3).startswith("0.30 is shifted. ")

"""Monitoring: PSI (hand-checked), drift tables and alerts, monthly metrics, retrain comparison, charts, widget."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from mlworkflow.core.content import ContentError
from mlworkflow.stages.data.datasets import churn_customers, churn_months
from mlworkflow.stages.monitoring import monitoring
from mlworkflow.stages.monitoring.monitoring import (
    Chart,
    DriftMonitor,
    alert_months,
    alert_summary,
    compare_models,
    drift_html,
    drift_scores,
    load_monitoring,
    monthly_metrics,
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
    assert set(m.columns) == {"customers", "actual_churn", "predicted_churn", "auc", "precision", "recall", "missed", "net_value"}
    assert (m["customers"] == 600).all()
    month1 = months[months["month"] == 1]
    assert m.loc[1, "actual_churn"] == round(month1["churned"].mean(), 3)
    # the documented story: churn rises, the stale model's estimate falls behind
    assert m.loc[6, "actual_churn"] - m.loc[6, "predicted_churn"] > m.loc[1, "actual_churn"] - m.loc[1, "predicted_churn"]
    assert not [w for w in recwarn if "unknown categories" in str(w.message)]


def test_compare_models_before_and_after(case):
    model, _, months = case
    retrained = fit_churn_model(months[months["month"].isin([4, 5])])
    table = compare_models({"Original": model, "Retrained": retrained}, months[months["month"] == 6])
    assert list(table.columns) == ["Original", "Retrained"]
    assert "Churn rate (model's estimate)" in table.index and "Recall" in table.index
    assert table.loc["Customers scored", "Original"] == 600 and isinstance(table.loc["Churners missed", "Original"], int)
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
    assert set(c.features) == set(monitoring.FEATURES)


@pytest.mark.parametrize("mutate, field", [
    (lambda d: d["psi_bands"][-1].update(below=1), "psi_bands"),
    (lambda d: d["psi_bands"][0].update(below="low"), r"psi_bands\[0\].below"),
    (lambda d: d["features"].pop("plan"), "features.plan"),
    (lambda d: d.update(default_threshold="high"), "default_threshold"),
])
def test_malformed_content_names_the_field(monkeypatch, mutate, field):
    from mlworkflow.core.content import read_content

    data, label = read_content("monitoring.json")
    data = json.loads(json.dumps(data))
    mutate(data)
    monkeypatch.setattr(monitoring, "read_content", lambda name: (data, label))
    monitoring.load_monitoring.cache_clear()
    try:
        with pytest.raises(ContentError, match=field):
            monitoring.load_monitoring()
    finally:
        monitoring.load_monitoring.cache_clear()


# -- widget ----------------------------------------------------------------------------

def test_widget_slider_changes_the_alerts(drift):
    w = DriftMonitor(drift)
    assert w.threshold == load_monitoring().default_threshold == 0.2
    assert w.alerts == {2: ["monthly_price"], 3: ["segment", "monthly_price"]}
    assert "2 of 3 months" in w._summary.value and w._table.value.count("mlw-drift-alert") == 2
    w._slider.value = 0.5  # what dragging the slider does
    assert w.threshold == 0.5 and list(w.alerts) == [3]
    assert "1 of 3 months" in w._summary.value and w._table.value.count("mlw-drift-alert") == 1
    assert "shifted" in w._summary.value  # what a PSI of 0.5 means
    w.threshold = 0.9  # and from code, the slider follows
    assert w._slider.value == 0.9 and "no month fires" in w._summary.value


def test_widget_clamps_and_rejects_empty(drift):
    w = DriftMonitor(drift, threshold=0.35)
    assert w.threshold == 0.35
    w.threshold = 7
    assert w.threshold == 1.0
    w.threshold = -1
    assert w.threshold == 0.05
    with pytest.raises(ValueError, match="empty"):
        DriftMonitor(drift.iloc[0:0])


def test_widget_css_hooks_and_static_fallback(drift):
    w = DriftMonitor(drift)
    assert "mlw-drift-monitor" in w._dom_classes and "mlw-drift-threshold" in w._slider._dom_classes
    assert "mlw-drift-grid" in w._table._dom_classes and "mlw-drift-summary" in w._summary._dom_classes
    data = w._repr_mimebundle_()
    data = data[0] if isinstance(data, tuple) else data
    assert "mlw-drift-static" in data["text/html"] and "mlw-drift-table" in data["text/html"]
    assert data["text/plain"].startswith("At a threshold of 0.20")


def test_widget_escapes_feature_names(monkeypatch):
    evil = "<img src=x onerror=alert(1)>"
    d = pd.DataFrame({evil: [0.5]}, index=pd.Index([1], name="month"))
    content = load_monitoring()
    fake = type(content)(content.default_threshold, tuple(type(b)(b.below, evil, evil) for b in content.bands),
                         {}, content.metrics)
    monkeypatch.setattr(monitoring, "load_monitoring", lambda: fake)
    w = DriftMonitor(d)
    for page in (w._summary.value, w._table.value, w._static_html()):
        assert "<img" not in page
    assert "&lt;img" in w._table.value


def test_metrics_text_labels_columns_for_a_pm():
    import pandas as pd

    from mlworkflow.stages.monitoring.monitoring import metrics_text

    frame = pd.DataFrame(
        {"customers": [1000], "actual_churn": [0.159], "predicted_churn": [0.147], "auc": [0.7254],
         "precision": [0.403], "recall": [0.352], "missed": [103], "net_value": [1252.0]},
        index=pd.Index([1], name="month"),
    )
    text = metrics_text(frame)
    assert "Actual churn" in text and "Model's estimate" in text and "Ranking score (AUC)" in text
    assert "15.9%" in text and "$1,252" in text and "0.725" in text and "net_value" not in text

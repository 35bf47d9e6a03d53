"""The drift monitor widget: the slider moves the alerts, callbacks are guarded, errors are said in the widget."""

import logging

import pandas as pd
import pytest
from widget_checks import callback_sites, unguarded

from mlworkflow.stages.monitoring import drift as drift_module
from mlworkflow.stages.monitoring import widgets
from mlworkflow.stages.monitoring.drift import load_monitoring
from mlworkflow.stages.monitoring.widgets import DriftMonitor


@pytest.fixture(scope="module")
def drift():
    return pd.DataFrame({"monthly_price": [0.01, 0.3, 0.4], "segment": [0.0, 0.05, 0.7]},
                        index=pd.Index([1, 2, 3], name="month"))


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
                         {}, content.metrics, content.columns, content.alerts)
    monkeypatch.setattr(drift_module, "load_monitoring", lambda: fake)
    monkeypatch.setattr(widgets, "load_monitoring", lambda: fake)
    w = DriftMonitor(d)
    for page in (w._summary.value, w._table.value, w._static_html()):
        assert "<img" not in page
    assert "&lt;img" in w._table.value


def test_every_callback_is_guarded(drift):
    w = DriftMonitor(drift)
    observers = [cb for where, cb in callback_sites(w) if where.endswith(" observer")]
    assert sorted(o.__name__ for o in observers) == ["_on_slide", "_on_threshold"]
    assert unguarded(w) == []  # the observers, and the click handlers of every button inside


def test_a_failing_update_is_said_in_the_widget_not_raised(monkeypatch, drift, caplog):
    w = DriftMonitor(drift)
    table_before = w._table.value

    def broken(*_args):
        raise RuntimeError("alerts exploded")

    monkeypatch.setattr(widgets, "alert_summary", broken)
    with caplog.at_level(logging.ERROR, logger="mlworkflow"):
        w._slider.value = 0.5  # what dragging the slider does; no exception escapes
    assert w.threshold == 0.5
    assert 'role="alert"' in w._summary.value
    assert "Something went wrong while updating the drift table (RuntimeError)." in w._summary.value
    assert w._table.value == table_before  # the old table stays until an update works
    assert "alerts exploded" in caplog.text


def test_sliders_follow_the_drag_where_a_step_is_cheap():
    """The drift and threshold sliders update while dragging (a step redraws a table or only a marker)."""
    import numpy as np

    from mlworkflow import ThresholdExplorer
    from mlworkflow.stages.monitoring.widgets import DriftMonitor

    drift = pd.DataFrame({"price": [0.02, 0.3]}, index=[1, 2])
    assert DriftMonitor(drift)._slider.continuous_update
    explorer = ThresholdExplorer(np.array([0, 1, 0, 1]), np.array([0.1, 0.9, 0.4, 0.6]))
    assert explorer._slider.continuous_update

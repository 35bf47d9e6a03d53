"""The rollout widget: stages switch the display, callbacks are guarded, errors are said in the widget."""

import logging

import numpy as np
import pytest
from traitlets import TraitError
from widget_checks import callback_sites, unguarded

from mlworkflow.stages.deployment import rollout, widgets
from mlworkflow.stages.deployment import service as deployment
from mlworkflow.stages.deployment.health import HealthCheck, HealthReport
from mlworkflow.stages.deployment.service import compare_modes, integration_checklist, load_deployment
from mlworkflow.stages.deployment.widgets import RolloutSimulator

# -- widget ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def live():
    rng = np.random.default_rng(2)
    churned = rng.random(4000) < 0.2
    return churned | (rng.random(4000) < 0.05), rng.random(4000) < 0.15, churned


def test_widget_starts_in_shadow_and_buttons_change_the_display(live):
    sim = RolloutSimulator(*live)
    assert sim.stage == "shadow" and "0 of 4,000" in sim._summary.value
    assert sim._picker.value == "shadow" and "Shadow" in sim._picker._options_labels
    sim._picker.value = "canary-25"  # what a click on the toggle does
    assert sim.stage == "canary-25" and "1,000 of 4,000" in sim._summary.value
    assert "canary grows" in sim._explain.value
    sim.stage = "full"  # and from code, the toggle follows
    assert sim._picker.value == "full" and "4,000 of 4,000" in sim._summary.value
    assert sim.result.stage.id == "full"


def test_widget_rejects_unknown_stage_and_has_css_hooks(live):
    sim = RolloutSimulator(*live, stage="canary-5")
    assert sim.stage == "canary-5"
    with pytest.raises(TraitError, match="unknown rollout stage"):
        sim.stage = "everyone"
    assert "mlw-rollout" in sim._dom_classes
    assert "mlw-rollout-stages" in sim._picker._dom_classes
    assert "mlw-rollout-summary" in sim._summary._dom_classes


def test_widget_static_fallback(live):
    sim = RolloutSimulator(*live)
    data = sim._repr_mimebundle_()
    data = data[0] if isinstance(data, tuple) else data
    assert "mlw-rollout-static" in data["text/html"] and "Canary 50%" in data["text/html"]
    assert data["text/plain"].count("\n") == len(load_deployment().stages) - 1
    assert "Next step" not in data["text/html"]


def test_health_decides_the_next_step_the_widget_shows(live):
    healthy = HealthReport((HealthCheck("Errors", "0.0%", "at most 1.0%", True),))
    sim = RolloutSimulator(*live, health=healthy, stage="canary-5")
    assert "Health: decides whether to widen" in sim._health_panel.value and "Errors" in sim._health_panel.value
    assert "Next: widen to Canary 25%" in sim._summary.value
    assert "mlw-rollout-health" in sim._health_panel._dom_classes
    assert "Next step" in sim._static_html() and sim._static_text().startswith("[ok] Errors")
    sick = HealthReport((HealthCheck("Errors", "5.0%", "at most 1.0%", False),))
    assert "Next: hold or roll back" in RolloutSimulator(*live, health=sick, stage="canary-5")._summary.value


def test_every_shown_string_is_escaped(monkeypatch, live):
    evil = "<script>alert(1)</script>"
    content = load_deployment()
    stages = tuple(type(s)(s.id, evil, s.share, evil) for s in content.stages)
    checklist = tuple(type(i)(evil, evil, evil) for i in content.checklist)
    verdicts = type(content.verdicts)(**dict.fromkeys(vars(content.verdicts), evil))
    fake = type(content)(content.modes, content.mode_rows, ((evil, "batch", evil),), content.feature_labels,
                         evil, evil, checklist, stages, content.default_stage, verdicts, content.latency_budget)
    for module in (deployment, rollout, widgets):
        monkeypatch.setattr(module, "load_deployment", lambda: fake)
    sim = RolloutSimulator(*live)
    shown = [sim._explain.value, sim._summary.value, sim._static_html(),
             compare_modes()._repr_html_(), integration_checklist()._repr_html_()]
    sim.stage = "canary-50"  # a measured verdict
    shown.append(sim._summary.value)
    for page in shown:
        assert "<script>" not in page
    assert "&lt;script&gt;" in sim._explain.value
    assert sim._summary.value.count("&lt;script&gt;") == 2  # the measured sentence and its conclusion
    healthy = HealthReport((HealthCheck(evil, evil, evil, True),))
    sim = RolloutSimulator(*live, health=healthy, stage="canary-50")
    for page in (sim._health_panel.value, sim._summary.value, sim._static_html()):
        assert "<script>" not in page and "&lt;script&gt;" in page


def test_every_callback_is_guarded(live):
    sim = RolloutSimulator(*live)
    observers = [cb for where, cb in callback_sites(sim) if where.endswith(" observer")]
    assert sorted(o.__name__ for o in observers) == ["_on_pick", "_on_stage"]
    assert unguarded(sim) == []  # the observers, and the click handlers of every button inside


def test_a_failing_render_is_said_in_the_widget_not_raised(monkeypatch, live, caplog):
    sim = RolloutSimulator(*live)

    def broken(_result, _health=None):
        raise RuntimeError("table exploded")

    monkeypatch.setattr(widgets, "rollout_html", broken)
    with caplog.at_level(logging.ERROR, logger="mlworkflow"):
        sim._picker.value = "canary-25"  # what a click on the toggle does; no exception escapes
    assert sim.stage == "canary-25" and sim._picker.value == "canary-25"
    assert 'role="alert"' in sim._summary.value
    assert "Something went wrong while showing the rollout stage (RuntimeError)." in sim._summary.value
    assert "table exploded" in caplog.text

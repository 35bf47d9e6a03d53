"""The overfitting explorer: a depth slider over a ComplexityCurve, its guard and its static view."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from widget_checks import own_callbacks, unguarded

from mlworkflow.stages.training import experiments
from mlworkflow.stages.training import widgets as training_widgets
from mlworkflow.stages.training.experiments import ComplexityCurve, load_training_text
from mlworkflow.stages.training.widgets import OverfittingExplorer

# A hand-made curve: depth 2 is best; depth 1 is too simple; depth 3 memorises.
CURVE = ComplexityCurve(depths=(1, 2, 3), train=(0.60, 0.80, 0.99), valid=(0.60, 0.70, 0.62))


def test_every_callback_is_guarded():
    explorer = OverfittingExplorer(CURVE)
    callbacks = own_callbacks(explorer)
    assert callbacks, "the depth observer should be found"
    assert unguarded(explorer) == []


def test_a_failing_callback_becomes_a_sentence_in_the_widget(monkeypatch):
    w = OverfittingExplorer(CURVE)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(training_widgets, "curve_figure", broken)
    w._slider.value = 3  # as a learner dragging the slider: no exception may reach the browser
    assert w.depth == 3
    assert "Something went wrong while showing this tree depth (RuntimeError)" in w._verdict.value
    assert 'role="alert"' in w._verdict.value and "Traceback" not in w._verdict.value


def test_explorer_starts_at_the_best_depth_and_the_slider_moves_the_verdict():
    w = OverfittingExplorer(CURVE)
    assert w.depth == 2 and w._slider.value == 2 and "About right" in w._verdict.value
    w._slider.value = 3
    assert w.depth == 3 and "Overfit" in w._verdict.value and "mlw-overfit" in w._verdict.value
    w.depth = 1
    assert w._slider.value == 1 and "Underfit" in w._verdict.value
    assert "image/png" in w._chart.outputs[0]["data"]
    assert w.verdict.key == "underfit" and w.curve is CURVE


def test_explorer_clamps_depth_and_has_css_hooks():
    w = OverfittingExplorer(CURVE, depth=99)
    assert w.depth == 3
    w.depth = -4
    assert w.depth == 1
    assert "mlw-overfitting" in w._dom_classes and "mlw-depth-slider" in w._slider._dom_classes
    assert "mlw-verdict" in w._verdict._dom_classes and "mlw-curve-chart" in w._chart._dom_classes


def test_a_curve_problem_is_said_in_the_verdict_line():
    w = OverfittingExplorer(ComplexityCurve((1, 3), (0.6, 0.7), (0.6, 0.7)), depth=1)
    w.depth = 2  # within the slider's range, but no tree of depth 2 was fitted
    assert "Could not show this depth: no tree of depth 2" in w._verdict.value
    assert w._chart.outputs[0]["data"] == {"text/html": ""}


def test_explorer_static_fallback_and_text():
    data = OverfittingExplorer(CURVE, depth=3)._repr_mimebundle_()
    bundle = data[0] if isinstance(data, tuple) else data
    assert "data:image/png;base64," in bundle["text/html"] and "Overfit" in bundle["text/html"]
    assert bundle["text/plain"].startswith("Depth 3: Overfit.")


def test_explorer_escapes_content_text(monkeypatch):
    real = load_training_text()
    hostile = dataclasses.replace(
        real, complexity="<i>Depth</i>", complexity_explanation="<script>x</script>",
        verdicts=dict.fromkeys(real.verdicts, ("<b>L</b>", "<img src=x onerror=alert(1)>", "a & b")),
    )
    monkeypatch.setattr(experiments, "load_training_text", lambda: hostile)
    monkeypatch.setattr(training_widgets, "load_training_text", lambda: hostile)
    w = OverfittingExplorer(CURVE)
    everything = "".join(c.value for c in w.children if isinstance(getattr(c, "value", None), str))
    assert "<script>" not in everything and "<img src=x" not in everything and "&lt;b&gt;L&lt;/b&gt;" in everything


@pytest.mark.parametrize("depth", [1, 3])
def test_static_text_is_the_verdict(depth):
    w = OverfittingExplorer(CURVE, depth=depth)
    assert w._static_text() == w.verdict.text()

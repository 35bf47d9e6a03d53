import logging

import ipywidgets as widgets
import pytest
from widget_checks import callback_sites, unguarded, walk

from mlworkflow.display import navigation
from mlworkflow.display.widgets import StageStepper
from mlworkflow.ui import is_guarded


def _svg(stepper: StageStepper) -> str:
    return stepper._diagram.outputs[0]["data"]["image/svg+xml"]


def test_starts_where_asked_and_shows_card_and_diagram():
    s = StageStepper(start=2)
    assert s.index == 2 and s.stage.key == "training"
    assert '<h3 class="mlw-card-title">Model Training</h3>' in s._card.value
    assert "Stage 3 of 6" in s._card.value and "Questions to ask your team" in s._card.value
    assert "current stage: Model Training" in _svg(s)
    assert StageStepper(start="deployment").stage.title == "Deployment"


def test_next_previous_clamp_at_the_ends():
    s = StageStepper()
    s.previous()
    assert s.index == 0 and s._prev_button.disabled and not s._next_button.disabled
    for _ in range(10):
        s.next()
    assert s.index == 5 and s._next_button.disabled
    s.index = 99
    assert s.index == 5
    s.index = -3
    assert s.index == 0


def test_buttons_and_stage_row_move_it_and_card_and_diagram_follow():
    s = StageStepper()
    s._next_button.click()
    assert s.stage.key == "data"
    assert "Data Collection and Preparation</h3>" in s._card.value
    assert "current stage: Data Collection and Preparation" in _svg(s)
    s._stage_buttons[4].click()
    assert s.index == 4 and "current stage: Deployment" in _svg(s)
    current = [b for b in s._stage_buttons if "mlw-current" in b._dom_classes]
    assert current == [s._stage_buttons[4]] and current[0].button_style == "info"
    s._prev_button.click()
    assert s.stage.key == "evaluation"


def test_go_to_by_key_and_unknown_key():
    s = StageStepper()
    s.go_to("monitoring")
    assert s.index == 5
    with pytest.raises(KeyError):
        s.go_to("testing")


def test_completed_and_loops_reach_the_diagram():
    s = StageStepper(start="evaluation", completed=["problem", "data", "training"], show_loops=True)
    src = s.diagram().source
    assert src.count("✓") == 3 and "style=dashed" in src
    s.show_loops = False
    assert "dashed" not in s.diagram().source


def test_static_fallback_where_widgets_cannot_run():
    s = StageStepper(start=1)
    bundle = s._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert '<h3 class="mlw-card-title">Data Collection and Preparation</h3>' in bundle["text/html"]
    assert "<svg" in bundle["text/html"] and "<?xml" not in bundle["text/html"]
    assert bundle["text/plain"].startswith("Stage 2 of 6: Data Collection and Preparation")


def test_static_fallback_without_graphviz_uses_text(monkeypatch):
    monkeypatch.setenv("MLWORKFLOW_GRAPHVIZ", "none")
    s = StageStepper(start=0)
    assert "can't be drawn here" in s._diagram.outputs[0]["data"]["text/plain"]
    assert "<pre>" in s._repr_mimebundle_()["text/html"]


def test_every_click_handler_and_observer_is_guarded():
    s = StageStepper()
    buttons = [w for w in walk(s) if isinstance(w, widgets.Button)]
    assert len(buttons) == 2 + 6
    for button in buttons:
        handlers = button._click_handlers.callbacks
        assert handlers and all(is_guarded(h) for h in handlers), button.description
    observers = [cb for where, cb in callback_sites(s) if where.endswith(" observer")]
    assert [o.__name__ for o in observers] == ["_on_change", "_on_change"]  # index and show_loops
    assert unguarded(s) == []


def test_a_failing_render_is_said_in_the_widget_not_raised(monkeypatch, caplog):
    s = StageStepper()

    def broken(*_args, **_kwargs):
        raise RuntimeError("card exploded")

    monkeypatch.setattr(navigation, "stage_card_html", broken)
    with caplog.at_level(logging.ERROR, logger="mlworkflow"):
        s._next_button.click()  # no exception escapes
    assert s.index == 1
    alert = s.children[-1]
    assert isinstance(alert, widgets.HTML) and 'role="alert"' in alert.value
    assert "Something went wrong while showing the stage (RuntimeError)." in alert.value
    assert "card exploded" in caplog.text


def test_a_step_sends_few_messages_and_the_card_and_diagram_first(monkeypatch):
    """Each widget message is a round trip's worth of work in the page: a step sends one per changed widget."""
    stepper = StageStepper(1)
    sent: list[tuple[str, tuple[str, ...]]] = []
    monkeypatch.setattr(widgets.Widget, "_send",
                        lambda self, msg, buffers=None: sent.append((type(self).__name__, tuple(msg.get("state", {})))))
    stepper.next()
    assert [name for name, _ in sent[:2]] == ["HTML", "Output"]  # the new card, then the diagram
    assert len(sent) <= 6, sent  # card, diagram, position, and the two stage buttons in one message each
    assert sum(name == "Button" for name, _ in sent) <= 3

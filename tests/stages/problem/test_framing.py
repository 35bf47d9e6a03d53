"""Framing a business goal: content loading and validation, judging (pure), and the widget."""

import copy
import json

import pytest
from traitlets import TraitError

from mlworkflow.core.content import ContentError
from mlworkflow.stages.problem.framing import (
    MODEL_METRIC_AS_GOAL,
    ProblemFramer,
    frame,
    load_framing,
    static_html,
)


def _metric(mid="m1", level="business", strength="strong"):
    return {"id": mid, "label": f"Metric {mid}", "level": level, "strength": strength, "why": f"Why {mid}"}


def _content():
    return {
        "title": "Framing", "case": "A case.",
        "goals": [{
            "id": "g1", "label": "Goal one", "strength": "strong", "why": "Clear.",
            "targets": [{"id": "t1", "label": "Target one", "kind": "Classification", "decision": "Act.",
                         "strength": "strong", "why": "Good."}],
            "success_metrics": [_metric("s1"), _metric("s2", level="model")],
            "model_metrics": [_metric("m1", level="model")],
        }],
    }


def _write(tmp_path, data):
    path = tmp_path / "framing.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# -- shipped content ------------------------------------------------------------------

def test_shipped_content_starts_with_the_course_case():
    content = load_framing()
    churn = content.goals[0]
    assert churn.id == "keep-subscribers" and churn.targets[0].id == "cancel-next-month"
    assert any(g.strength == "weak" for g in content.goals), "one goal should show what a weak goal looks like"
    for g in content.goals:
        assert "accuracy" in {m.id for m in g.success_metrics}, "accuracy-as-the-goal should be flaggable everywhere"


def test_default_churn_framing_is_strong():
    framing = frame(load_framing(), "keep-subscribers")
    assert framing.flags == () and framing.strength == "strong"
    text = framing.text()
    assert text.splitlines()[0] == "Goal: Keep more subscribers"
    assert "Verdict: Ready to take to your team." in text


def test_accuracy_as_the_goal_is_flagged():
    framing = frame(load_framing(), "keep-subscribers", success_metric="accuracy")
    assert framing.strength == "weak"
    assert any("85% accurate" in message for _, message in framing.flags)
    assert "- WEAK: Success metric:" in framing.text()


def test_a_model_metric_as_success_is_flagged_even_if_content_says_strong(tmp_path):
    content = load_framing(_write(tmp_path, _content()))
    framing = frame(content, "g1", success_metric="s2")
    assert ("weak", MODEL_METRIC_AS_GOAL) in framing.flags


def test_mixed_choice_gives_a_mixed_verdict():
    framing = frame(load_framing(), "keep-subscribers", target="churners-next-quarter")
    assert framing.strength == "mixed" and framing.flags[0][0] == "mixed"


def test_unknown_ids_name_the_options():
    content = load_framing()
    with pytest.raises(ValueError, match="keep-subscribers"):
        frame(content, "nope")
    with pytest.raises(ValueError, match="cancel-next-month"):
        frame(content, "keep-subscribers", target="next-title")


# -- malformed content ----------------------------------------------------------------

@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda d: d["goals"][0].update(strength="ok"), "goals[0].strength"),
        (lambda d: d["goals"][0]["success_metrics"][1].update(level="team"), "goals[0].success_metrics[1].level"),
        (lambda d: d["goals"][0].pop("targets"), "goals[0].targets"),
        (lambda d: d["goals"][0]["targets"][0].pop("decision"), "goals[0].targets[0].decision"),
        (lambda d: d["goals"][0]["model_metrics"].append(_metric("m1", level="model")), "goals[0].model_metrics[1].id"),
        (lambda d: d.update(goals=[]), "goals"),
    ],
)
def test_malformed_content_names_file_and_field(tmp_path, mutate, field):
    data = copy.deepcopy(_content())
    mutate(data)
    path = _write(tmp_path, data)
    with pytest.raises(ContentError) as err:
        load_framing(path)
    assert err.value.field == field and str(path) in str(err.value)


# -- widget ---------------------------------------------------------------------------

def _summary_text(framer):
    return framer._summary.outputs[0]["data"]["text/plain"]


def test_widget_defaults_and_explicit_choices():
    framer = ProblemFramer()
    assert (framer.goal, framer.target) == ("keep-subscribers", "cancel-next-month")
    assert "Ready to take" in _summary_text(framer)
    weak = ProblemFramer(goal="keep-subscribers", success_metric="accuracy", model_metric="accuracy")
    assert weak.framing.strength == "weak"
    assert weak.summary() == _summary_text(weak)
    assert "mlw-frame-flag-weak" in weak._summary.outputs[0]["data"]["text/html"]


def test_changing_goal_resets_the_other_choices():
    framer = ProblemFramer(target="why-they-leave")
    framer._dropdowns["goal"].value = "watch-more"
    assert framer.goal == "watch-more" and framer.target == "next-title"
    assert [v for _, v in framer._dropdowns["target"].options] == ["next-title", "hours-next-month"]
    assert framer._dropdowns["success_metric"].value == framer.success_metric == "hours-per-subscriber"
    framer._dropdowns["target"].value = "hours-next-month"
    assert framer.target == "hours-next-month"
    assert "MIXED" in _summary_text(framer)


def test_invalid_choices_are_refused():
    framer = ProblemFramer()
    with pytest.raises(TraitError, match="there is no target"):
        framer.target = "next-title"
    with pytest.raises(TraitError, match="keep-subscribers"):
        ProblemFramer(goal="nope")


def test_every_shown_string_is_escaped(tmp_path):
    data = _content()
    data["title"] = "<script>x</script>"
    data["goals"][0]["label"] = "Keep <b>more</b>"
    data["goals"][0]["targets"][0]["decision"] = "A & B"
    framer = ProblemFramer(path=_write(tmp_path, data))
    shown = framer.children[0].value + framer._summary.outputs[0]["data"]["text/html"]
    shown += static_html(framer.framing, framer.content)
    assert "<script>" not in shown and "<b>more" not in shown
    assert "&lt;script&gt;" in shown and "A &amp; B" in shown


def test_static_fallback_shows_the_current_framing():
    data = ProblemFramer(success_metric="accuracy")._repr_mimebundle_()
    assert "mlw-framer-static" in data["text/html"] and "Model accuracy of 95%" in data["text/html"]
    assert data["text/plain"].startswith("Goal: Keep more subscribers")

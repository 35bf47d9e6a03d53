"""Framing a business goal: content loading and validation, judging and rendering (all pure)."""

import copy
import json

import pytest

from mlworkflow.core.content import ContentError
from mlworkflow.stages.problem import framing as framing_module
from mlworkflow.stages.problem.framing import find_choice, frame, load_framing, static_html


def _metric(mid="m1", level="business", strength="strong"):
    return {"id": mid, "label": f"Metric {mid}", "level": level, "strength": strength, "why": f"Why {mid}"}


def _content():
    return {
        "title": "Framing", "case": "A case.",
        "verdicts": {"strong": "Go.", "mixed": "Hmm.", "weak": "Stop."},
        "model_metric_as_goal": "Use a business number.",
        "static_note": "Run it.",
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
    assert ("weak", "Use a business number.") in framing.flags
    assert framing.verdict == "Stop." and "Verdict: Stop." in framing.text()
    assert frame(content, "g1").verdict == "Go."


def test_old_constants_still_read_from_the_content():
    content = load_framing()
    assert content.model_metric_as_goal == framing_module.MODEL_METRIC_AS_GOAL
    assert framing_module.VERDICTS["weak"] == "Needs work before anyone builds a model."
    with pytest.raises(AttributeError):
        framing_module.NOT_A_NAME  # noqa: B018 - the attribute access is what is tested


def test_a_model_metric_alone_is_never_strong():
    """Flag everyone and recall is 100%: only a metric tied to the offer budget checks the ranking."""
    churn = load_framing().goal("keep-subscribers")
    metrics = {m.id: m for m in churn.model_metrics}
    assert metrics["recall"].strength == metrics["precision"].strength == "mixed"
    assert "100%" in metrics["recall"].why
    assert metrics["recall-in-budget"].strength == "strong" and "budget" in metrics["recall-in-budget"].label
    framing = frame(load_framing(), "keep-subscribers", model_metric="recall")
    assert framing.strength == "mixed" and "flag everyone" in framing.text()
    for goal in load_framing().goals:
        assert not any(m.strength == "strong" for m in goal.success_metrics if m.level == "model"), goal.id


def test_strong_churn_success_metrics_are_measured_against_a_random_holdout():
    churn = load_framing().goal("keep-subscribers")
    strong = [m for m in churn.success_metrics if m.strength == "strong"]
    assert strong and all("random" in m.label and "holdout" in m.label for m in strong)
    metrics = {m.id: m for m in churn.success_metrics}
    assert metrics["churn-rate"].strength == "mixed"  # moves with prices and seasons too
    assert metrics["offered-vs-not"].strength == "weak"  # the unflagged looked safe to begin with
    assert frame(load_framing(), "keep-subscribers", success_metric="offered-vs-not").strength == "weak"


def test_mixed_choice_gives_a_mixed_verdict():
    framing = frame(load_framing(), "keep-subscribers", target="churners-next-quarter")
    assert framing.strength == "mixed" and framing.flags[0][0] == "mixed"


def test_unknown_ids_name_the_options():
    content = load_framing()
    with pytest.raises(ValueError, match="keep-subscribers"):
        frame(content, "nope")
    with pytest.raises(ValueError, match="cancel-next-month"):
        frame(content, "keep-subscribers", target="next-title")
    assert find_choice(content.goals, "watch-more", "goal").label == content.goals[1].label


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
        (lambda d: d["verdicts"].pop("mixed"), "verdicts.mixed"),
        (lambda d: d.update(model_metric_as_goal=""), "model_metric_as_goal"),
        (lambda d: d.pop("static_note"), "static_note"),
    ],
)
def test_malformed_content_names_file_and_field(tmp_path, mutate, field):
    data = copy.deepcopy(_content())
    mutate(data)
    path = _write(tmp_path, data)
    with pytest.raises(ContentError) as err:
        load_framing(path)
    assert err.value.field == field and str(path) in str(err.value)


# -- rendering ------------------------------------------------------------------------

def test_html_card_marks_each_part_and_the_flags():
    framing = frame(load_framing(), "keep-subscribers", success_metric="accuracy")
    html = framing.html()
    assert 'class="mlw-frame-weak"' in html and "mlw-frame-flag-weak" in html
    assert "mlw-frame-verdict-weak" in html and "Needs work before anyone builds a model." in html


def test_static_html_shows_case_card_and_note():
    content = load_framing()
    html = static_html(frame(content, "keep-subscribers", success_metric="accuracy"), content)
    assert "mlw-framer-static" in html and "Model accuracy of 95%" in html
    assert "Run this notebook in Jupyter to try other goals" in html


def test_every_shown_string_is_escaped(tmp_path):
    data = _content()
    data["title"] = "<script>x</script>"
    data["goals"][0]["label"] = "Keep <b>more</b>"
    data["goals"][0]["targets"][0]["decision"] = "A & B"
    content = load_framing(_write(tmp_path, data))
    shown = static_html(frame(content, "g1"), content)
    assert "<script>" not in shown and "<b>more" not in shown
    assert "&lt;script&gt;" in shown and "A &amp; B" in shown

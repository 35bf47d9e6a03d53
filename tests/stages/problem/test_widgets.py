"""The problem-definition widgets: RequestSorter and ProblemFramer, their guards and their fallbacks."""

import json

import pytest
from traitlets import TraitError
from widget_checks import own_callbacks, unguarded, walk

import mlworkflow.stages.problem.widgets as widgets_module
from mlworkflow.stages.problem.widgets import ProblemFramer, RequestSorter


def _alerts(widget):
    return [w.value for w in walk(widget) if 'role="alert"' in str(getattr(w, "value", ""))]


# -- RequestSorter --------------------------------------------------------------------

def _choice(sorter, rid):
    return sorter._choices[rid]


def test_sorter_callbacks_are_all_guarded():
    sorter = RequestSorter()
    callbacks = own_callbacks(sorter)
    assert len(callbacks) >= 1 + len(sorter.content.requests) + 1  # Check, one per card, the state observer
    assert unguarded(sorter) == []


def test_sorter_error_is_said_in_its_status_line(monkeypatch):
    sorter = RequestSorter()

    def broken(*args, **kwargs):
        raise RuntimeError("grading broke")

    monkeypatch.setattr(widgets_module, "grade_sort", broken)
    sorter._check_button.click()  # must not raise
    said = sorter._status.outputs[0]["data"]["text/plain"]
    assert said.startswith("Something went wrong while") and "RuntimeError" in said


def test_headless_sort_is_graded_and_shown():
    sorter = RequestSorter(answers={"vat-rate": "rules", "ai-strategy": "ml"})
    assert sorter.checked
    assert _choice(sorter, "vat-rate").value == "rules"
    assert sorter.result.score == 1
    html = sorter._feedback["ai-strategy"].outputs[0]["data"]["text/html"]
    assert "mlw-sort-incorrect" in html and "Not a problem yet" in html
    assert "1 of 10 sorted correctly" in sorter._status.outputs[0]["data"]["text/plain"]
    assert "[Not quite]" in sorter.report() and "vat-rate" not in sorter.report(mistakes_only=True)


def test_picking_hides_feedback_until_check():
    sorter = RequestSorter(answers={"vat-rate": "rules"})
    _choice(sorter, "vat-rate").value = "ml"
    assert sorter.answers == {"vat-rate": "ml"} and not sorter.checked
    assert sorter._feedback["vat-rate"].outputs == ()
    sorter._check_button.click()
    assert sorter.checked
    assert "mlw-sort-incorrect" in sorter._feedback["vat-rate"].outputs[0]["data"]["text/html"]
    sorter.answers = {}
    assert _choice(sorter, "vat-rate").value is None and sorter._status.outputs == ()


def test_a_new_pick_hides_the_score_and_that_cards_feedback_only():
    sorter = RequestSorter(answers={"vat-rate": "rules", "ai-strategy": "ml"})
    assert sorter._feedback["ai-strategy"].outputs and sorter._status.outputs
    _choice(sorter, "vat-rate").value = "ml"
    assert not sorter.checked and sorter._status.outputs == ()
    assert sorter._feedback["vat-rate"].outputs == ()
    assert "Not a problem yet" in sorter._feedback["ai-strategy"].outputs[0]["data"]["text/html"]  # still true
    _choice(sorter, "ai-strategy").value = "rules"  # a second pick, unchecked: only that card again
    assert sorter._feedback["ai-strategy"].outputs == ()
    sorter.check()
    assert all(out.outputs for rid, out in sorter._feedback.items() if rid in sorter.answers)


def test_invalid_answers_are_refused():
    sorter = RequestSorter()
    with pytest.raises(TraitError, match="there is no pile"):
        sorter.answers = {"vat-rate": "maybe"}
    with pytest.raises(TraitError):
        RequestSorter(answers={"nope": "ml"})


def test_sorter_escapes_what_it_shows(tmp_path):
    content = {
        "title": "<i>T</i>", "intro": "Sort.",
        "categories": [{"id": p, "label": p, "description": p} for p in ("ml", "rules")],
        "requests": [{"id": "r1", "from": "<b>Ops</b>", "text": "<script>alert(1)</script>", "answer": "rules",
                      "explanation": "a < b & c"}],
        "feedback": {"right": "Yes.", "not_quite": "No: {best}.", "not_sorted": "Open.", "static_note": "Run."},
        "verdicts": {"correct": "Right", "incorrect": "Wrong", "unsorted": "Open"},
    }
    path = tmp_path / "requests.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    sorter = RequestSorter(answers={"r1": "ml"}, path=path)
    shown = " ".join(w.value for w in walk(sorter) if isinstance(getattr(w, "value", None), str))
    shown += sorter._feedback["r1"].outputs[0]["data"]["text/html"]
    assert "<script>" not in shown and "<b>Ops" not in shown and "<i>T" not in shown
    assert "&lt;script&gt;" in shown and "a &lt; b &amp; c" in shown


def test_sorter_static_fallback_lists_cards_without_answers():
    data = RequestSorter()._repr_mimebundle_()
    assert "mlw-sorter-static" in data["text/html"]
    assert "Billing team" in data["text/html"] and "Best fit" not in data["text/html"]
    assert "1. Head of Retention" in data["text/plain"]


# -- ProblemFramer --------------------------------------------------------------------

def _summary_text(framer):
    return framer._summary.outputs[0]["data"]["text/plain"]


def test_framer_callbacks_are_all_guarded():
    framer = ProblemFramer()
    callbacks = own_callbacks(framer)
    assert len(callbacks) >= 4 + 1  # one per drop-down, and the state observer
    assert unguarded(framer) == []


def test_framer_error_is_said_in_the_widget(monkeypatch):
    framer = ProblemFramer()

    def broken(*args, **kwargs):
        raise KeyError("no such framing")

    monkeypatch.setattr(widgets_module, "frame", broken)
    framer._dropdowns["success_metric"].value = "accuracy"  # must not raise
    assert framer.success_metric == "accuracy"
    alerts = _alerts(framer)
    assert len(alerts) == 1 and "Something went wrong while updating the framing card (KeyError)" in alerts[0]


def test_framer_defaults_and_explicit_choices():
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


def test_framer_escapes_what_it_shows(tmp_path):
    content = {
        "title": "<script>x</script>", "case": "A & B",
        "verdicts": {"strong": "Go.", "mixed": "Hmm.", "weak": "Stop."},
        "model_metric_as_goal": "Use money.", "static_note": "Run.",
        "goals": [{"id": "g1", "label": "Keep <b>more</b>", "strength": "strong", "why": "Clear.",
                   "targets": [{"id": "t1", "label": "T", "kind": "K", "decision": "D", "strength": "strong",
                                "why": "W"}],
                   "success_metrics": [{"id": "s1", "label": "S", "level": "business", "strength": "strong",
                                        "why": "W"}],
                   "model_metrics": [{"id": "m1", "label": "M", "level": "model", "strength": "strong",
                                      "why": "W"}]}],
    }
    path = tmp_path / "framing.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    framer = ProblemFramer(path=path)
    head = framer.children[0].value
    assert head.startswith("<style>") and "&lt;script&gt;" in head and "A &amp; B" in head
    assert "<b>more" not in framer._summary.outputs[0]["data"]["text/html"]


def test_framer_static_fallback_shows_the_current_framing():
    data = ProblemFramer(success_metric="accuracy")._repr_mimebundle_()
    assert "mlw-framer-static" in data["text/html"] and "Model accuracy of 95%" in data["text/html"]
    assert data["text/plain"].startswith("Goal: Keep more subscribers")

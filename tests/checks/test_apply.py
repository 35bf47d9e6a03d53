
import pytest

from mlworkflow import ApplyToProject, stage_notes
from mlworkflow.checks.apply import load_prompts, section_for
from mlworkflow.core.course import load_course
from mlworkflow.core.progress import ProgressStore


@pytest.fixture
def store(tmp_path):
    return ProgressStore(home=tmp_path / "home")


def test_every_stage_has_a_prompt_with_guide_and_example():
    prompts = load_prompts()
    assert list(prompts) == list(load_course().keys)
    for p in prompts.values():
        assert p.prompt.endswith("?") and len(p.guide) >= 2 and len(p.example) > 80


def test_answer_autosaves_and_comes_back_after_restart(store):
    first = ApplyToProject("data", store=store, autosave_delay=0)
    first.answer = "Billing DB (Finance) and the product event log."
    assert store.load(section_for("data")) == {"answer": "Billing DB (Finance) and the product event log."}
    assert first.status == "Saved."
    again = ApplyToProject("data", store=store)  # a re-run, or a new kernel
    assert again.answer == "Billing DB (Finance) and the product event log."
    assert again._box.value == again.answer and "back" in again.status
    assert ApplyToProject("training", store=store).answer == ""  # stages don't share answers


def test_prefilled_example_is_never_saved(store):
    store.save(section_for("problem"), {"answer": "mine"})
    demo = ApplyToProject("problem", answer="an example", store=store, autosave_delay=0)
    demo.answer = "changed example"
    assert demo.save_now() is False
    assert store.load(section_for("problem")) == {"answer": "mine"}
    assert "not saved" in demo.status


def test_save_error_is_said_and_text_kept(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    widget = ApplyToProject("evaluation", store=ProgressStore(home=blocker / "home"), autosave_delay=0)
    widget.answer = "my precious words"
    assert widget.answer == "my precious words" and widget._box.value == "my precious words"
    assert "still in the box" in widget.status and "Traceback" not in widget.status


def test_learner_text_is_escaped_in_static_html(store):
    widget = ApplyToProject("monitoring", store=store, autosave_delay=0)
    widget.answer = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    html = widget._repr_mimebundle_()["text/html"]
    assert "<script>" not in html and "<img" not in html and "&lt;script&gt;" in html


def test_example_on_request(store):
    widget = ApplyToProject("deployment", store=store)
    assert widget._example.value == ""
    widget._example_button.click()
    assert "nightly batch" in widget._example.value and widget._example_button.disabled


def test_unknown_stage():
    with pytest.raises(KeyError):
        ApplyToProject("marketing")


def test_stage_notes_html_and_text():
    notes = stage_notes("evaluation")
    assert "Why this matters for PMs" in notes._repr_html_() and "Questions to ask your team" in notes._repr_html_()
    assert repr(notes).startswith("Why it matters:")
    assert "Red flags" in stage_notes("evaluation", "red_flags")._repr_html_()
    with pytest.raises(ValueError, match="unknown section"):
        stage_notes("evaluation", "gossip")

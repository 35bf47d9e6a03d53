"""Tests for the ProblemStatementForm widget, driven without a browser or kernel."""

from __future__ import annotations

import base64
import json
import re

import pytest
from statements import STRONG
from widget_checks import callback_sites, unguarded

import mlworkflow.exercise.widgets as form_module
from mlworkflow import ProblemStatementForm
from mlworkflow.core.progress import ProgressError, ProgressStore
from mlworkflow.exercise.rubric import load_exercise


@pytest.fixture
def store(tmp_path):
    return ProgressStore(home=tmp_path / "home")


def _form(store, **kwargs):
    kwargs.setdefault("autosave_delay", 0)
    return ProblemStatementForm(store=store, export_dir=store.home.parent / "exports", **kwargs)


def _html(output) -> str:
    return "".join(o["data"].get("text/html", "") for o in output.outputs)


def _classes(widget) -> set[str]:
    found = set(getattr(widget, "_dom_classes", ()))
    for child in getattr(widget, "children", ()):
        found |= _classes(child)
    return found


def test_every_button_and_observer_is_guarded(store):
    form = _form(store)
    found = callback_sites(form)
    assert sum("click" in where for where, _ in found) == 7
    observed = {where.split()[0] for where, _ in found if "observer" in where}
    assert {f"ProblemStatementForm.{name}" for name in ("problem", "hints_shown", "status")} <= observed
    assert unguarded(form) == []


def test_prefilled_form_gives_feedback_and_is_not_saved(store):
    demo = ProblemStatementForm(store=store, **STRONG)
    assert demo.values["problem"] == STRONG["problem"]
    assert "not saved" in demo.status
    text = demo.feedback_text()
    assert text.splitlines()[0] == f"{demo.assessment.level}: {demo.assessment.summary}"
    assert demo.assessment.score >= 14
    html = _html(demo._feedback_out)
    assert html.count('class="mlw-criterion ') == len(demo.assessment.criteria)
    assert not store.path.exists()


def test_feedback_button_shows_each_criterion(store):
    form = _form(store)
    form.set_values(**STRONG)
    form._feedback_button.click()
    form._feedback_button.click()
    assert len(form._feedback_out.outputs) == 1  # replaced, not piled up
    html = _html(form._feedback_out)
    for criterion in form.assessment.criteria:
        assert criterion.title.replace('"', "&quot;") in html
    assert "For a human to judge" in html


def test_learner_markup_is_escaped_everywhere(store):
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    form = _form(store, problem=evil, outcome=evil, data_sources=evil)
    form.get_feedback()
    shown = _html(form._feedback_out) + form._static_html() + form._status.value
    assert "<script" not in shown and "<img" not in shown
    assert "&lt;script&gt;" in shown


def test_autosave_and_refill_across_two_forms(store):
    first = _form(store)
    first.problem = "Our planners guess demand 😀"
    first.labels = "Two years of sales history"
    first.reveal_hint()
    assert first.status == "All changes saved."
    second = _form(store)
    assert second.problem == "Our planners guess demand 😀"
    assert second.labels == "Two years of sales history"
    assert second.hints_shown == 1
    assert second._optional.selected_index == 0  # optional answers are opened, not hidden
    assert "restored" in second.status


def test_autosave_waits_for_a_pause_then_saves(store):
    form = _form(store, autosave_delay=60)
    form.problem = "typing..."
    assert store.load("exercise") == {} and form._debouncer.pending
    form._debouncer.flush()
    assert store.load("exercise")["fields"]["problem"] == "typing..."


def test_feedback_saves_the_text_it_is_for_and_says_so(store):
    form = _form(store, autosave_delay=60)
    form.problem = "Nurses lose an hour a shift chasing beds."
    assert store.load("exercise") == {}  # the autosave waits for a pause
    form.get_feedback()
    assert store.load("exercise")["fields"]["problem"] == "Nurses lose an hour a shift chasing beds."
    assert form.status == "Feedback below is for your current text, which is saved." and form.status_kind == "ok"
    assert not form._debouncer.pending
    demo = ProblemStatementForm(problem="Example text.", store=store)  # prefilled: never saved
    demo.get_feedback()
    assert demo.status == "Feedback below is for your current text."


def test_sections_keep_other_widgets_answers(store):
    store.save("quiz/problem", {"answers": [2]})
    _form(store).problem = "mine"
    assert store.load("quiz/problem") == {"answers": [2]}
    other = _form(store, section="exercise/second-try")
    assert other.problem == ""


def test_hints_appear_one_at_a_time(store):
    form = _form(store)
    hints = load_exercise().hints
    assert form._hints_html.value == "" and "1 of 2" in form._hint_button.description
    form._hint_button.click()
    assert hints[0][:30] in form._hints_html.value and hints[1][:30] not in form._hints_html.value
    form._hint_button.click()
    form.reveal_hint()
    assert form.hints_shown == len(hints) and form._hint_button.disabled


def test_worked_example_on_request(store):
    form = _form(store)
    assert form._example_out.outputs == ()
    form._example_button.click()
    assert "Worked example" in _html(form._example_out)
    form._example_button.click()
    assert form._example_out.outputs == ()


def test_save_error_is_said_plainly_and_text_is_kept(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    form = _form(ProgressStore(home=blocker))
    form.problem = "precious words"
    assert form.status_kind == "error"
    assert "not a folder" in form.status and "still in the form" in form.status
    assert "Traceback" not in form._status.value
    assert form.problem == "precious words"


def test_unexpected_error_in_a_callback_is_said_not_raised(store, monkeypatch):
    def broken(**_):
        raise RuntimeError("boom")

    monkeypatch.setattr(form_module, "assess", broken)
    form = _form(store, **STRONG)
    form._feedback_button.click()  # must not raise
    assert form.status_kind == "error" and form.status.startswith("Something went wrong while checking your statement")
    assert "boom" not in form.status and "Traceback" not in form._status.value
    assert 'role="alert"' in form._status.value and form.problem == STRONG["problem"]


def test_corrupt_progress_file_is_reported_on_refill(store):
    store.home.mkdir()
    store.path.write_text("{broken", encoding="utf-8")
    form = _form(store)
    assert "damaged" in form.status and ".damaged-" in form.status
    form.problem = "new text"
    assert store.load("exercise")["fields"]["problem"] == "new text"


def test_export_markdown_and_json(store):
    form = _form(store, **STRONG)
    md_path, json_path = form.export_markdown(), form.export_json()
    assert md_path.name == "my_ml_problem_statement.md" and "Saved" in form.status and "Download" in form.status
    md = md_path.read_text(encoding="utf-8")
    # the last export is offered as a browser download that carries the file itself
    offered = r'download="([^"]+)" href="data:application/json;charset=utf-8;base64,([^"]+)"'
    link = re.search(offered, form._download.value)
    assert link and link.group(1) == json_path.name
    assert base64.b64decode(link.group(2)).decode("utf-8") == json_path.read_text(encoding="utf-8")
    assert "## Problem statement" in md and "Maintenance technicians" in md and "## Feedback" in md
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert data["statement"]["problem"] == STRONG["problem"] and data["criteria"]


def test_export_failure_is_said(store, tmp_path):
    (tmp_path / "file").write_text("x")
    form = _form(store, **STRONG)
    assert form.export_markdown(tmp_path / "file" / "x.md") is None
    assert form.status_kind == "error" and "Could not write" in form.status


def test_huge_and_multilingual_text_is_saved_whole(store):
    big = "Clients 顧客 عملاء 🚀 wait too long. " * 3000
    form = _form(store)
    form.problem = big
    result = form.get_feedback()
    assert any("very long" in n for n in result.notices)
    assert _form(store).problem == big


def test_changed_text_marks_feedback_stale(store):
    form = _form(store, **STRONG)
    form.get_feedback()
    form.outcome += " More."
    assert "changed your text" in form.status


def test_css_classes_for_browser_tests(store):
    classes = _classes(_form(store))
    expected = {"mlw-problem-form", "mlw-exercise-header", "mlw-hints", "mlw-hint-button", "mlw-optional",
                "mlw-actions", "mlw-feedback-button", "mlw-example-button", "mlw-export-md-button",
                "mlw-export-json-button", "mlw-status", "mlw-feedback", "mlw-example", "mlw-field-problem",
                "mlw-field-outcome", "mlw-field-data_sources"}
    assert expected <= classes


def test_static_rendering_for_places_without_widgets(store):
    form = _form(store, **STRONG)
    form.get_feedback()
    bundle = form._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "Define an ML problem" in data["text/html"] and "mlw-criteria" in data["text/html"]
    assert data["text/plain"].startswith("ProblemStatementForm: Define an ML problem")


def test_unknown_field_is_a_type_error(store):
    with pytest.raises(TypeError, match="unknown field"):
        _form(store, budget="big")
    with pytest.raises(TypeError, match="unknown field"):
        _form(store).set_values(budget="big")


# -- submitting to the workshop ---------------------------------------------------------------
def _submitted(folder) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


def test_submit_writes_one_file_per_learner_and_resubmitting_replaces_it(store, tmp_path, monkeypatch):
    monkeypatch.delenv("MLWORKFLOW_SUBMIT_DIR", raising=False)
    room = tmp_path / "room"
    room.mkdir()
    form = _form(store)
    form.set_values(**STRONG)
    form.learner = "Ana Lima"
    path = form.submit(room)
    assert path.parent == room and path.name.startswith("ana-lima-") and "Handed in" in form.status
    [data] = _submitted(room)
    assert data["format"] == "mlworkflow-submission" and data["name"] == "Ana Lima"
    assert data["statement"]["problem"] == STRONG["problem"] and "score" not in data
    form.problem = "A better problem statement."
    form._submit_button.click()  # the folder is remembered in the box
    assert [d["statement"]["problem"] for d in _submitted(room)] == ["A better problem statement."]
    again = _form(store)  # after a restart: same name, folder and file
    assert (again.learner, again.submit_dir) == ("Ana Lima", str(room))
    assert again.submit().name == path.name and len(_submitted(room)) == 1


def test_submit_reads_folder_and_name_from_the_environment(store, tmp_path, monkeypatch):
    monkeypatch.setenv("MLWORKFLOW_SUBMIT_DIR", str(tmp_path))
    monkeypatch.setenv("MLWORKFLOW_LEARNER", "  Sam \n Lee ")
    form = _form(store)
    assert form._folder_box.value == str(tmp_path) and form.learner == "Sam Lee"
    form.set_values(**STRONG)
    assert form.submit().name.startswith("sam-lee-")
    assert _submitted(tmp_path)[0]["name"] == "Sam Lee"


def test_submit_without_a_usable_folder_says_so_and_keeps_the_text(store, tmp_path, monkeypatch):
    monkeypatch.delenv("MLWORKFLOW_SUBMIT_DIR", raising=False)
    form = _form(store)
    form.set_values(**STRONG)
    assert form.submit() is None
    assert form.status_kind == "error" and "No workshop folder is set" in form.status
    assert form.submit(tmp_path / "missing") is None and "does not exist" in form.status
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert form.submit(blocker) is None and "is not a folder" in form.status

    def refuse(path, text, **_options):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("mlworkflow.exercise.submit.atomic_write", refuse)
    assert form.submit(tmp_path) is None
    assert "read-only or you do not have permission" in form.status and "Export JSON" in form.status
    assert form.values["problem"] == STRONG["problem"] and list(tmp_path.glob("*.json")) == []
    assert 'role="alert"' in form._status.value


def test_submit_an_empty_form_or_a_prefilled_example(store, tmp_path):
    assert _form(store).submit(tmp_path) is None
    demo = ProblemStatementForm(store=store, **STRONG)
    assert demo.submit(tmp_path) is not None and "submit" not in store.sections()  # the demo saves nothing


def test_submitted_file_survives_odd_names(store, tmp_path):
    form = _form(store)
    form.set_values(**STRONG)
    form.learner = "../../<script>Zoë</script>"
    path = form.submit(tmp_path)
    assert path.parent == tmp_path and path.name.startswith("script-zo-script-")
    assert _submitted(tmp_path)[0]["name"] == "../../<script>Zoë</script>"


# -- a restore that failed never autosaves over the saved answers (issue 13) -------------------
class _UnreadableStore(ProgressStore):
    readable = False

    def load(self, section):
        if not self.readable and section == "exercise":
            raise ProgressError(f"Could not read your saved answers in {self.path}: permission denied.")
        return super().load(section)


def test_form_that_could_not_load_saves_nothing_until_it_can(tmp_path):
    ProgressStore(home=tmp_path).save("exercise", {"version": 1, "fields": {"problem": "yesterday"}, "hints_shown": 1})
    store = _UnreadableStore(home=tmp_path)
    form = ProblemStatementForm(store=store, autosave_delay=0, export_dir=tmp_path)
    assert "could not be loaded yet" in form.status and form._fresh_button.layout.display != "none"
    form.problem = "today"
    assert ProgressStore(home=tmp_path).load("exercise")["fields"] == {"problem": "yesterday"}
    store.readable = True
    form._keeper._retry.flush()  # the retry loads, keeps both texts, then saves
    assert form.problem == "yesterday\n\ntoday" and form.hints_shown == 1
    assert ProgressStore(home=tmp_path).load("exercise")["fields"]["problem"] == "yesterday\n\ntoday"
    assert form._fresh_button.layout.display == "none"
    form.close()


def test_form_start_fresh_anyway(tmp_path):
    ProgressStore(home=tmp_path).save("exercise", {"version": 1, "fields": {"problem": "yesterday"}})
    form = ProblemStatementForm(store=_UnreadableStore(home=tmp_path), autosave_delay=0, export_dir=tmp_path)
    form.problem = "from scratch"
    form._fresh_button.click()
    assert ".set-aside-" in form.status
    assert ProgressStore(home=tmp_path).load("exercise")["fields"]["problem"] == "from scratch"
    form.close()


def test_wrong_typed_workshop_details_are_set_aside_at_the_next_submit(store, tmp_path):
    store.save("submit", {"name": ["not", "text"], "folder": str(tmp_path)})
    form = _form(store)
    form.set_values(**STRONG)
    assert form.submit(tmp_path) is not None
    copy = next(p for p in store.home.iterdir() if ".set-aside-" in p.name)
    assert json.loads(copy.read_text())["sections"]["submit"]["name"] == ["not", "text"]
    assert set(store.load("submit")) == {"name", "id", "folder"}


def test_a_hand_in_confirmation_is_not_replaced_by_the_autosave_right_after(store, tmp_path, monkeypatch):
    form = _form(store, **STRONG)
    (tmp_path / "drop").mkdir()
    assert form.submit(tmp_path / "drop") is not None, form.status
    handed = form.status
    assert handed.startswith("Handed in")
    form._said_saved([])  # the autosave that follows the hand-in
    assert form.status == handed
    monkeypatch.setattr(form_module, "LASTING_SECONDS", 0.0)
    form.submit(tmp_path / "drop")
    form._said_saved([])
    assert form.status == "All changes saved."  # later saves are said again

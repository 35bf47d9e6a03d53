"""The check widgets (Quiz, ApplyToProject, ProjectBrief), driven without a browser or kernel."""

import base64
import json
import re

import pytest
from traitlets import TraitError
from widget_checks import callback_sites, unguarded, walk

import mlworkflow.checks.widgets as check_widgets
from mlworkflow import ApplyToProject, ProjectBrief, Quiz
from mlworkflow.checks.apply import section_for
from mlworkflow.checks.quiz import quiz_order, static_html
from mlworkflow.core.progress import ProgressError, ProgressStore
from mlworkflow.core.text import html_escape


@pytest.fixture
def store(tmp_path):
    return ProgressStore(home=tmp_path / "home")


@pytest.fixture
def no_graphviz(monkeypatch):
    monkeypatch.setenv("MLWORKFLOW_GRAPHVIZ", "none")


def _assert_all_guarded(widget, buttons):
    found = callback_sites(widget)
    assert sum("click" in where for where, _ in found) == buttons
    assert any("observer" in where for where, _ in found)
    assert unguarded(widget) == []


def _html(output) -> str:
    return "".join(o["data"].get("text/html", "") for o in output.outputs)


# -- Quiz -----------------------------------------------------------------------------------------
def _write(tmp_path, data, name="quiz.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _quiz(prompt="Pick", multiple=False, correct=("a",), ids=("a", "b", "c")):
    question = {
        "id": "q1", "prompt": prompt, "multiple": multiple,
        "options": [{"id": i, "text": f"Option {i}", "correct": i in correct, "explanation": f"Because {i}"}
                    for i in ids],
    }
    return {"stage": "evaluation", "title": "T", "questions": [question]}


def test_quiz_callbacks_are_all_guarded(store):
    quiz = Quiz("evaluation", store=store)
    _assert_all_guarded(quiz, buttons=1)
    boxes = sum(len(b) for b in quiz._boxes.values())
    assert sum("Checkbox.value" in where for where, _ in callback_sites(quiz)) == boxes


def _tick(quiz, question_index, option_id, value=True):
    """Tick the box of ``option_id`` wherever this learner's order shows it."""
    q = quiz.content.questions[question_index]
    quiz._boxes[q.id][quiz.order[q.id].index(option_id)].value = value
    return q


def test_quiz_error_in_a_callback_is_said_not_raised(store, monkeypatch):
    quiz = Quiz("evaluation", store=store)
    q = _tick(quiz, 0, "a")

    def broken(*_args):
        raise RuntimeError("boom")

    monkeypatch.setattr(check_widgets, "grade_quiz", broken)
    quiz._check_button.click()  # must not raise
    status = quiz._status.outputs[0]["data"]
    assert status["text/plain"].startswith("Something went wrong while checking your answers")
    assert 'role="alert"' in status["text/html"] and "boom" not in status["text/html"]
    assert quiz.answers == {q.id: ["a"]}  # the learner's ticks are kept


def test_widget_saves_on_check_and_restores(tmp_path):
    store = ProgressStore(home=tmp_path)
    quiz = Quiz("evaluation", store=store)
    assert quiz.answers == {} and not quiz.checked
    multiple = next(n for n, q in enumerate(quiz.content.questions) if q.multiple)
    q0 = _tick(quiz, 0, "a")
    q2 = _tick(quiz, multiple, "a")
    _tick(quiz, multiple, "b")
    quiz._check_button.click()
    assert quiz.checked
    saved = store.load("quiz/evaluation")
    assert saved["answers"] == {q0.id: ["a"], q2.id: ["a", "b"]}  # by option id, whatever the order shown
    assert saved["checked"] is True and saved["max_score"] == len(quiz.content.questions)

    again = Quiz("evaluation", store=ProgressStore(home=tmp_path))
    assert again.order == quiz.order  # a restart shows the same order
    assert again.answers == saved["answers"] and again.checked
    assert [b.value for b in again._boxes[q2.id]] == [i in ("a", "b") for i in again.order[q2.id]]
    assert again._feedback[q0.id].outputs  # the feedback is shown again
    assert again.report() == quiz.report()


def test_single_answer_ticks_replace_each_other(tmp_path):
    quiz = Quiz("evaluation", store=ProgressStore(home=tmp_path))
    q = _tick(quiz, 0, "a")
    _tick(quiz, 0, "b")
    assert quiz.answers[q.id] == ["b"]
    assert [b.value for b in quiz._boxes[q.id]] == [i == "b" for i in quiz.order[q.id]]


def test_changing_an_answer_hides_stale_feedback(tmp_path):
    quiz = Quiz("evaluation", answers={"accuracy-paradox": "a"}, store=ProgressStore(home=tmp_path))
    assert quiz.checked and quiz._feedback["accuracy-paradox"].outputs
    _tick(quiz, 0, "b")
    assert not quiz.checked and quiz._feedback["accuracy-paradox"].outputs == ()


def test_preselected_answers_grade_deterministically_and_are_not_saved(tmp_path):
    store = ProgressStore(home=tmp_path)
    answers = {"accuracy-paradox": "a", "threshold": ["a", "b"]}
    first = Quiz("evaluation", answers=answers, store=store).report()
    assert first == Quiz("evaluation", answers=answers, store=store).report()
    n = len(Quiz("evaluation", answers={}, store=store).content.questions)
    assert f"1 of {n} correct, 1 partly correct, {n - 2} not answered" in first
    assert store.load("quiz/evaluation") == {}
    with pytest.raises(TraitError, match="no option"):
        Quiz("evaluation", answers={"accuracy-paradox": "z"}, store=store)


def test_restore_ignores_answers_that_no_longer_fit(tmp_path):
    store = ProgressStore(home=tmp_path)
    store.save("quiz/evaluation", {"answers": {"gone": ["a"], "accuracy-paradox": ["a", "b", "zz"]},
                                   "checked": False})
    quiz = Quiz("evaluation", store=store)
    assert quiz.answers == {"accuracy-paradox": ["a"]}
    assert "earlier answers are back" in quiz._status.outputs[0]["data"]["text/plain"]


class _BrokenStore(ProgressStore):
    def save(self, section, value, **options):
        raise ProgressError("the folder is read-only")


def test_save_error_is_said_in_plain_words_and_keeps_the_selection(tmp_path):
    quiz = Quiz("evaluation", store=_BrokenStore(home=tmp_path))
    q = _tick(quiz, 0, "a")
    quiz._check_button.click()  # must not raise
    status = quiz._status.outputs[0]["data"]
    assert "could not be saved: the folder is read-only" in status["text/html"]
    assert "Traceback" not in status["text/html"]
    assert quiz.answers == {q.id: ["a"]} and quiz._boxes[q.id][quiz.order[q.id].index("a")].value


def test_each_learner_sees_their_own_order_kept_in_the_store(tmp_path):
    store = ProgressStore(home=tmp_path)
    first = Quiz("evaluation", store=store)
    key = store.load(Quiz.learner_section)["key"]
    assert isinstance(key, str) and len(key) >= 16
    assert first.order == quiz_order(first.content, key)
    assert Quiz("evaluation", store=store).order == first.order
    assert store.load(Quiz.learner_section) == {"key": key}  # made once, not on every Quiz

    store.save(Quiz.learner_section, {"key": "another learner"})
    other = Quiz("evaluation", store=store)
    assert other.order == quiz_order(other.content, "another learner")
    boxes = [w for w in walk(other) if "mlw-quiz-question" in w._dom_classes]
    for q, box in zip(other.content.questions, boxes, strict=True):
        rows = [w for w in box.children if "mlw-quiz-option" in w._dom_classes]
        # the letters name positions; the texts follow this learner's order
        assert [r.children[0].description for r in rows] == list("ABCDEFGH")[:len(q.options)]
        assert [r.children[1].value for r in rows] == [
            f'<span class="mlw-quiz-option-text">{html_escape(o.text)}</span>' for o in q.ordered(other.order[q.id])
        ]


def test_feedback_letters_follow_the_order_shown(tmp_path):
    store = ProgressStore(home=tmp_path)
    store.save(Quiz.learner_section, {"key": "learner-7"})
    quiz = Quiz("evaluation", answers={"threshold": ["a", "d"]}, store=store)
    order = quiz.order["threshold"]
    html = _html(quiz._feedback["threshold"])
    assert "Partly right: you chose 1 of the 3 right answers and 1 that isn&#x27;t." in html
    letter = chr(ord("A") + order.index("d"))
    assert f"<b>{letter}. Not right.</b>" in html
    d_text = next(o.text for o in quiz.content.question("threshold").options if o.id == "d")
    assert f"[x] {letter}. {d_text}" in quiz.report()


def test_without_a_usable_store_the_file_order_is_kept(tmp_path):
    quiz = Quiz("evaluation", store=_BrokenStore(home=tmp_path))  # the key cannot be saved
    assert quiz.order == {q.id: q.option_ids for q in quiz.content.questions}


def test_a_damaged_progress_file_is_said_even_when_the_order_key_finds_it(tmp_path):
    store = ProgressStore(home=tmp_path)
    store.path.write_text("{not json", encoding="utf-8")
    quiz = Quiz("evaluation", store=store)
    assert "was damaged, so it was moved" in quiz._status.outputs[0]["data"]["text/plain"]
    assert quiz.order == quiz_order(quiz.content, store.load(Quiz.learner_section)["key"])


def test_multiple_answer_prompts_say_select_all_that_apply(tmp_path):
    quiz = Quiz("evaluation", store=ProgressStore(home=tmp_path))
    prompts = [w.value for w in walk(quiz) if "mlw-quiz-prompt" in getattr(w, "_dom_classes", ())]
    assert len(prompts) == len(quiz.content.questions)
    for q, prompt in zip(quiz.content.questions, prompts, strict=True):
        assert ("Select all that apply." in prompt) == q.multiple
        assert prompt.count("Select") == 1


def test_static_rendering_gives_no_answers_away(tmp_path):
    quiz = Quiz("evaluation", store=ProgressStore(home=tmp_path))
    data = quiz._repr_mimebundle_()
    data = data[0] if isinstance(data, tuple) else data
    html, text = data["text/html"], data["text/plain"]
    assert 'class="mlw-quiz mlw-quiz-static"' in html
    for q in quiz.content.questions:
        assert q.options[0].text.replace('"', "&quot;") in html
        assert q.options[0].explanation.replace('"', "&quot;") not in html
        assert q.prompt in text
    assert "correct" not in html.lower().replace("incorrect", "")


def test_every_shown_string_is_escaped(tmp_path):
    evil = "<script>alert(1)</script>"
    data = _quiz(prompt=evil, multiple=True, correct=("a",))
    data["title"] = evil
    data["questions"][0]["options"][0]["text"] = evil
    data["questions"][0]["options"][0]["explanation"] = evil
    path = _write(tmp_path, data)
    quiz = Quiz("evaluation", path=path, answers={"q1": ["a"]}, store=ProgressStore(home=tmp_path))
    shown = [static_html(quiz.content)]
    shown += [w.value for w in walk(quiz) if hasattr(w, "value") and isinstance(w.value, str)]
    shown += [o["data"]["text/html"] for out in quiz._feedback.values() for o in out.outputs]
    assert any("&lt;script&gt;" in s for s in shown)
    assert all("<script>" not in s for s in shown)



# -- ApplyToProject -------------------------------------------------------------------------------
def test_apply_callbacks_are_all_guarded(store):
    _assert_all_guarded(ApplyToProject("data", store=store), buttons=2)  # example, start fresh


def test_apply_error_in_a_callback_is_said_not_raised(store, monkeypatch):
    widget = ApplyToProject("data", store=store, autosave_delay=0)

    def broken(*_args):
        raise RuntimeError("boom")

    monkeypatch.setattr(widget._keeper, "changed", broken)
    widget.answer = "my words"  # the observer saves; saving fails unexpectedly
    assert widget.status.startswith("Something went wrong while saving your answer")
    assert 'role="alert"' in widget._status.value and "boom" not in widget.status
    assert widget._box.value == "my words"


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
    assert "still in the form" in widget.status and "Traceback" not in widget.status


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


# -- ProjectBrief ---------------------------------------------------------------------------------
def test_brief_callbacks_are_all_guarded(store, no_graphviz):
    widget = ProjectBrief(store=store)
    found = callback_sites(widget)
    assert sum("click" in where for where, _ in found) == 2  # Refresh, Export (no observers)
    assert unguarded(widget) == []


def test_brief_error_in_a_callback_is_said_not_raised(store, no_graphviz, monkeypatch):
    widget = ProjectBrief(store=store)

    def broken(*_args):
        raise RuntimeError("boom")

    monkeypatch.setattr(check_widgets, "gather_brief", broken)
    widget._refresh_button.click()  # must not raise
    assert widget.status.startswith("Something went wrong while reading your answers again")
    assert 'role="alert"' in widget._status.value and "boom" not in widget.status
    assert "mlw-brief-section" in widget._view.value  # the last brief is still shown


def test_brief_static_rendering_escapes_learner_text(store):
    store.save(section_for("data"), {"answer": '<script>alert("x")</script> <img src=x onerror=alert(1)>'})
    widget = ProjectBrief(store=store)
    for page in (widget.to_html(), widget._repr_mimebundle_()["text/html"]):
        assert "<script>" not in page and "<img" not in page and "&lt;script&gt;" in page
    assert widget.to_markdown().startswith("# My ML project brief")


def test_widget_refresh_and_export(store, tmp_path, no_graphviz):
    widget = ProjectBrief(store=store, export_dir=tmp_path / "out")
    assert "mlw-brief-widget" in widget._dom_classes and "mlw-brief-missing" in widget._view.value
    store.save(section_for("deployment"), {"answer": "Nightly batch <into> the CRM."})
    widget.refresh()
    assert "Nightly batch &lt;into&gt; the CRM." in widget._view.value and "Refreshed" in widget.status
    refresh = next(b for b in widget.children[0].children if "mlw-brief-export" in b._dom_classes)
    refresh.click()
    assert "Saved" in widget.status and str(tmp_path / "out" / "my_ml_project_brief.html") in widget.status
    md, page = tmp_path / "out" / "my_ml_project_brief.md", tmp_path / "out" / "my_ml_project_brief.html"
    offered = r'download="([^"]+)" href="data:[^;]+;charset=utf-8;base64,([^"]+)"'
    links = dict(re.findall(offered, widget._downloads.value))
    assert base64.b64decode(links[page.name]).decode("utf-8") == page.read_text(encoding="utf-8")
    assert base64.b64decode(links[md.name]).decode("utf-8") == md.read_text(encoding="utf-8")
    assert md.read_text(encoding="utf-8").startswith("# My ML project brief")
    assert "Nightly batch &lt;into&gt; the CRM." in page.read_text(encoding="utf-8")
    written = widget.export(tmp_path / "elsewhere")
    assert written["markdown"].exists() and written["html"].exists()
    assert widget._repr_mimebundle_()["text/plain"].startswith("My ML project brief")


def test_export_error_is_said_in_plain_words(store, tmp_path, no_graphviz):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    widget = ProjectBrief(store=store, export_dir=blocker / "sub")
    widget._on_export()
    assert widget.status.startswith("Could not write") and "Traceback" not in widget.status




# -- a restore that failed never autosaves over the saved answer (issue 13) ---------------------
class _UnreadableStore(ProgressStore):
    """Its file cannot be read until ``readable`` is set (as with a permission problem on a hub)."""

    readable = False

    def load(self, section):
        if not self.readable:
            raise ProgressError(f"Could not read your saved answers in {self.path}: permission denied.")
        return super().load(section)


def test_apply_box_that_could_not_load_saves_nothing_until_it_can(tmp_path):
    store = _UnreadableStore(home=tmp_path)
    ProgressStore(home=tmp_path).save(section_for("data"), {"answer": "written yesterday"})
    box = ApplyToProject("data", store=store, autosave_delay=0)
    assert not box.loaded and "could not be loaded yet" in box.status and "Skipped" not in box.status
    assert box._fresh_button.layout.display != "none"
    box.answer = "typed into the empty box"
    assert "could not be loaded yet" in box.status
    assert ProgressStore(home=tmp_path).load(section_for("data")) == {"answer": "written yesterday"}
    assert box._keeper._retry.pending  # it tries again by itself
    store.readable = True
    box._keeper._retry.flush()  # the retry loads, keeps both texts, then saves
    assert box.loaded and box._fresh_button.layout.display == "none"
    assert box.answer == "written yesterday\n\ntyped into the empty box"
    assert ProgressStore(home=tmp_path).load(section_for("data")) == {"answer": box.answer}
    box.close()


def test_start_fresh_anyway_keeps_a_copy_and_saves(tmp_path):
    store = _UnreadableStore(home=tmp_path)
    ProgressStore(home=tmp_path).save(section_for("data"), {"answer": "written yesterday"})
    box = ApplyToProject("data", store=store, autosave_delay=0)
    box.answer = "a fresh start"
    box._fresh_button.click()
    copy = next(p for p in tmp_path.iterdir() if ".set-aside-" in p.name)
    assert str(copy) in box.status and box.loaded
    assert ProgressStore(home=tmp_path).load(section_for("data")) == {"answer": "a fresh start"}
    assert json.loads(copy.read_text())["sections"][section_for("data")] == {"answer": "written yesterday"}
    box.close()


def test_quiz_that_could_not_load_grades_but_does_not_save_over(tmp_path):
    store = _UnreadableStore(home=tmp_path)
    ProgressStore(home=tmp_path).save("quiz/evaluation", {"answers": {"accuracy-paradox": ["b"]}})
    quiz = Quiz("evaluation", store=store)
    assert "could not be loaded yet" in quiz._status.outputs[0]["data"]["text/plain"]
    _tick(quiz, 0, "a")
    quiz._check_button.click()
    assert "Not saved" in quiz._status.outputs[0]["data"]["text/plain"]
    assert ProgressStore(home=tmp_path).load("quiz/evaluation")["answers"] == {"accuracy-paradox": ["b"]}
    store.readable = True
    quiz._check_button.click()  # now readable: Check is the learner's choice, and a copy is kept
    assert "set-aside" in quiz._status.outputs[0]["data"]["text/plain"]
    assert ProgressStore(home=tmp_path).load("quiz/evaluation")["answers"][quiz.content.questions[0].id] == ["a"]


def test_apply_text_is_made_safe_before_it_is_kept_or_sent(store):
    box = ApplyToProject("data", store=store, autosave_delay=0)
    box.answer = "lone \ud800 and NUL \x00"
    assert box.answer == "lone \ufffd and NUL \ufffd"
    assert store.load(section_for("data")) == {"answer": box.answer}
    assert "\u202e" not in ApplyToProject("data", answer="pay\u202eyas")._repr_mimebundle_()["text/plain"]


def test_a_wrong_typed_order_key_is_set_aside_not_dropped(store):
    store.save(Quiz.learner_section, {"key": 12345})
    quiz = Quiz("evaluation", store=store)
    copy = next(p for p in store.home.iterdir() if ".set-aside-" in p.name)
    assert json.loads(copy.read_text())["sections"][Quiz.learner_section] == {"key": 12345}
    assert str(copy) in quiz._status.outputs[0]["data"]["text/plain"]
    assert isinstance(store.load(Quiz.learner_section)["key"], str)

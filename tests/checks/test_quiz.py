"""Quiz content, grading (pure), and the widget's save/restore and escaping."""

import json

import pytest
from traitlets import TraitError

from mlworkflow.checks.quiz_widget import Quiz, grade, grade_quiz, load_quiz, quiz_stages, static_html
from mlworkflow.core.content import ContentError
from mlworkflow.core.progress import ProgressError, ProgressStore

STAGES = ("problem", "data", "training", "evaluation", "deployment", "monitoring")


def _question(prompt="Pick", multiple=False, correct=("a",), ids=("a", "b", "c")):
    return {
        "id": "q1", "prompt": prompt, "multiple": multiple,
        "options": [{"id": i, "text": f"Option {i}", "correct": i in correct, "explanation": f"Because {i}"}
                    for i in ids],
    }


def _write(tmp_path, data, name="quiz.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _quiz(**question):
    return {"stage": "evaluation", "title": "T", "questions": [_question(**question)]}


# -- shipped content ------------------------------------------------------------------

def test_every_stage_has_a_quiz():
    assert set(quiz_stages()) == set(STAGES)


@pytest.mark.parametrize("stage", STAGES)
def test_shipped_quiz_is_well_formed(stage):
    quiz = load_quiz(stage)
    assert quiz.stage == stage
    assert 3 <= len(quiz.questions) <= 5
    assert any(q.multiple for q in quiz.questions), "each stage needs a multiple-answer question"
    assert any(not q.multiple for q in quiz.questions)
    for q in quiz.questions:
        assert len(q.options) >= 2 and q.correct_ids
        assert all(o.explanation for o in q.options)


def test_unknown_stage_names_the_known_ones():
    with pytest.raises(ValueError, match="evaluation"):
        load_quiz("nonsense")


# -- malformed content ----------------------------------------------------------------

@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda d: d["questions"][0]["options"][1].pop("explanation"), "questions[0].options[1].explanation"),
        (lambda d: d["questions"][0].pop("prompt"), "questions[0].prompt"),
        (lambda d: d["questions"][0]["options"][0].update(correct="yes"), "questions[0].options[0].correct"),
        (lambda d: d["questions"][0]["options"][1].update(correct=True), "questions[0].options"),
        (lambda d: d["questions"][0]["options"][0].update(correct=False), "questions[0].options"),
        (lambda d: d["questions"][0]["options"][1].update(id="a"), "questions[0].options[1].id"),
        (lambda d: d["questions"][0].update(options=d["questions"][0]["options"][:1]), "questions[0].options"),
        (lambda d: d["questions"].append(dict(d["questions"][0])), "questions[1].id"),
        (lambda d: d.update(stage="training"), "stage"),
        (lambda d: d.update(questions=[]), "questions"),
    ],
)
def test_malformed_content_names_file_and_field(tmp_path, mutate, field):
    data = _quiz()
    mutate(data)
    path = _write(tmp_path, data)
    with pytest.raises(ContentError) as info:
        load_quiz("evaluation", path=path)
    assert info.value.file == str(path)
    assert info.value.field == field
    assert str(path) in str(info.value) and field in str(info.value)


def test_invalid_json_is_a_content_error(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(ContentError, match="bad.json"):
        load_quiz("evaluation", path=path)


# -- grading --------------------------------------------------------------------------

def _load(tmp_path, **question):
    return load_quiz("evaluation", path=_write(tmp_path, _quiz(**question))).questions[0]


def test_single_answer_grading(tmp_path):
    q = _load(tmp_path)
    right, wrong, none = grade(q, "a"), grade(q, ["b"]), grade(q, None)
    assert (right.status, right.score, right.correct) == ("correct", 1.0, True)
    assert (wrong.status, wrong.score, wrong.correct) == ("incorrect", 0.0, False)
    assert (none.status, none.score) == ("unanswered", 0.0)
    verdicts = {f.option_id: f.verdict for f in wrong.feedback}
    assert verdicts == {"a": "You missed this one.", "b": "Not right.", "c": "Rightly left out."}
    assert [f.explanation for f in wrong.feedback] == ["Because a", "Because b", "Because c"]


def test_multiple_answer_grading_with_partial_credit(tmp_path):
    q = _load(tmp_path, multiple=True, correct=("a", "b", "c"), ids=("a", "b", "c", "d"))
    assert grade(q, ["c", "a", "b"]).status == "correct"
    half = grade(q, ["a"])
    assert (half.status, half.score, half.partial) == ("partial", round(1 / 3, 4), True)
    assert grade(q, ["a", "b", "d"]).score == round(1 / 3, 4)  # two right, one wrong
    assert grade(q, ["a", "d"]).status == "partial" and grade(q, ["a", "d"]).score == 0.0
    assert grade(q, ["d"]).status == "incorrect"
    assert grade(q, ["b", "a", "a"]).selected == ("a", "b")  # deduplicated, in option order


def test_grading_rejects_bad_selections(tmp_path):
    q = _load(tmp_path)
    with pytest.raises(ValueError, match="no option 'z'"):
        grade(q, ["z"])
    with pytest.raises(ValueError, match="one answer"):
        grade(q, ["a", "b"])


def test_grade_quiz_totals():
    quiz = load_quiz("evaluation")
    answers = {q.id: list(q.correct_ids) for q in quiz.questions[:2]}
    result = grade_quiz(quiz, answers)
    assert (result.score, result.max_score, result.count("unanswered")) == (2.0, len(quiz.questions), len(quiz.questions) - 2)
    with pytest.raises(KeyError, match="no question"):
        grade_quiz(quiz, {"nope": "a"})


# -- widget ---------------------------------------------------------------------------

def _tick(quiz, question_index, option_index, value=True):
    q = quiz.content.questions[question_index]
    quiz._boxes[q.id][option_index].value = value
    return q


def test_widget_saves_on_check_and_restores(tmp_path):
    store = ProgressStore(home=tmp_path)
    quiz = Quiz("evaluation", store=store)
    assert quiz.answers == {} and not quiz.checked
    q0 = _tick(quiz, 0, 0)
    q2 = _tick(quiz, 2, 0)
    _tick(quiz, 2, 1)
    quiz._check_button.click()
    assert quiz.checked
    saved = store.load("quiz/evaluation")
    assert saved["answers"] == {q0.id: ["a"], q2.id: ["a", "b"]}
    assert saved["checked"] is True and saved["max_score"] == len(quiz.content.questions)

    again = Quiz("evaluation", store=ProgressStore(home=tmp_path))
    assert again.answers == saved["answers"] and again.checked
    assert [b.value for b in again._boxes[q2.id]] == [True, True, False, False]
    assert again._feedback[q0.id].outputs  # the feedback is shown again
    assert again.report() == quiz.report()


def test_single_answer_ticks_replace_each_other():
    quiz = Quiz("evaluation", store=ProgressStore())
    q = _tick(quiz, 0, 0)
    _tick(quiz, 0, 1)
    assert quiz.answers[q.id] == ["b"]
    assert [b.value for b in quiz._boxes[q.id]] == [False, True, False]


def test_changing_an_answer_hides_stale_feedback():
    quiz = Quiz("evaluation", answers={"accuracy-paradox": "a"}, store=ProgressStore())
    assert quiz.checked and quiz._feedback["accuracy-paradox"].outputs
    _tick(quiz, 0, 1)
    assert not quiz.checked and quiz._feedback["accuracy-paradox"].outputs == ()


def test_preselected_answers_grade_deterministically_and_are_not_saved(tmp_path):
    store = ProgressStore(home=tmp_path)
    answers = {"accuracy-paradox": "a", "threshold": ["a", "b"]}
    first = Quiz("evaluation", answers=answers, store=store).report()
    assert first == Quiz("evaluation", answers=answers, store=store).report()
    assert "1 of 4 correct, 1 partly correct, 2 not answered" in first
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
    def save(self, section, value):
        raise ProgressError("the folder is read-only")


def test_save_error_is_said_in_plain_words_and_keeps_the_selection(tmp_path):
    quiz = Quiz("evaluation", store=_BrokenStore(home=tmp_path))
    q = _tick(quiz, 0, 0)
    quiz._check_button.click()  # must not raise
    status = quiz._status.outputs[0]["data"]
    assert "could not be saved: the folder is read-only" in status["text/html"]
    assert "Traceback" not in status["text/html"]
    assert quiz.answers == {q.id: ["a"]} and quiz._boxes[q.id][0].value


def test_static_rendering_gives_no_answers_away():
    quiz = Quiz("evaluation", store=ProgressStore())
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
    shown += [w.value for w in _walk(quiz) if hasattr(w, "value") and isinstance(w.value, str)]
    shown += [o["data"]["text/html"] for out in quiz._feedback.values() for o in out.outputs]
    assert any("&lt;script&gt;" in s for s in shown)
    assert all("<script>" not in s for s in shown)


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def test_grading_properties_hold_for_any_selection():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    questions = [q for stage in STAGES for q in load_quiz(stage).questions if q.multiple]

    @settings(max_examples=150, deadline=None)
    @given(st.sampled_from(questions), st.data())
    def check(q, data):
        chosen = data.draw(st.sets(st.sampled_from([o.id for o in q.options])))
        r = grade(q, chosen)
        assert 0.0 <= r.score <= 1.0
        assert r.correct == (chosen == set(q.correct_ids)) == (r.score == 1.0)
        assert [f.selected for f in r.feedback] == [o.id in chosen for o in q.options]

    check()

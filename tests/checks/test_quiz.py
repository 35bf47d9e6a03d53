"""Quiz content and grading (pure): mlworkflow.checks.quiz."""

import json

import pytest

from mlworkflow.checks.quiz import (
    feedback_html,
    grade,
    grade_quiz,
    load_quiz,
    quiz_order,
    quiz_stages,
    selection,
    static_html,
    static_text,
)
from mlworkflow.core.content import ContentError

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
    with pytest.raises(ContentError, match=r"bad\.json"):
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
    n = len(quiz.questions)
    assert (result.score, result.max_score, result.count("unanswered")) == (2.0, n, n - 2)
    with pytest.raises(KeyError, match="no question"):
        grade_quiz(quiz, {"nope": "a"})


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


# -- rendering and selections -------------------------------------------------------------

def test_selection_normalises_one_id_many_ids_or_none(tmp_path):
    q = _load(tmp_path, multiple=True, correct=("a", "b"))
    assert selection(q, "b") == ("b",)
    assert selection(q, ["c", "a", "c"]) == ("a", "c")
    assert selection(q, None) == ()
    with pytest.raises(ValueError, match="no option 'x'"):
        selection(q, ["x"])


def test_feedback_html_explains_every_option_and_escapes(tmp_path):
    data = _quiz()
    data["questions"][0]["options"][1]["explanation"] = "<b>why</b>"
    q = load_quiz("evaluation", path=_write(tmp_path, data)).questions[0]
    html = feedback_html(grade(q, "b"))
    assert html.startswith('<div class="mlw-quiz-verdict mlw-quiz-incorrect"><b>Not quite.</b>')
    assert html.count("<li ") == 3 and "&lt;b&gt;why&lt;/b&gt;" in html and "<b>why" not in html
    assert 'class="mlw-quiz-missed"' in html and 'class="mlw-quiz-wrong-choice"' in html
    assert "<li" not in feedback_html(grade(q, None))  # nothing explained before an answer


def test_static_text_and_result_text():
    quiz = load_quiz("evaluation")
    text = static_text(quiz)
    assert text.splitlines()[0] == quiz.title
    assert all(q.prompt in text for q in quiz.questions) and "explanation" not in text
    first = quiz.questions[0]
    report = grade_quiz(quiz, {first.id: first.correct_ids[0]}).text()
    assert report.splitlines()[1].startswith(f"1 of {len(quiz.questions)} correct")
    assert f"1. {first.prompt} Select one. [correct]" in report and "Right choice." in report


# -- instructions, letters and the order shown ----------------------------------------------

@pytest.mark.parametrize("multiple, prompt, shown", [
    (True, "Which apply?", "Which apply? Select all that apply."),
    (True, "Which apply? Select all that apply.", "Which apply? Select all that apply."),
    (True, "Which apply (choose all that apply)?", "Which apply (choose all that apply)?"),
    (False, "Which is best?", "Which is best? Select one."),
    (False, "Which is best? Choose one.", "Which is best? Choose one."),
    (False, "Which one is best?", "Which one is best? Select one."),
])
def test_the_instruction_is_added_once(tmp_path, multiple, prompt, shown):
    ids = ("a", "b", "c")
    q = _load(tmp_path, prompt=prompt, multiple=multiple, correct=("a", "b") if multiple else ("a",), ids=ids)
    assert q.shown_prompt == shown
    quiz = load_quiz("evaluation", path=_write(tmp_path, _quiz(prompt=prompt, multiple=multiple, ids=ids)))
    assert f"1. {shown}" in static_text(quiz)
    html = static_html(quiz)
    assert html.count("that apply") + html.count(" one.") == 1  # said once, in the prompt or added


def test_letters_and_feedback_follow_the_order_given(tmp_path):
    q = _load(tmp_path, multiple=True, correct=("a", "b"), ids=("a", "b", "c", "d"))
    order = ("c", "a", "d", "b")
    assert [q.label(i, order) for i in "abcd"] == ["B", "D", "A", "C"]
    assert [q.label(i) for i in "abcd"] == ["A", "B", "C", "D"]  # no order: the file's
    r = grade(q, ["b", "c"], order)
    assert [(f.label, f.option_id) for f in r.feedback] == [("A", "c"), ("B", "a"), ("C", "d"), ("D", "b")]
    assert r.selected == ("b", "c")  # ids, never letters
    assert r.reason == "Partly right: you chose 1 of the 2 right answers and 1 that isn't."
    for bad in (("a", "b", "c"), ("a", "b", "c", "c"), ("a", "b", "c", "z")):
        with pytest.raises(ValueError, match="must list each of a, b, c, d once"):
            grade(q, "a", bad)


def test_grade_quiz_uses_each_question_order():
    quiz = load_quiz("evaluation")
    orders = quiz_order(quiz, "learner-3")
    result = grade_quiz(quiz, {"threshold": ["a"]}, orders)
    for q, r in zip(quiz.questions, result.results, strict=True):
        assert tuple(f.option_id for f in r.feedback) == orders[q.id]
    assert grade_quiz(quiz, {}).results[0].feedback[0].option_id == quiz.questions[0].options[0].id


def test_reason_says_the_status_in_plain_words(tmp_path):
    single = _load(tmp_path)
    assert [grade(single, s).reason for s in ("a", "b", None)] == ["Correct.", "Not quite.", "Not answered yet."]
    multi = _load(tmp_path, multiple=True, correct=("a", "b", "c"), ids=("a", "b", "c", "d", "e"))
    assert grade(multi, list("abc")).reason == "Correct: you chose all 3 right answers and nothing else."
    assert grade(multi, list("ab")).reason == "Partly right: you chose 2 of the 3 right answers and no wrong ones."
    assert grade(multi, list("abcd")).reason == "Partly right: you chose all 3 right answers and 1 that isn't."
    assert grade(multi, list("ade")).reason == "Partly right: you chose 1 of the 3 right answers and 2 that aren't."
    assert grade(multi, list("de")).reason == "Not quite: none of your choices is one of the 3 right answers."
    lone = _load(tmp_path, multiple=True, correct=("b",))
    assert grade(lone, "b").reason == "Correct: you chose the right answer and nothing else."
    assert grade(lone, "a").reason == "Not quite: none of your choices is the right answer."

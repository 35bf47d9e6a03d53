"""The shipped knowledge checks follow item-writing practice, and each learner's option order is fair.

Haladyna, Downing & Rodriguez (2002): vary the position of the right answer, keep options alike
in length and form, make every distractor a plausible mistake with its own explanation, and never
offer "all of the above". The rules are plain functions, so the last tests can show that they
catch the pattern they guard against (every answer A, and the longest).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence

import pytest

from mlworkflow.checks.quiz import (
    Question,
    feedback_html,
    grade,
    load_quiz,
    option_order,
    quiz_order,
    quiz_stages,
    static_html,
    static_text,
)

QUESTIONS = tuple(q for stage in quiz_stages() for q in load_quiz(stage).questions)
SINGLE = tuple(q for q in QUESTIONS if not q.multiple)
MULTIPLE = tuple(q for q in QUESTIONS if q.multiple)
MAX_POSITION_SHARE = 0.40
KEYS = tuple(f"learner-{i}" for i in range(1200))


# -- the rules, as functions of a list of questions ------------------------------------------

def position_shares(questions: Sequence[Question]) -> dict[str, float]:
    """Share of all right options that sit at each letter, in the content files' order."""
    letters = Counter(q.label(i) for q in questions for i in q.correct_ids)
    total = sum(letters.values())
    return {letter: n / total for letter, n in sorted(letters.items())}


def correct_is_longest(questions: Sequence[Question]) -> list[str]:
    """Single-answer questions whose right option is (one of) the longest."""
    return [q.id for q in questions if not q.multiple
            and len(next(o for o in q.options if o.correct).text) == max(len(o.text) for o in q.options)]


def correct_is_shortest(questions: Sequence[Question]) -> list[str]:
    return [q.id for q in questions if not q.multiple
            and len(next(o for o in q.options if o.correct).text) == min(len(o.text) for o in q.options)]


def length_spread(q: Question) -> float:
    """Shortest option length over longest: 1.0 when all options are alike in length."""
    lengths = [len(o.text) for o in q.options]
    return min(lengths) / max(lengths)


def right_to_wrong_length(questions: Sequence[Question]) -> float:
    """Mean length of right options over mean length of wrong ones (multiple-answer questions)."""
    right = [len(o.text) for q in questions for o in q.options if o.correct]
    wrong = [len(o.text) for q in questions for o in q.options if not o.correct]
    return (sum(right) / len(right)) / (sum(wrong) / len(wrong))


_ABOVE = re.compile(r"\b(all|none|both|neither) of (the|these) (above|options|answers)\b", re.I)


# -- the shipped content ----------------------------------------------------------------------

def test_there_is_enough_content_for_the_rules_to_mean_something():
    assert len(QUESTIONS) >= 20 and len(SINGLE) >= 12 and len(MULTIPLE) >= 6


def test_no_position_holds_more_than_40_percent_of_the_right_answers():
    shares = position_shares(QUESTIONS)
    assert max(shares.values()) <= MAX_POSITION_SHARE, shares
    single = position_shares(SINGLE)  # the stricter view: one right answer per question
    assert max(single.values()) <= MAX_POSITION_SHARE, single
    assert len(single) >= 3, f"single-answer right options use only {sorted(single)}"


def test_the_right_option_is_rarely_the_longest_or_the_shortest():
    longest, shortest = correct_is_longest(SINGLE), correct_is_shortest(SINGLE)
    assert len(longest) <= len(SINGLE) / 3, longest
    assert len(shortest) <= len(SINGLE) / 3, shortest


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: f"{q.stage}/{q.id}")
def test_options_are_alike_in_length(q):
    assert length_spread(q) >= 0.6, [len(o.text) for o in q.options]


def test_right_and_wrong_options_of_multiple_answer_questions_are_alike_in_length():
    assert 0.85 <= right_to_wrong_length(MULTIPLE) <= 1.15


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: f"{q.stage}/{q.id}")
def test_every_option_has_its_own_explanation_and_no_all_of_the_above(q):
    for o in q.options:
        assert not _ABOVE.search(o.text), o.text
        assert o.explanation.strip(), f"option {o.id!r} has no explanation"
    explanations = [" ".join(o.explanation.split()) for o in q.options]
    assert len(set(explanations)) == len(explanations), "two options share an explanation"
    assert len({o.text for o in q.options}) == len(q.options)


@pytest.mark.parametrize("q", MULTIPLE, ids=lambda q: f"{q.stage}/{q.id}")
def test_multiple_answer_questions_have_several_right_options_and_say_select_all(q):
    assert len(q.correct_ids) >= 2, "a 'select all' question with one right option reads as a trick"
    assert len(q.correct_ids) < len(q.options), "ticking everything must not be the answer"
    quiz = load_quiz(q.stage)
    assert q.shown_prompt.lower().count("select all that apply") == 1
    n = quiz.questions.index(q) + 1
    assert f"{n}. {q.shown_prompt}" in static_text(quiz)
    item = static_html(quiz).split("<li><p>")[n].split("</p>")[0]
    assert item.lower().count("select all that apply") == 1


@pytest.mark.parametrize("q", SINGLE, ids=lambda q: f"{q.stage}/{q.id}")
def test_single_answer_questions_say_select_one(q):
    assert "all that apply" not in q.shown_prompt.lower()
    assert q.shown_prompt.endswith("Select one.") or re.search(r"\b(choose|select) one\b", q.prompt, re.I)


# -- each learner's order ---------------------------------------------------------------------

def test_option_order_is_a_permutation_and_the_same_on_every_call():
    for q in QUESTIONS:
        for key in ("learner-1", "3f2a9c0d1e", "ünïcode key"):
            order = option_order(q, key)
            assert sorted(order) == sorted(q.option_ids) and len(order) == len(q.options)
            assert option_order(q, key) == order


def test_no_learner_key_means_the_file_order():
    for q in QUESTIONS:
        assert option_order(q, None) == option_order(q, "") == q.option_ids


def test_option_order_is_the_same_in_a_new_process_whatever_the_hash_seed():
    """A restart must show the same order: no use of Python's salted hash()."""
    code = ("import json; from mlworkflow.checks.quiz import load_quiz, quiz_order, quiz_stages; "
            "print(json.dumps({s: quiz_order(load_quiz(s), 'learner-1') for s in quiz_stages()}))")
    runs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout))
    here = {s: [list(o) for o in quiz_order(load_quiz(s), "learner-1").values()] for s in quiz_stages()}
    assert runs[0] == runs[1]
    assert {s: list(v.values()) for s, v in runs[0].items()} == here


def test_orders_differ_between_learners_for_most_questions():
    pairs = [(KEYS[i], KEYS[i + 1]) for i in range(0, 100, 2)]
    differ = [option_order(q, a) != option_order(q, b) for q in QUESTIONS for a, b in pairs]
    assert sum(differ) / len(differ) >= 0.75


def test_orders_differ_between_questions_and_stages_for_one_learner():
    key = "learner-1"
    correct_letters = Counter(q.label(q.correct_ids[0], option_order(q, key)) for q in SINGLE)
    assert len(correct_letters) >= 2
    q = QUESTIONS[0]
    elsewhere = dataclasses.replace(q, stage="another-stage")
    renamed = dataclasses.replace(q, id="another-question")
    assert any(option_order(q, k) != option_order(elsewhere, k) for k in KEYS[:20])
    assert any(option_order(q, k) != option_order(renamed, k) for k in KEYS[:20])


@pytest.mark.parametrize("q", SINGLE, ids=lambda q: f"{q.stage}/{q.id}")
def test_across_many_learners_the_right_answer_is_evenly_spread(q):
    letters = Counter(q.label(q.correct_ids[0], option_order(q, k)) for k in KEYS)
    expected = 1 / len(q.options)
    shares = {letter: letters[letter] / len(KEYS) for letter in "ABCDE"[:len(q.options)]}
    assert all(abs(share - expected) <= 0.06 for share in shares.values()), shares


def test_quiz_order_covers_every_question():
    quiz = load_quiz("evaluation")
    orders = quiz_order(quiz, "learner-1")
    assert list(orders) == [q.id for q in quiz.questions]
    assert all(orders[q.id] == option_order(q, "learner-1") for q in quiz.questions)


# -- partial answers to the shipped multiple-answer questions -----------------------------------

@pytest.mark.parametrize("q", MULTIPLE, ids=lambda q: f"{q.stage}/{q.id}")
def test_partial_answers_are_partial_with_a_reason(q):
    right = list(q.correct_ids)
    wrong = [i for i in q.option_ids if i not in right]
    n = len(right)
    assert grade(q, right).status == "correct"
    some = grade(q, right[:-1])
    assert (some.status, some.partial) == ("partial", True)
    assert some.reason == f"Partly right: you chose {n - 1} of the {n} right answers and no wrong ones."
    assert 0 < some.score < 1
    extra = grade(q, [*right, wrong[0]])
    assert extra.status == "partial" and extra.score < 1
    assert extra.reason == f"Partly right: you chose all {n} right answers and 1 that isn't."
    mixed = grade(q, [*right[:2], wrong[0]])
    if n == 3:  # the wording from the issue
        assert mixed.reason == "Partly right: you chose 2 of the 3 right answers and 1 that isn't."
    assert grade(q, wrong).status == "incorrect"
    html = feedback_html(mixed)
    assert html.count("<li ") == len(q.options)  # every option still explained
    assert "Partly right: you chose" in html and "mlw-quiz-partial" in html


# -- the rules can fail ---------------------------------------------------------------------

def test_the_rules_catch_answers_that_are_always_a_and_longest(tmp_path):
    """The pattern from the issue: every right answer first and longest. Each rule must object."""
    questions = []
    for n in range(6):
        options = [{"id": "a", "text": "The right answer, spelled out at some length with a reason.",
                    "correct": True, "explanation": "Because it is right."}]
        options += [{"id": i, "text": f"Wrong {i}.", "correct": False, "explanation": f"Because not {i}."}
                    for i in "bc"]
        questions.append({"id": f"q{n}", "prompt": "Pick", "multiple": False, "options": options})
    questions.append({"id": "m", "prompt": "Pick", "multiple": True, "options": [
        {"id": "a", "text": "A long right option with plenty of words in it.", "correct": True, "explanation": "1"},
        {"id": "b", "text": "Another long right option with many words.", "correct": True, "explanation": "2"},
        {"id": "c", "text": "All of the above.", "correct": False, "explanation": "3"},
    ]})
    path = tmp_path / "quiz.json"
    path.write_text(json.dumps({"stage": "evaluation", "title": "T", "questions": questions}), encoding="utf-8")
    bad = load_quiz("evaluation", path=path).questions
    assert max(position_shares(bad).values()) > MAX_POSITION_SHARE
    assert len(correct_is_longest(bad)) > len([q for q in bad if not q.multiple]) / 3
    assert min(length_spread(q) for q in bad) < 0.6
    assert right_to_wrong_length([q for q in bad if q.multiple]) > 1.15
    assert any(_ABOVE.search(o.text) for q in bad for o in q.options)
    fixed = [q for q in bad if not q.multiple]
    letters = Counter(q.label("a", option_order(q, k)) for q in fixed for k in KEYS[:300])
    assert max(letters.values()) / sum(letters.values()) < 0.4  # shuffling spreads even a bad file

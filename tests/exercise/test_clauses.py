"""Tests for mlworkflow.exercise.clauses: sentences, the roles they earn, negation, questions."""

from __future__ import annotations

import pytest

from mlworkflow.exercise.clauses import read_sentences
from mlworkflow.exercise.rubric import load_rubric


def _roles(text: str, field: str = "problem") -> list[frozenset[str]]:
    return [s.roles for s in read_sentences(field, text, load_rubric())]


def test_sentences_split_on_stops_semicolons_lines_and_bullets():
    text = "Agents sort tickets by hand. It takes hours; customers wait.\n- Complaints rise\n• Costs grow"
    sentences = [s.text for s in read_sentences("problem", text, load_rubric())]
    assert sentences == ["Agents sort tickets by hand.", "It takes hours;", "customers wait.", "Complaints rise",
                         "Costs grow"]


def test_who_and_pain_in_one_sentence():
    (roles,) = _roles("Our support agents spend two hours a day sorting tickets by hand.")
    assert {"actor", "pain", "number", "method_strong"} <= roles


def test_a_data_noun_after_a_person_is_not_a_person():
    (roles,) = _roles("Train a random forest on the customer table.")
    assert "actor" not in roles


@pytest.mark.parametrize("text, role", [
    ("We have no labels yet.", "label"),
    ("Orders are not tagged as late.", "label"),
    ("We don't know which customers will cancel.", "predict"),
    ("No data about frost damage is recorded in the orders database.", "source_kind"),
])
def test_a_negation_in_the_same_clause_cancels_the_role(text, role):
    field = "data_sources" if role in ("label", "source_kind") else "problem"
    assert all(role not in r for r in _roles(text, field))


def test_a_negation_in_another_clause_does_not():
    (roles,) = _roles("We do not use AI today, but cancellations are recorded in the billing system.", "labels")
    assert "label" in roles


def test_questions_are_marked_and_solutions_noticed():
    (question,) = read_sentences("problem", "Could we predict which customers will churn?", load_rubric())
    assert question.question
    (solution,) = read_sentences("problem", "We want to use AI to transform our journey.", load_rubric())
    assert solution.solution and not solution.question


def test_an_action_needs_a_prediction_or_a_purpose():
    (alone,) = _roles("Dispatchers call the drivers every morning.")
    assert "action" not in alone
    (after,) = _roles("Predict which orders will be late so dispatchers can call the customers.", "prediction")
    assert {"predict", "action"} <= after
    (so_someone,) = _roles("Rank new applications so recruiters read the most promising first.", "outcome")
    assert {"predict", "action", "purpose"} <= so_someone


def test_plain_language_goals_and_constraints():
    (goal,) = _roles("Halve the number of late orders by next summer.", "outcome")
    assert {"change", "number", "time", "biz_specific"} <= goal
    roles = set().union(*_roles("Decide within 1 second; data stays in the EU.", "constraints"))
    assert {"c_timing", "c_privacy"} <= roles


def test_matches_keep_the_words_for_distinct_counts():
    (s,) = read_sentences("data_sources", "Zendesk tickets, the orders table and Stripe.", load_rubric())
    named = {w.lower() for role, w in s.matches if role in ("source_named", "source_kind")}
    assert {"zendesk", "stripe", "orders table"} <= named

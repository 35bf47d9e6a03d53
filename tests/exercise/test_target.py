"""The thing predicted, read from the learner's words, and credited where a data box records it."""

import pytest

from mlworkflow.exercise.assess import assess
from mlworkflow.exercise.clauses import read_sentences
from mlworkflow.exercise.rubric import load_rubric
from mlworkflow.exercise.target import mark_outcome_records, no_labels_said, stem, target_words

R = load_rubric()


def _read(**boxes: str):
    return [s for key, text in boxes.items() for s in read_sentences(key, text, R)]


@pytest.mark.parametrize("words", [
    ("cancel", "cancels", "cancelled", "cancellation", "cancellations"),
    ("churn", "churned", "churns", "churning"),
    ("default", "defaults", "defaulted"),
])
def test_inflections_share_a_stem(words):
    assert len({stem(w) for w in words}) == 1


def test_different_words_keep_different_stems():
    assert len({stem(w) for w in ("cancel", "churn", "default", "return", "late", "fraud")}) == 6


@pytest.mark.parametrize(("sentence", "expected"), [
    ("We want to predict which members will cancel.", {"cancel"}),
    ("Each week, estimate the chance they churn in the next 60 days.", {"churn"}),
    ("Flag each fraudulent claim at first notice of loss.", {"fraudulent"}),
    ("A model outputs churn probabilities for every account.", {"churn"}),
    ("Score each borrower for P(default) at application.", {"default"}),
    ("Catch more fraud before payouts.", {"fraud"}),
    ("Predict which booked donors will fail the haemoglobin test.", {"fail", "haemoglobin"}),  # and its object
    ("Lane-occupancy forecast with MAPE < 12% at a 7-day horizon.", {"lane-occupancy", "lane", "occupancy"}),
])
def test_target_words_name_what_is_predicted(sentence, expected):
    assert target_words(_read(problem=sentence), R) == expected


@pytest.mark.parametrize("sentence", [
    "Could we predict which members will cancel?",  # a question predicts nothing
    "We do not predict anything today.",  # negated
    "Members cancel after the first month.",  # no prediction stated
])
def test_no_target_without_an_asserted_prediction(sentence):
    assert target_words(_read(problem=sentence), R) == set()


def test_the_unit_of_prediction_is_not_the_target():
    assert "members" not in target_words(_read(problem="Predict which members will cancel next month."), R)


def _roles(data: str, problem: str = "We want to predict which members will cancel.") -> frozenset[str]:
    said = mark_outcome_records(_read(problem=problem, data_sources=data), R)
    return next(s for s in said if s.field == "data_sources").roles


def test_a_source_that_records_the_predicted_thing_is_where_labels_live():
    assert "label" in _roles("Billing (Zuora) holds every cancellation since 2021.")


def test_a_record_with_no_place_named_is_a_vague_label():
    roles = _roles("We know roughly when people cancelled over the years.")
    assert "label_vague" in roles or "label" in roles


def test_a_negated_record_is_not_credited():
    assert not {"label", "label_vague"} & _roles("Nobody records cancellations anywhere.")
    said = "Billing (Zuora) has no cancellations before 2024 and we do not log them."
    assert not {"label", "label_vague"} & _roles(said)


def test_other_boxes_are_not_marked():
    said = mark_outcome_records(_read(problem="Predict which members will cancel; cancellations cost us £40 each."), R)
    assert all("label" not in s.roles for s in said)


def test_the_labels_criterion_quotes_the_sentence_that_records_the_outcome():
    result = assess(
        "Gym members leave in their second month and each one costs us £120 in lost fees.",
        "Cut second-month leavers from 18% to 12% by June.",
        "The door-entry system (Gantner) logs every visit. Our billing platform shows each lapse with its date.",
        prediction="Predict which members will lapse in the next 30 days so the front desk calls them.",
    )
    labels = result.criterion("labels")
    assert labels.status == "met"
    assert labels.evidence == ("Our billing platform shows each lapse with its date.",)


@pytest.mark.parametrize(("data", "credited"), [
    ("Till sales from Epos Now since 2019. We do not record which items were sold, so there are no labels.", False),
    ("Download logs since 2022. No labels for now.", False),
    ("No labels for the new plan, but three years of cancellations for the old one in Zuora.", True),
    ("Till sales from Epos Now since 2019.", True),
])
def test_a_data_box_that_says_there_are_no_labels_is_believed(data, credited):
    said = no_labels_said(_read(data_sources=data))
    assert any({"label", "label_vague"} & s.roles for s in said) is credited
    result = assess("Shop managers waste volunteer hours sorting donations by hand.",
                    "Cut sorting hours by a quarter within a year.", data)
    assert (result.criterion("labels").status != "missing") is credited


def test_saying_no_labels_in_the_labels_box_takes_away_its_named_source():
    said = no_labels_said(_read(data_sources="Orders in Shopify since 2020.",
                                labels="Zendesk tags exist, but honestly no labels yet for refunds."))
    # the turn comes before the denial, so the denial stands
    assert not any({"label", "label_vague", "source_named", "source_kind"} & s.roles
                   for s in said if s.field == "labels")

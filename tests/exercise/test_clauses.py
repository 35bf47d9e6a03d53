"""Tests for mlworkflow.exercise.clauses: sentences, the roles they earn, negation, questions."""

from __future__ import annotations

import pytest

from mlworkflow.exercise.clauses import read_sentences
from mlworkflow.exercise.rubric import load_rubric


def _roles(text: str, field: str = "problem") -> list[frozenset[str]]:
    return [s.roles for s in read_sentences(field, text, load_rubric())]


def has(role: str, text: str, box: str) -> bool:
    """Whether any sentence of ``text``, read in ``box``, earns ``role``."""
    return role in set().union(*_roles(text, box))


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
    assert named == {"zendesk tickets", "stripe", "orders table"}  # the product and its tickets are one source


def test_overlapping_source_words_are_one_source():
    (s,) = read_sentences("data_sources", "Booking and check-in records from Mindbody.", load_rubric())
    assert [w for role, w in s.matches if role in ("source_named", "source_kind")] == ["check-in records from Mindbody"]


def test_round_eight_rules():
    assert "predict" not in set().union(*_roles("Leverage predictive analytics to transform the service.", "problem"))
    assert "predict" not in set().union(*_roles("Drivers idle too long at the rank.", "problem"))
    assert "predict" not in set().union(*_roles("Staff quit, which leads to overtime.", "problem"))
    assert "predict" in set().union(*_roles("Need churn model for subscribers.", "problem"))
    assert "action" not in set().union(*_roles("A clearer picture so we can act on it.", "outcome"))
    assert "c_operations" in set().union(*_roles("Technician is only one person, maximum 6 visits per day.",
                                                 "constraints"))
    assert "time" in set().union(*_roles("Days-to-pay from 19 to 10 by end FY25.", "outcome"))


def test_round_nine_rules():
    assert not has("label_vague", "SAP, the data warehouse, Excel reports.", "data_sources")  # reports of what?
    assert has("label_vague", "Till sales since 2019.", "data_sources")
    assert not has("method_strong", "Don't know, never looked at it.", "baseline")  # an unknown baseline
    assert has("method_strong", "Complaints pile up and we never looked at the reviews.", "problem")
    assert not has("method_strong", "Everyone wants their pool opened at the same time.", "problem")
    assert has("change", "Keep 75% of maturing clients (now 66%).", "outcome")
    assert has("time", "Get 95% of instruments back before the first day of term this September.", "outcome")
    assert has("time", "Under 5% late by next March.", "outcome")
    assert not has("time", "In May and June we are busy.", "outcome")
    assert has("predict", "Estimate labour hours and pin count per job from the spec.", "prediction")
    assert not has("predict", "Spot checks happen weekly.", "problem")
    assert has("predict", "Extract supplier, lines and values from each PDF.", "prediction")
    assert has("predict", "Cameras that recognise when a horse is lying down too long.", "problem")
    assert has("source_kind", "The bar sales from the till and the orders to the wine supplier.", "data_sources")
    assert has("source_kind", "The camera videos.", "data_sources")
    assert not has("source_kind", "Wait till the end of March.", "data_sources")
    assert has("c_quality", "Supplier capacity data only arrives as a weekly PDF.", "constraints")
    assert not has("c_quality", "Enquiry log in Tradify since 2021 (won/lost), quote PDFs.", "data_sources")


def test_round_ten_rules():
    assert not has("c_access", "Estate plan approval records in the mapping system since 2017.", "data_sources")
    assert has("c_access", "Access to the mapping system needs the registrar's approval.", "data_sources")
    assert not has("c_privacy", "Signed consent forms in the parent portal.", "data_sources")
    assert has("tech", "We want to deploy a computer-vision pipeline on the CCTV feeds.", "problem")
    assert not has("tech", "Our sales pipeline leaks at the quote stage.", "problem")
    assert not has("purpose", "The bunker is full before the truck comes, and then production stops.", "problem")
    assert not has("predict", "A clearer picture of which customers actually make us money.", "outcome")
    assert has("predict", "Flag which customers will stop ordering this quarter.", "outcome")
    assert has("predict", "The evening before, flag visits likely to be missed or late.", "prediction")
    assert not has("predict", "Customers are likely to be unhappy.", "problem")
    assert has("change", "Café food waste halved, this summer.", "outcome")
    assert has("time", "Café food waste halved, this summer.", "outcome")
    assert has("method_strong", "The manager bakes the same amount every day.", "problem")
    assert has("pain", "Fitters arrive to find sealed units don't fit; 1 in 10 installs rebooked.", "problem")


def test_round_eleven_rules():
    assert has("label", "Payment plans and missed instalments recorded in Debtmanager.", "data_sources")
    assert has("predict", "How many people come at the gate each half hour.", "prediction")
    assert not has("predict", "When a container is stopped, goods wait in the port.", "problem")
    assert has("predict", "A vision model that spots faulty labels before they ship.", "outcome")
    assert has("source_named", "Production plan in Monday.com, per boat and per stage.", "data_sources")
    assert has("source_named", "Commusoft.", "data_sources")
    assert not has("source_named", "Logs.", "data_sources") and not has("source_kind", "Analytics.", "data_sources")
    assert has("source_kind", "Tachograph downloads of all coaches since 2021.", "data_sources")
    assert has("source_kind", "Gate scanning data from 2018 and our online ticket shop.", "data_sources")
    assert not has("change", "Drivers wait ten minutes or more for late passengers.", "problem")
    assert has("change", "Spot sales at a loss go down by half in 2027.", "outcome")
    assert has("label", "Tech job sheets in ServiceM8, each breakdown logged.", "data_sources")
    assert has("c_quality", "Older machines at 2 centres have no fault export.", "constraints")
    assert has("actor", "Each breakdown costs a 40-min callout for a tech.", "problem")


def test_round_twelve_rules():
    assert has("label", "The voucher database, with issue and expiry date for each voucher.", "data_sources")
    assert has("label", "The re-order list, where every re-order because of wrong size is marked.", "data_sources")
    assert has("label", "Our job book, with drop-off date, finished date and collected date.", "data_sources")
    assert has("predict", "Our print lab needs to know the volume one week before to book machine time.", "problem")
    assert not has("predict", "Members who need to know whether the course is open phone us.", "problem")
    assert has("predict", "Build a computer-vision model that counts windows from Street View photos.", "problem")
    assert has("method_strong", "We only notice when the next customer is prepping the kit.", "problem")
    assert not has("method_weak", "Many members pay the cheap plan.", "problem")
    assert has("label_vague", "Ticket sales from TicketSource for the last four shows.", "data_sources")
    assert has("label_vague", "Pack activation data from the central system (2018 on).", "data_sources")
    assert has("label_vague", "EPOS item sales (ICRTouch, 2020–).", "data_sources")
    assert has("label_vague", "Job timestamps (logged, arrived, completed).", "data_sources")
    assert has("label", "Fabric chosen for each job, in the workshop's job system.", "data_sources")


def test_round_thirteen_rules():
    assert not has("predict", "E-com conversion on the kit and paint categories is 1.1%.", "problem")
    assert has("predict", "Categorise each enquiry by product line.", "prediction")
    assert not has("purpose", "The manager reorders on old thresholds, so we write off expired stock.", "problem")
    assert has("purpose", "Flag risky lifts so we can send an appointed person first.", "prediction")
    assert has("label", "Enquiry log in MCS-rm with quotes and order conversions.", "data_sources")
    assert not has("source_kind", "Telemetry from the sensors we'd install, plus an IoT hub.", "data_sources")
    assert not has("source_named", "A data lake on Azure (to be built).", "data_sources")
    assert has("source_named", "Telemetry from the sensors we installed in 2022, in Azure IoT Hub.", "data_sources")
    assert has("change", "Courier spend down to £330k by next April.", "outcome")
    assert not has("change", "Beds ready by 3pm every day.", "outcome")
    assert has("change", "Beds ready by 3pm on 95% of days (now ~70%) by end of summer.", "outcome")
    assert has("biz_specific", "Overruns above 25% down to 10% of repairs.", "outcome")
    assert has("source_kind", "Cloudbeds departures per day.", "data_sources")
    assert has("label", "Inventory module in Odoo (roll receipts, metres cut per order).", "data_sources")


def test_round_fourteen_rules():
    assert not has("c_quality", "Kit repair book (paper); refund log in Bookeo.", "data_sources")
    assert not has("c_quality", "The order forms that families sign (scanned PDF).", "data_sources")
    assert has("c_quality", "Half the job sheets are on paper and never typed up.", "data_sources")
    assert has("source_named", "ServiceM8 jobs, fuel cards.", "data_sources")
    assert has("source_named", "Parts used per job, from Bikedesk.", "data_sources")
    assert not has("source_named", "Bookings rose in March.", "data_sources")
    assert not has("label_vague", "Whatever we have on past visits.", "data_sources")
    assert has("source_named", "Whatever we have in Salesforce.", "data_sources")
    assert has("label", "NOMIS sentence calculations and release dates.", "data_sources")
    assert has("label_vague", "Door swipe logs.", "data_sources")


def test_a_sentence_that_only_says_what_is_missing_is_marked_negated():
    rubric = load_rubric()
    (none,) = read_sentences("labels", "There is no record of how long past repairs took.", rubric)
    (some,) = read_sentences("labels", "No reason is kept, but inspection writes OK or NOK per batch.", rubric)
    assert none.negated and not some.negated


def test_a_negation_reaches_into_and_which():
    text = "We do not record which items were sold and which were recycled."
    (roles,) = _roles(text, "data_sources")
    assert "label" not in roles
    (roles,) = _roles("We record which items were sold, and which were recycled.", "data_sources")
    assert "label" in roles


@pytest.mark.parametrize("text", ["Meter readings (hourly since 2021) from the SCADA historian.",
                                  "A real-time data lake of clickstream events.",
                                  "Grain quality grades from the weighbridge system."])
def test_a_refresh_rate_or_a_quality_grade_in_data_sources_is_not_a_limit(text):
    (data_box,) = _roles(text, "data_sources")
    assert not data_box & {"c_timing", "c_quality", "c_access", "c_privacy"}


@pytest.mark.parametrize(("text", "kind"), [
    ("Scores are refreshed nightly.", "c_timing"),
    ("The scores have to be ready before the 7 am shift.", "c_timing"),
    ("The finance team owns the ledger and decides who can see it.", "c_access"),
    ("Patients have to agree first.", "c_privacy"),
    ("Data must stay on our own servers.", "c_privacy"),
    ("Roughly 20% of records have no postcode.", "c_quality"),
])
def test_plainly_worded_limits_in_the_constraints_box(text, kind):
    (roles,) = _roles(text, "constraints")
    assert kind in roles


def test_each_clause_keeps_its_own_roles():
    (s,) = read_sentences("constraints", "Debtor data is personal data under GDPR, and the reports may only be used "
                          "for the purpose agreed with the agency.", load_rubric())
    assert len(s.clause_roles) == 2 and all("c_privacy" in roles for roles in s.clause_roles)


@pytest.mark.parametrize("text", [
    "Every returned rental car has a damage report with the repair cost.",
    "From the invoices we can see which customers stopped ordering.",
    "The HR system stores the leaving date of everyone who resigned.",
    "Answers from the 2,000 tickets our team already sorted by hand.",
    "For each shipment we have the delivery date promised and the real one.",
])
def test_past_outcomes_said_in_plain_words_are_labels(text):
    (roles,) = _roles(text, "data_sources")
    assert "label" in roles


def test_terse_arrows_read_as_change_and_consequence():
    (outcome,) = _roles("Re-runs 8% → 4% by end of Q3.", "outcome")
    assert "change" in outcome
    (prediction,) = _roles("Flag high-risk draws at collection → nurse redraws on the spot.", "prediction")
    assert {"predict", "action"} <= prediction


def test_a_poor_current_state_is_a_vague_baseline_and_unknown_outcomes_are_not_labels():
    (state,) = _roles("Event attendance is low.", "problem")
    assert "state_poor" in state
    (none,) = _roles("Default outcomes not captured yet.", "labels")
    assert not none & {"label", "label_vague"}
    (nobody,) = _roles("We have no labels yet: nobody records whether a laptop came back late.", "labels")
    assert not nobody & {"label", "source_kind", "source_named"}


@pytest.mark.parametrize(("text", "kind"), [
    ("Whatever we build has to run on the tablets the technicians already have.", "c_operations"),
    ("Dispatchers must be able to override any assignment.", "c_operations"),
    ("Budget is two engineers for one quarter.", "c_operations"),
    ("The courier contract can only be renegotiated at its anniversary in January.", "c_operations"),
])
def test_how_it_must_fit_the_work_is_a_limit_too(text, kind):
    (roles,) = _roles(text, "constraints")
    assert kind in roles


def test_a_limit_of_the_work_is_read_in_the_constraints_box_only():
    (roles,) = _roles("Budget is two engineers for one quarter.", "data_sources")
    assert "c_operations" not in roles


def test_after_saying_what_is_missing_only_says_what_little_there_is():
    first, then = read_sentences("labels", "There is no record of when a prescription was ready; the dispensing "
                                 "system only logs when the label was printed.", load_rubric())
    assert first.negated and then.negated
    assert not then.roles & {"source_named", "source_kind", "label", "label_vague"}


def test_a_labels_sentence_that_ends_by_denying_the_record_locates_nothing():
    (s,) = read_sentences("labels", "We have the bookings in PestPac, but technicians close a missed visit like a "
                          "completed one, so the job status does not show it.", load_rubric())
    assert not s.roles & {"source_named", "source_kind", "label", "label_vague"}
    (kept,) = read_sentences("data_sources", "We have the bookings in PestPac.", load_rubric())
    assert "source_named" in kept.roles  # the same words, said plainly, name a source


@pytest.mark.parametrize("text", [
    "We have no access to the GP records yet.",
    "The old system overwrote the status.",
])
def test_a_sentence_that_only_says_what_is_not_there_names_no_source(text):
    (s,) = read_sentences("data_sources", text, load_rubric())
    assert s.negated and not s.roles & {"source_named", "source_kind", "label", "label_vague"}


@pytest.mark.parametrize(("text", "present"), [
    ("The skippers decide where to fish from their own experience.", True),
    ("The area manager has to hire cars from a competitor at £350 a time.", True),
    ("Technicians must drive out to restart the turbines.", True),
    ("Pharmacy technicians spend hours every week reconciling the registers.", True),
    ("Officers are sent out on fixed beats.", True),
    ("We want to move from a reactive to a predictive operating model.", False),
    ("Our security team spends too much time on patching.", False),
    ("Sometimes the track fails and trains must go slow.", False),
    ("Nobody in the bank tracks it.", False),
    ("Nobody calls the customers who skip a delivery.", True),
])
def test_how_the_work_is_done_today_in_plain_words(text, present):
    (roles,) = _roles(text)
    assert ("method_strong" in roles) is present


@pytest.mark.parametrize("text", [
    "We store it in the pay_runs table.",
    "Bookings are exported from PestPac.",
])
def test_a_table_name_or_a_product_name_is_a_named_source(text):
    (roles,) = _roles(text, "data_sources")
    assert "source_named" in roles


def test_enterprise_systems_and_the_cloud_name_no_source():
    (roles,) = _roles("Our enterprise systems, legacy systems and the cloud data platform.", "data_sources")
    assert not roles & {"source_named", "source_kind"}


def test_a_code_named_in_quotes_is_not_a_limit():
    (s,) = read_sentences("data_sources", "Refunds in Zendesk with reason code 'missing item'.", load_rubric())
    assert "c_quality" not in s.roles
    (gap,) = read_sentences("data_sources", "The missing item codes are often wrong.", load_rubric())
    assert "c_quality" in gap.roles


def test_consent_and_speed_said_plainly_are_limits():
    (consent, speed) = read_sentences("constraints", "The quiz data can be used only if the customer accepts the "
                                      "cookies. The prediction must be very fast.", load_rubric())
    assert "c_privacy" in consent.roles and "c_timing" in speed.roles

"""The feedback measured against the graded statement corpus (tests/data/statements/).

The corpus is graded by people (GRADING.md); these tests keep the figures in the model card true
and guard the adversarial families. Floors are set a little under today's figures, so a change
that makes the feedback worse fails here before a learner sees it.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "data" / "statements"
sys.path.insert(0, str(ROOT / "tools"))

import assessment_card as card  # noqa: E402

from mlworkflow.exercise.rubric import FIELD_KEYS, load_rubric  # noqa: E402

FAMILIES = {"ordinary", "keyword-list", "buzzword", "solution-first", "metric-no-goal", "goal-no-measure",
            "negation", "question", "copied", "money-no-prediction"}
STYLES = {"plain", "terse", "long", "bulleted", "jargon", "non-native"}


@pytest.fixture(scope="module")
def graded():
    return card.run(card.load_corpus())


def test_the_corpus_is_big_varied_and_well_formed():
    items = card.load_corpus()
    keys = {c.key for c in load_rubric().criteria}
    assert len(items) >= 150
    assert len({i["industry"] for i in items}) >= 15
    assert len({i["id"] for i in items}) == len(items)
    for i in items:
        assert i["family"] in FAMILIES and i["style"] in STYLES and i["split"] in ("dev", "holdout"), i["id"]
        assert i["grade"] in (0, 1, 2, 3) and set(i["criteria"]) == keys, i["id"]
        assert set(i["criteria"].values()) <= {"met", "partial", "missing"}, i["id"]
        assert set(i["fields"]) <= set(FIELD_KEYS) and {"problem", "outcome", "data_sources"} <= set(i["fields"])
    families = Counter(i["family"] for i in items)
    assert all(families[f] >= 5 for f in FAMILIES), families
    holdout = Counter(i["family"] for i in items if i["split"] == "holdout")
    assert all(holdout[f] >= 1 for f in FAMILIES), holdout  # every family is represented in the held-out part
    assert 0.2 <= sum(holdout.values()) / len(items) <= 0.3


@pytest.mark.parametrize("split, spearman, level", [("dev", 0.90, 0.85), ("holdout", 0.85, 0.80)])
def test_scores_rank_statements_like_the_human_grades(graded, split, spearman, level):
    figures = card.figures([g for g in graded if g.item["split"] == split])
    assert figures["spearman"] >= spearman
    assert figures["strong_above_weak"] is True  # every strong statement above every weak one
    assert figures["level_agreement"] >= level


def test_each_criterion_credits_what_the_human_credited(graded):
    figures = card.figures([g for g in graded if g.item["split"] == "dev"])
    for key, fig in figures["per_criterion"].items():
        precision, recall, _ = fig["credit"]
        assert precision >= 0.8 and recall >= 0.78, (key, fig)


@pytest.mark.parametrize("family", ["keyword-list", "buzzword", "copied", "question"])
def test_empty_families_stay_early_drafts(graded, family):
    # every member the graders found empty or weak (a question can still carry a decent statement)
    members = [g for g in graded if g.item["family"] == family]
    levels = Counter(g.result.level for g in members if g.grade <= 1)
    assert set(levels) == {"Early draft"}, levels
    assert sum(g.grade <= 1 for g in members) >= 0.9 * len(members)  # the family is mostly empty or weak


def test_terse_but_specific_statements_get_at_least_getting_there(graded):
    """On the development set (the held-out count is in the model card: new rounds add ones it misses)."""
    terse = [g for g in graded if g.item["style"] == "terse" and g.grade >= 2 and g.item["split"] == "dev"]
    assert terse
    # the eighth round brought one (a topic with no one's pain, 'Fire control: initial call grading.'); the model
    # card lists the count for both sets
    early = [g.item["id"] for g in terse if g.result.level == "Early draft"]
    assert len(early) <= 0.05 * len(terse), early


def test_keyword_lists_say_why(graded):
    for g in graded:
        if g.item["family"] == "keyword-list":
            assert any("only keywords" in n or "list of keywords" in n for n in g.result.notices), g.item["id"]


def test_no_prediction_means_no_prediction_credit(graded):
    """A statement the graders say never states what is predicted cannot meet that criterion."""
    for g in graded:
        if g.item["criteria"]["prediction_action"] == "missing" and g.item["family"] == "money-no-prediction":
            assert g.result.criterion("prediction_action").status != "met", g.item["id"]


def test_every_verdict_quotes_one_sentence_from_its_own_boxes(graded):
    specs = {c.key: c for c in load_rubric().criteria}
    for g in graded:
        for c in g.result.criteria:
            if c.status == "missing":
                assert c.evidence == ()
                continue
            assert len(c.evidence) == 1, (g.item["id"], c.key)
            quote = c.evidence[0].rstrip("…")
            boxes = " ".join(" ".join(g.item["fields"].get(k, "").split()) for k in specs[c.key].reads)
            assert quote in boxes, (g.item["id"], c.key, quote)


def test_the_model_card_is_up_to_date():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "assessment_card.py"), "--check"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_readme_states_the_corpus_size_truly():
    items = card.load_corpus()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    industries = len({i["industry"] for i in items})
    assert f"{len(items)} statements from {industries} industries" in " ".join(readme.split())


def test_kappa_is_one_for_agreement_zero_for_chance_and_negative_for_opposition():
    assert card.kappa([("met", "met"), ("missing", "missing"), ("partial", "partial")]) == 1.0
    # both raters say "met" half the time, independently of each other: agreement is chance
    chance = [("met", "met"), ("met", "missing"), ("missing", "met"), ("missing", "missing")]
    assert card.kappa(chance) == pytest.approx(0.0)
    assert card.kappa([("met", "missing"), ("missing", "met")]) == pytest.approx(-1.0)
    assert card.kappa([]) == 0.0


def test_the_second_graders_sample_is_well_formed_and_blind_to_nothing_it_should_not_be():
    second = card.load_second()
    items = {i["id"]: i for i in card.load_corpus()}
    keys = {c.key for c in load_rubric().criteria}
    assert len(second) >= 150 and len({s["id"] for s in second}) == len(second)
    for s in second:
        assert s["id"] in items, s["id"]
        assert s["grade"] in (0, 1, 2, 3) and set(s["criteria"]) == keys, s["id"]
        assert set(s["criteria"].values()) <= {"met", "partial", "missing"}, s["id"]
    assert any(items[s["id"]]["split"] == "holdout" for s in second)  # the sample reaches the held-out part


def test_agreement_compares_like_with_like(graded):
    # a second grader who copies the first agrees perfectly, whatever the checks do
    copy = [{"id": g.item["id"], "grade": g.grade, "criteria": dict(g.item["criteria"])} for g in graded[:40]]
    fig = card.agreement(graded, copy)
    assert fig["n"] == 40 and fig["grade_exact"] == 1.0 and fig["grade_spearman"] == pytest.approx(1.0)
    for value in fig["per_criterion"].values():
        assert value["second"][:2] == (1.0, 1.0)
        assert value["second_kappa"] == 1.0

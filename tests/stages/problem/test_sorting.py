"""Request-sorting cards: content loading and validation, grading and the static renderings (all pure)."""

import json

import pytest

from mlworkflow.core.content import ContentError
from mlworkflow.stages.problem.sorting import (
    feedback_html,
    grade_sort,
    load_requests,
    piles_html,
    static_html,
    static_text,
)

PILES = {"ml", "rules", "not-yet"}


def _content(**request):
    card = {"id": "r1", "from": "Finance", "text": "Count cancellations", "answer": "rules", "explanation": "A query."}
    card.update(request)
    return {
        "title": "Sort", "intro": "Sort these.",
        "categories": [{"id": p, "label": p.upper(), "description": f"About {p}"} for p in sorted(PILES)],
        "requests": [card],
        "feedback": {"right": "Yes.", "not_quite": "No: {best}.", "not_sorted": "Unsorted.", "static_note": "Run it."},
        "verdicts": {"correct": "Right", "incorrect": "Wrong", "unsorted": "Open"},
    }


def _write(tmp_path, data):
    path = tmp_path / "requests.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _all_right(content):
    return {r.id: r.answer for r in content.requests}


# -- shipped content ------------------------------------------------------------------

def test_shipped_cards_cover_every_pile():
    content = load_requests()
    assert {c.id for c in content.categories} == PILES
    assert 8 <= len(content.requests) <= 12
    for pile in PILES:
        assert sum(r.answer == pile for r in content.requests) >= 2, pile
    assert all(r.explanation and r.sender for r in content.requests)
    assert "retention-risk" in {r.id for r in content.requests}  # the course's churn case


def test_shipped_keys_carry_the_caveats_an_expert_adds():
    content = load_requests()
    rules = content.category("rules").description
    assert "every time" not in rules and "predictable" in rules  # rules are auditable, not infallible
    abuse = content.request("trial-abuse")
    assert abuse.answer == "ml"
    assert "investigators caught" in abuse.explanation and "adapt to a model too" in abuse.explanation
    brazil = content.request("new-market-churn")
    assert brazil.answer == "not-yet"
    assert "other markets" in brazil.explanation and "check a model" in brazil.explanation
    assert "LLM" in content.request("support-routing").explanation  # build vs buy is on the table


# -- malformed content ----------------------------------------------------------------

@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda d: d["requests"][0].pop("text"), "requests[0].text"),
        (lambda d: d["requests"][0].update(answer="maybe"), "requests[0].answer"),
        (lambda d: d["requests"].append(dict(d["requests"][0])), "requests[1].id"),
        (lambda d: d.update(categories=d["categories"][:1]), "categories"),
        (lambda d: d["categories"][1].update(label=""), "categories[1].label"),
        (lambda d: d.pop("title"), "title"),
        (lambda d: d["feedback"].update(not_quite="Not quite."), "feedback.not_quite"),
        (lambda d: d["feedback"].update(right="Right, {name}."), "feedback.right"),
        (lambda d: d["feedback"].update(not_sorted="Not {sorted"), "feedback.not_sorted"),
        (lambda d: d["verdicts"].pop("unsorted"), "verdicts.unsorted"),
        (lambda d: d.pop("feedback"), "feedback"),
    ],
)
def test_malformed_content_names_file_and_field(tmp_path, mutate, field):
    data = _content()
    mutate(data)
    path = _write(tmp_path, data)
    with pytest.raises(ContentError) as err:
        load_requests(path)
    assert err.value.field == field
    assert str(path) in str(err.value)


def test_invalid_json_names_the_line(tmp_path):
    path = tmp_path / "requests.json"
    path.write_text('{"title": "x",\n oops}', encoding="utf-8")
    with pytest.raises(ContentError, match="line 2"):
        load_requests(path)


# -- grading --------------------------------------------------------------------------

def test_all_right_and_nothing_sorted():
    content = load_requests()
    n = len(content.requests)
    perfect = grade_sort(content, _all_right(content))
    assert perfect.score == n and perfect.headline() == f"{n} of {n} sorted correctly"
    assert perfect.mix_ups() == []
    empty = grade_sort(content, {})
    assert empty.score == 0 and empty.count("unsorted") == n


def test_mix_ups_are_counted_by_kind():
    content = load_requests()
    answers = _all_right(content)
    not_yet = [r.id for r in content.requests if r.answer == "not-yet"]
    for rid in not_yet[:2]:
        answers[rid] = "ml"
    answers["vat-rate"] = None
    result = grade_sort(content, answers)
    assert result.mix_ups()[0] == ("not-yet", "ml", 2)
    assert result.count("incorrect") == 2 and result.count("unsorted") == 1
    assert "2 cards that belong in 'Not a problem yet' went to 'ML fits'." in result.mix_up_lines()
    assert "[Not quite]" in result.text() and "[Not sorted]" in result.text()
    assert "[Right]" in result.text() and "[Right]" not in result.text(mistakes_only=True)
    assert result.text(mistakes_only=True).count("Best fit:") == 3


def test_unknown_ids_are_named():
    content = load_requests()
    with pytest.raises(KeyError, match="retention-risk"):
        grade_sort(content, {"nope": "ml"})
    with pytest.raises(ValueError, match="not-yet"):
        grade_sort(content, {"vat-rate": "maybe"})


# -- renderings -----------------------------------------------------------------------

def test_feedback_uses_the_content_sentences(tmp_path):
    content = load_requests(_write(tmp_path, _content()))
    right, wrong, unsorted = (grade_sort(content, {"r1": pile}).cards[0] for pile in ("rules", "ml", None))
    assert "<b>Yes.</b> A query." in feedback_html(right, content)
    assert "mlw-sort-incorrect" in feedback_html(wrong, content) and "No: RULES." in feedback_html(wrong, content)
    assert "<b>Unsorted.</b>" in feedback_html(unsorted, content)
    assert "[Wrong]" in grade_sort(content, {"r1": "ml"}).text()


def test_static_renderings_list_piles_and_cards_without_answers():
    content = load_requests()
    html = static_html(content)
    assert html.count("<li>") == len(content.categories) + len(content.requests)
    assert "Run this notebook in Jupyter" in html and "Best fit" not in html
    assert piles_html(content).count("<li>") == 3
    text = static_text(content)
    assert text.splitlines()[0] == content.title and "10. " in text


def test_every_shown_string_is_escaped(tmp_path):
    data = _content(text="<script>alert(1)</script>", explanation="a < b & c", **{"from": "<b>Ops</b>"})
    data["title"] = "<i>T</i>"
    content = load_requests(_write(tmp_path, data))
    shown = static_html(content) + feedback_html(grade_sort(content, {"r1": "ml"}).cards[0], content)
    assert "<script>" not in shown and "<b>Ops" not in shown and "<i>T" not in shown
    assert "&lt;script&gt;" in shown and "a &lt; b &amp; c" in shown

"""Request-sorting cards: content loading and validation, grading (pure), and the widget."""

import json

import pytest
from traitlets import TraitError

from mlworkflow.core.content import ContentError
from mlworkflow.stages.problem.sorting import RequestSorter, grade_sort, load_requests, static_html

PILES = {"ml", "rules", "not-yet"}


def _content(**request):
    card = {"id": "r1", "from": "Finance", "text": "Count cancellations", "answer": "rules", "explanation": "A query."}
    card.update(request)
    return {
        "title": "Sort", "intro": "Sort these.",
        "categories": [{"id": p, "label": p.upper(), "description": f"About {p}"} for p in sorted(PILES)],
        "requests": [card],
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


# -- widget ---------------------------------------------------------------------------

def _choice(sorter, rid):
    return sorter._choices[rid]


def test_headless_sort_is_graded_and_shown():
    sorter = RequestSorter(answers={"vat-rate": "rules", "ai-strategy": "ml"})
    assert sorter.checked
    assert _choice(sorter, "vat-rate").value == "rules"
    assert sorter.result.score == 1
    html = sorter._feedback["ai-strategy"].outputs[0]["data"]["text/html"]
    assert "mlw-sort-incorrect" in html and "Not a problem yet" in html
    assert "1 of 10 sorted correctly" in sorter._status.outputs[0]["data"]["text/plain"]


def test_picking_hides_feedback_until_check():
    sorter = RequestSorter(answers={"vat-rate": "rules"})
    _choice(sorter, "vat-rate").value = "ml"
    assert sorter.answers == {"vat-rate": "ml"} and not sorter.checked
    assert sorter._feedback["vat-rate"].outputs == ()
    sorter._check_button.click()
    assert sorter.checked
    assert "mlw-sort-incorrect" in sorter._feedback["vat-rate"].outputs[0]["data"]["text/html"]
    sorter.answers = {}
    assert _choice(sorter, "vat-rate").value is None and sorter._status.outputs == ()


def test_invalid_answers_are_refused():
    sorter = RequestSorter()
    with pytest.raises(TraitError, match="there is no pile"):
        sorter.answers = {"vat-rate": "maybe"}
    with pytest.raises(TraitError):
        RequestSorter(answers={"nope": "ml"})


def test_every_shown_string_is_escaped(tmp_path):
    data = _content(text="<script>alert(1)</script>", explanation="a < b & c", **{"from": "<b>Ops</b>"})
    data["title"] = "<i>T</i>"
    path = _write(tmp_path, data)
    sorter = RequestSorter(answers={"r1": "ml"}, path=path)
    shown = " ".join(w.value for w in _walk(sorter) if hasattr(w, "value") and isinstance(w.value, str))
    shown += sorter._feedback["r1"].outputs[0]["data"]["text/html"] + static_html(sorter.content)
    assert "<script>" not in shown and "<b>Ops" not in shown and "<i>T" not in shown
    assert "&lt;script&gt;" in shown and "a &lt; b &amp; c" in shown


def test_static_fallback_lists_cards_without_answers():
    sorter = RequestSorter()
    data = sorter._repr_mimebundle_()
    assert "mlw-sorter-static" in data["text/html"]
    assert "Billing team" in data["text/html"] and "Best fit" not in data["text/html"]
    assert "1. Head of Retention" in data["text/plain"]


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)

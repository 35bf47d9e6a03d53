"""A colleague's sort is a worked answer: it waits until the learner has sorted, or asks for it."""

from __future__ import annotations

from mlworkflow.stages.problem.widgets import AnswerReveal, RequestSorter

COLLEAGUE = {"retention-risk": "ml", "failed-card-email": "rules", "ai-strategy": "not-yet",
             "support-routing": "ml", "cancellations-report": "ml", "trial-abuse": "rules",
             "vat-rate": "rules", "what-users-want": "ml", "new-market-churn": "ml", "artwork-choice": "ml"}
PILES = ("ML fits", "Rules would do", "Not a problem yet")


def _shown(reveal: AnswerReveal) -> str:
    return "".join(o["data"]["text/html"] + o["data"]["text/plain"] for o in reveal._answers.outputs)


def test_nothing_is_given_away_before_the_learner_sorts():
    sorter = RequestSorter()
    reveal = sorter.compare_with(COLLEAGUE)
    assert not reveal.revealed and _shown(reveal) == ""
    bundle = reveal._repr_mimebundle_()
    static = bundle["text/html"] + bundle["text/plain"]
    assert "Best fit" not in static and not any(pile in static for pile in PILES)
    assert "sort the cards above" in static


def test_checking_the_sort_reveals_the_colleagues_mistakes():
    sorter = RequestSorter()
    reveal = sorter.compare_with(COLLEAGUE)
    sorter.answers = {"vat-rate": "rules"}
    sorter.check()
    assert reveal.revealed
    shown = _shown(reveal)
    assert "6 of 10 sorted correctly" in shown and "Best fit" in shown
    assert "A colleague: ML fits | Best fit: Rules would do" in reveal.text()
    assert "VAT" not in reveal.text()  # a card they got right is not listed


def test_the_button_reveals_on_request():
    reveal = RequestSorter().compare_with(COLLEAGUE)
    reveal._button.click()
    assert reveal.revealed and "6 of 10 sorted correctly" in _shown(reveal)
    assert reveal._button.layout.display == "none"


def test_a_sorter_already_checked_shows_it_at_once():
    sorter = RequestSorter(answers={"vat-rate": "rules"})
    assert sorter.compare_with(COLLEAGUE).revealed


def test_what_it_shows_is_escaped():
    from mlworkflow.stages.problem.sorting import grade_sort, load_requests

    reveal = AnswerReveal(grade_sort(load_requests(), COLLEAGUE), whose="<b>Sam</b>'s")
    reveal.revealed = True
    assert "<b>Sam</b>" not in reveal._answers.outputs[0]["data"]["text/html"]
    assert "&lt;b&gt;Sam" in reveal._repr_mimebundle_()["text/html"]

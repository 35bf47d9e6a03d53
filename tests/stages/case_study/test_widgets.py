"""``RecommendationExplorer``: a thin view over the recommenders; every callback goes through the guard."""

from __future__ import annotations

import logging

import pytest
from widget_checks import own_callbacks, unguarded

from mlworkflow.stages.case_study import widgets as explorer_widgets
from mlworkflow.stages.case_study.widgets import RecommendationExplorer


def test_explorer_shows_both_lists_and_changes_with_the_member(case):
    service, train, test, popular, personal = case
    explorer = RecommendationExplorer(service, train, test, [popular, personal])
    assert "mlw-rec-explorer" in explorer._dom_classes
    first = explorer.member
    before = [c.value for c in explorer._columns]
    assert "Most popular" in before[0] and "Because you watched" in before[1]
    assert before[1].count('class="mlw-rec-item"') == 10 and "mlw-rec-reason" in before[1]
    other = explorer._menu.options[3][1]
    explorer._menu.value = other  # what picking from the dropdown does
    assert explorer.member == other != first
    after = [c.value for c in explorer._columns]
    assert after[1] != before[1] and explorer._history.value
    lists = explorer.lists()
    assert [r.title_id for r in lists["Because you watched"]] == [r.title_id for r in personal.recommend(other, 10)]


def test_explorer_marks_titles_watched_later(case):
    service, train, test, popular, personal = case
    explorer = RecommendationExplorer(service, train, test, [popular, personal])
    later = test.groupby("member_id")["title_id"].apply(set)
    member = next(m for m in later.index if later[m] & {r.title_id for r in personal.recommend(m, 10)})
    explorer.member = member
    assert "✓ watched later" in explorer._columns[1].value


def test_explorer_defaults_k_and_errors(case):
    service = case[0]
    explorer = RecommendationExplorer(service, member="M0003")  # splits and fits on its own
    assert explorer.member == "M0003" and explorer._menu.value == "M0003"
    explorer.k = 50
    assert explorer.k == 20 and explorer._columns[1].value.count('class="mlw-rec-item"') == 20
    explorer.member = "<b>nobody</b>"
    assert "no member called &lt;b&gt;nobody&lt;/b&gt;" in explorer._error.value
    explorer.member = "M0003"
    assert explorer._error.value == ""
    with pytest.raises(ValueError):
        RecommendationExplorer(service, models=[case[3]])


def test_explorer_static_fallback(case):
    service, train, test, popular, personal = case
    bundle = RecommendationExplorer(service, train, test, [popular, personal])._repr_mimebundle_()
    assert "mlw-rec-static" in bundle["text/html"] and "Because you watched" in bundle["text/html"]
    assert bundle["text/plain"].startswith("Member M") and "Most popular:" in bundle["text/plain"]


def test_every_observer_is_guarded(case):
    explorer = RecommendationExplorer(*case[:3], list(case[3:]))
    callbacks = own_callbacks(explorer)
    assert sorted({cb.__name__ for cb in callbacks}) == ["_on_change", "_on_menu"]  # _on_change: member and k
    assert unguarded(explorer) == []


def test_a_failing_render_is_said_in_the_widget_not_raised(case, monkeypatch, caplog):
    explorer = RecommendationExplorer(*case[:3], list(case[3:]))

    def broken(*args, **kwargs):
        raise RuntimeError("list exploded")

    monkeypatch.setattr(explorer_widgets, "column_html", broken)
    other = explorer._menu.options[2][1]
    with caplog.at_level(logging.ERROR, logger="mlworkflow"):
        explorer._menu.value = other  # what picking from the dropdown does; no exception escapes
    assert explorer.member == other
    assert 'role="alert"' in explorer._error.value
    said = "Something went wrong while showing this member&#x27;s recommendations (RuntimeError)."
    assert said in explorer._error.value
    assert "list exploded" in caplog.text and "list exploded" not in explorer._error.value


def test_the_explorer_opens_on_a_member_where_the_two_lists_differ(case):
    service, train, test, popular, personal = case
    explorer = RecommendationExplorer(service, train, test, [popular, personal])
    later = set(test.loc[test["member_id"] == explorer.member, "title_id"])
    hits = [len(later & {r.title_id for r in model.recommend(explorer.member, 10)}) for model in (popular, personal)]
    assert hits[1] > hits[0], hits  # the first view shows the difference the offline metric measures
    shown = [c.value.count("✓ watched later") for c in explorer._columns]
    assert shown == hits

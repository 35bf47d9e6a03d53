"""What the recommendation explorer shows, as HTML and text, with the words from ``content/case_study.json``."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from mlworkflow.core.content import ContentError
from mlworkflow.stages.case_study.recommend import Recommendation
from mlworkflow.stages.case_study.views import (
    HISTORY_SHOWN,
    column_html,
    explorer_html,
    explorer_text,
    history_html,
    load_explorer_text,
    member_data,
    title_info,
    unknown_member_html,
)


def test_html_helpers_escape_everything(case):
    service = case[0]
    html = history_html(service, ["T001"], "<script>x</script>")
    assert "<script>" not in html and "&lt;script&gt;" in html
    rec = Recommendation("T001", 1.0, (), "<img src=x onerror=alert(1)>")
    col = column_html(service, "<i>name</i>", [rec], {"T001"})
    assert "<img" not in col and "<i>name" not in col and "✓ watched later" in col


def test_history_lists_the_latest_titles_and_counts_the_rest(case):
    service = case[0]
    ids = list(service.titles["title_id"][: HISTORY_SHOWN + 3])
    html = history_html(service, ids, "Crime")
    assert html.count("<li>") == HISTORY_SHOWN and "… and 3 earlier titles." in html
    assert html.index(service.title_name(ids[-1])) < html.index(service.title_name(ids[-2]))  # latest first
    one_more = history_html(service, ids[: HISTORY_SHOWN + 1], "Crime")
    assert "… and 1 earlier title." in one_more
    assert "earlier" not in history_html(service, ids[:2], "Crime")
    assert f"Watched ({HISTORY_SHOWN + 3} titles, latest first):" in html


def test_a_column_counts_hits_or_says_there_are_none(case):
    service = case[0]
    recs = [Recommendation("T001", 1.0, (), "r1"), Recommendation("T002", 0.5, (), "r2")]
    assert "1 of 2 watched later" in column_html(service, "A", recs, {"T002"})
    assert "no held-out views for this member" in column_html(service, "A", recs, set())
    new_id = service.titles.loc[service.titles["is_new"], "title_id"].iloc[0]
    assert title_info(service)[new_id][2] is True
    assert 'class="mlw-rec-new">new</span>' in column_html(service, "A", [Recommendation(new_id, 1, (), "")], set())


def test_member_data_and_menu(case):
    service, train, test, *_ = case
    members = member_data(service, train, test)
    assert set(members.later) == set(test["member_id"]) and members.later_of("nobody") == frozenset()
    some = sorted(members.later)[0]
    assert members.histories[some] == list(train.loc[train["member_id"] == some]
                                           .sort_values(["day", "title_id"], kind="stable")["title_id"])
    menu = members.menu(choices=5)
    assert [m for _, m in menu] == sorted(members.later)[:5]
    assert menu[0][0] == f"{some} · likes {members.favourites[some]} · {members.views[some]} views"
    assert members.menu(choices=5, start="M0600")[-1][1] == "M0600"
    assert members.menu(choices=5, start=some) == menu


def test_static_views_show_both_lists(case):
    service, train, test, popular, personal = case
    members = member_data(service, train, test)
    member = sorted(members.later)[0]
    lists = {m.name: m.recommend(member, 3) for m in (popular, personal)}
    page = explorer_html(service, members, member, lists, "<style>x</style>")
    assert page.startswith('<div class="mlw-rec-static"><style>x</style>') and f"Member {member}" in page
    assert page.count('class="mlw-rec-item"') == 6 and "Run this notebook in Jupyter" in page
    text = explorer_text(service, members, member, lists)
    assert text.startswith(f"Member {member} (likes {members.favourites[member]})")
    assert "\nMost popular:\n  1. " in text and text.count("\n  ") == 6


def test_unknown_member_is_escaped():
    html = unknown_member_html("<b>x</b>")
    assert "There is no member called &lt;b&gt;x&lt;/b&gt;. Pick one from the menu." in html


def _shipped() -> dict:
    return json.loads(resources.files("mlworkflow.content").joinpath("case_study.json").read_text(encoding="utf-8"))


def test_the_shipped_words_load():
    words = load_explorer_text()
    assert words.say("score", hits=2, total=10) == "2 of 10 watched later"
    assert load_explorer_text() is words  # read once


@pytest.mark.parametrize(("change", "field", "problem"), [
    (lambda d: d["explorer"].pop("watched_later"), "explorer.watched_later", "missing"),
    (lambda d: d["explorer"].update(score="{hits} watched later"), "explorer.score", "expected {hits}, {total}"),
    (lambda d: d["explorer"].update(new=3), "explorer.new", "expected non-empty text"),
    (lambda d: d.pop("explorer"), "explorer", "missing"),
])
def test_a_malformed_copy_names_file_and_field(tmp_path, change, field, problem):
    data = _shipped()
    change(data)
    path = tmp_path / "case_study.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ContentError) as err:
        load_explorer_text(path)
    assert (err.value.file, err.value.field) == (str(path), field) and problem in err.value.problem


def test_invalid_json_is_a_content_error(tmp_path):
    path = tmp_path / "case_study.json"
    path.write_text('{"explorer": ', encoding="utf-8")
    with pytest.raises(ContentError, match="not valid JSON"):
        load_explorer_text(path)

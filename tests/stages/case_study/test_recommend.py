import math

import numpy as np
import pandas as pd
import pytest

from mlworkflow.stages.case_study.recommend import (
    Recommendation,
    compare,
    cosine_similarity,
    coverage,
    evaluate,
    explain,
    fit_item_similarity,
    fit_most_popular,
    new_title_share,
    precision_at_k,
    recall_at_k,
    recommender_difference,
    split_views,
)


# -- a tiny hand-checked example -----------------------------------------------------------------
def test_precision_and_recall_at_k_by_hand():
    recommended = ["a", "b", "c", "d"]
    relevant = {"b", "d", "e"}  # the member went on to watch b, d and e
    assert precision_at_k(recommended, relevant, 2) == 1 / 2  # a, b: one hit out of 2
    assert recall_at_k(recommended, relevant, 2) == 1 / 3  # found b: 1 of the 3 relevant
    assert precision_at_k(recommended, relevant, 4) == 2 / 4  # b and d
    assert recall_at_k(recommended, relevant, 4) == 2 / 3
    assert precision_at_k(["a"], relevant, 4) == 0  # a short list still counts as k slots
    assert precision_at_k(["b"], relevant, 4) == 1 / 4
    assert recall_at_k(recommended, set(), 3) == 0.0
    with pytest.raises(ValueError):
        precision_at_k(recommended, relevant, 0)
    with pytest.raises(ValueError):
        recall_at_k(recommended, relevant, 0)


def test_coverage_by_hand():
    recs = {"m1": ["a", "b"], "m2": ["b", "c"], "m3": []}
    assert coverage(recs, ["a", "b", "c", "d", "e"]) == 3 / 5
    assert coverage(recs, []) == 0.0
    assert coverage({"m": ["zz"]}, ["a"]) == 0.0  # titles outside the catalogue do not count


# -- a tiny catalogue where the answer is obvious ------------------------------------------------
TINY = pd.DataFrame(
    [  # Ann and Bob like crime (c1, c2, c3); Cat and Dan like comedy (f1, f2); everyone saw the hit h
        ("ann", "c1", 1), ("ann", "c2", 2), ("ann", "h", 3),
        ("bob", "c1", 1), ("bob", "c2", 2), ("bob", "c3", 3), ("bob", "h", 4),
        ("cat", "f1", 1), ("cat", "f2", 2), ("cat", "h", 3),
        ("dan", "f1", 1), ("dan", "h", 2),
        ("eve", "h", 1),
    ],
    columns=["member_id", "title_id", "day"],
)
TITLES = pd.DataFrame({"title_id": ["c1", "c2", "c3", "f1", "f2", "h", "new"],
                       "title": ["Crime 1", "Crime 2", "Crime 3", "Fun 1", "Fun 2", "Hit", "Brand new"]})


def test_split_uses_one_cutoff_date_for_every_member():
    train, test = split_views(TINY, cutoff_day=3)
    assert set(test.itertuples(index=False, name=None)) == {("ann", "h", 3), ("bob", "c3", 3), ("bob", "h", 4),
                                                            ("cat", "h", 3)}
    assert train["day"].max() < 3 <= test["day"].min()  # nothing after the cutoff is learned from, for anyone
    assert len(train) + len(test) == len(TINY)
    with pytest.raises(ValueError):
        split_views(TINY, holdout=1.5)


def test_split_by_share_picks_the_cutoff_from_the_days():
    views = pd.DataFrame({"member_id": ["m"] * 10, "title_id": [f"t{i}" for i in range(10)], "day": range(10)})
    train, test = split_views(views, holdout=0.2)
    assert list(test["day"]) == [8, 9] and list(train["day"]) == list(range(8))


def test_recommender_difference_gives_paired_intervals(case):
    _, _, test, popular, personal = case
    text = recommender_difference(popular, personal, test, k=10, n_boot=300)
    lines = text.splitlines()
    assert lines[0].startswith("precision@10: Because you watched minus Most popular = +")
    low, high = (float(x) for x in lines[0].split("95% interval ")[1].split(",")[0].split(" to "))
    assert 0 < low < high
    assert f"{test['member_id'].nunique()} members" in lines[1]


def test_cosine_similarity_by_hand():
    m = np.array([[1, 1, 0], [1, 0, 0], [0, 0, 1]])
    sim = cosine_similarity(m)
    assert sim[0, 1] == pytest.approx(1 / math.sqrt(2)) and sim[0, 2] == 0 and sim[0, 0] == 0
    assert np.allclose(sim, sim.T)
    pruned = cosine_similarity(np.array([[1, 1, 1], [1, 1, 0], [1, 0, 0]]), neighbours=1)
    assert (np.count_nonzero(pruned, axis=0) <= 1).all()


def test_most_popular_is_the_same_list_for_everyone_minus_what_they_saw():
    popular = fit_most_popular(TINY, TITLES)
    # 2 viewers each; ties: catalogue order
    assert [r.title_id for r in popular.recommend("eve", 3)] == ["c1", "c2", "f1"]
    assert "h" not in [r.title_id for r in popular.recommend("ann", 10)]
    assert popular.recommend("ann", 1)[0].reason == "Popular: 2 members watched it"
    assert [r.title_id for r in popular.recommend("stranger", 1)] == ["h"]


def test_item_similarity_recommends_the_neighbours_taste_with_a_reason():
    personal = fit_item_similarity(TINY, TITLES, neighbours=None)
    ann = personal.recommend("ann", 2)
    assert isinstance(ann[0], Recommendation) and ann[0].title_id == "c3"
    assert ann[0].because[0] in {"c1", "c2"} and ann[0].reason.startswith("Because you watched Crime")
    assert personal.recommend("dan", 1)[0].title_id == "f2"
    assert [r.title_id for r in personal.recommend("ann", 10)][:1] == ["c3"]
    assert not {"c1", "c2", "h"} & {r.title_id for r in personal.recommend("ann", 10)}
    # a member we know nothing about gets popular titles, and is told why
    stranger = personal.recommend("stranger", 2)
    assert stranger[0].title_id == "h" and "know nothing" in stranger[0].reason
    assert personal.recommend("ann", 3)[1].reason == "Because you watched Hit"
    # with one neighbour per title, f1 and f2 only listen to each other: popular fillers, said so
    narrow = fit_item_similarity(TINY, TITLES, neighbours=1)
    assert [r.title_id for r in narrow.recommend("ann", 3)] == ["c3", "f1", "f2"]
    assert narrow.recommend("ann", 3)[1].reason == "Nothing similar in your history; popular with other members"
    # the brand-new title has no viewers: no evidence for either recommender (cold start)
    assert "new" not in {r.title_id for r in fit_most_popular(TINY, TITLES).recommend("eve", 10)}
    assert "new" not in {r.title_id for m in personal.members for r in personal.recommend(m, 10)}


def test_explain():
    personal = fit_item_similarity(TINY, TITLES, neighbours=None)
    assert explain(personal, "ann", "c1") == "You already watched Crime 1"
    assert explain(personal, "ann", "c3").startswith("Because you watched ")
    assert explain(personal, "ann", "zzz") == "zzz is not in the catalogue"
    assert explain(fit_most_popular(TINY, TITLES), "eve", "c1") == "Popular: 2 members watched it"


def test_recommendations_are_cached_and_copied():
    personal = fit_item_similarity(TINY, TITLES)
    first = personal.recommend("ann", 3)
    first.clear()
    assert personal.recommend("ann", 3)


# -- the case study's numbers -----------------------------------------------------------------
def test_personalised_beats_the_baseline_offline(case):
    _service, _train, test, popular, personal = case
    base, mine = evaluate(popular, test, 10), evaluate(personal, test, 10)
    assert mine.precision > base.precision * 1.3 and mine.recall > base.recall * 1.3
    assert mine.coverage > 3 * base.coverage
    assert base.members == mine.members == test["member_id"].nunique()
    table = compare([popular, personal], test, k=10)
    assert list(table.columns) == ["precision@10", "recall@10", "coverage", "members"]
    assert table.loc["Most popular", "precision@10"] == round(base.precision, 3)


def test_nobody_is_shown_a_new_title(case):
    service, _, test, popular, personal = case
    new = service.titles.loc[service.titles["is_new"], "title_id"]
    assert new_title_share(popular, new) == 0 and new_title_share(personal, new) == 0
    assert test["title_id"].isin(new).any()  # yet members did go on to watch some

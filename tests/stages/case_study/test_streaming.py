import pytest

from mlworkflow.stages.case_study.recommend import fit_item_similarity, fit_most_popular
from mlworkflow.stages.case_study.streaming import (
    GENRES,
    NEW_WINDOW,
    StreamingService,
    plot_popularity,
    popularity_table,
    simulate_feedback_loop,
    streaming_service,
)


@pytest.fixture(scope="module")
def service() -> StreamingService:
    return streaming_service()


@pytest.fixture(scope="module")
def small() -> StreamingService:
    return streaming_service(n_members=120, n_titles=60, seed=3)


def test_shapes_and_columns(service):
    assert len(service.members) == 600 and len(service.titles) == 240
    assert service.views.columns.tolist() == ["member_id", "title_id", "day", "completion", "thumb"]
    assert set(service.titles.columns) == {"title_id", "title", "genre", "release_day", "is_new"}
    assert set(service.titles["genre"]) == set(GENRES)
    assert service.titles["title"].is_unique and service.titles["title_id"].is_unique
    assert set(service.views["member_id"]) <= set(service.members["member_id"])
    assert set(service.views["title_id"]) <= set(service.titles["title_id"])


def test_same_seed_same_data_other_seed_other_data(small):
    again = streaming_service(n_members=120, n_titles=60, seed=3)
    assert small.views.equals(again.views) and small.titles.equals(again.titles)
    other = streaming_service(n_members=120, n_titles=60, seed=4)
    assert not small.views.equals(other.views)


def test_each_member_watches_a_title_at_most_once_and_only_after_release(service):
    views = service.views
    assert not views.duplicated(["member_id", "title_id"]).any()
    release = views["title_id"].map(service.titles.set_index("title_id")["release_day"])
    assert (views["day"] >= release).all() and (views["day"] < service.days).all()
    assert views.groupby("member_id").size().min() >= 4
    assert views["completion"].between(0, 1).all()


def test_popularity_has_a_long_tail(service):
    counts = service.views["title_id"].value_counts()
    top_tenth = counts.iloc[: len(service.titles) // 10].sum() / len(service.views)
    assert top_tenth > 0.25  # a few hits ...
    every_title = counts.reindex(service.titles["title_id"], fill_value=0)
    assert (every_title < counts.iloc[0] / 5).mean() > 0.6  # ... and a tail


def test_members_prefer_their_favourite_genres(service):
    genre = service.views["title_id"].map(service.titles.set_index("title_id")["genre"])
    likes = service.views["member_id"].map(service.members.set_index("member_id")["favourite_genres"])
    in_favourites = [g in f.split(", ") for g, f in zip(genre, likes, strict=True)]
    assert sum(in_favourites) / len(in_favourites) > 0.6


def test_new_titles_are_recent_and_have_few_views(service):
    titles = service.titles
    new = titles[titles["is_new"]]
    assert 10 <= len(new) <= 30
    assert (new["release_day"] >= service.days - NEW_WINDOW).all()
    counts = service.views["title_id"].value_counts()
    assert counts.reindex(new["title_id"], fill_value=0).median() < counts.median() / 2


def test_ratings_are_rare_and_views_are_implicit(service):
    rated = service.views["thumb"].notna().mean()
    assert 0.02 < rated < 0.1
    assert set(service.views["thumb"].dropna().unique()) <= {0.0, 1.0}


def test_summary_and_helpers(service):
    text = service.summary()
    assert "600 members, 240 titles in 10 genres" in text and "thumbs up or down" in text
    assert service.title_name("T001") == service.titles.loc[0, "title"]
    assert service.title_name("nope") == "nope"
    assert service.member_label("M0001").startswith("M0001 · likes ")
    table = popularity_table(service, n=5)
    assert list(table.index) == [1, 2, 3, 4, 5] and table["viewers"].is_monotonic_decreasing


def test_plot_popularity_returns_a_chart(small):
    chart = plot_popularity(small)
    assert chart._repr_png_().startswith(b"\x89PNG") and "long tail" in repr(chart)


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError):
        streaming_service(n_titles=3)


def test_feedback_loop_popular_list_narrows_what_is_watched(small):
    popular = simulate_feedback_loop(small, fit_most_popular, rounds=2)
    personal = simulate_feedback_loop(small, fit_item_similarity, rounds=2)
    assert list(popular.columns) == ["titles watched", "share on old top 10", "views of new titles"]
    assert len(popular) == 2
    assert (popular["titles watched"] < personal["titles watched"]).all()
    assert (popular["share on old top 10"] > personal["share on old top 10"]).all()

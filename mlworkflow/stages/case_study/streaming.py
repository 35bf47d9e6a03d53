"""A made-up streaming service for the recommendations case study, generated offline.

Not Netflix data: a small, seeded stand-in with the shapes that matter for recommendations.
Members have favourite genres, a few titles get most of the views (a long tail), and a handful
of titles came out in the last days of the period, so almost nobody has watched them yet.

    >>> from mlworkflow.stages.case_study.streaming import streaming_service
    >>> service = streaming_service()          # 600 members, 240 titles, 90 days of viewing
    >>> service.views.columns.tolist()
    ['member_id', 'title_id', 'day', 'completion', 'thumb']
    >>> print(service.summary())

Everything is seeded: the same arguments give the same rows. numpy and pandas are imported
inside the functions, so importing this module is cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "GENRES",
    "NEW_WINDOW",
    "StreamingService",
    "plot_popularity",
    "popularity_table",
    "simulate_feedback_loop",
    "streaming_service",
]

# Genre -> words for made-up titles. Share of the catalogue follows the order (Drama biggest).
GENRES: dict[str, tuple[str, ...]] = {
    "Drama": ("Harbour", "Inheritance", "Letters", "Orchard", "Winter", "Promise"),
    "Comedy": ("Roommates", "Office", "Wedding", "Road Trip", "Neighbours", "Holiday"),
    "Crime": ("Alibi", "Verdict", "Witness", "Heist", "Informant", "Case Files"),
    "Documentary": ("Planet", "Ocean", "Kitchen", "Empire", "Expedition", "Machine"),
    "Sci-Fi": ("Signal", "Colony", "Orbit", "Protocol", "Frontier", "Android"),
    "Romance": ("Summer", "Vineyard", "Bookshop", "Proposal", "Postcard", "Waltz"),
    "Kids & Family": ("Treehouse", "Dragon", "Robot Pals", "Puppy", "Castle", "Rocket"),
    "Horror": ("Cellar", "Hollow", "Lighthouse", "Visitor", "Attic", "Ritual"),
    "Reality": ("Bake-Off", "Makeover", "Island", "Auction", "Dating Game", "Renovation"),
    "Anime": ("Blade", "Spirit", "Academy", "Mecha", "Festival", "Ronin"),
}
NEW_WINDOW = 10  # days: titles released this close to the end of the period are "new"
_ADJECTIVES = ("Last", "Hidden", "Golden", "Northern", "Quiet", "Wild", "Second", "Midnight",
               "Electric", "Lost", "Secret", "Little", "Great", "Silver", "Long")


@dataclass(frozen=True, eq=False)
class StreamingService:
    """Members, titles and viewing events of the made-up service (all ``pandas`` frames).

    - ``members``: ``member_id``, ``favourite_genres`` (what the generator gave them a taste for)
    - ``titles``: ``title_id``, ``title``, ``genre``, ``release_day``, ``is_new``
    - ``views``: ``member_id``, ``title_id``, ``day``, ``completion`` (share of the title watched,
      0 to 1) and ``thumb`` (1 up, 0 down, empty when the member gave no rating: most of the time)
    """

    members: pd.DataFrame
    titles: pd.DataFrame
    views: pd.DataFrame
    days: int
    seed: int

    def title_name(self, title_id: str) -> str:
        """The title's display name (the id itself if unknown)."""
        return self._names().get(title_id, title_id)

    def _names(self) -> dict[str, str]:
        cache = self.__dict__.get("_name_cache")
        if cache is None:
            cache = dict(zip(self.titles["title_id"], self.titles["title"], strict=True))
            object.__setattr__(self, "_name_cache", cache)
        return cache

    def member_label(self, member_id: str) -> str:
        """``"M0007 · likes Crime, Documentary · 23 views"`` for menus."""
        row = self.members.loc[self.members["member_id"] == member_id]
        if row.empty:
            return member_id
        n = int((self.views["member_id"] == member_id).sum())
        return f"{member_id} · likes {row['favourite_genres'].iloc[0]} · {n} views"

    def summary(self) -> str:
        """Plain-text facts about the data: sizes, the long tail, new titles, how rare ratings are."""
        views, titles = self.views, self.titles
        counts = views["title_id"].value_counts().reindex(titles["title_id"], fill_value=0)
        top = counts.sort_values(ascending=False)
        top_tenth = top.iloc[: max(1, len(top) // 10)].sum() / len(views)
        new = titles.loc[titles["is_new"], "title_id"]
        rated = views["thumb"].notna().mean()
        return "\n".join([
            f"{len(self.members):,} members, {len(titles):,} titles in {titles['genre'].nunique()} genres, "
            f"{len(views):,} views over {self.days} days.",
            f"Views per member: median {views.groupby('member_id').size().median():.0f}.",
            f"The most-watched 10% of titles get {top_tenth:.0%} of all views.",
            f"{len(new)} titles are new (released in the last {NEW_WINDOW} days); "
            f"together they have {int(counts[new].sum())} views.",
            f"Only {rated:.1%} of views come with a thumbs up or down; every view is implicit feedback.",
        ])


def _title_names(rng: Any, genres: list[str]) -> list[str]:
    """A unique made-up name per title, flavoured by its genre."""
    used: set[str] = set()
    names = []
    for genre in genres:
        while True:
            name = f"The {rng.choice(_ADJECTIVES)} {rng.choice(GENRES[genre])}"
            if name not in used:
                used.add(name)
                names.append(name)
                break
    return names


def streaming_service(n_members: int = 600, n_titles: int = 240, days: int = 90, seed: int = 7) -> StreamingService:
    """Generate the service. Same arguments, same data.

    Each member likes one to three genres; a title's chance of being watched is its general
    appeal (a few titles are hits) times the member's taste for its genre. About 8% of titles
    are released in the last ten days, so they have few views.
    """
    import numpy as np
    import pandas as pd

    if n_members < 1 or n_titles < len(GENRES) or days < 20:
        raise ValueError(f"need at least 1 member, {len(GENRES)} titles and 20 days")
    rng = np.random.default_rng(seed)
    genre_names = list(GENRES)
    genre_share = np.linspace(1.6, 0.6, len(genre_names))
    genre_share /= genre_share.sum()

    # Titles: genre, made-up name, appeal with a long tail, release day.
    title_genre = rng.choice(len(genre_names), size=n_titles, p=genre_share)
    title_genre[: len(genre_names)] = np.arange(len(genre_names))  # every genre has a title
    rank = rng.permutation(n_titles)
    appeal = 1.0 / (rank + 3.0) ** 1.1
    n_new = max(1, round(n_titles * 0.08))
    is_new = np.zeros(n_titles, bool)
    is_new[rng.choice(n_titles, n_new, replace=False)] = True
    release = np.where(is_new, rng.integers(days - NEW_WINDOW, days - 2, n_titles), 0)
    names = _title_names(rng, [genre_names[g] for g in title_genre])
    titles = pd.DataFrame({
        "title_id": [f"T{i + 1:03d}" for i in range(n_titles)],
        "title": names,
        "genre": [genre_names[g] for g in title_genre],
        "release_day": release,
        "is_new": is_new,
    })

    # Members: one to three favourite genres, a strong taste for them and a little for the rest.
    n_fav = rng.choice([1, 2, 3], size=n_members, p=[0.3, 0.45, 0.25])
    taste = np.full((n_members, len(genre_names)), 0.15)
    favourites = []
    for m in range(n_members):
        fav = rng.choice(len(genre_names), size=n_fav[m], replace=False, p=genre_share)
        taste[m, fav] = rng.uniform(2.0, 5.0, size=n_fav[m])
        favourites.append(", ".join(genre_names[g] for g in sorted(fav, key=lambda g: -taste[m, g])))
    members = pd.DataFrame({"member_id": [f"M{m + 1:04d}" for m in range(n_members)], "favourite_genres": favourites})

    # Views: each member watches a few dozen distinct titles, drawn by appeal x taste x time on
    # the service (Gumbel top-k = weighted sampling without replacement, for every member at once).
    available = (days - release) / days
    weight = appeal[None, :] * taste[:, title_genre] * available[None, :]
    keys = np.log(weight) + rng.gumbel(size=weight.shape)
    n_views = np.clip(rng.negative_binomial(2, 2 / 24, size=n_members) + 4, 4, n_titles // 3)
    order = np.argsort(-keys, axis=1, kind="stable")
    rows = []
    for m in range(n_members):
        for t in order[m, : n_views[m]]:
            rows.append((m, t))
    m_idx = np.array([r[0] for r in rows])
    t_idx = np.array([r[1] for r in rows])
    day = rng.integers(release[t_idx], days)
    liked = taste[m_idx, title_genre[t_idx]] > 1.0
    completion = np.clip(rng.beta(np.where(liked, 5, 2), 2), 0.02, 1.0)
    rated = rng.random(len(rows)) < 0.05
    thumb = np.where(rated, (completion > 0.55).astype(float), np.nan)
    views = pd.DataFrame({
        "member_id": members["member_id"].to_numpy()[m_idx],
        "title_id": titles["title_id"].to_numpy()[t_idx],
        "day": day.astype(int),
        "completion": completion.round(2),
        "thumb": thumb,
    }).sort_values(["day", "member_id", "title_id"], kind="stable").reset_index(drop=True)
    return StreamingService(members=members, titles=titles, views=views, days=days, seed=seed)


def popularity_table(service: StreamingService, n: int = 10) -> pd.DataFrame:
    """The ``n`` most-watched titles with their genre and number of viewers."""
    counts = service.views["title_id"].value_counts()
    table = service.titles.set_index("title_id").loc[counts.index[:n], ["title", "genre"]]
    table["viewers"] = counts.iloc[:n].to_numpy()
    return table.reset_index(drop=True).rename(index=lambda i: i + 1)


def plot_popularity(service: StreamingService) -> Any:
    """Viewers per title, most-watched first: the long tail, with new titles marked in orange."""
    from matplotlib.figure import Figure

    from mlworkflow.display.charts import Chart

    titles = service.titles.set_index("title_id")
    counts = service.views["title_id"].value_counts().reindex(titles.index, fill_value=0).sort_values(ascending=False)
    new = titles.loc[counts.index, "is_new"].to_numpy()
    fig = Figure(figsize=(9, 3.0), dpi=90, layout="constrained")
    ax = fig.subplots()
    ax.bar(range(len(counts)), counts.to_numpy(), width=1.0, color=["#ea580c" if n else "#1d4ed8" for n in new])
    ax.set(title="Viewers per title, most-watched first (orange: new titles)", xlabel="Titles", ylabel="Viewers")
    ax.set_xticks([])
    ax.spines[["top", "right"]].set_visible(False)
    return Chart(fig, "Viewers per title, most-watched first: a few hits and a long tail; "
                      "new titles sit at the far end.")


def simulate_feedback_loop(service: StreamingService, fit: Callable[..., Any], rounds: int = 4, k: int = 10,
                           seed: int = 0) -> pd.DataFrame:
    """What happens when members mostly watch what they are shown, and the model learns from that.

    Each round: fit a recommender with ``fit(views, titles)`` on all views so far; every member
    watches one title from their top ``k`` (more likely one in a genre they like); those views
    are added. Returns, per round, how many different titles were watched, the share of that
    round's views that went to the 10 titles most watched before the simulation, and how many
    views new titles got.
    """
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    genre = dict(zip(service.titles["title_id"], service.titles["genre"], strict=True))
    members = service.members
    likes = {m: set(f.split(", ")) for m, f in zip(members["member_id"], members["favourite_genres"], strict=True)}
    top10 = set(service.views["title_id"].value_counts().index[:10])
    new_titles = set(service.titles.loc[service.titles["is_new"], "title_id"])
    views = service.views[["member_id", "title_id", "day"]]
    rows = []
    for r in range(1, rounds + 1):
        model = fit(views, service.titles)
        new = []
        for member in model.members:
            recs = [x.title_id for x in model.recommend(member, k)]
            if not recs:
                continue
            weight = np.array([1.0 if genre[t] in likes[member] else 0.15 for t in recs]) / np.arange(1, len(recs) + 1)
            new.append((member, recs[rng.choice(len(recs), p=weight / weight.sum())], service.days + r))
        watched = pd.DataFrame(new, columns=["member_id", "title_id", "day"])
        rows.append({"round": r, "titles watched": watched["title_id"].nunique(),
                     "share on old top 10": round(float(watched["title_id"].isin(top10).mean()), 3),
                     "views of new titles": int(watched["title_id"].isin(new_titles).sum())})
        views = pd.concat([views, watched], ignore_index=True)
    return pd.DataFrame(rows).set_index("round")

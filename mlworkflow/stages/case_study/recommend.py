"""Two recommenders and the offline metrics that compare them (numpy and pandas, imported inside functions).

    >>> train, test = split_views(service.views)              # one cutoff date: train before, test after
    >>> popular = fit_most_popular(train, service.titles)     # the baseline: same hits for everyone
    >>> personal = fit_item_similarity(train, service.titles) # "because you watched ..."
    >>> evaluate(personal, test, k=10)                        # precision@10, recall@10, coverage
    >>> personal.recommend("M0012", k=5)[0].reason
    'Because you watched The Midnight Case Files and The Secret Case Files'

A view counts as "liked" (implicit feedback): nobody has to rate anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

__all__ = [
    "Evaluation",
    "Recommendation",
    "Recommender",
    "compare",
    "cosine_similarity",
    "coverage",
    "evaluate",
    "explain",
    "fit_item_similarity",
    "fit_most_popular",
    "new_title_share",
    "precision_at_k",
    "recall_at_k",
    "recommender_difference",
    "split_views",
]


@dataclass(frozen=True)
class Recommendation:
    """One recommended title, its score, the watched titles behind it and the reason in words."""

    title_id: str
    score: float
    because: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Evaluation:
    """Offline results of one recommender: averages over members with held-out views."""

    name: str
    k: int
    precision: float
    recall: float
    coverage: float
    members: int

    def as_row(self) -> dict[str, Any]:
        return {f"precision@{self.k}": self.precision, f"recall@{self.k}": self.recall,
                "coverage": self.coverage, "members": self.members}


def split_views(views: pd.DataFrame, holdout: float = 0.2,
                cutoff_day: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split views into (train, test) at one date for everyone: train before ``cutoff_day``, test from it on.

    Without ``cutoff_day``, the cutoff is the first day such that about the latest ``holdout`` share
    of all views falls on or after it. One cutoff for all members, not each member's latest views:
    otherwise the model would learn from other members' later views, which it could not have seen
    on the day it was built (leakage across members). Members and titles that first appear after
    the cutoff are in the test only, as they would be in real life.
    """
    import numpy as np

    if not 0 < holdout < 1:
        raise ValueError("holdout must be between 0 and 1, e.g. 0.2 for 20%")
    if cutoff_day is None:
        cutoff_day = int(np.ceil(np.quantile(views["day"].to_numpy(), 1 - holdout)))
    ordered = views.sort_values(["day", "member_id", "title_id"], kind="stable")
    is_test = ordered["day"].to_numpy() >= cutoff_day
    return ordered[~is_test].reset_index(drop=True), ordered[is_test].reset_index(drop=True)


def cosine_similarity(matrix: npt.ArrayLike, neighbours: int | None = None) -> np.ndarray:
    """Column-by-column cosine similarity of a members x titles matrix; the diagonal is zero.

    With ``neighbours``, column ``j`` keeps only its ``neighbours`` largest entries (the titles
    most like title ``j``) and the rest become 0.
    """
    import numpy as np

    m = np.asarray(matrix, dtype=float)
    norms = np.sqrt((m * m).sum(axis=0))
    norms[norms == 0] = 1.0
    sim = (m.T @ m) / np.outer(norms, norms)
    np.fill_diagonal(sim, 0.0)
    if neighbours is not None and neighbours < sim.shape[0]:
        drop = np.argsort(-sim, axis=0, kind="stable")[max(0, neighbours):, :]
        np.put_along_axis(sim, drop, 0.0, axis=0)
    return sim


class Recommender:
    """A recommender fitted on training views: ``recommend(member_id, k)`` gives a ranked list."""

    name = "Recommender"

    def __init__(self, train: pd.DataFrame, titles: pd.DataFrame | Sequence[str] | None = None) -> None:
        import numpy as np
        import pandas as pd

        self._names: dict[str, str] = {}
        if titles is None:
            ids = sorted(train["title_id"].unique())
        elif isinstance(titles, pd.DataFrame):
            ids = list(titles["title_id"])
            if "title" in titles.columns:
                self._names = dict(zip(titles["title_id"], titles["title"], strict=True))
        else:
            ids = list(titles)
        self.catalogue: tuple[str, ...] = tuple(ids)
        self._t = {t: i for i, t in enumerate(self.catalogue)}
        self.members: tuple[str, ...] = tuple(sorted(train["member_id"].unique()))
        self._m = {m: i for i, m in enumerate(self.members)}
        known = train[train["title_id"].isin(self._t)]
        self.seen = np.zeros((len(self.members), len(self.catalogue)), dtype=bool)
        self.seen[known["member_id"].map(self._m).to_numpy(), known["title_id"].map(self._t).to_numpy()] = True
        self.viewers = self.seen.sum(axis=0)
        self._cache: dict[tuple[str, int], list[Recommendation]] = {}

    def name_of(self, title_id: str) -> str:
        return self._names.get(title_id, title_id)

    def history(self, member_id: str) -> list[str]:
        """Title ids the member watched in the training views."""
        i = self._m.get(member_id)
        return [] if i is None else [self.catalogue[j] for j in self.seen[i].nonzero()[0]]

    def _scores(self, i: int | None) -> np.ndarray:  # pragma: no cover - subclasses override
        raise NotImplementedError

    def _why(self, i: int | None, j: int) -> tuple[tuple[str, ...], str]:  # pragma: no cover
        raise NotImplementedError

    def recommend(self, member_id: str, k: int = 10) -> list[Recommendation]:
        """The top ``k`` titles the member has not watched yet, best first (ties: catalogue order).

        A title nobody watched in the training views is never recommended: neither recommender
        has any evidence about it (the cold-start problem).
        """
        import numpy as np

        key = (member_id, k)
        if key not in self._cache:
            i = self._m.get(member_id)
            scores = self._scores(i).astype(float)
            scores[self.viewers == 0] = -np.inf
            if i is not None:
                scores[self.seen[i]] = -np.inf
            order = np.argsort(-scores, kind="stable")[:k]
            recs = []
            for j in order:
                if not np.isfinite(scores[j]):
                    break
                because, reason = self._why(i, int(j))
                recs.append(Recommendation(self.catalogue[j], round(float(scores[j]), 6), because, reason))
            self._cache[key] = recs
        return list(self._cache[key])

    def recommend_all(self, members: Iterable[str], k: int = 10) -> dict[str, list[str]]:
        """Title ids recommended to each member."""
        return {m: [r.title_id for r in self.recommend(m, k)] for m in members}


class MostPopular(Recommender):
    """The baseline: the titles most members watched, minus what you have seen. Same for everyone."""

    name = "Most popular"

    def _scores(self, i: int | None) -> np.ndarray:
        return self.viewers.copy()

    def _why(self, i: int | None, j: int) -> tuple[tuple[str, ...], str]:
        return (), f"Popular: {int(self.viewers[j])} members watched it"


class ItemSimilarity(Recommender):
    """Item-to-item: titles watched by the same people as the titles you watched (cosine similarity).

    A title's score for a member adds up its similarity to each title they watched, counting only
    its ``neighbours`` most similar titles, so a few hits everyone watched do not vote for everything.
    """

    name = "Because you watched"

    def __init__(self, train: pd.DataFrame, titles: pd.DataFrame | Sequence[str] | None = None,
                 neighbours: int | None = 20) -> None:
        super().__init__(train, titles)
        self.similarity = cosine_similarity(self.seen, neighbours)

    def _scores(self, i: int | None) -> np.ndarray:
        # popularity, scaled far below any similarity, orders the titles no similarity reaches
        filler = self.viewers / max(1, self.viewers.max()) * 1e-9
        if i is None or not self.seen[i].any():  # nothing known about this member yet
            return filler
        return self.seen[i].astype(float) @ self.similarity + filler

    def _why(self, i: int | None, j: int) -> tuple[tuple[str, ...], str]:
        import numpy as np

        if i is None or not self.seen[i].any():
            return (), "Popular: we know nothing about your taste yet"
        watched = self.seen[i].nonzero()[0]
        contrib = self.similarity[watched, j]
        top = [int(watched[x]) for x in np.argsort(-contrib, kind="stable")[:2] if contrib[x] > 0]
        if not top:
            return (), "Nothing similar in your history; popular with other members"
        because = tuple(self.catalogue[t] for t in top)
        return because, "Because you watched " + " and ".join(self.name_of(t) for t in because)


def fit_most_popular(train: pd.DataFrame, titles: pd.DataFrame | Sequence[str] | None = None) -> MostPopular:
    """The most-popular baseline fitted on ``train`` (catalogue: ``titles``, else titles in train)."""
    return MostPopular(train, titles)


def fit_item_similarity(train: pd.DataFrame, titles: pd.DataFrame | Sequence[str] | None = None,
                        neighbours: int | None = 20) -> ItemSimilarity:
    """The personalised item-to-item recommender fitted on ``train`` (``neighbours=None``: all titles vote)."""
    return ItemSimilarity(train, titles, neighbours)


def precision_at_k(recommended: Sequence[str], relevant: Iterable[str], k: int) -> float:
    """Share of the first ``k`` recommendations that are relevant (a short list still counts as k)."""
    if k < 1:
        raise ValueError("k must be at least 1")
    relevant = set(relevant)
    return sum(r in relevant for r in list(recommended)[:k]) / k


def recall_at_k(recommended: Sequence[str], relevant: Iterable[str], k: int) -> float:
    """Share of the relevant titles found in the first ``k`` recommendations (0 if none are relevant)."""
    if k < 1:
        raise ValueError("k must be at least 1")
    relevant = set(relevant)
    if not relevant:
        return 0.0
    return sum(r in relevant for r in list(recommended)[:k]) / len(relevant)


def coverage(recommendations: Mapping[str, Sequence[str]], catalogue: Iterable[str]) -> float:
    """Share of the catalogue recommended to at least one member."""
    catalogue = set(catalogue)
    if not catalogue:
        return 0.0
    shown = {t for recs in recommendations.values() for t in recs}
    return len(shown & catalogue) / len(catalogue)


def evaluate(model: Recommender, test: pd.DataFrame, k: int = 10) -> Evaluation:
    """Precision@k and recall@k averaged over members with held-out views; coverage over all members."""
    held_out = {str(m): set(t) for m, t in test.groupby("member_id")["title_id"]}
    members = sorted(held_out)
    recs = model.recommend_all(members, k)
    n = len(members)
    precision = sum(precision_at_k(recs[m], held_out[m], k) for m in members) / n if n else 0.0
    recall = sum(recall_at_k(recs[m], held_out[m], k) for m in members) / n if n else 0.0
    everyone = model.recommend_all(model.members, k)
    return Evaluation(model.name, k, precision, recall, coverage(everyone, model.catalogue), n)


def compare(models: Sequence[Recommender], test: pd.DataFrame, k: int = 10, digits: int = 3) -> pd.DataFrame:
    """One row per recommender: precision@k, recall@k, coverage (rounded) and members evaluated."""
    import pandas as pd

    rows = {m.name: evaluate(m, test, k).as_row() for m in models}
    return pd.DataFrame.from_dict(rows, orient="index").round(digits)


def recommender_difference(first: Recommender, second: Recommender, test: pd.DataFrame, k: int = 10, *, seed: int = 0,
                     n_boot: int = 2000) -> str:
    """How much ``second`` beats ``first`` on precision@k and recall@k, with 95% intervals (bootstrap over members).

    The same members are resampled for both (a paired, seeded percentile bootstrap, ``scipy.stats.bootstrap``).
    """
    import numpy as np
    from scipy.stats import bootstrap

    held_out = {str(m): set(t) for m, t in test.groupby("member_id")["title_id"]}
    members = sorted(held_out)
    recs = [model.recommend_all(members, k) for model in (first, second)]
    lines = []
    for label, metric in ((f"precision@{k}", precision_at_k), (f"recall@{k}", recall_at_k)):
        diff = np.array([metric(recs[1][m], held_out[m], k) - metric(recs[0][m], held_out[m], k) for m in members])
        ci = bootstrap((diff,), np.mean, n_resamples=n_boot, method="percentile",
                       random_state=np.random.default_rng(seed)).confidence_interval
        lines.append(f"{label}: {second.name} minus {first.name} = {diff.mean():+.3f} "
                     f"(95% interval {ci.low:+.3f} to {ci.high:+.3f}, {len(members)} members)")
    return "\n".join(lines)


def explain(model: Recommender, member_id: str, title_id: str) -> str:
    """Why ``model`` would recommend ``title_id`` to ``member_id``, in words."""
    j = model._t.get(title_id)
    if j is None:
        return f"{title_id} is not in the catalogue"
    i = model._m.get(member_id)
    if i is not None and model.seen[i, j]:
        return f"You already watched {model.name_of(title_id)}"
    return model._why(i, j)[1]


def new_title_share(model: Recommender, new_titles: Iterable[str], k: int = 10) -> float:
    """Share of members who get at least one new title in their top ``k``."""
    new = set(new_titles)
    recs = model.recommend_all(model.members, k)
    return sum(bool(new & set(r)) for r in recs.values()) / max(1, len(recs))

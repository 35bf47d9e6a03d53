"""``RecommendationExplorer``: pick a member, see both recommenders' lists side by side, with why.

    >>> RecommendationExplorer(service)                    # fits both recommenders on the training views
    >>> explorer = RecommendationExplorer(service, member="M0007")
    >>> explorer.member = "M0012"                          # what the dropdown does

A thin view over :mod:`mlworkflow.stages.case_study.recommend`; titles the member went on to watch in the
held-out views are marked, so the offline metrics can be seen one member at a time.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets
from traitlets import Int, Unicode, observe, validate

from mlworkflow.core.content import stylesheet
from mlworkflow.stages.case_study.recommend import (
    Recommendation,
    Recommender,
    fit_item_similarity,
    fit_most_popular,
    split_views,
)
from mlworkflow.stages.case_study.streaming import StreamingService
from mlworkflow.ui import StaticFallback

__all__ = ["HISTORY_SHOWN", "RecommendationExplorer", "column_html", "history_html"]

HISTORY_SHOWN = 12  # most recent titles listed under the member; the rest are counted

_CSS = stylesheet("recommend", tag=True)


def _titles(service: StreamingService) -> dict[str, tuple[str, str, bool]]:
    """title id -> (name, genre, is new), built once per service."""
    info = service.__dict__.get("_title_info")
    if info is None:
        info = {t: (n, g, bool(new)) for t, n, g, new in
                service.titles[["title_id", "title", "genre", "is_new"]].itertuples(index=False)}
        object.__setattr__(service, "_title_info", info)
    return info


def history_html(service: StreamingService, history: Sequence[str], favourites: str) -> str:
    """The member's taste and their most recent titles; ``history`` is oldest first."""
    info = _titles(service)
    shown = list(reversed(history))[:HISTORY_SHOWN]
    items = "".join(
        f'<li>{html.escape(info[t][0])} <span class="mlw-rec-genre">{html.escape(info[t][1])}</span></li>'
        for t in shown if t in info
    )
    more = len(history) - len(shown)
    more_html = f"<p><i>… and {more} earlier title{'s' if more != 1 else ''}.</i></p>" if more > 0 else ""
    return (f"<p><b>Likes:</b> {html.escape(favourites)} <i>(we only know this because the data is made up; "
            f"a real service has to infer it)</i></p>"
            f"<p><b>Watched ({len(history)} titles, latest first):</b></p><ul>{items}</ul>{more_html}")


def column_html(service: StreamingService, name: str, recs: Sequence[Recommendation], later: set[str]) -> str:
    """One recommender's list: title, genre, reason, and a mark if the member watched it later."""
    info = _titles(service)
    hits = sum(r.title_id in later for r in recs)
    items = []
    for r in recs:
        title, genre, new = info.get(r.title_id, (r.title_id, "", False))
        marks = ' <span class="mlw-rec-new">new</span>' if new else ""
        marks += ' <span class="mlw-rec-hit">✓ watched later</span>' if r.title_id in later else ""
        items.append(f'<li class="mlw-rec-item" data-title="{html.escape(r.title_id)}">{html.escape(title)} '
                     f'<span class="mlw-rec-genre">{html.escape(genre)}</span>{marks}<br>'
                     f'<span class="mlw-rec-reason">{html.escape(r.reason)}</span></li>')
    score = f"{hits} of {len(recs)} watched later" if later else "no held-out views for this member"
    return f"<h4>{html.escape(name)}</h4><p><b>{score}</b></p><ol>{''.join(items)}</ol>"


class RecommendationExplorer(StaticFallback, widgets.VBox):
    """A member menu over two side-by-side lists (most popular vs personalised), each item with its reason.

    ``member`` (an id) and ``k`` (list length, 1 to 20) are the public state.
    """

    member = Unicode("")
    k = Int(10)

    def __init__(self, service: StreamingService, train: Any = None, test: Any = None,
                 models: Sequence[Recommender] | None = None, *, member: str | None = None, k: int = 10,
                 choices: int = 60, **kwargs: Any):
        self._service = service
        if train is None:
            train, test = split_views(service.views)
        self._models = tuple(models) if models is not None else (
            fit_most_popular(train, service.titles), fit_item_similarity(train, service.titles))
        if len(self._models) != 2:
            raise ValueError("give exactly two recommenders to compare side by side")
        self._later = ({} if test is None else test.groupby("member_id")["title_id"].apply(set).to_dict())
        self._favourites = dict(zip(service.members["member_id"], service.members["favourite_genres"]))
        self._histories = train.sort_values(["day", "title_id"], kind="stable").groupby("member_id")["title_id"].apply(list).to_dict()
        counts = train.groupby("member_id").size()
        # A manageable menu: members with held-out views first (their lists can be checked), in id order.
        ids = sorted(self._later) or list(counts.index)
        options = [(f"{m} · likes {self._favourites.get(m, '?')} · {int(counts.get(m, 0))} views", m) for m in ids[:choices]]
        start = member if member is not None else options[0][1]
        if start not in dict((v, k_) for k_, v in options):
            options.append((f"{start} · {int(counts.get(start, 0))} views", start))
        self._menu = widgets.Dropdown(options=options, value=start, description="Member",
                                      layout=widgets.Layout(width="34em"))
        self._menu.add_class("mlw-rec-member")
        self._menu.observe(lambda change: setattr(self, "member", change["new"]), names="value")
        self._error = widgets.HTML().add_class("mlw-rec-error")
        self._history = widgets.HTML().add_class("mlw-rec-history")
        self._columns = [widgets.HTML().add_class("mlw-rec-col") for _ in self._models]
        self._columns[0].add_class("mlw-rec-popular")
        self._columns[1].add_class("mlw-rec-personal")
        lists = widgets.HBox(self._columns, layout=widgets.Layout(flex_flow="row wrap")).add_class("mlw-rec-lists")
        super().__init__(children=[widgets.HTML(_CSS), self._menu, self._error, self._history, lists], **kwargs)
        self.add_class("mlw-rec-explorer")
        with self.hold_trait_notifications():
            self.k = k
        self.member = start

    # -- public API -------------------------------------------------------------------------
    @property
    def models(self) -> tuple[Recommender, ...]:
        return self._models

    def lists(self) -> dict[str, list[Recommendation]]:
        """The current member's recommendations from each recommender, by recommender name."""
        return {m.name: m.recommend(self.member, self.k) for m in self._models}

    # -- wiring -----------------------------------------------------------------------------
    @validate("k")
    def _clamp(self, proposal: Any) -> int:
        return max(1, min(20, int(proposal["value"])))

    @observe("member", "k")
    def _on_change(self, change: Any) -> None:
        if not hasattr(self, "_columns"):
            return
        if self.member not in self._favourites:
            self._error.value = (f'<p style="color:#b91c1c">There is no member called {html.escape(self.member)}. '
                                 "Pick one from the menu.</p>")
            return
        self._error.value = ""
        if self._menu.value != self.member and self.member in dict((v, k_) for k_, v in self._menu.options):
            self._menu.value = self.member
        self._history.value = self._history_html()
        for column, (name, recs) in zip(self._columns, self.lists().items()):
            column.value = column_html(self._service, name, recs, self._later.get(self.member, set()))

    def _history_html(self) -> str:
        return history_html(self._service, self._histories.get(self.member, []), self._favourites.get(self.member, ""))

    def _static_html(self) -> str:
        later = self._later.get(self.member, set())
        cols = "".join(f'<div class="mlw-rec-col" style="flex:1 1 0;min-width:20em;padding:0 .8em">'
                       f"{column_html(self._service, n, r, later)}</div>" for n, r in self.lists().items())
        return (f'<div class="mlw-rec-static">{_CSS}<p><b>Member {html.escape(self.member)}</b></p>{self._history_html()}'
                f'<div style="display:flex;flex-wrap:wrap">{cols}</div>'
                "<p><em>Run this notebook in Jupyter to pick another member.</em></p></div>")

    def _static_text(self) -> str:
        later = self._later.get(self.member, set())
        lines = [f"Member {self.member} (likes {self._favourites.get(self.member, '?')})"]
        for name, recs in self.lists().items():
            lines.append(f"\n{name}:")
            lines += [f"  {i}. {self._service.title_name(r.title_id)}{' [watched later]' if r.title_id in later else ''}"
                      f" ({r.reason})" for i, r in enumerate(recs, 1)]
        return "\n".join(lines)

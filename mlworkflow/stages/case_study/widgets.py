"""``RecommendationExplorer``: pick a member, see both recommenders' lists side by side, with why.

    >>> RecommendationExplorer(service)                    # fits both recommenders on the training views
    >>> explorer = RecommendationExplorer(service, member="M0007")
    >>> explorer.member = "M0012"                          # what the dropdown does

A thin view over :mod:`mlworkflow.stages.case_study.recommend` and
:mod:`mlworkflow.stages.case_study.views`; titles the member went on to watch in the held-out
views are marked, so the offline metrics can be seen one member at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
from traitlets import Int, Unicode, observe, validate

from mlworkflow.core.content import stylesheet
from mlworkflow.core.text import html_escape
from mlworkflow.stages.case_study.recommend import (
    Recommendation,
    Recommender,
    fit_item_similarity,
    fit_most_popular,
    split_views,
)
from mlworkflow.stages.case_study.streaming import StreamingService
from mlworkflow.stages.case_study.views import (
    HISTORY_SHOWN,
    column_html,
    explorer_html,
    explorer_text,
    history_html,
    load_explorer_text,
    member_data,
    unknown_member_html,
)
from mlworkflow.ui import StaticFallback, guard

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

# column_html, history_html and HISTORY_SHOWN live in views; kept importable from here for old notebooks
__all__ = ["HISTORY_SHOWN", "RecommendationExplorer", "column_html", "history_html"]

_CSS = stylesheet("recommend", tag=True)


class RecommendationExplorer(StaticFallback, widgets.VBox):
    """A member menu over two side-by-side lists (most popular vs personalised), each item with its reason.

    ``member`` (an id) and ``k`` (list length, 1 to 20) are the public state.
    """

    member = Unicode("")
    k = Int(10)

    def __init__(self, service: StreamingService, train: pd.DataFrame | None = None, test: pd.DataFrame | None = None,
                 models: Sequence[Recommender] | None = None, *, member: str | None = None, k: int = 10,
                 choices: int = 60, **kwargs: Any) -> None:
        self._service = service
        if train is None:
            train, test = split_views(service.views)
        self._models = tuple(models) if models is not None else (
            fit_most_popular(train, service.titles), fit_item_similarity(train, service.titles))
        if len(self._models) != 2:
            raise ValueError("give exactly two recommenders to compare side by side")
        self._members = member_data(service, train, test)
        options = self._members.menu(choices, member)
        start = member if member is not None else self._members.showcase(
            [m for _, m in options], [self._titles(m, k) for m in self._models]) or options[0][1]
        self._menu = widgets.Dropdown(options=options, value=start, description=load_explorer_text().say("menu_label"),
                                      layout=widgets.Layout(width="34em"))
        self._menu.add_class("mlw-rec-member")
        self._menu.observe(self._on_menu, names="value")
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

    @staticmethod
    def _titles(model: Recommender, k: int) -> Callable[[str], list[str]]:
        return lambda member: [r.title_id for r in model.recommend(member, k)]

    # -- wiring -----------------------------------------------------------------------------
    @validate("k")
    def _clamp(self, proposal: Any) -> int:
        return max(1, min(20, int(proposal["value"])))

    @guard("choosing a member")
    def _on_menu(self, change: dict[str, Any]) -> None:
        self.member = change["new"]

    @observe("member", "k")
    @guard("showing this member's recommendations")
    def _on_change(self, change: dict[str, Any]) -> None:
        if not hasattr(self, "_columns"):
            return
        if self.member not in self._members.favourites:
            self._error.value = unknown_member_html(self.member)
            return
        self._error.value = ""
        if self._menu.value != self.member and self.member in {m for _, m in self._menu.options}:
            self._menu.value = self.member
        self._history.value = history_html(self._service, self._members.histories.get(self.member, []),
                                           self._members.favourites.get(self.member, ""))
        later = self._members.later_of(self.member)
        for column, (name, recs) in zip(self._columns, self.lists().items(), strict=False):
            column.value = column_html(self._service, name, recs, later)

    def _say_error(self, message: str) -> None:
        self._error.value = f'<p role="alert" style="color:#b91c1c">{html_escape(message)}</p>'

    def _static_html(self) -> str:
        return explorer_html(self._service, self._members, self.member, self.lists(), _CSS)

    def _static_text(self) -> str:
        return explorer_text(self._service, self._members, self.member, self.lists())

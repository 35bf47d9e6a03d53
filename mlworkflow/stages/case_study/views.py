"""What the recommendation explorer shows, as plain HTML and text (no widgets needed).

    >>> members = member_data(service, train, test)       # histories, tastes and held-out views
    >>> column_html(service, "Because you watched", personal.recommend("M0012", 10), members.later_of("M0012"))
    >>> print(explorer_text(service, members, "M0012", {m.name: m.recommend("M0012", 10) for m in models}))

The words come from ``content/case_study.json``; learner-independent numbers are formatted here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from mlworkflow.core.content import Fields, read_content
from mlworkflow.core.text import html_escape
from mlworkflow.stages.case_study.recommend import Recommendation
from mlworkflow.stages.case_study.streaming import StreamingService

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    import pandas as pd

__all__ = [
    "HISTORY_SHOWN",
    "ExplorerText",
    "MemberData",
    "column_html",
    "explorer_html",
    "explorer_text",
    "history_html",
    "load_explorer_text",
    "member_data",
    "title_info",
    "unknown_member_html",
]

HISTORY_SHOWN = 12  # most recent titles listed under the member; the rest are counted

# each template and the placeholders it must use (a typo in the content file is a ContentError)
_TEMPLATES: dict[str, tuple[str, ...]] = {
    "menu_label": (), "likes": (), "likes_note": (), "watched": ("count",), "earlier_one": ("count",),
    "earlier_many": ("count",), "new": (), "watched_later": (), "score": ("hits", "total"), "no_held_out": (),
    "unknown_member": ("member",), "member": ("member",), "run_in_jupyter": (),
    "text_member": ("member", "favourites"), "text_watched_later": (),
}


@dataclass(frozen=True)
class ExplorerText:
    """The explorer's words, by key (see ``content/case_study.json``); ``say`` fills a template."""

    templates: Mapping[str, str]

    def say(self, key: str, **values: object) -> str:
        return self.templates[key].format(**values)


def load_explorer_text(path: str | Path | None = None) -> ExplorerText:
    """The explorer's words from ``content/case_study.json`` (or ``path``); a bad field raises ContentError."""
    if path is None:
        return _shipped_text()
    return _read_text(path)


@lru_cache(maxsize=1)
def _shipped_text() -> ExplorerText:
    return _read_text(None)


def _read_text(path: str | Path | None) -> ExplorerText:
    data, label = read_content("case_study.json", path)
    explorer = Fields(data, label).object("explorer")
    templates = {key: explorer.template(key, names) for key, names in _TEMPLATES.items()}
    return ExplorerText(templates)


def title_info(service: StreamingService) -> dict[str, tuple[str, str, bool]]:
    """title id -> (name, genre, is new), built once per service."""
    info = service.__dict__.get("_title_info")
    if info is None:
        info = {t: (n, g, bool(new)) for t, n, g, new in
                service.titles[["title_id", "title", "genre", "is_new"]].itertuples(index=False)}
        object.__setattr__(service, "_title_info", info)
    return info


@dataclass(frozen=True)
class MemberData:
    """What the explorer knows about each member: taste, training history (oldest first), held-out titles."""

    favourites: Mapping[str, str]
    histories: Mapping[str, Sequence[str]]
    later: Mapping[str, frozenset[str]]
    views: Mapping[str, int]

    def later_of(self, member: str) -> frozenset[str]:
        """Titles ``member`` watched in the held-out views (empty if none)."""
        return self.later.get(member, frozenset())

    def showcase(self, members: Sequence[str], recommend: Sequence[Callable[[str], Sequence[str]]]) -> str | None:
        """The member among ``members`` whose lists differ most in titles watched later (second minus first).

        The explorer opens on this member, so its first view shows what the offline metric measures;
        ties go to more titles watched later in all, then to the lower id. None if no member has any.
        """
        first, second = recommend

        def gain(member: str) -> tuple[int, int]:
            later = self.later_of(member)
            a, b = len(later.intersection(first(member))), len(later.intersection(second(member)))
            return (b - a, a + b)

        scored = {m: gain(m) for m in sorted(members) if self.later_of(m)}
        best = max(scored, key=scored.__getitem__, default=None)  # the first (lowest id) of equals
        return best if best is not None and sum(scored[best]) > 0 else None

    def menu(self, choices: int = 60, start: str | None = None) -> list[tuple[str, str]]:
        """(label, member id) for the menu: members with held-out views first (they can be checked), by id.

        ``start`` is added at the end if it is not among the first ``choices``.
        """
        ids = sorted(self.later) or list(self.views)
        options = [(f"{m} · likes {self.favourites.get(m, '?')} · {self.views.get(m, 0)} views", m)
                   for m in ids[:choices]]
        if start is not None and start not in {m for _, m in options}:
            options.append((f"{start} · {self.views.get(start, 0)} views", start))
        return options


def member_data(service: StreamingService, train: pd.DataFrame, test: pd.DataFrame | None = None) -> MemberData:
    """Each member's favourite genres, training history and held-out titles, for the explorer."""
    later = {} if test is None else {str(m): frozenset(t) for m, t in test.groupby("member_id")["title_id"]}
    ordered = train.sort_values(["day", "title_id"], kind="stable")
    histories = {str(m): list(t) for m, t in ordered.groupby("member_id")["title_id"]}
    views = {str(m): int(n) for m, n in train.groupby("member_id").size().items()}
    favourites = dict(zip(service.members["member_id"], service.members["favourite_genres"], strict=True))
    return MemberData(favourites, histories, later, views)


def history_html(service: StreamingService, history: Sequence[str], favourites: str) -> str:
    """The member's taste and their most recent titles; ``history`` is oldest first."""
    words = load_explorer_text()
    info = title_info(service)
    shown = list(reversed(history))[:HISTORY_SHOWN]
    items = "".join(
        f'<li>{html_escape(info[t][0])} <span class="mlw-rec-genre">{html_escape(info[t][1])}</span></li>'
        for t in shown if t in info
    )
    more = len(history) - len(shown)
    earlier = words.say("earlier_one" if more == 1 else "earlier_many", count=more)
    more_html = f"<p><i>{html_escape(earlier)}</i></p>" if more > 0 else ""
    return (f"<p><b>{html_escape(words.say('likes'))}</b> {html_escape(favourites)} "
            f"<i>{html_escape(words.say('likes_note'))}</i></p>"
            f"<p><b>{html_escape(words.say('watched', count=len(history)))}</b></p><ul>{items}</ul>{more_html}")


def column_html(service: StreamingService, name: str, recs: Sequence[Recommendation],
                later: set[str] | frozenset[str]) -> str:
    """One recommender's list: title, genre, reason, and a mark if the member watched it later."""
    words = load_explorer_text()
    info = title_info(service)
    hits = sum(r.title_id in later for r in recs)
    items = []
    for r in recs:
        title, genre, new = info.get(r.title_id, (r.title_id, "", False))
        marks = f' <span class="mlw-rec-new">{html_escape(words.say("new"))}</span>' if new else ""
        if r.title_id in later:
            marks += f' <span class="mlw-rec-hit">{html_escape(words.say("watched_later"))}</span>'
        items.append(f'<li class="mlw-rec-item" data-title="{html_escape(r.title_id)}">{html_escape(title)} '
                     f'<span class="mlw-rec-genre">{html_escape(genre)}</span>{marks}<br>'
                     f'<span class="mlw-rec-reason">{html_escape(r.reason)}</span></li>')
    score = words.say("score", hits=hits, total=len(recs)) if later else words.say("no_held_out")
    return f"<h4>{html_escape(name)}</h4><p><b>{html_escape(score)}</b></p><ol>{''.join(items)}</ol>"


def unknown_member_html(member: str) -> str:
    """What the explorer says when ``member`` is not a member id."""
    sentence = load_explorer_text().say("unknown_member", member=member)
    return f'<p style="color:#b91c1c">{html_escape(sentence)}</p>'


def explorer_html(service: StreamingService, members: MemberData, member: str,
                  lists: Mapping[str, Sequence[Recommendation]], css: str = "") -> str:
    """The explorer for one member as static HTML (for GitHub, nbviewer and HTML exports)."""
    words = load_explorer_text()
    later = members.later_of(member)
    history = history_html(service, members.histories.get(member, []), members.favourites.get(member, ""))
    cols = "".join(f'<div class="mlw-rec-col" style="flex:1 1 0;min-width:20em;padding:0 .8em">'
                   f"{column_html(service, n, r, later)}</div>" for n, r in lists.items())
    return (f'<div class="mlw-rec-static">{css}<p><b>{html_escape(words.say("member", member=member))}</b></p>'
            f'{history}<div style="display:flex;flex-wrap:wrap">{cols}</div>'
            f"<p><em>{html_escape(words.say('run_in_jupyter'))}</em></p></div>")


def explorer_text(service: StreamingService, members: MemberData, member: str,
                  lists: Mapping[str, Sequence[Recommendation]]) -> str:
    """The explorer for one member as plain text: both lists, titles watched later marked."""
    words = load_explorer_text()
    later = members.later_of(member)
    mark = " " + words.say("text_watched_later")
    lines = [words.say("text_member", member=member, favourites=members.favourites.get(member, "?"))]
    for name, recs in lists.items():
        lines.append(f"\n{name}:")
        lines += [f"  {i}. {service.title_name(r.title_id)}{mark if r.title_id in later else ''} ({r.reason})"
                  for i, r in enumerate(recs, 1)]
    return "\n".join(lines)

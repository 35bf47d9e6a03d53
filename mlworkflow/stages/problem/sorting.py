"""Is this an ML problem? Sort business requests into "ML fits", "Rules would do" or "Not a problem yet".

The cards, their explanations and the feedback sentences live in ``content/requests.json``;
grading is a pure function (the widget is :class:`mlworkflow.stages.problem.widgets.RequestSorter`):

    >>> grade_sort(load_requests(), {"vat-rate": "ml"}).headline()
    '0 of 10 sorted correctly, 9 not sorted yet'
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from mlworkflow.core.content import Fields, read_content
from mlworkflow.core.text import html_escape

__all__ = [
    "STATUSES",
    "CardResult",
    "Category",
    "Feedback",
    "Request",
    "SortContent",
    "SortResult",
    "feedback_html",
    "grade_sort",
    "load_requests",
    "mistakes_html",
    "piles_html",
    "static_html",
    "static_text",
]

FILE = "requests.json"
STATUSES = ("correct", "incorrect", "unsorted")


@dataclass(frozen=True)
class Category:
    id: str
    label: str
    description: str


@dataclass(frozen=True)
class Request:
    """One request card: who asked, what they asked, the right pile and why."""

    id: str
    sender: str
    text: str
    answer: str
    explanation: str


@dataclass(frozen=True)
class Feedback:
    """The sentences a learner reads after pressing Check (``not_quite`` has a ``{best}`` slot)."""

    right: str
    not_quite: str
    not_sorted: str
    static_note: str
    verdicts: Mapping[str, str]  # status -> the short word in the text report


@dataclass(frozen=True)
class SortContent:
    title: str
    intro: str
    categories: tuple[Category, ...]
    requests: tuple[Request, ...]
    feedback: Feedback

    def category(self, category_id: str) -> Category:
        for c in self.categories:
            if c.id == category_id:
                return c
        raise ValueError(f"there is no pile {category_id!r}; the piles are: "
                         + ", ".join(c.id for c in self.categories))

    def request(self, request_id: str) -> Request:
        for r in self.requests:
            if r.id == request_id:
                return r
        raise KeyError(f"there is no request {request_id!r}; the requests are: "
                       + ", ".join(r.id for r in self.requests))


# ---------------------------------------------------------------- loading

def _feedback(top: Fields) -> Feedback:
    f = top.object("feedback")
    v = top.object("verdicts")
    return Feedback(f.template("right", set()), f.template("not_quite", {"best"}),
                    f.template("not_sorted", set()), f.text("static_note"),
                    {status: v.text(status) for status in STATUSES})


def _parse(data: Any, label: str) -> SortContent:
    top = Fields(data, label)
    categories, seen = [], set()
    for c in top.objects("categories", min_items=2):
        cid = c.text("id")
        if cid in seen:
            raise c.fail("id", f"duplicate pile id {cid!r}")
        seen.add(cid)
        categories.append(Category(cid, c.text("label"), c.text("description")))
    requests, ids = [], set()
    for r in top.objects("requests"):
        rid = r.text("id")
        if rid in ids:
            raise r.fail("id", f"duplicate request id {rid!r}")
        ids.add(rid)
        answer = r.text("answer")
        if answer not in seen:
            raise r.fail("answer", f"{answer!r} is not one of the piles ({', '.join(c.id for c in categories)})")
        requests.append(Request(rid, r.text("from"), r.text("text"), answer, r.text("explanation")))
    return SortContent(top.text("title"), top.text("intro"), tuple(categories), tuple(requests), _feedback(top))


@cache
def _shipped() -> SortContent:
    return _parse(*read_content(FILE))


def load_requests(path: str | Path | None = None) -> SortContent:
    """The shipped request cards, or the ones in the JSON file at ``path``."""
    return _shipped() if path is None else _parse(*read_content(FILE, path))


# ---------------------------------------------------------------- grading

@dataclass(frozen=True)
class CardResult:
    """How one card was sorted. ``status`` is correct, incorrect or unsorted."""

    request: Request
    chosen: str | None
    status: str

    @property
    def correct(self) -> bool:
        return self.status == "correct"


@dataclass(frozen=True)
class SortResult:
    content: SortContent
    cards: tuple[CardResult, ...]

    @property
    def score(self) -> int:
        return sum(c.correct for c in self.cards)

    def count(self, status: str) -> int:
        return sum(c.status == status for c in self.cards)

    def headline(self) -> str:
        unsorted = self.count("unsorted")
        return (f"{self.score} of {len(self.cards)} sorted correctly"
                + (f", {unsorted} not sorted yet" if unsorted else ""))

    def mix_ups(self) -> list[tuple[str, str, int]]:
        """(right pile, pile chosen, how many cards) for each kind of mistake, most frequent first."""
        pairs = Counter((c.request.answer, c.chosen) for c in self.cards
                        if c.status == "incorrect" and c.chosen is not None)
        order = [c.id for c in self.content.categories]
        return sorted(((a, b, n) for (a, b), n in pairs.items()),
                      key=lambda t: (-t[2], order.index(t[0]), order.index(t[1])))

    def mix_up_lines(self) -> list[str]:
        label = {c.id: c.label for c in self.content.categories}
        return [f"{n} card{'s' if n > 1 else ''} that belong{'' if n > 1 else 's'} in "
                f"'{label[a]}' went to '{label[b]}'." for a, b, n in self.mix_ups()]

    def text(self, mistakes_only: bool = False, who: str = "You") -> str:
        """Each card (or only those not sorted right): the pile ``who`` chose, the best fit and why, as text."""
        label = {c.id: c.label for c in self.content.categories}
        verdicts = self.content.feedback.verdicts
        lines = [self.content.title, self.headline() + ".", *self.mix_up_lines()]
        for n, c in enumerate(self.cards, 1):
            if mistakes_only and c.correct:
                continue
            r = c.request
            chosen = label[c.chosen] if c.chosen is not None else "-"
            lines += ["", f"{n}. {r.sender}: \"{r.text}\"",
                      f"   {who}: {chosen} | Best fit: {label[r.answer]} [{verdicts[c.status]}]",
                      f"   {r.explanation}"]
        return "\n".join(lines)


def grade_sort(content: SortContent, answers: Mapping[str, str | None]) -> SortResult:
    """Grade a sort: request id -> pile id (None or missing means not sorted yet)."""
    for rid, cid in answers.items():
        content.request(rid)  # KeyError names the valid ids
        if cid is not None:
            content.category(cid)
    cards = []
    for r in content.requests:
        chosen = answers.get(r.id)
        status = "unsorted" if chosen is None else ("correct" if chosen == r.answer else "incorrect")
        cards.append(CardResult(r, chosen, status))
    return SortResult(content, tuple(cards))


# ---------------------------------------------------------------- display

def piles_html(content: SortContent) -> str:
    """The piles and what belongs in each, as an HTML list."""
    items = "".join(f"<li><b>{html_escape(c.label)}</b>: {html_escape(c.description)}</li>"
                    for c in content.categories)
    return f'<ul class="mlw-sort-piles">{items}</ul>'


def static_html(content: SortContent) -> str:
    """The cards and piles without answers, for places widgets cannot run."""
    cards = "".join(f"<li><b>{html_escape(r.sender)}:</b> {html_escape(r.text)}</li>" for r in content.requests)
    return (f'<div class="mlw-sorter mlw-sorter-static"><h3>{html_escape(content.title)}</h3>'
            f"<p>{html_escape(content.intro)}</p>{piles_html(content)}<ol>{cards}</ol>"
            f"<p><em>{html_escape(content.feedback.static_note)}</em></p></div>")


def static_text(content: SortContent) -> str:
    """The cards and piles without answers, as plain text."""
    lines = [content.title, content.intro, ""] + [f"- {c.label}: {c.description}" for c in content.categories]
    lines += [""] + [f"{n}. {r.sender}: {r.text}" for n, r in enumerate(content.requests, 1)]
    return "\n".join(lines)


def mistakes_html(result: SortResult, who: str) -> str:
    """Someone else's sort as HTML: the headline, the kinds of mix-up, and each card they got wrong, with why."""
    label = {c.id: c.label for c in result.content.categories}
    mixups = "".join(f"<li>{html_escape(line)}</li>" for line in result.mix_up_lines())
    cards = "".join(
        f'<li value="{n}"><b>{html_escape(c.request.sender)}:</b> &ldquo;{html_escape(c.request.text)}&rdquo;<br>'
        f"{html_escape(who)}: {html_escape(label[c.chosen] if c.chosen else '-')} &middot; "
        f"Best fit: <b>{html_escape(label[c.request.answer])}</b><br>{html_escape(c.request.explanation)}</li>"
        for n, c in enumerate(result.cards, 1) if not c.correct)
    return (f'<p><b>{html_escape(result.headline())}.</b></p>'
            + (f'<ul class="mlw-sort-mixups">{mixups}</ul>' if mixups else "")
            + (f'<ol class="mlw-sort-mistakes">{cards}</ol>' if cards else ""))


def feedback_html(card: CardResult, content: SortContent) -> str:
    """The verdict and explanation shown under one card after Check."""
    words = content.feedback
    if card.status == "unsorted":
        return f'<div class="mlw-sort-verdict mlw-sort-unsorted"><b>{html_escape(words.not_sorted)}</b></div>'
    best = content.category(card.request.answer).label
    head = words.right if card.correct else words.not_quite.format(best=best)
    return (f'<div class="mlw-sort-verdict mlw-sort-{card.status}"><b>{html_escape(head)}</b> '
            f"{html_escape(card.request.explanation)}</div>")

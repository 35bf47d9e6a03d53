"""Is this an ML problem? Sort business requests into "ML fits", "Rules would do" or "Not a problem yet".

The cards and their explanations live in ``content/requests.json``; grading is a pure function:

    >>> sorter = RequestSorter()                 # in a notebook: one row of buttons per request, then Check
    >>> RequestSorter(answers={"vat-rate": "rules"}).report()   # graded, as plain text
    >>> grade_sort(load_requests(), {"vat-rate": "ml"}).headline()
    '0 of 10 sorted correctly, 9 not sorted yet'
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as widgets
from traitlets import Bool, Dict, TraitError, observe, validate

from mlworkflow.core.content import Fields, read_content
from mlworkflow.ui import StaticFallback, show_html

__all__ = [
    "CardResult",
    "Category",
    "Request",
    "RequestSorter",
    "SortContent",
    "SortResult",
    "grade_sort",
    "load_requests",
    "static_html",
    "static_text",
]

FILE = "requests.json"


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
class SortContent:
    title: str
    intro: str
    categories: tuple[Category, ...]
    requests: tuple[Request, ...]

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
    return SortContent(top.text("title"), top.text("intro"), tuple(categories), tuple(requests))


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
        pairs = Counter((c.request.answer, c.chosen) for c in self.cards if c.status == "incorrect")
        order = [c.id for c in self.content.categories]
        return sorted(((a, b, n) for (a, b), n in pairs.items()),
                      key=lambda t: (-t[2], order.index(t[0]), order.index(t[1])))

    def mix_up_lines(self) -> list[str]:
        label = {c.id: c.label for c in self.content.categories}
        return [f"{n} card{'s' if n > 1 else ''} that belong{'' if n > 1 else 's'} in "
                f"'{label[a]}' went to '{label[b]}'." for a, b, n in self.mix_ups()]

    def text(self, mistakes_only: bool = False) -> str:
        """Each card (or only those not sorted right) with the pile chosen, the best fit and why, as plain text."""
        label = {c.id: c.label for c in self.content.categories}
        lines = [self.content.title, self.headline() + "."] + self.mix_up_lines()
        for n, c in enumerate(self.cards, 1):
            if mistakes_only and c.correct:
                continue
            r = c.request
            verdict = {"correct": "Right", "incorrect": "Not quite", "unsorted": "Not sorted"}[c.status]
            lines += ["", f"{n}. {r.sender}: \"{r.text}\"",
                      f"   You: {label.get(c.chosen, '-')} | Best fit: {label[r.answer]} [{verdict}]",
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

def _piles_html(content: SortContent) -> str:
    items = "".join(f"<li><b>{escape(c.label)}</b>: {escape(c.description)}</li>" for c in content.categories)
    return f'<ul class="mlw-sort-piles">{items}</ul>'


def static_html(content: SortContent) -> str:
    """The cards and piles without answers, for places widgets cannot run."""
    cards = "".join(f"<li><b>{escape(r.sender)}:</b> {escape(r.text)}</li>" for r in content.requests)
    return (f'<div class="mlw-sorter mlw-sorter-static"><h3>{escape(content.title)}</h3>'
            f"<p>{escape(content.intro)}</p>{_piles_html(content)}<ol>{cards}</ol>"
            "<p><em>Run this notebook in Jupyter to sort the cards and get feedback.</em></p></div>")


def static_text(content: SortContent) -> str:
    lines = [content.title, content.intro, ""] + [f"- {c.label}: {c.description}" for c in content.categories]
    lines += [""] + [f"{n}. {r.sender}: {r.text}" for n, r in enumerate(content.requests, 1)]
    return "\n".join(lines)


def _feedback_html(card: CardResult, content: SortContent) -> str:
    if card.status == "unsorted":
        return '<div class="mlw-sort-verdict mlw-sort-unsorted"><b>Not sorted yet.</b></div>'
    best = escape(content.category(card.request.answer).label)
    head = "Right." if card.correct else f"Not quite: best fit is {best}."
    return (f'<div class="mlw-sort-verdict mlw-sort-{card.status}"><b>{head}</b> '
            f"{escape(card.request.explanation)}</div>")


class RequestSorter(StaticFallback, widgets.VBox):
    """Sort each request card into a pile, press Check, read why.

    ``answers`` (request id -> pile id) is the public state. Passing ``answers=`` pre-sorts and
    grades those cards (a worked example or a headless run); changing an answer hides the
    feedback until Check is pressed again.
    """

    answers = Dict()
    checked = Bool(False)

    def __init__(self, *, answers: Mapping[str, str | None] | None = None,
                 path: str | Path | None = None, **kwargs: Any):
        self._content = load_requests(path)
        self._syncing = False
        self._choices: dict[str, widgets.ToggleButtons] = {}
        self._feedback: dict[str, widgets.Output] = {}
        intro = widgets.HTML(f"<h3>{escape(self._content.title)}</h3><p>{escape(self._content.intro)}</p>"
                             + _piles_html(self._content))
        intro.add_class("mlw-sort-intro")
        cards = [self._card(n, r) for n, r in enumerate(self._content.requests, 1)]
        self._check_button = widgets.Button(description="Check", icon="check", tooltip="See how you sorted")
        self._check_button.add_class("mlw-sort-check")
        self._check_button.on_click(self.check)
        self._status = widgets.Output()
        self._status.add_class("mlw-sort-status")
        super().__init__(children=[intro, *cards, self._check_button, self._status], **kwargs)
        self.add_class("mlw-sorter")
        if answers:
            self.answers = dict(answers)
            self.checked = True

    def _card(self, n: int, r: Request) -> widgets.VBox:
        text = widgets.HTML(f'<p><b>{n}. {escape(r.sender)}:</b> '
                            f'<span class="mlw-sort-text">&ldquo;{escape(r.text)}&rdquo;</span></p>')
        choice = widgets.ToggleButtons(options=[(c.label, c.id) for c in self._content.categories], value=None,
                                       style={"button_width": "12em"})
        choice.add_class("mlw-sort-choice")
        choice.observe(lambda change, rid=r.id: self._on_pick(rid, change["new"]), names="value")
        self._choices[r.id] = choice
        self._feedback[r.id] = widgets.Output()
        self._feedback[r.id].add_class("mlw-sort-feedback")
        box = widgets.VBox([text, choice, self._feedback[r.id]])
        box.add_class("mlw-sort-card")
        return box

    @validate("answers")
    def _valid_answers(self, proposal: Any) -> dict[str, str]:
        try:
            grade_sort(self._content, proposal["value"])
        except (KeyError, ValueError) as exc:
            raise TraitError(exc.args[0]) from exc
        return {k: v for k, v in proposal["value"].items() if v is not None}

    @observe("answers", "checked")
    def _on_state(self, change: Any) -> None:
        if change["name"] == "answers":
            self._sync_choices()
            if self.checked:
                self.checked = False  # feedback no longer matches; this re-renders
                return
        self._render()

    def _on_pick(self, request_id: str, pile: str | None) -> None:
        if not self._syncing:
            self.answers = {**self.answers, request_id: pile}

    def _sync_choices(self) -> None:
        self._syncing = True
        try:
            for rid, choice in self._choices.items():
                choice.value = self.answers.get(rid)
        finally:
            self._syncing = False

    def _render(self) -> None:
        result = self.result
        for card in result.cards:
            out = self._feedback[card.request.id]
            if self.checked:
                show_html(out, _feedback_html(card, self._content), card.status)
            else:
                out.outputs = ()
        if self.checked:
            lines = result.mix_up_lines()
            extra = "".join(f"<li>{escape(line)}</li>" for line in lines)
            show_html(self._status, f"<p><b>{escape(result.headline())}.</b></p>"
                      + (f'<ul class="mlw-sort-mixups">{extra}</ul>' if extra else ""),
                      "\n".join([result.headline() + "."] + lines))
        else:
            self._status.outputs = ()

    def check(self, _button: Any = None) -> SortResult:
        """Grade the current sort and show the feedback (what the Check button does)."""
        if self.checked:
            self._render()
        else:
            self.checked = True
        return self.result

    @property
    def content(self) -> SortContent:
        return self._content

    @property
    def result(self) -> SortResult:
        return grade_sort(self._content, self.answers)

    def report(self, mistakes_only: bool = False) -> str:
        """The graded sort as plain text (what a headless run prints); optionally only the cards not sorted right."""
        return self.result.text(mistakes_only)

    def _static_html(self) -> str:
        return static_html(self._content)

    def _static_text(self) -> str:
        return static_text(self._content)

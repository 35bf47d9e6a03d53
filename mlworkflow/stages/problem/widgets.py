"""The problem-definition widgets: sort request cards (``RequestSorter``) and frame a goal (``ProblemFramer``).

Thin views over :mod:`mlworkflow.stages.problem.sorting` and :mod:`mlworkflow.stages.problem.framing`:

    >>> sorter = RequestSorter()                 # in a notebook: one row of buttons per request, then Check
    >>> RequestSorter(answers={"vat-rate": "rules"}).report()   # graded, as plain text
    >>> sorter.compare_with({"vat-rate": "ml"})   # a colleague's sort, shown once the learner has checked theirs
    >>> ProblemFramer(goal="keep-subscribers")   # four drop-downs and a summary card
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ipywidgets as widgets
from traitlets import Bool, Dict, TraitError, Unicode, observe, validate

from mlworkflow.core.content import stylesheet
from mlworkflow.core.text import html_escape
from mlworkflow.stages.problem.framing import Framing, FramingContent, find_choice, frame, load_framing
from mlworkflow.stages.problem.framing import static_html as framing_static_html
from mlworkflow.stages.problem.sorting import (
    Request,
    SortContent,
    SortResult,
    feedback_html,
    grade_sort,
    load_requests,
    mistakes_html,
    piles_html,
    static_text,
)
from mlworkflow.stages.problem.sorting import static_html as sorting_static_html
from mlworkflow.ui import StaticFallback, guard, show_html

__all__ = ["AnswerReveal", "ProblemFramer", "RequestSorter"]

# A worked answer is worth more after the learner has tried: the wording says so wherever it shows.
REVEAL_BUTTON = "Show {whose} answers"
REVEAL_WAITING = "Sort the cards above and press Check first; {whose} answers then appear here. Or press the button."
REVEAL_STATIC = ("{Whose} answers are not shown here, so that you can sort the cards yourself first. Run this "
                 "notebook in Jupyter, sort the cards above, press Check, and they appear.")


class RequestSorter(StaticFallback, widgets.VBox):
    """Sort each request card into a pile, press Check, read why.

    ``answers`` (request id -> pile id) is the public state. Passing ``answers=`` pre-sorts and
    grades those cards (a worked example or a headless run); changing an answer hides the
    score and that card's feedback (the others' still hold) until Check is pressed again.
    """

    answers = Dict()
    checked = Bool(False)

    def __init__(self, *, answers: Mapping[str, str | None] | None = None,
                 path: str | Path | None = None, **kwargs: Any):
        self._content = load_requests(path)
        self._syncing = False
        self._stale: set[str] | None = None  # cards whose feedback a pick made wrong (None: all)
        self._choices: dict[str, widgets.ToggleButtons] = {}
        self._feedback: dict[str, widgets.Output] = {}
        intro = widgets.HTML(stylesheet("sorter", tag=True)  # the chosen pile stands out (not grey on grey)
                             + f"<h3>{html_escape(self._content.title)}</h3><p>{html_escape(self._content.intro)}</p>"
                             + piles_html(self._content))
        intro.add_class("mlw-sort-intro")
        cards = [self._card(n, r) for n, r in enumerate(self._content.requests, 1)]
        self._check_button = widgets.Button(description="Check", icon="check", tooltip="See how you sorted")
        self._check_button.add_class("mlw-sort-check")
        self._check_button.on_click(self._on_check)
        self._status = widgets.Output()
        self._status.add_class("mlw-sort-status")
        super().__init__(children=[intro, *cards, self._check_button, self._status], **kwargs)
        self.add_class("mlw-sorter")
        if answers:
            self.answers = dict(answers)
            self.checked = True

    def _card(self, n: int, r: Request) -> widgets.VBox:
        text = widgets.HTML(f'<p><b>{n}. {html_escape(r.sender)}:</b> '
                            f'<span class="mlw-sort-text">&ldquo;{html_escape(r.text)}&rdquo;</span></p>')
        choice = widgets.ToggleButtons(options=[(c.label, c.id) for c in self._content.categories], value=None,
                                       style={"button_width": "12em"})
        choice.add_class("mlw-sort-choice")
        choice.observe(self._on_pick, names="value")
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
    @guard("showing how the cards are sorted")
    def _on_state(self, change: Any) -> None:
        if change["name"] == "answers":
            self._sync_choices()
            # the headline and the changed cards' feedback no longer match; the other cards' still do
            # and stay (clearing all twelve made a pick slow). Check grades everything again.
            old, new = change["old"] or {}, change["new"] or {}
            self._stale = {rid for rid in {*old, *new} if old.get(rid) != new.get(rid)}
            if self.checked:
                self.checked = False  # this re-renders
                return
        self._render()

    @guard("noting the pile you picked")
    def _on_pick(self, change: Any) -> None:
        if self._syncing:
            return
        request_id = next(rid for rid, choice in self._choices.items() if choice is change["owner"])
        self.answers = {**self.answers, request_id: change["new"]}

    @guard("checking your sort")
    def _on_check(self, _button: Any) -> None:
        self.check()

    def _sync_choices(self) -> None:
        self._syncing = True
        try:
            for rid, choice in self._choices.items():
                choice.value = self.answers.get(rid)
        finally:
            self._syncing = False

    def _render(self) -> None:
        stale, self._stale = self._stale, None
        if not self.checked:
            self._status.outputs = ()  # first: the headline is what a pick makes wrong
            for rid, out in self._feedback.items():
                if stale is None or rid in stale:
                    out.outputs = ()
            return
        result = self.result
        for card in result.cards:
            show_html(self._feedback[card.request.id], feedback_html(card, self._content), card.status)
        lines = result.mix_up_lines()
        extra = "".join(f"<li>{html_escape(line)}</li>" for line in lines)
        show_html(self._status, f"<p><b>{html_escape(result.headline())}.</b></p>"
                  + (f'<ul class="mlw-sort-mixups">{extra}</ul>' if extra else ""),
                  "\n".join([result.headline() + ".", *lines]))

    def _say_error(self, message: str) -> None:
        show_html(self._status, f'<p role="alert" class="mlw-sort-error">{html_escape(message)}</p>', message)

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

    def compare_with(self, answers: Mapping[str, str | None], whose: str = "a colleague's") -> AnswerReveal:
        """Someone else's sort of the same cards, kept hidden until this sorter is checked (or asked for)."""
        return AnswerReveal(grade_sort(self._content, answers), whose=whose, after=self)

    def _static_html(self) -> str:
        return sorting_static_html(self._content)

    def _static_text(self) -> str:
        return static_text(self._content)


class AnswerReveal(StaticFallback, widgets.VBox):
    """Another person's graded sort, shown only after the learner has sorted, or when asked for.

    ``revealed`` is the public state. It turns True when the button is pressed or when the
    ``after`` sorter is checked; until then neither the widget nor its static copy (GitHub, an
    HTML export, a headless run) says which pile any card belongs in.
    """

    revealed = Bool(False)

    def __init__(self, result: SortResult, *, whose: str = "a colleague's",
                 after: RequestSorter | None = None, **kwargs: Any):
        self._result = result
        self._whose = whose
        self._button = widgets.Button(description=REVEAL_BUTTON.format(whose=whose), icon="eye",
                                      layout=widgets.Layout(width="auto"))
        self._button.add_class("mlw-reveal-button")
        self._button.on_click(self._on_show)
        self._note = widgets.HTML(f"<p><em>{html_escape(REVEAL_WAITING.format(whose=whose))}</em></p>")
        self._answers = widgets.Output()
        self._answers.add_class("mlw-reveal-answers")
        super().__init__(children=[self._button, self._note, self._answers], **kwargs)
        self.add_class("mlw-reveal")
        if after is not None:
            after.observe(self._on_sorted, names="checked")
            self.revealed = after.checked

    @guard("showing the answers")
    def _on_show(self, _button: Any) -> None:
        self.revealed = True

    @guard("showing the answers")
    def _on_sorted(self, change: Any) -> None:
        if change["new"]:
            self.revealed = True

    @observe("revealed")
    @guard("showing the answers")
    def _on_revealed(self, change: Any) -> None:
        if change["new"]:
            self._button.layout.display = "none"
            self._note.value = ""
            show_html(self._answers, mistakes_html(self._result, self._whose.removesuffix("'s").capitalize()),
                      self.text())

    def text(self) -> str:
        """The other person's mistakes as plain text, whether or not they are shown yet."""
        return self._result.text(mistakes_only=True, who=self._whose.removesuffix("'s").capitalize())

    def _static_html(self) -> str:
        return f'<div class="mlw-reveal mlw-reveal-static"><p><em>{html_escape(self._static_text())}</em></p></div>'

    def _static_text(self) -> str:
        whose = self._whose
        return REVEAL_STATIC.format(Whose=whose[:1].upper() + whose[1:])


class ProblemFramer(StaticFallback, widgets.VBox):
    """Pick a goal, a prediction target and two metrics; a card says what that framing drives and flags weak choices.

    Public state: ``goal``, ``target``, ``success_metric``, ``model_metric`` (ids from the
    content). Changing ``goal`` resets the other three to that goal's first options.
    """

    goal = Unicode()
    target = Unicode()
    success_metric = Unicode()
    model_metric = Unicode()

    def __init__(self, *, goal: str | None = None, target: str | None = None,
                 success_metric: str | None = None, model_metric: str | None = None,
                 path: str | Path | None = None, **kwargs: Any):
        self._content = load_framing(path)
        self._syncing = False
        self._resetting = False
        layout = widgets.Layout(width="95%")
        style = {"description_width": "11em"}
        self._dropdowns = {
            name: widgets.Dropdown(description=title, layout=layout, style=style)
            for name, title in [("goal", "Business goal"), ("target", "Prediction target"),
                                ("success_metric", "Success metric"), ("model_metric", "Model metric")]
        }
        for name, dropdown in self._dropdowns.items():
            dropdown.add_class(f"mlw-frame-{name.replace('_', '-')}")
            dropdown.observe(self._on_pick, names="value")
        self._dropdowns["goal"].options = [(g.label, g.id) for g in self._content.goals]
        self._summary = widgets.Output()
        self._summary.add_class("mlw-frame-summary")
        head = widgets.HTML(stylesheet("framing", tag=True)
                            + f"<h3>{html_escape(self._content.title)}</h3><p>{html_escape(self._content.case)}</p>")
        super().__init__(children=[head, *self._dropdowns.values(), self._summary], **kwargs)
        self.add_class("mlw-framer")
        self.goal = goal or self._content.goals[0].id
        for name, value in (("target", target), ("success_metric", success_metric), ("model_metric", model_metric)):
            if value is not None:
                setattr(self, name, value)

    def _options(self, name: str) -> tuple[Any, ...]:
        g = self._content.goal(self.goal)
        return {"target": g.targets, "success_metric": g.success_metrics, "model_metric": g.model_metrics}[name]

    @validate("goal")
    def _valid_goal(self, proposal: Any) -> str:
        try:
            return self._content.goal(proposal["value"]).id
        except ValueError as exc:
            raise TraitError(str(exc)) from exc

    @validate("target", "success_metric", "model_metric")
    def _valid_choice(self, proposal: Any) -> str:
        name = proposal["trait"].name
        try:
            choice: str = find_choice(self._options(name), proposal["value"], name.replace("_", " ")).id
        except ValueError as exc:
            raise TraitError(str(exc)) from exc
        return choice

    @observe("goal", "target", "success_metric", "model_metric")
    @guard("updating the framing card")
    def _on_change(self, change: Any) -> None:
        if self._resetting:
            return
        if change["name"] == "goal":
            self._resetting = True
            try:
                for name in ("target", "success_metric", "model_metric"):
                    options = self._options(name)
                    self._syncing = True
                    try:
                        self._dropdowns[name].options = [(o.label, o.id) for o in options]
                    finally:
                        self._syncing = False
                    self.set_trait(name, options[0].id)
            finally:
                self._resetting = False
        self._syncing = True
        try:
            for name, dropdown in self._dropdowns.items():
                dropdown.value = getattr(self, name)
        finally:
            self._syncing = False
        framing = self.framing
        show_html(self._summary, framing.html(), framing.text())

    @guard("noting your choice")
    def _on_pick(self, change: Any) -> None:
        if self._syncing or change["new"] is None:
            return
        name = next(n for n, dropdown in self._dropdowns.items() if dropdown is change["owner"])
        setattr(self, name, change["new"])

    @property
    def content(self) -> FramingContent:
        return self._content

    @property
    def framing(self) -> Framing:
        return frame(self._content, self.goal, self.target, self.success_metric, self.model_metric)

    def summary(self) -> str:
        """The chosen framing and its flags, as plain text."""
        return self.framing.text()

    def _static_html(self) -> str:
        return framing_static_html(self.framing, self._content)

    def _static_text(self) -> str:
        return self.summary()

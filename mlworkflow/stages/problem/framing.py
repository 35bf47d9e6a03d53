"""Turn a business goal into a prediction target, the decision it drives, and how success is measured.

The goals, targets and metrics for the course's churn case live in ``content/framing.json``;
judging a framing is a pure function:

    >>> print(frame(load_framing(), "keep-subscribers", success_metric="accuracy").text())
    >>> ProblemFramer(goal="keep-subscribers")   # in a notebook: four drop-downs and a summary card

Each choice in the content is ``strong``, ``mixed`` or ``weak`` with a reason; weak and mixed
choices are flagged, and so is a success metric that is a model score rather than a business number.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as widgets
from traitlets import TraitError, Unicode, observe, validate

from mlworkflow.core.content import Fields, read_content, stylesheet
from mlworkflow.ui import StaticFallback, show_html

__all__ = [
    "STRENGTHS",
    "Choice",
    "Framing",
    "FramingContent",
    "Goal",
    "ProblemFramer",
    "Target",
    "frame",
    "load_framing",
    "static_html",
]

FILE = "framing.json"
STRENGTHS = ("strong", "mixed", "weak")
LEVELS = ("business", "model")
MODEL_METRIC_AS_GOAL = ("Success is measured with a model score. Pick a business number for success, "
                        "and keep model metrics for checking the model.")
VERDICTS = {
    "strong": "Ready to take to your team.",
    "mixed": "Workable, but look again at the flagged choice.",
    "weak": "Needs work before anyone builds a model.",
}


@dataclass(frozen=True)
class Choice:
    """A goal or metric option, how good a choice it is, and why."""

    id: str
    label: str
    strength: str
    why: str
    level: str = ""


@dataclass(frozen=True)
class Target:
    id: str
    label: str
    kind: str
    decision: str
    strength: str
    why: str


@dataclass(frozen=True)
class Goal:
    id: str
    label: str
    strength: str
    why: str
    targets: tuple[Target, ...]
    success_metrics: tuple[Choice, ...]
    model_metrics: tuple[Choice, ...]


@dataclass(frozen=True)
class FramingContent:
    title: str
    case: str
    goals: tuple[Goal, ...]

    def goal(self, goal_id: str) -> Goal:
        return _find(self.goals, goal_id, "goal")


def _find(items: tuple[Any, ...], item_id: str | None, what: str) -> Any:
    for item in items:
        if item.id == item_id:
            return item
    raise ValueError(f"there is no {what} {item_id!r}; choose from: " + ", ".join(i.id for i in items))


# ---------------------------------------------------------------- loading

def _strength(f: Fields) -> str:
    value = f.text("strength")
    if value not in STRENGTHS:
        raise f.fail("strength", f"expected one of {', '.join(STRENGTHS)}, found {value!r}")
    return value


def _unique(items: list[Fields], parse: Any) -> tuple[Any, ...]:
    out, seen = [], set()
    for f in items:
        item = parse(f)
        if item.id in seen:
            raise f.fail("id", f"duplicate id {item.id!r}")
        seen.add(item.id)
        out.append(item)
    return tuple(out)


def _metric(f: Fields) -> Choice:
    level = f.text("level")
    if level not in LEVELS:
        raise f.fail("level", f"expected one of {', '.join(LEVELS)}, found {level!r}")
    return Choice(f.text("id"), f.text("label"), _strength(f), f.text("why"), level)


def _target(f: Fields) -> Target:
    return Target(f.text("id"), f.text("label"), f.text("kind"), f.text("decision"), _strength(f), f.text("why"))


def _goal(f: Fields) -> Goal:
    return Goal(f.text("id"), f.text("label"), _strength(f), f.text("why"),
                _unique(f.objects("targets"), _target),
                _unique(f.objects("success_metrics"), _metric),
                _unique(f.objects("model_metrics"), _metric))


def _parse(data: Any, label: str) -> FramingContent:
    top = Fields(data, label)
    return FramingContent(top.text("title"), top.text("case"), _unique(top.objects("goals"), _goal))


@cache
def _shipped() -> FramingContent:
    return _parse(*read_content(FILE))


def load_framing(path: str | Path | None = None) -> FramingContent:
    """The shipped goals, targets and metrics, or the ones in the JSON file at ``path``."""
    return _shipped() if path is None else _parse(*read_content(FILE, path))


# ---------------------------------------------------------------- judging

@dataclass(frozen=True)
class Framing:
    """One framing: a goal, what to predict, and how success and the model are measured."""

    goal: Goal
    target: Target
    success_metric: Choice
    model_metric: Choice

    def _parts(self) -> list[tuple[str, Any]]:
        return [("Goal", self.goal), ("Prediction target", self.target),
                ("Success metric", self.success_metric), ("Model metric", self.model_metric)]

    @property
    def flags(self) -> tuple[tuple[str, str], ...]:
        """(severity, message) for every weak or mixed choice, weakest first."""
        found = [(p.strength, f"{name}: {p.why}") for name, p in self._parts() if p.strength != "strong"]
        if self.success_metric.level == "model" and self.success_metric.strength != "weak":
            found.append(("weak", MODEL_METRIC_AS_GOAL))
        return tuple(sorted(found, key=lambda f: -STRENGTHS.index(f[0])))

    @property
    def strength(self) -> str:
        """The weakest part decides: strong, mixed or weak."""
        return self.flags[0][0] if self.flags else "strong"

    @property
    def verdict(self) -> str:
        return VERDICTS[self.strength]

    def text(self) -> str:
        lines = [f"Goal: {self.goal.label}",
                 f"Predict: {self.target.label} [{self.target.kind}]",
                 f"Decision it drives: {self.target.decision}",
                 f"Success metric ({self.success_metric.level}): {self.success_metric.label}",
                 f"Model metric: {self.model_metric.label}",
                 f"Verdict: {self.verdict}"]
        lines += [f"- {severity.upper()}: {message}" for severity, message in self.flags]
        return "\n".join(lines)

    def html(self) -> str:
        def row(name: str, value: str, strength: str, extra: str = "") -> str:
            return (f'<tr class="mlw-frame-{strength}"><th>{escape(name)}</th><td>{escape(value)}{extra}</td>'
                    f'<td class="mlw-frame-badge">{escape(strength)}</td></tr>')

        kind = f' <em>({escape(self.target.kind)})</em>'
        rows = (row("Goal", self.goal.label, self.goal.strength)
                + row("Predict", self.target.label, self.target.strength, kind)
                + f'<tr><th>Decision it drives</th><td colspan="2">{escape(self.target.decision)}</td></tr>'
                + row(f"Success metric ({self.success_metric.level})", self.success_metric.label,
                      self.success_metric.strength)
                + row("Model metric", self.model_metric.label, self.model_metric.strength))
        flags = "".join(f'<li class="mlw-frame-flag mlw-frame-flag-{s}">{escape(m)}</li>' for s, m in self.flags)
        return (f'<div class="mlw-frame-card"><table class="mlw-frame-table">{rows}</table>'
                f'<p class="mlw-frame-verdict mlw-frame-verdict-{self.strength}"><b>{escape(self.verdict)}</b></p>'
                + (f'<ul class="mlw-frame-flags">{flags}</ul>' if flags else "") + "</div>")


def frame(content: FramingContent, goal: str, target: str | None = None,
          success_metric: str | None = None, model_metric: str | None = None) -> Framing:
    """Judge a framing; any choice left out is the goal's first option. Unknown ids raise ValueError."""
    g = content.goal(goal)
    return Framing(
        g,
        _find(g.targets, target or g.targets[0].id, f"target for goal {goal!r}"),
        _find(g.success_metrics, success_metric or g.success_metrics[0].id, f"success metric for goal {goal!r}"),
        _find(g.model_metrics, model_metric or g.model_metrics[0].id, f"model metric for goal {goal!r}"),
    )


def static_html(framing: Framing, content: FramingContent) -> str:
    return (f'<div class="mlw-framer mlw-framer-static"><h3>{escape(content.title)}</h3>'
            f"<p>{escape(content.case)}</p>{framing.html()}"
            "<p><em>Run this notebook in Jupyter to try other goals, targets and metrics.</em></p></div>")


# ---------------------------------------------------------------- widget

_CSS = stylesheet("framing", tag=True)


class ProblemFramer(StaticFallback, widgets.VBox):
    """Pick a goal, a prediction target and two metrics; the card below says what that framing drives and flags weak choices.

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
            dropdown.observe(lambda change, name=name: self._on_pick(name, change["new"]), names="value")
        self._dropdowns["goal"].options = [(g.label, g.id) for g in self._content.goals]
        self._summary = widgets.Output()
        self._summary.add_class("mlw-frame-summary")
        head = widgets.HTML(_CSS + f"<h3>{escape(self._content.title)}</h3><p>{escape(self._content.case)}</p>")
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
            return _find(self._options(name), proposal["value"], name.replace("_", " ")).id
        except ValueError as exc:
            raise TraitError(str(exc)) from exc

    @observe("goal", "target", "success_metric", "model_metric")
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
        show_html(self._summary, self.framing.html(), self.framing.text())

    def _on_pick(self, name: str, value: Any) -> None:
        if not self._syncing and value is not None:
            setattr(self, name, value)

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
        return static_html(self.framing, self._content)

    def _static_text(self) -> str:
        return self.summary()

"""Turn a business goal into a prediction target, the decision it drives, and how success is measured.

The goals, targets, metrics and verdicts for the course's churn case live in ``content/framing.json``;
judging a framing is a pure function:

    >>> print(frame(load_framing(), "keep-subscribers", success_metric="accuracy").text())

The widget (four drop-downs and a summary card) is :class:`mlworkflow.stages.problem.widgets.ProblemFramer`.

Each choice in the content is ``strong``, ``mixed`` or ``weak`` with a reason; weak and mixed
choices are flagged, and so is a success metric that is a model score rather than a business number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from mlworkflow.core.content import Fields, read_content
from mlworkflow.core.text import count, html_escape, money, percent

__all__ = [
    "STRENGTHS",
    "Choice",
    "Framing",
    "FramingContent",
    "Goal",
    "Target",
    "find_choice",
    "frame",
    "load_framing",
    "static_html",
]

FILE = "framing.json"
STRENGTHS = ("strong", "mixed", "weak")
LEVELS = ("business", "model")


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
    """The case, its goals, the verdict for each strength and the warning about model scores as success."""

    title: str
    case: str
    goals: tuple[Goal, ...]
    verdicts: Mapping[str, str]
    model_metric_as_goal: str
    static_note: str

    def goal(self, goal_id: str) -> Goal:
        return find_choice(self.goals, goal_id, "goal")


def find_choice(items: tuple[Any, ...], item_id: str | None, what: str) -> Any:
    """The item of ``items`` with id ``item_id``; a ValueError naming the choices if there is none."""
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


_CASE_NUMBERS = ("churn", "price", "value", "months", "subscribers", "capacity", "offer")


def _case_text(top: Fields) -> str:
    """The case in one sentence, its numbers filled in from ``content/economics.json``."""
    from mlworkflow.stages.evaluation.economics import case_economics

    e = case_economics()
    return top.template("case", _CASE_NUMBERS, exact=False).format(
        churn=percent(e.monthly_churn), price=money(e.monthly_price, cents=True),
        value=money(e.value_saved, cents=True), months=e.horizon_months, subscribers=count(e.subscribers),
        capacity=count(e.weekly_capacity), offer=e.offer)


def _parse(data: Any, label: str) -> FramingContent:
    top = Fields(data, label)
    verdicts = top.object("verdicts")
    return FramingContent(top.text("title"), _case_text(top), _unique(top.objects("goals"), _goal),
                          {s: verdicts.text(s) for s in STRENGTHS}, top.text("model_metric_as_goal"),
                          top.text("static_note"))


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
    content: FramingContent = field(repr=False, compare=False)

    def _parts(self) -> list[tuple[str, Any]]:
        return [("Goal", self.goal), ("Prediction target", self.target),
                ("Success metric", self.success_metric), ("Model metric", self.model_metric)]

    @property
    def flags(self) -> tuple[tuple[str, str], ...]:
        """(severity, message) for every weak or mixed choice, weakest first."""
        found = [(p.strength, f"{name}: {p.why}") for name, p in self._parts() if p.strength != "strong"]
        if self.success_metric.level == "model" and self.success_metric.strength != "weak":
            found.append(("weak", self.content.model_metric_as_goal))
        return tuple(sorted(found, key=lambda f: -STRENGTHS.index(f[0])))

    @property
    def strength(self) -> str:
        """The weakest part decides: strong, mixed or weak."""
        return self.flags[0][0] if self.flags else "strong"

    @property
    def verdict(self) -> str:
        return self.content.verdicts[self.strength]

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
            return (f'<tr class="mlw-frame-{strength}"><th>{html_escape(name)}</th><td>{html_escape(value)}{extra}</td>'
                    f'<td class="mlw-frame-badge">{html_escape(strength)}</td></tr>')

        kind = f' <em>({html_escape(self.target.kind)})</em>'
        rows = (row("Goal", self.goal.label, self.goal.strength)
                + row("Predict", self.target.label, self.target.strength, kind)
                + f'<tr><th>Decision it drives</th><td colspan="2">{html_escape(self.target.decision)}</td></tr>'
                + row(f"Success metric ({self.success_metric.level})", self.success_metric.label,
                      self.success_metric.strength)
                + row("Model metric", self.model_metric.label, self.model_metric.strength))
        flags = "".join(f'<li class="mlw-frame-flag mlw-frame-flag-{s}">{html_escape(m)}</li>' for s, m in self.flags)
        return (f'<div class="mlw-frame-card"><table class="mlw-frame-table">{rows}</table>'
                f'<p class="mlw-frame-verdict mlw-frame-verdict-{self.strength}"><b>{html_escape(self.verdict)}</b></p>'
                + (f'<ul class="mlw-frame-flags">{flags}</ul>' if flags else "") + "</div>")


def frame(content: FramingContent, goal: str, target: str | None = None,
          success_metric: str | None = None, model_metric: str | None = None) -> Framing:
    """Judge a framing; any choice left out is the goal's first option. Unknown ids raise ValueError."""
    g = content.goal(goal)
    return Framing(
        g,
        find_choice(g.targets, target or g.targets[0].id, f"target for goal {goal!r}"),
        find_choice(g.success_metrics, success_metric or g.success_metrics[0].id,
                    f"success metric for goal {goal!r}"),
        find_choice(g.model_metrics, model_metric or g.model_metrics[0].id, f"model metric for goal {goal!r}"),
        content,
    )


def static_html(framing: Framing, content: FramingContent) -> str:
    """The framing card with the case, for places widgets cannot run."""
    return (f'<div class="mlw-framer mlw-framer-static"><h3>{html_escape(content.title)}</h3>'
            f"<p>{html_escape(content.case)}</p>{framing.html()}"
            f"<p><em>{html_escape(content.static_note)}</em></p></div>")


def __getattr__(name: str) -> Any:
    # the old module constants, now content: read on first use, not on import
    if name == "MODEL_METRIC_AS_GOAL":
        return load_framing().model_metric_as_goal
    if name == "VERDICTS":
        return dict(load_framing().verdicts)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

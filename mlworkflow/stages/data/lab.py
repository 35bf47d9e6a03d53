"""The cleaning lab's logic: clean with a set of choices, summarise what that cost, compare two sets.

Pure functions over :func:`mlworkflow.stages.data.cleaning.clean`; the widget that switches the
steps on and off is :class:`mlworkflow.stages.data.widgets.CleaningLab`. The sentences the lab says
live in ``content/data.json`` (``cleaning_lab``).

    >>> raw = churn_raw()
    >>> default = summarise(raw)                  # every step on, gaps imputed
    >>> print(default.text())                     # key figures before and after, each step's cost
    >>> print(compare(default, summarise(raw, missing="drop")))   # what dropping rows with gaps costs

The key figures are the course's churn case (``mlworkflow.stages.data.datasets``): rows, churn rate,
segment share, plan spellings, average hours watched, and what still blocks a model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlworkflow.core.content import Fields, read_content
from mlworkflow.core.text import count, html_escape, percent

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure

    from mlworkflow.stages.data.cleaning import CleaningResult

__all__ = [
    "BLOCKERS",
    "DEFAULT_CHOICES",
    "FIGURES",
    "MISSING_CHOICES",
    "LabSummary",
    "LabText",
    "chart_html",
    "check_choices",
    "cleaning_chart",
    "compare",
    "key_figures",
    "lab_text",
    "model_blockers",
    "summarise",
]

FILE = "data.json"
DEFAULT_CHOICES: dict[str, Any] = {
    "fix_types": True, "normalise_categories": True, "drop_duplicates": True,
    "drop_impossible": True, "missing": "impute",
}
MISSING_CHOICES = {"impute": "Fill in (impute)", "drop": "Drop those rows", "keep": "Leave the gaps"}
# figure -> how it is printed; the order is the order shown
FIGURES: dict[str, Callable[[float], str]] = {
    "rows": count,
    "churn rate": lambda v: percent(v / 100, 2),  # stored in percentage points, as the text shows them
    "share of Family accounts": lambda v: percent(v / 100, 2),
    "plan spellings": count,
    "mean hours watched": lambda v: f"{v:.2f}",
    "duplicate rows": count,
    "missing values": count,
    "numbers stored as text": count,
    "impossible values": count,
}
# blocker (a key of cleaning_lab.blockers in the content) -> the figure it is about, in the order said
BLOCKERS = {
    "numbers_as_text": "numbers stored as text",
    "missing_values": "missing values",
    "plan_spellings": "plan spellings",
    "impossible_values": "impossible values",
    "duplicate_rows": "duplicate rows",
}
PLAN_COUNT = 3  # Basic, Standard, Premium: more spellings than this is a problem


# ---------------------------------------------------------------- the lab's sentences

@dataclass(frozen=True)
class LabText:
    """What the lab says; ``blockers`` and ``customers_lost`` are templates with ``{name}`` slots."""

    blockers: Mapping[str, str]
    ready: str
    not_ready: str
    steps_heading: str
    no_change: str
    customers_lost: str
    chart_alt: str
    chart_text: str
    static_note: str


def _parse_text(data: Any, label: str) -> LabText:
    f = Fields(data, label).object("cleaning_lab")
    b = f.object("blockers")
    return LabText(
        blockers={key: b.template(key, {"n"}) for key in BLOCKERS},
        ready=f.text("ready"), not_ready=f.text("not_ready"), steps_heading=f.text("steps_heading"),
        no_change=f.text("no_change"),
        customers_lost=f.template("customers_lost", {"lost", "share", "churn_rate"}),
        chart_alt=f.text("chart_alt"), chart_text=f.text("chart_text"), static_note=f.text("static_note"),
    )


@cache
def _shipped_text() -> LabText:
    return _parse_text(*read_content(FILE))


def lab_text(path: str | Path | None = None) -> LabText:
    """The lab's sentences: the shipped ones, or those in the JSON file at ``path``."""
    return _shipped_text() if path is None else _parse_text(*read_content(FILE, path))


# ---------------------------------------------------------------- figures and blockers

def _numbers(series: pd.Series) -> pd.Series:
    import pandas as pd

    text = series.map(lambda v: v.replace("$", "").strip() if isinstance(v, str) else v)
    return pd.to_numeric(text, errors="coerce")


def key_figures(df: pd.DataFrame) -> dict[str, float]:
    """The numbers a PM would check on the churn data, cleaned or not (see ``FIGURES``)."""
    from mlworkflow.stages.data.cleaning import quality_report

    report = quality_report(df)
    return {
        "rows": len(df),
        "churn rate": round(100 * float(_numbers(df["churned"]).mean()), 2),
        "share of Family accounts": round(100 * float((df["segment"] == "Family").mean()), 2),
        "plan spellings": int(df["plan"].nunique()),
        "mean hours watched": round(float(_numbers(df["hours_watched"]).mean()), 2),
        "duplicate rows": report.duplicate_rows,
        "missing values": sum(report.missing.values()),
        "numbers stored as text": sum(report.numbers_as_text.values()),
        "impossible values": sum(report.impossible_values.values()),
    }


def model_blockers(figures: Mapping[str, float]) -> list[str]:
    """What in these figures stops a typical model from training, in plain words (empty: ready)."""
    sentences = lab_text().blockers
    found = []
    for key, figure in BLOCKERS.items():
        value = figures[figure]
        if (value > PLAN_COUNT) if key == "plan_spellings" else bool(value):
            found.append(sentences[key].format(n=count(value)))
    return found


@dataclass(frozen=True)
class LabSummary:
    """One set of cleaning choices: the cleaning result, key figures before and after, and blockers."""

    choices: dict[str, Any]
    result: CleaningResult
    before: dict[str, float]
    after: dict[str, float]

    @property
    def blockers(self) -> list[str]:
        return model_blockers(self.after)

    def rows(self) -> list[tuple[str, str, str]]:
        """(figure, before, after) as display strings."""
        return [(k, show(self.before[k]), show(self.after[k])) for k, show in FIGURES.items()]

    def step_lines(self) -> list[str]:
        lines = []
        for s in self.result.steps:
            cost = f"{count(s.rows_lost)} rows lost" if s.rows_lost else "no rows lost"
            state = "on " if s.applied else "off"
            lines.append(f"[{state}] {s.title}: {cost}. {s.note[:1].upper()}{s.note[1:]}.")
        return lines

    def text(self) -> str:
        lines = [f"  {'Key figure':<24}{'before':>9} -> after"]
        lines += [f"  {name:<24}{b:>9} -> {a}" for name, b, a in self.rows()]
        lines += ["Steps"] + [f"  {line}" for line in self.step_lines()]
        blockers = self.blockers
        lines.append("Ready for a model: " + ("yes" if not blockers else "no"))
        lines += [f"  - {b}" for b in blockers]
        return "\n".join(lines)

    def html(self) -> str:
        words = lab_text()
        table = "".join(
            "<tr" + (' class="mlw-clean-changed"' if b != a else "")
            + f"><td>{html_escape(n)}</td><td>{html_escape(b)}</td><td>{html_escape(a)}</td></tr>"
            for n, b, a in self.rows())
        steps = "".join(
            f'<li class="mlw-clean-step-{"on" if s.applied else "off"}"><b>{"On" if s.applied else "Off"}:</b> '
            f'{html_escape(line.split("] ", 1)[-1])}</li>'
            for s, line in zip(self.result.steps, self.step_lines(), strict=True))
        blockers = self.blockers
        ready = (f'<p class="mlw-clean-ready"><b>{html_escape(words.ready)}</b></p>' if not blockers else
                 f'<div class="mlw-clean-blockers"><b>{html_escape(words.not_ready)}</b><ul>'
                 + "".join(f"<li>{html_escape(b)}</li>" for b in blockers) + "</ul></div>")
        return (f'<div class="mlw-clean-report"><table class="mlw-clean-figures"><tr><th>Figure</th><th>Before</th>'
                f"<th>After</th></tr>{table}</table><p><b>{html_escape(words.steps_heading)}</b></p>"
                f'<ul class="mlw-clean-costs">{steps}</ul>{ready}</div>')


# ---------------------------------------------------------------- summarise and compare

def check_choices(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``DEFAULT_CHOICES`` with ``overrides`` applied; a ValueError naming the options for anything unknown."""
    unknown = sorted(set(overrides) - set(DEFAULT_CHOICES))
    if unknown:
        raise ValueError(f"unknown cleaning choice {unknown[0]!r}; the choices are: {', '.join(DEFAULT_CHOICES)}")
    choices = {**DEFAULT_CHOICES, **overrides}
    if choices["missing"] not in MISSING_CHOICES:
        raise ValueError(f"missing must be one of {', '.join(MISSING_CHOICES)}, not {choices['missing']!r}")
    return choices


def summarise(raw: pd.DataFrame, before: Mapping[str, float] | None = None, **choices: Any) -> LabSummary:
    """Clean ``raw`` with ``choices`` (defaults: every step on, gaps imputed) and summarise the result."""
    from mlworkflow.stages.data.cleaning import clean

    chosen = check_choices(choices)
    result = clean(raw, **chosen)
    return LabSummary(chosen, result, dict(before) if before else key_figures(raw), key_figures(result.frame))


def compare(base: LabSummary, alternative: LabSummary) -> str:
    """What switching from ``base`` to ``alternative`` changes: rows, churn rate, a segment's share, who is lost."""
    from mlworkflow.stages.data.cleaning import STEPS

    def word(key: str, choices: Mapping[str, Any]) -> str:
        return MISSING_CHOICES[choices[key]] if key == "missing" else ("on" if choices[key] else "off")

    changed = [k for k in DEFAULT_CHOICES if base.choices[k] != alternative.choices[k]]
    if not changed:
        return lab_text().no_change
    lines = [f"{STEPS[k]}: {word(k, base.choices)} -> {word(k, alternative.choices)}" for k in changed]
    lines.append(f"  {'Key figure':<24}{'now':>9} -> instead")
    lines += [f"  {name:<24}{show(base.after[name]):>9} -> {show(alternative.after[name])}"
              for name, show in FIGURES.items() if base.after[name] != alternative.after[name]]
    ids_kept = set(alternative.result.frame["customer_id"])
    lost = base.result.frame[~base.result.frame["customer_id"].isin(ids_kept)]
    if len(lost):
        sentence = lab_text().customers_lost.format(
            lost=count(len(lost)), share=percent(len(lost) / len(base.result.frame), 1),
            churn_rate=percent(float(_numbers(lost["churned"]).mean()), 2))
        lines.append(f"  {sentence}")
    return "\n".join(lines)


# ---------------------------------------------------------------- chart

_SHORT = {"fix_types": "fix number types", "normalise_categories": "fix spellings",
          "drop_duplicates": "drop duplicates", "drop_impossible": "drop impossible", "missing": "missing values"}


def cleaning_chart(summary: LabSummary) -> Figure:
    """Two panels: rows left after each step, and problems found before and after cleaning."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 3.2), dpi=80)
    rows_ax, prob_ax = fig.subplots(1, 2)
    steps = summary.result.steps
    labels = [_SHORT[s.key] for s in steps]
    lost = [s.rows_lost for s in steps]
    rows_ax.barh(labels, lost, color=["#2563eb" if s.applied else "#d1d5db" for s in steps])
    rows_ax.invert_yaxis()
    rows_ax.set_xlim(0, max([*lost, 10]) * 1.35)
    for row, s in enumerate(steps):
        rows_ax.text(s.rows_lost, row, f" {count(s.rows_lost)}" if s.applied else " off", va="center", fontsize=8)
    rows_ax.set_title(f"Rows removed by each step (of {count(summary.before['rows'])})", fontsize=10)
    kinds = ["duplicate rows", "missing values", "numbers stored as text", "impossible values"]
    spellings = [max(0, summary.before["plan spellings"] - PLAN_COUNT),
                 max(0, summary.after["plan spellings"] - PLAN_COUNT)]
    y = range(len(kinds) + 1)
    before = [summary.before[k] for k in kinds] + [spellings[0]]
    after = [summary.after[k] for k in kinds] + [spellings[1]]
    prob_ax.barh([i - 0.2 for i in y], before, height=0.4, color="#f59e0b", label="before")
    prob_ax.barh([i + 0.2 for i in y], after, height=0.4, color="#16a34a", label="after")
    prob_ax.set_yticks(list(y), [k.replace("numbers stored as text", "numbers as text") for k in kinds]
                       + ["extra plan spellings"])
    prob_ax.invert_yaxis()
    prob_ax.legend(fontsize=8, loc="lower right")
    prob_ax.set_title("Problems found, before and after", fontsize=10)
    for ax in (rows_ax, prob_ax):
        ax.tick_params(labelsize=8)
        ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def chart_html(fig: Figure) -> str:
    """The chart as an inline ``<img>`` with alternative text, for the widget and its static fallback."""
    from mlworkflow.display.charts import figure_png, png_html

    return png_html(figure_png(fig), lab_text().chart_alt, "mlw-clean-chart-img")

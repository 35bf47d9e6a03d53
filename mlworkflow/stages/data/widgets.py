"""Cleaning lab: switch each cleaning step on or off and see what the data, and each choice, costs.

A thin widget over :func:`mlworkflow.stages.data.cleaning.clean` and pure summaries of its result:

    >>> lab = CleaningLab()                  # in a notebook: a toggle per step, figures, a chart
    >>> print(lab.summary_text())            # the current choices, before and after, as text
    >>> print(lab.compare(missing="drop"))   # what dropping rows with gaps costs instead

The key figures are the course's churn case (``mlworkflow.stages.data.datasets``): rows, churn rate,
segment share, plan spellings, average hours watched, and what still blocks a model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
from traitlets import Bool, Enum, observe

from mlworkflow.display.charts import figure_png, png_html
from mlworkflow.ui import StaticFallback, show_html

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure

    from mlworkflow.stages.data.cleaning import CleaningResult

__all__ = [
    "DEFAULT_CHOICES",
    "MISSING_CHOICES",
    "CleaningLab",
    "LabSummary",
    "cleaning_chart",
    "compare",
    "key_figures",
    "model_blockers",
    "summarise",
]

DEFAULT_CHOICES: dict[str, Any] = {
    "fix_types": True, "normalise_categories": True, "drop_duplicates": True,
    "drop_impossible": True, "missing": "impute",
}
MISSING_CHOICES = {"impute": "Fill in (impute)", "drop": "Drop those rows", "keep": "Leave the gaps"}
# figure -> how it is printed; the order is the order shown
FIGURES = {
    "rows": "{:,.0f}",
    "churn rate": "{:.2f}%",
    "share of Family accounts": "{:.2f}%",
    "plan spellings": "{:,.0f}",
    "mean hours watched": "{:.2f}",
    "duplicate rows": "{:,.0f}",
    "missing values": "{:,.0f}",
    "numbers stored as text": "{:,.0f}",
    "impossible values": "{:,.0f}",
}


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
    found = []
    if figures["numbers stored as text"]:
        found.append(f"{figures['numbers stored as text']:,.0f} numbers are stored as text; a model cannot read them.")
    if figures["missing values"]:
        found.append(f"{figures['missing values']:,.0f} values are missing; many models refuse gaps.")
    if figures["plan spellings"] > 3:
        found.append(f"'plan' is spelled {figures['plan spellings']:,.0f} ways; a model treats each spelling as a different plan.")
    if figures["impossible values"]:
        found.append(f"{figures['impossible values']:,.0f} impossible values skew averages and what the model learns.")
    if figures["duplicate rows"]:
        found.append(f"{figures['duplicate rows']:,.0f} customers are counted twice.")
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
        return [(k, f.format(self.before[k]), f.format(self.after[k])) for k, f in FIGURES.items()]

    def step_lines(self) -> list[str]:
        lines = []
        for s in self.result.steps:
            cost = f"{s.rows_lost:,} rows lost" if s.rows_lost else "no rows lost"
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
        table = "".join(
            "<tr" + (' class="mlw-clean-changed"' if b != a else "") + f'><td>{escape(n)}</td><td>{escape(b)}</td><td>{escape(a)}</td></tr>'
            for n, b, a in self.rows())
        steps = "".join(
            f'<li class="mlw-clean-step-{"on" if s.applied else "off"}"><b>{"On" if s.applied else "Off"}:</b> '
            f'{escape(line.split("] ", 1)[-1])}</li>'
            for s, line in zip(self.result.steps, self.step_lines()))
        blockers = self.blockers
        ready = ('<p class="mlw-clean-ready"><b>Ready for a model.</b></p>' if not blockers else
                 '<div class="mlw-clean-blockers"><b>Not ready for a model yet:</b><ul>'
                 + "".join(f"<li>{escape(b)}</li>" for b in blockers) + "</ul></div>")
        return (f'<div class="mlw-clean-report"><table class="mlw-clean-figures"><tr><th>Figure</th><th>Before</th>'
                f"<th>After</th></tr>{table}</table><p><b>What each step did</b></p>"
                f'<ul class="mlw-clean-costs">{steps}</ul>{ready}</div>')


def _choices(overrides: Mapping[str, Any]) -> dict[str, Any]:
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

    chosen = _choices(choices)
    result = clean(raw, **chosen)
    return LabSummary(chosen, result, dict(before) if before else key_figures(raw), key_figures(result.frame))


def compare(base: LabSummary, alternative: LabSummary) -> str:
    """What switching from ``base`` to ``alternative`` changes: rows, churn rate, a segment's share, who is lost."""
    from mlworkflow.stages.data.cleaning import STEPS

    def word(key: str, choices: Mapping[str, Any]) -> str:
        return MISSING_CHOICES[choices[key]] if key == "missing" else ("on" if choices[key] else "off")

    changed = [k for k in DEFAULT_CHOICES if base.choices[k] != alternative.choices[k]]
    if not changed:
        return "No change: the two sets of choices are the same."
    lines = [f"{STEPS[k]}: {word(k, base.choices)} -> {word(k, alternative.choices)}" for k in changed]
    lines.append(f"  {'Key figure':<24}{'now':>9} -> instead")
    lines += [f"  {name:<24}{FIGURES[name].format(base.after[name]):>9} -> {FIGURES[name].format(alternative.after[name])}"
              for name in FIGURES if base.after[name] != alternative.after[name]]
    ids_kept = set(alternative.result.frame["customer_id"])
    lost = base.result.frame[~base.result.frame["customer_id"].isin(ids_kept)]
    if len(lost):
        share = 100 * len(lost) / len(base.result.frame)
        lines.append(f"  {len(lost):,} more customers removed ({share:.1f}% of the data); "
                     f"they churned at {100 * float(_numbers(lost['churned']).mean()):.2f}%.")
    return "\n".join(lines)


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
    rows_ax.set_xlim(0, max(lost + [10]) * 1.35)
    for y, s in enumerate(steps):
        rows_ax.text(s.rows_lost, y, f" {s.rows_lost:,}" if s.applied else " off", va="center", fontsize=8)
    rows_ax.set_title(f"Rows removed by each step (of {summary.before['rows']:,.0f})", fontsize=10)
    kinds = ["duplicate rows", "missing values", "numbers stored as text", "impossible values"]
    spellings = [max(0, summary.before["plan spellings"] - 3), max(0, summary.after["plan spellings"] - 3)]
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


_SHORT = {"fix_types": "fix number types", "normalise_categories": "fix spellings",
          "drop_duplicates": "drop duplicates", "drop_impossible": "drop impossible", "missing": "missing values"}


def _png_html(fig: Figure) -> str:
    return png_html(figure_png(fig), "Rows after each step, and problems before and after", "mlw-clean-chart-img")


class CleaningLab(StaticFallback, widgets.VBox):
    """A toggle per cleaning step and a choice for missing values; figures, costs and a chart follow.

    Public state: ``fix_types``, ``normalise_categories``, ``drop_duplicates``,
    ``drop_impossible`` (on/off) and ``missing`` (``impute``, ``drop`` or ``keep``).
    Results are cached per combination, so going back to a choice is instant.
    """

    fix_types = Bool(True)
    normalise_categories = Bool(True)
    drop_duplicates = Bool(True)
    drop_impossible = Bool(True)
    missing = Enum(tuple(MISSING_CHOICES), default_value="impute")

    def __init__(self, raw: pd.DataFrame | None = None, **choices: Any):
        from mlworkflow.stages.data.cleaning import STEPS
        from mlworkflow.stages.data.datasets import churn_raw

        self._rendering = True  # no re-render while the starting choices are set
        self._raw = churn_raw() if raw is None else raw
        self._before = key_figures(self._raw)
        self._cache: dict[tuple[Any, ...], tuple[LabSummary, str]] = {}
        toggles = []
        for key in ("fix_types", "normalise_categories", "drop_duplicates", "drop_impossible"):
            box = widgets.Checkbox(value=True, description=STEPS[key], indent=False)
            box.add_class("mlw-clean-toggle")
            box.add_class(f"mlw-clean-{key.replace('_', '-')}")
            toggles.append((key, box))
        self._missing_choice = widgets.ToggleButtons(
            options=[(label, key) for key, label in MISSING_CHOICES.items()], value="impute",
            description="Missing values", style={"description_width": "initial"})
        self._missing_choice.add_class("mlw-clean-missing")
        self._summary = widgets.Output()
        self._summary.add_class("mlw-clean-summary")
        self._chart = widgets.Output()
        self._chart.add_class("mlw-clean-chart")
        controls = widgets.VBox([b for _, b in toggles] + [self._missing_choice])
        controls.add_class("mlw-clean-controls")
        super().__init__(children=[controls, self._summary, self._chart])
        self.add_class("mlw-cleaning-lab")
        for key, box in toggles:
            widgets.link((box, "value"), (self, key))
        widgets.link((self._missing_choice, "value"), (self, "missing"))
        try:
            for key, value in _choices(choices).items():
                setattr(self, key, value)
        finally:
            self._rendering = False
        self._render()

    @property
    def choices(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in DEFAULT_CHOICES}

    def summary_for(self, **choices: Any) -> LabSummary:
        """The summary for ``choices`` (missing ones default to this lab's current choices); cached."""
        return self._cached({**self.choices, **choices})[0]

    def _cached(self, choices: dict[str, Any]) -> tuple[LabSummary, str]:
        key = tuple(_choices(choices)[k] for k in DEFAULT_CHOICES)
        if key not in self._cache:
            summary = summarise(self._raw, self._before, **choices)
            self._cache[key] = (summary, _png_html(cleaning_chart(summary)))
        return self._cache[key]

    @property
    def summary(self) -> LabSummary:
        return self.summary_for()

    def summary_text(self) -> str:
        return self.summary.text()

    def compare(self, **alternative: Any) -> str:
        """What ``alternative`` choices would cost compared with the current ones, as text."""
        return compare(self.summary, self.summary_for(**alternative))

    @observe("fix_types", "normalise_categories", "drop_duplicates", "drop_impossible", "missing")
    def _on_choice(self, _change: Any) -> None:
        if not self._rendering:
            self._render()

    def _render(self) -> None:
        try:
            summary, chart = self._cached(self.choices)
        except Exception as exc:
            show_html(self._summary, f'<p class="mlw-clean-error">These choices could not be applied: '
                                     f"{escape(str(exc))}</p>", f"Could not apply: {exc}")
            self._chart.outputs = ()
            return
        show_html(self._summary, summary.html(), summary.text())
        show_html(self._chart, chart, "Chart: rows after each step; problems before and after.")

    def _static_html(self) -> str:
        summary, chart = self._cached(self.choices)
        return (f'<div class="mlw-cleaning-lab mlw-cleaning-lab-static">{summary.html()}{chart}'
                "<p><em>Run this notebook in Jupyter to switch the steps on and off.</em></p></div>")

    def _static_text(self) -> str:
        return self.summary_text()

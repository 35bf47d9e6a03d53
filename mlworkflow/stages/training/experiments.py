"""Baselines first, then the overfitting experiment (notebook 03), as plain functions and dataclasses.

    >>> from mlworkflow.stages.data.datasets import churn_customers
    >>> from mlworkflow.stages.training.models import split, fit_churn_model
    >>> train, valid = split(churn_customers())
    >>> board = compare_with_baseline(train, valid, {"Logistic regression": fit_churn_model(train)})
    >>> print(board)                                  # baselines and models on held-out customers
    >>> curve = complexity_curve(train, valid)        # decision trees of depth 1..20
    >>> verdict(curve, 12).label
    'Overfit'

Course text comes from ``content/training.json``; the slider over the curve is
:class:`mlworkflow.stages.training.widgets.OverfittingExplorer`. scikit-learn, numpy and
matplotlib are imported inside the functions that need them.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from mlworkflow.core.content import Fields, read_content, stylesheet
from mlworkflow.core.text import percent

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import numpy.typing as npt
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = [
    "ComplexityCurve",
    "Leaderboard",
    "Scorecard",
    "TrainingText",
    "Verdict",
    "caught_in_top",
    "compare_with_baseline",
    "complexity_curve",
    "curve_figure",
    "curve_help_html",
    "default_curve",
    "load_training_text",
    "ranking_score",
    "verdict",
    "verdict_html",
]

# ---------------------------------------------------------------- content

VERDICT_KEYS = ("underfit", "about_right", "overfit")


@dataclass(frozen=True)
class TrainingText:
    baselines: dict[str, str]
    metric: str
    metric_explanation: str
    complexity: str
    complexity_explanation: str
    verdicts: dict[str, tuple[str, str, str]]  # key -> (label, headline, advice)
    leaderboard: dict[str, str]  # intro, budget, found_heading: templates with {placeholders}
    verdict_summary: str
    chart: dict[str, str]
    cannot_show: str


@lru_cache(maxsize=1)
def load_training_text() -> TrainingText:
    """Course text for notebook 03 from ``content/training.json`` (ContentError names a bad field)."""
    data, label = read_content("training.json")
    top = Fields(data, label)
    base, metric, complexity, verdicts = (top.object(k) for k in ("baselines", "metric", "complexity", "verdicts"))
    texts: dict[str, tuple[str, str, str]] = {}
    for key in VERDICT_KEYS:
        v = verdicts.object(key)
        texts[key] = (v.text("label"), v.text("headline"), v.text("advice"))
    board, chart = top.object("leaderboard"), top.object("chart")
    return TrainingText(
        baselines={k: base.text(k) for k in ("nobody", "payment")},
        metric=metric.text("name"),
        metric_explanation=metric.text("explanation"),
        complexity=complexity.text("name"),
        complexity_explanation=complexity.text("explanation"),
        verdicts=texts,
        leaderboard={
            "intro": board.template("intro", ("customers", "churners"), exact=False),
            "budget": board.template("budget", ("budget",), exact=False),
            "found_heading": board.template("found_heading", ("budget", "churners"), exact=False),
        },
        verdict_summary=top.template("verdict_summary", ("train", "valid", "gap", "best_depth"), exact=False),
        chart={k: chart.text(k) for k in ("train", "valid", "coin_flip", "best", "alt")}
        | {"x_axis": chart.template("x_axis", ("complexity",), exact=False)},
        cannot_show=top.template("cannot_show", ("problem",), exact=False),
    )


# ---------------------------------------------------------------- scoring


def ranking_score(y_true: npt.ArrayLike, scores: npt.ArrayLike) -> float:
    """Chance a random churner is scored above a random stayer (ties count half): the ROC AUC."""
    import numpy as np
    from sklearn.metrics import roc_auc_score

    y = np.asarray(y_true)
    if len(set(y.tolist())) != 2:
        raise ValueError("a ranking score needs both churners and customers who stayed")
    return float(roc_auc_score(y, np.asarray(scores, dtype=float)))


def caught_in_top(y_true: npt.ArrayLike, scores: npt.ArrayLike, n: int) -> int:
    """How many churners are among the ``n`` highest-scored customers (earlier rows win ties)."""
    import numpy as np

    order = np.argsort(-np.asarray(scores, dtype=float), kind="stable")
    return int(np.asarray(y_true)[order[: max(0, n)]].sum())


def _rule_flags(key: str, df: pd.DataFrame) -> npt.NDArray[np.bool_]:
    import numpy as np

    if key == "nobody":
        return np.zeros(len(df), dtype=bool)
    return np.asarray(df["payment_failures"].to_numpy() > 0, dtype=bool)


@dataclass(frozen=True)
class Scorecard:
    """One candidate on the validation customers (and, for the gap, on its training customers)."""

    name: str
    is_baseline: bool
    found: int  # churners among the customers it would contact
    contacted: int
    valid_score: float  # ranking score on validation customers
    train_score: float | None  # on the customers it learned from (None for a rule: it learns nothing)
    accuracy: float  # share right when flagging score >= 0.5 (or the rule's flags)


@dataclass(frozen=True)
class Leaderboard:
    """Baselines and models side by side; ``print()`` it, or display it as a table."""

    rows: tuple[Scorecard, ...]
    budget: int
    churners: int
    customers: int

    def text(self) -> str:
        t = load_training_text().leaderboard
        width = max(len(r.name) for r in self.rows) + 2
        lines = [
            t["intro"].format(customers=f"{self.customers:,}", churners=self.churners),
            t["budget"].format(budget=self.budget),
            "",
            f"{'':<{width}}{'Churners':>9}  {'Ranking score':^20}  {'Accuracy':>8}",
            f"{'':<{width}}{'found':>9}  {'validation':>10}{'training':>10}",
        ]
        for r in self.rows:
            train = "-" if r.train_score is None else f"{r.train_score:.2f}"
            lines.append(f"{r.name:<{width}}{r.found:>9}  {r.valid_score:>10.2f}{train:>10}  {percent(r.accuracy):>8}")
        return "\n".join(lines)

    __str__ = text

    __repr__ = text

    def _repr_html_(self) -> str:
        e = html.escape
        found = load_training_text().leaderboard["found_heading"].format(budget=self.budget, churners=self.churners)
        head = (
            f"<tr><th></th><th>{e(found)}</th>"
            "<th>Ranking score: validation</th><th>Ranking score: training</th><th>Accuracy</th></tr>"
        )
        body = "".join(
            f'<tr class="{"mlw-baseline" if r.is_baseline else "mlw-model"}"><td>{e(r.name)}</td><td>{r.found}</td>'
            f"<td>{r.valid_score:.2f}</td><td>{'-' if r.train_score is None else f'{r.train_score:.2f}'}</td>"
            f"<td>{percent(r.accuracy)}</td></tr>"
            for r in self.rows
        )
        return f'<table class="mlw-leaderboard">{head}{body}</table>'


def compare_with_baseline(train: pd.DataFrame, valid: pd.DataFrame, models: Mapping[str, Any]) -> Leaderboard:
    """Score the two baselines and each fitted model (name -> model) on ``valid``.

    Every candidate gets the same offer budget: the number of customers the payment rule flags.
    """
    import numpy as np

    from mlworkflow.stages.training.models import churn_scores

    names = load_training_text().baselines
    y_valid, y_train = valid["churned"].to_numpy(), train["churned"]
    budget = int(_rule_flags("payment", valid).sum())
    rows = []
    for key in ("nobody", "payment"):
        flags = _rule_flags(key, valid)
        rows.append(Scorecard(names[key], True, int(y_valid[flags].sum()), int(flags.sum()),
                              ranking_score(y_valid, flags), None, float(np.mean(flags == y_valid))))
    for name, model in models.items():
        scores = churn_scores(model, valid)
        rows.append(Scorecard(
            str(name), False, caught_in_top(y_valid, scores, budget), budget, ranking_score(y_valid, scores),
            ranking_score(y_train, churn_scores(model, train)), float(np.mean((scores >= 0.5) == y_valid)),
        ))
    return Leaderboard(tuple(rows), budget, int(y_valid.sum()), len(valid))


# ---------------------------------------------------------------- overfitting


@dataclass(frozen=True)
class ComplexityCurve:
    """Training and validation ranking scores of decision trees, one per depth."""

    depths: tuple[int, ...]
    train: tuple[float, ...]
    valid: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.depths or not len(self.depths) == len(self.train) == len(self.valid):
            raise ValueError("depths, train and valid must be non-empty and the same length")

    @property
    def best_depth(self) -> int:
        """The depth with the best validation score (the simplest one on a tie, to 3 decimals)."""
        best = max(round(v, 3) for v in self.valid)
        return next(d for d, v in zip(self.depths, self.valid, strict=True) if round(v, 3) == best)

    def at(self, depth: int) -> tuple[float, float]:
        """(training score, validation score) at ``depth``."""
        if depth not in self.depths:
            raise ValueError(f"no tree of depth {depth}; depths run from {self.depths[0]} to {self.depths[-1]}")
        i = self.depths.index(depth)
        return self.train[i], self.valid[i]


def complexity_curve(
    train: pd.DataFrame, valid: pd.DataFrame, depths: Sequence[int] = range(1, 21), *, seed: int = 0
) -> ComplexityCurve:
    """Fit one decision tree per depth on ``train``; score each on ``train`` and ``valid``."""
    from mlworkflow.stages.training.models import churn_scores, fit_churn_model

    t_scores, v_scores = [], []
    for depth in depths:
        model = fit_churn_model(train, kind="tree", seed=seed, max_depth=int(depth))
        t_scores.append(ranking_score(train["churned"], churn_scores(model, train)))
        v_scores.append(ranking_score(valid["churned"], churn_scores(model, valid)))
    return ComplexityCurve(tuple(int(d) for d in depths), tuple(t_scores), tuple(v_scores))


@lru_cache(maxsize=2)
def default_curve(n: int = 3000, seed: int = 42) -> ComplexityCurve:
    """The course's curve: the churn customers split in two, trees of depth 1 to 20 (cached)."""
    from mlworkflow.stages.data.datasets import churn_customers
    from mlworkflow.stages.training.models import split

    return complexity_curve(*split(churn_customers(n=n, seed=seed)))


@dataclass(frozen=True)
class Verdict:
    key: str  # underfit | about_right | overfit
    label: str
    headline: str
    advice: str
    depth: int
    train: float
    valid: float
    best_depth: int

    def text(self) -> str:
        summary = load_training_text().verdict_summary.format(
            train=f"{self.train:.2f}", valid=f"{self.valid:.2f}", gap=f"{self.train - self.valid:.2f}",
            best_depth=self.best_depth,
        )
        return f"Depth {self.depth}: {self.label}. {self.headline}\n{summary}\n{self.advice}"


def verdict(curve: ComplexityCurve, depth: int, *, tolerance: float = 0.03) -> Verdict:
    """Underfit, about right or overfit: is ``depth`` within ``tolerance`` of the best validation score?"""
    train, valid = curve.at(depth)
    best = curve.best_depth
    near_best = valid >= curve.at(best)[1] - tolerance
    key = "about_right" if near_best else ("underfit" if depth < best else "overfit")
    label, headline, advice = load_training_text().verdicts[key]
    return Verdict(key, label, headline, advice, depth, train, valid, best)


def verdict_html(v: Verdict) -> str:
    """The verdict as a short coloured block (with its stylesheet), learner-safe."""
    e = html.escape
    return (
        f'{stylesheet("training", tag=True)}<div class="mlw-verdict-body mlw-{e(v.key)}">'
        f'<b class="mlw-verdict-label">{e(v.label)}</b>: {e(v.headline)}<br>'
        f'<span class="mlw-scores">Training {v.train:.2f} · validation {v.valid:.2f} · '
        f"gap {v.train - v.valid:.2f}</span><br>{e(v.advice)}</div>"
    )


def curve_help_html() -> str:
    """What the depth slider and the ranking score mean, from the course text."""
    text, e = load_training_text(), html.escape
    return (f'<div class="mlw-help">{e(text.complexity_explanation)}<br>'
            f"<b>{e(text.metric)}</b>: {e(text.metric_explanation)}</div>")


def curve_figure(curve: ComplexityCurve, depth: int | None = None) -> Figure:
    """Training and validation score against depth, with ``depth`` marked. Not registered with pyplot."""
    from matplotlib.figure import Figure

    text = load_training_text()
    words = text.chart
    fig = Figure(figsize=(7.5, 3.6), dpi=90, layout="constrained")
    ax = fig.add_subplot()
    ax.plot(curve.depths, curve.train, "o-", color="#9ca3af", label=words["train"])
    ax.plot(curve.depths, curve.valid, "o-", color="#1d4ed8", label=words["valid"])
    ax.axhline(0.5, color="#6b7280", lw=0.8, ls=":")
    ax.text(curve.depths[-1], 0.505, words["coin_flip"], ha="right", va="bottom", fontsize=8, color="#6b7280")
    best = curve.best_depth
    ax.annotate(words["best"], (best, curve.at(best)[1]), xytext=(15, -70), textcoords="offset points",
                ha="left", fontsize=8, arrowprops={"arrowstyle": "->", "color": "#1d4ed8"})
    if depth is not None:
        ax.axvline(depth, color="#dc2626", lw=1.5)
        ax.text(depth, 0.98, f" depth {depth}", color="#dc2626", va="top", fontsize=9,
                transform=ax.get_xaxis_transform())
    ax.set(xlabel=words["x_axis"].format(complexity=text.complexity), ylabel=text.metric, ylim=(0.45, 1.02),
           xticks=list(curve.depths))
    ax.legend(loc="center right", fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return fig

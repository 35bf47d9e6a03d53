"""Monitoring (notebook 06): a live model's numbers month by month, input drift, alerts, retraining.

    >>> metrics = monthly_metrics(model, churn_months(), threshold=0.25)   # one row per month
    >>> drift = drift_scores(train, churn_months())                         # PSI per month and input
    >>> alert_months(drift, threshold=0.2)                                  # {3: ['monthly_price'], ...}

The widget over the drift table (``DriftMonitor``, a threshold slider) is in ``stages.monitoring.widgets``.

PSI (population stability index) compares how an input is spread over bins in the training
data and in a later month: sum over bins of (later share - training share) x ln(later / training).
0 means identical; the usual reading is under 0.1 stable, 0.1 to 0.25 moving, over 0.25 shifted.
Those readings, the alert sentences and the table labels are in ``content/monitoring.json``.

A bin or category empty on one side (a brand-new account type) would make the logarithm
infinite, so its share counts as ``floor`` (``FLOOR``, 1e-4, by default). Its PSI then depends
on that arbitrary choice: a new category holding 10% of customers scores about 0.70 at a floor of
1e-4 and about 0.22 at 1e-2. So a new category is alerted on as such (:func:`new_categories`), not
read off a PSI number.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from mlworkflow.core.content import Fields, read_content
from mlworkflow.core.text import html_escape, money
from mlworkflow.display.charts import Chart
from mlworkflow.stages.evaluation.metrics import RetentionEconomics, evaluate
from mlworkflow.stages.training.models import CATEGORICAL, NUMERIC, churn_scores

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from numpy.typing import ArrayLike

__all__ = [
    "AlertTexts",
    "MonitoringContent",
    "PsiBand",
    "alert_months",
    "alert_summary",
    "band_text",
    "compare_models",
    "drift_html",
    "drift_scores",
    "load_monitoring",
    "metrics_text",
    "month_number",
    "monthly_metrics",
    "new_categories",
    "new_category_text",
    "plot_drift",
    "plot_inputs",
    "plot_metrics",
    "psi",
    "psi_band",
]

FEATURES = NUMERIC + CATEGORICAL
METRICS = ("customers", "actual_churn", "predicted_churn", "auc", "precision", "recall", "missed", "net_value")
# A bin empty on one side counts as this share, so the logarithm stays finite. Arbitrary: a new
# category's PSI moves with it (see the module docstring); new categories get their own alert.
FLOOR = 1e-4


@dataclass(frozen=True)
class PsiBand:
    below: float | None  # upper bound of the band (None: no upper bound)
    label: str
    advice: str  # what a PSI in this band means for the inputs
    as_threshold: str = ""  # what an alert threshold in this band means: how early, how noisy


@dataclass(frozen=True)
class AlertTexts:
    """The alert sentences; ``{name}`` placeholders are filled in code."""

    none: str  # {threshold}
    one: str  # {threshold}, {alerting}, {months}, {listed}
    many: str  # the same, for more than one alerting month
    band: str  # {threshold}, {label}
    new_category: str  # {month}, {feature}, {values}


@dataclass(frozen=True)
class MonitoringContent:
    default_threshold: float
    bands: tuple[PsiBand, ...]
    features: Mapping[str, str]
    metrics: Mapping[str, str]  # compare_models' row labels
    columns: Mapping[str, str]  # metrics_text's column labels
    alerts: AlertTexts


_PLACEHOLDERS = {
    "none": {"threshold"},
    "one": {"threshold", "alerting", "months", "listed"},
    "many": {"threshold", "alerting", "months", "listed"},
    "band": {"threshold", "label"},
    "new_category": {"month", "feature", "values"},
}


@lru_cache(maxsize=1)
def load_monitoring() -> MonitoringContent:
    """The monitoring notebook's course text, from ``content/monitoring.json``."""
    data, label = read_content("monitoring.json")
    top = Fields(data, label)
    bands = []
    for b in top.objects("psi_bands", min_items=2):
        below = b.data.get("below")
        if below is not None and (isinstance(below, bool) or not isinstance(below, (int, float))):
            raise b.fail("below", "expected a number or null")
        bands.append(PsiBand(below, b.text("label"), b.text("advice"), b.text("as_threshold")))
    if bands[-1].below is not None:
        raise top.fail("psi_bands", "the last band needs below: null")
    features, metrics, columns, alerts = (top.object(k) for k in ("features", "metrics", "table_columns", "alerts"))
    return MonitoringContent(
        float(top.number("default_threshold")), tuple(bands), {f: features.text(f) for f in FEATURES},
        {m: metrics.text(m) for m in METRICS}, {m: columns.text(m) for m in METRICS},
        AlertTexts(*(alerts.template(k, _PLACEHOLDERS[k]) for k in _PLACEHOLDERS)),
    )


def month_number(label: object) -> int:
    """A month label from a drift or metrics table (a whole number, maybe a numpy one) as an ``int``."""
    if isinstance(label, bool) or not isinstance(label, numbers.Integral):
        raise TypeError(f"expected a whole month number, got {label!r}")
    return int(label)


# ---------------------------------------------------------------- drift

def _is_categorical(values: Any) -> bool:
    import pandas as pd

    return not pd.api.types.is_numeric_dtype(values)


def psi(expected: ArrayLike | pd.Series, actual: ArrayLike | pd.Series, *, bins: int = 10,
        floor: float = FLOOR) -> float:
    """Population stability index of ``actual`` against ``expected`` (the training data).

    Numbers go into ``bins`` bins cut at the training data's quantiles; text is compared
    category by category. Shares below ``floor`` count as ``floor``: that is how a category
    missing from the training data gets a finite score, and why that score depends on ``floor``.

    >>> round(psi(["A"] * 10, ["A"] * 9 + ["B"]), 2), round(psi(["A"] * 10, ["A"] * 9 + ["B"], floor=1e-2), 2)
    (0.7, 0.22)
    """
    import numpy as np
    import pandas as pd

    e, a = pd.Series(expected).dropna(), pd.Series(actual).dropna()
    if e.empty or a.empty:
        raise ValueError("psi needs at least one value on each side")
    if _is_categorical(e) or _is_categorical(a):
        cats = sorted(set(e.astype(str)) | set(a.astype(str)))
        e_share = e.astype(str).value_counts(normalize=True).reindex(cats, fill_value=0).to_numpy()
        a_share = a.astype(str).value_counts(normalize=True).reindex(cats, fill_value=0).to_numpy()
    else:
        edges = np.unique(np.quantile(e.to_numpy(float), np.linspace(0, 1, bins + 1)[1:-1]))
        count = len(edges) + 1
        e_share = np.bincount(np.searchsorted(edges, e.to_numpy(float), side="right"), minlength=count) / len(e)
        a_share = np.bincount(np.searchsorted(edges, a.to_numpy(float), side="right"), minlength=count) / len(a)
    e_share, a_share = np.maximum(e_share, floor), np.maximum(a_share, floor)
    return float(np.sum((a_share - e_share) * np.log(a_share / e_share)))


def psi_band(score: float) -> PsiBand:
    """The reading of a PSI score: stable, moving or shifted, with what to do."""
    for band in load_monitoring().bands:
        if band.below is None or score < band.below:
            return band
    raise AssertionError("unreachable: the last band has no upper bound")  # pragma: no cover


def drift_scores(reference: pd.DataFrame, months: pd.DataFrame, features: Sequence[str] = FEATURES,
                 *, bins: int = 10) -> pd.DataFrame:
    """PSI of each input in each month against ``reference``: one row per month, rounded to 3 places."""
    import pandas as pd

    rows = {month: {f: round(psi(reference[f], g[f], bins=bins), 3) for f in features}
            for month, g in months.groupby("month")}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("month")


def new_categories(reference: pd.DataFrame, months: pd.DataFrame,
                   features: Sequence[str] = CATEGORICAL) -> dict[int, dict[str, dict[str, float]]]:
    """Per month, values of text inputs the training data never had, with their share of that month's customers.

    ``{4: {"segment": {"Student": 0.097}}}``: alert on these as they are, whatever their PSI.
    """
    found: dict[int, dict[str, dict[str, float]]] = {}
    for month, g in months.groupby("month"):
        for f in features:
            seen = set(reference[f].dropna().astype(str))
            shares = g[f].dropna().astype(str).value_counts(normalize=True)
            new = {str(v): round(float(sh), 3) for v, sh in shares.items() if v not in seen}
            if new:
                found.setdefault(month_number(month), {})[f] = new
    return found


def new_category_text(found: Mapping[int, Mapping[str, Mapping[str, float]]]) -> str:
    """:func:`new_categories` as one sentence per month and input."""
    names, template = load_monitoring().features, load_monitoring().alerts.new_category
    lines = [template.format(month=m, feature=names.get(f, f),
                             values=", ".join(f"{v} ({share:.1%} of customers)" for v, share in values.items()))
             for m, by_feature in found.items() for f, values in by_feature.items()]
    return "\n".join(lines)


def alert_months(drift: pd.DataFrame, threshold: float) -> dict[int, list[str]]:
    """Months in which at least one input's PSI reaches ``threshold``, with those inputs, worst first."""
    columns = list(drift.columns)
    alerts = {}
    for month, row in zip(drift.index, drift.to_numpy(dtype=float).tolist(), strict=True):  # plain floats: fast
        hit = sorted((j for j, v in enumerate(row) if v >= threshold), key=lambda j: -row[j])  # stable on ties
        if hit:
            alerts[month_number(month)] = [columns[j] for j in hit]
    return alerts


# ---------------------------------------------------------------- model performance

def _metrics(model: Any, data: pd.DataFrame, threshold: float,
             economics: RetentionEconomics | None) -> dict[str, float]:
    from sklearn.metrics import roc_auc_score

    with warnings.catch_warnings():  # new categories (a segment launched after training) are the point here
        warnings.filterwarnings("ignore", message="Found unknown categories")
        scores = churn_scores(model, data)
    y = data["churned"].to_numpy()
    r = evaluate(y, scores, threshold, economics)
    return {
        "customers": len(data), "actual_churn": round(float(y.mean()), 3),
        "predicted_churn": round(float(scores.mean()), 3),
        "auc": round(float(roc_auc_score(y, scores)), 3) if 0 < y.sum() < len(y) else float("nan"),
        "precision": round(r.precision, 3), "recall": round(r.recall, 3), "missed": r.fn, "net_value": r.net_value,
    }


def monthly_metrics(model: Any, months: pd.DataFrame, threshold: float = 0.25,
                    economics: RetentionEconomics | None = None) -> pd.DataFrame:
    """How the model did each month, once the month's outcomes are known: one row per month."""
    import pandas as pd

    rows = {month_number(m): _metrics(model, g, threshold, economics) for m, g in months.groupby("month")}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("month")


def metrics_text(metrics: pd.DataFrame) -> str:
    """:func:`monthly_metrics` as a table a PM can read: labelled columns, percentages and dollars."""
    table = metrics.copy()
    for column in ("actual_churn", "predicted_churn"):
        table[column] = (table[column] * 100).map("{:.1f}%".format)
    for column in ("auc", "precision", "recall"):
        table[column] = table[column].map("{:.3f}".format)
    table["net_value"] = table["net_value"].map(money)
    table.index.name = "Month"
    return table.rename(columns=load_monitoring().columns).to_string()


def compare_models(models: Mapping[str, Any], data: pd.DataFrame, threshold: float = 0.25,
                   economics: RetentionEconomics | None = None) -> pd.DataFrame:
    """Each model's numbers on the same customers, side by side (a before/after table)."""
    import pandas as pd

    names = load_monitoring().metrics
    table = pd.DataFrame({name: pd.Series(_metrics(m, data, threshold, economics), dtype=object)
                          for name, m in models.items()})
    return table.rename(index=names)


# ---------------------------------------------------------------- charts

def _tidy(ax: Any) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)


def plot_metrics(metrics: pd.DataFrame) -> Chart:
    """Left: actual churn vs the model's estimate. Right: AUC, precision and recall, per month."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 3.2), dpi=90, layout="constrained")
    rate, quality = fig.subplots(1, 2)
    x = metrics.index
    rate.plot(x, metrics["actual_churn"] * 100, "o-", color="#dc2626", label="Actual churn")
    rate.plot(x, metrics["predicted_churn"] * 100, "o--", color="#1d4ed8", label="Model's estimate")
    rate.set(title="Churn rate per month (%)", xlabel="Month", ylim=(0, None))
    for key, colour in (("auc", "#047857"), ("precision", "#7c3aed"), ("recall", "#ea580c")):
        quality.plot(x, metrics[key], "o-", color=colour, label=load_monitoring().metrics[key].split(" (")[0])
    quality.set(title="Model quality per month", xlabel="Month", ylim=(0, 1))
    for ax in (rate, quality):
        ax.legend(fontsize=8, frameon=False)
        ax.set_xticks(list(x))
        _tidy(ax)
    return Chart(fig, "Actual churn rate and the model's estimate per month; AUC, precision and recall per month.")


def plot_inputs(reference: pd.DataFrame, months: pd.DataFrame) -> Chart:
    """Left: average monthly price. Right: share of each account type. Month 0 is the training data."""
    import pandas as pd
    from matplotlib.figure import Figure

    both = pd.concat([reference.assign(month=0), months], ignore_index=True)
    fig = Figure(figsize=(9, 3.2), dpi=90, layout="constrained")
    price, segment = fig.subplots(1, 2)
    avg = both.groupby("month")["monthly_price"].mean()
    price.bar(avg.index, avg.to_numpy(), color=["#9ca3af"] + ["#1d4ed8"] * (len(avg) - 1))
    price.set(title="Average monthly price ($)", xlabel="Month (0 = training data)")
    shares = pd.crosstab(both["month"], both["segment"], normalize="index") * 100
    bottom = pd.Series(0.0, index=shares.index)
    for name, colour in zip(shares.columns, ("#f59e0b", "#1d4ed8", "#dc2626", "#6b7280"), strict=False):
        segment.bar(shares.index, shares[name], bottom=bottom, color=colour, label=name)
        bottom += shares[name]
    segment.set(title="Account type share (%)", xlabel="Month (0 = training data)", ylim=(0, 100))
    segment.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    for ax in (price, segment):
        ax.set_xticks(list(avg.index))
        _tidy(ax)
    return Chart(fig, "Average monthly price and account-type shares per month, month 0 being the training data.")


def plot_drift(drift: pd.DataFrame, threshold: float) -> Chart:
    """PSI per input and month, with the alert threshold as a dashed line."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 3.4), dpi=90, layout="constrained")
    ax = fig.subplots()
    names = load_monitoring().features
    worst = drift.max().sort_values(ascending=False).index
    for f in worst[:4]:
        ax.plot(drift.index, drift[f], "o-", label=names.get(f, f))
    for f in worst[4:]:
        ax.plot(drift.index, drift[f], "-", color="#d1d5db", lw=1)
    ax.axhline(threshold, color="#dc2626", ls="--", lw=1.2, label=f"Alert threshold ({threshold:g})")
    ax.set(title="Drift score (PSI) per input; grey: the other inputs", xlabel="Month", ylabel="PSI")
    ax.set_xticks(list(drift.index))
    ax.legend(fontsize=8, frameon=False)
    _tidy(ax)
    return Chart(fig, f"PSI per input and month, with the alert threshold {threshold:g} as a dashed line.")


# ---------------------------------------------------------------- the drift table and its alerts

def drift_html(drift: pd.DataFrame, threshold: float) -> str:
    """The drift table with cells at or over ``threshold`` marked, and each month's alert status."""
    names = load_monitoring().features
    alerts = alert_months(drift, threshold)
    head = "".join(f"<th>{html_escape(names.get(f, f))}</th>" for f in drift.columns)
    rows = []
    for label, row in zip(drift.index, drift.to_numpy(dtype=float).tolist(), strict=True):
        month = month_number(label)
        cells = "".join(
            f'<td class="{"mlw-drift-hot" if v >= threshold else "mlw-drift-ok"}" '
            f'style="text-align:right;{"background:#fecaca;font-weight:bold" if v >= threshold else ""}">{v:.3f}</td>'
            for v in row)
        fired = alerts.get(month)
        status = (f'<td class="mlw-drift-alert" style="color:#b91c1c;text-align:left"><b>ALERT</b>: '
                  f'{html_escape(", ".join(names.get(f, f) for f in fired))}</td>' if fired
                  else '<td class="mlw-drift-quiet" style="text-align:left">quiet</td>')
        rows.append(f'<tr data-month="{month}"><th style="white-space:nowrap">Month {month}</th>{cells}{status}</tr>')
    return (f'<table class="mlw-drift-table"><thead><tr><th></th>{head}<th>Alert?</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def alert_summary(drift: pd.DataFrame, threshold: float) -> str:
    """One sentence: which months would have fired at this threshold."""
    texts = load_monitoring().alerts
    months = list(alert_months(drift, threshold))
    if not months:
        return texts.none.format(threshold=f"{threshold:.2f}")
    template = texts.one if len(months) == 1 else texts.many
    return template.format(threshold=f"{threshold:.2f}", alerting=len(months), months=len(drift),
                           listed=", ".join(str(m) for m in months))


def band_text(threshold: float) -> str:
    """What an alert at ``threshold`` means: its PSI band, and how early and how noisy it is (plain text)."""
    band = psi_band(threshold)
    said = load_monitoring().alerts.band.format(threshold=f"{threshold:.2f}", label=band.label)
    return f"{said} {band.as_threshold}"

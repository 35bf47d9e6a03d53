"""The course's business case: subscription churn at a streaming service, generated offline.

"Churn" means a subscriber cancels. Every stage notebook works on the same customers:

    >>> from mlworkflow.stages.data.datasets import churn_customers, churn_raw, churn_months
    >>> customers = churn_customers()          # 3,000 clean rows, about 15% churned
    >>> raw = churn_raw()                      # the same, with the mess a real export has
    >>> raw.attrs["mess"]["duplicate_rows"]    # what was injected, so it can be counted
    40
    >>> later = churn_months()                 # six later months: a price rise, a new segment

Everything is seeded: the same arguments give the same rows. pandas and numpy are imported
inside the functions, so importing this module is cheap.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlworkflow.core.content import Fields, read_content

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

    # read from content/data.json on first use (module __getattr__ below), typed here for callers
    DATA_DICTIONARY: dict[str, dict[str, Any]]
    DRIFT_EVENTS: dict[int, str]

__all__ = [
    "DATA_DICTIONARY",
    "DRIFT_EVENTS",
    "HOURS_IN_MONTH",
    "LABEL",
    "MESS",
    "churn_customers",
    "churn_months",
    "churn_raw",
    "data_dictionary",
    "load_data_dictionary",
    "load_drift_events",
]

FILE = "data.json"
LABEL = "churned"
KINDS = ("id", "category", "number", "integer", "label")
HOURS_IN_MONTH = 744  # 31 days x 24 hours: nobody can watch more than this in a month

PLAN_PRICES = {"Basic": 8.99, "Standard": 13.99, "Premium": 19.99}
# From month 3 of churn_months(): the price rise the monitoring notebook has to notice.
NEW_PLAN_PRICES = {"Basic": 9.99, "Standard": 15.99, "Premium": 22.99}

# What churn_raw() injects, in exact, countable amounts, each on its own rows.
MESS: dict[str, Any] = {
    "duplicate_rows": 40,  # exact copies of existing rows (a join that ran twice)
    "missing": {"hours_watched": 90, "region": 45, "signup_channel": 60},
    "numbers_as_text": {"monthly_price": 80, "tenure_months": 25},  # "$13.99", " 12"
    "inconsistent_categories": {"plan": 50, "region": 40, "signup_channel": 35},  # "premium", "EUROPE "
    "impossible_values": {"hours_watched": 3, "tenure_months": 2},  # 1,250 hours; -3 months
}

# How each input moves the odds of churning (log-odds). Hand-set to be plausible, not fitted.
_INTERCEPT = 0.4
_PLAN = {"Basic": 0.35, "Standard": 0.0, "Premium": -0.25}
_SEGMENT = {"Individual": 0.0, "Family": -0.45, "Student": 0.75}
_REGION = {"North America": 0.0, "Europe": -0.1, "Latin America": 0.25, "Asia Pacific": 0.1}
_CHANNEL = {"Organic": 0.0, "Paid ads": 0.35, "Referral": -0.35, "Partner": 0.15}


def data_dictionary() -> pd.DataFrame:
    """The data dictionary as a table: one row per column, with kind, unit, range and meaning."""
    import pandas as pd

    rows = []
    for name, spec in load_data_dictionary().items():
        allowed = spec.get("values")
        if allowed is None and "min" in spec:
            allowed = f"{spec['min']:g} to {spec['max']:g}"
        rows.append({
            "column": name, "kind": spec["kind"], "unit": spec.get("unit", ""),
            "allowed": ", ".join(map(str, allowed)) if isinstance(allowed, list) else (allowed or ""),
            "description": spec["description"],
        })
    return pd.DataFrame(rows).set_index("column")


def _pick(rng: np.random.Generator, values: dict[str, float], n: int) -> np.ndarray:
    names = list(values)
    p = [values[k] for k in names]
    return rng.choice(names, size=n, p=[x / sum(p) for x in p])


def _population(n: int, rng: np.random.Generator, *, prices: dict[str, float],
                student_share: float, id_start: int) -> pd.DataFrame:
    """Draw ``n`` customers' inputs (no label yet)."""
    import numpy as np
    import pandas as pd

    segment = _pick(rng, {"Individual": 0.72, "Family": 0.28}, n)
    if student_share > 0:
        segment = np.where(rng.random(n) < student_share, "Student", segment)
    student = segment == "Student"
    plan = _pick(rng, {"Basic": 0.35, "Standard": 0.45, "Premium": 0.20}, n)
    plan = np.where(segment == "Family", _pick(rng, {"Standard": 0.4, "Premium": 0.6}, n), plan)
    plan = np.where(student, _pick(rng, {"Basic": 0.6, "Standard": 0.4}, n), plan)
    price = np.array([prices[p] for p in plan])
    promo = rng.random(n) < 0.18  # some customers are on a promotional discount
    price = np.where(promo, price - rng.choice([1.0, 2.0, 3.0], size=n), price)
    price = np.round(np.where(student, price * 0.6, price), 2)
    tenure = np.clip(np.ceil(rng.exponential(20.0, n)), 1, 96).astype(int)
    tenure = np.where(student, rng.integers(1, 7, n), tenure)
    region = _pick(rng, {"North America": 0.42, "Europe": 0.30, "Latin America": 0.16, "Asia Pacific": 0.12}, n)
    channel = _pick(rng, {"Organic": 0.40, "Paid ads": 0.30, "Referral": 0.18, "Partner": 0.12}, n)
    channel = np.where(student, "Partner", channel)
    base_hours = {"Basic": 14.0, "Standard": 22.0, "Premium": 30.0}
    usage = np.array([base_hours[p] for p in plan]) * rng.gamma(2.0, 0.5, n)
    hours = np.round(np.where(segment == "Family", usage * 1.4, usage), 1)
    tickets = rng.poisson(0.5 + 0.4 * (tenure < 4), n)
    failures = rng.poisson(np.where(rng.random(n) < 0.12, 1.2, 0.08), n)
    return pd.DataFrame({
        "customer_id": [f"C{id_start + i:05d}" for i in range(n)],
        "tenure_months": tenure, "plan": plan, "monthly_price": price, "segment": segment,
        "region": region, "signup_channel": channel, "hours_watched": hours,
        "support_tickets": tickets, "payment_failures": failures,
    })


def _churn_logit(df: pd.DataFrame, shock: float = 0.0) -> np.ndarray:
    import numpy as np

    return (
        _INTERCEPT + shock
        - 0.45 * np.log(df["tenure_months"].to_numpy())
        + df["plan"].map(_PLAN).to_numpy()
        + df["segment"].map(_SEGMENT).to_numpy()
        + df["region"].map(_REGION).to_numpy()
        + df["signup_channel"].map(_CHANNEL).to_numpy()
        + 0.06 * (df["monthly_price"].to_numpy() - 13.0)
        - 0.55 * np.log1p(df["hours_watched"].to_numpy())
        + 0.35 * df["support_tickets"].to_numpy()
        + 0.85 * df["payment_failures"].to_numpy()
    )


def _label(df: pd.DataFrame, rng: np.random.Generator, shock: float = 0.0) -> pd.DataFrame:
    import numpy as np

    p = 1.0 / (1.0 + np.exp(-_churn_logit(df, shock)))
    df[LABEL] = (rng.random(len(df)) < p).astype(int)
    return df


def churn_customers(n: int = 3000, seed: int = 42) -> pd.DataFrame:
    """``n`` clean customer rows with the ``churned`` label (about 15% churn); see DATA_DICTIONARY."""
    import numpy as np

    if n < 1:
        raise ValueError("n must be at least 1")
    rng = np.random.default_rng(seed)
    df = _population(n, rng, prices=PLAN_PRICES, student_share=0.0, id_start=1)
    return _label(df, rng)


def churn_raw(n: int = 3000, seed: int = 42) -> pd.DataFrame:
    """The customers of ``churn_customers(n, seed)`` as a messy export: see MESS for what and how much.

    Each kind of mess goes on its own rows, so the counts in MESS are exactly what a
    data-quality check finds. The injected amounts are also in ``frame.attrs["mess"]``.
    """
    import numpy as np
    import pandas as pd

    needed = _mess_rows()
    if n < 2 * needed:
        raise ValueError(f"churn_raw needs n of at least {2 * needed} to place its mess")
    clean = churn_customers(n, seed)
    rng = np.random.default_rng([seed, 1])
    df = clean.astype({"monthly_price": object, "tenure_months": object,
                       "plan": object, "region": object, "signup_channel": object})
    rows = iter(rng.permutation(n).tolist())

    def take(k: int) -> list[int]:
        return [next(rows) for _ in range(k)]

    for col, k in MESS["missing"].items():
        df.loc[take(k), col] = np.nan
    for col, k in MESS["numbers_as_text"].items():
        for i, r in enumerate(take(k)):
            value = df.at[r, col]
            df.at[r, col] = f"${value:.2f}" if col == "monthly_price" and i % 2 == 0 else f" {value} "
    for col, k in MESS["inconsistent_categories"].items():
        for i, r in enumerate(take(k)):
            value = df.at[r, col]
            df.at[r, col] = [value.lower(), value.upper() + " ", value.replace(" ", "_").lower()][i % 3]
    hours_rows = take(MESS["impossible_values"]["hours_watched"])
    df.loc[hours_rows, "hours_watched"] = [1250.0, 9999.0, 812.5][: len(hours_rows)]
    tenure_rows = take(MESS["impossible_values"]["tenure_months"])
    df.loc[tenure_rows, "tenure_months"] = [-3, -12][: len(tenure_rows)]
    dup_rows = take(MESS["duplicate_rows"])
    df = pd.concat([df, df.loc[dup_rows]], ignore_index=True)
    # shuffle so the copies are not all at the end, as in a real export
    df = df.iloc[rng.permutation(len(df))].reset_index(drop=True)
    df.attrs["mess"] = _copy_mess()
    return df


def _mess_rows() -> int:
    total = MESS["duplicate_rows"]
    for key in ("missing", "numbers_as_text", "inconsistent_categories", "impossible_values"):
        total += sum(MESS[key].values())
    return total


def _copy_mess() -> dict[str, Any]:
    return {k: (dict(v) if isinstance(v, dict) else v) for k, v in MESS.items()}


def churn_months(months: int = 6, n_per_month: int = 1000, seed: int = 42) -> pd.DataFrame:
    """Later months of customers, labelled, with a ``month`` column (1 to ``months``).

    Month 0 is ``churn_customers()``, the data a model is trained on. From month 3 prices
    rise, and churn with them; from month 4 a 'Student' segment arrives and grows (see
    DRIFT_EVENTS). Customer ids continue after the training snapshot's.
    """
    import numpy as np
    import pandas as pd

    if months < 1 or n_per_month < 1:
        raise ValueError("months and n_per_month must be at least 1")
    frames = []
    for month in range(1, months + 1):
        rng = np.random.default_rng([seed, 2, month])
        prices = NEW_PLAN_PRICES if month >= 3 else PLAN_PRICES
        student_share = 0.0 if month < 4 else min(0.10 * (month - 3), 0.35)
        # a price rise makes some customers reconsider; the shock fades over a few months
        shock = 0.35 * math.exp(-0.35 * (month - 3)) if month >= 3 else 0.0
        df = _population(n_per_month, rng, prices=prices, student_share=student_share,
                         id_start=100_000 + month * 10_000)
        df = _label(df, rng, shock)
        df.insert(0, "month", month)
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------- content: data dictionary and drift events

def _column(f: Fields) -> dict[str, Any]:
    """One data-dictionary entry, values kept as written (ints stay ints)."""
    kind = f.text("kind")
    if kind not in KINDS:
        raise f.fail("kind", f"expected one of {', '.join(KINDS)}, found {kind!r}")
    spec: dict[str, Any] = {"kind": kind}
    if "unit" in f.data:
        spec["unit"] = f.text("unit")
    if "min" in f.data or "max" in f.data:
        low, high = f.number("min"), f.number("max")
        if low > high:
            raise f.fail("max", f"max ({high:g}) is below min ({low:g})")
        spec["min"], spec["max"] = low, high
    if "values" in f.data or kind in ("category", "label"):
        values = f.data.get("values")
        if not isinstance(values, list) or not values or not all(
                isinstance(v, (str, int)) and not isinstance(v, bool) for v in values):
            raise f.fail("values", "expected a non-empty list of allowed values (texts or whole numbers)")
        spec["values"] = list(values)
    spec["description"] = f.text("description")
    return spec


def _parse_dictionary(data: Any, label: str) -> dict[str, dict[str, Any]]:
    columns = Fields(data, label).object("data_dictionary")
    if not columns.data:
        raise Fields(data, label).fail("data_dictionary", "expected at least one column")
    spec = {name: _column(columns.object(name)) for name in columns.data}
    if spec.get(LABEL, {}).get("kind") != "label":
        raise columns.fail(LABEL, "the label column must be present with kind 'label'")
    return spec


def _parse_drift(data: Any, label: str) -> dict[int, str]:
    events: dict[int, str] = {}
    for f in Fields(data, label).objects("drift_events"):
        month = f.number("month")
        if not isinstance(month, int) or month < 1:
            raise f.fail("month", f"expected a whole month number from 1, found {month!r}")
        if month in events:
            raise f.fail("month", f"month {month} is listed twice")
        events[month] = f.text("event")
    return events


@cache
def _shipped_dictionary() -> dict[str, dict[str, Any]]:
    return _parse_dictionary(*read_content(FILE))


@cache
def _shipped_drift() -> dict[int, str]:
    return _parse_drift(*read_content(FILE))


def load_data_dictionary(path: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """What each column means (kind, unit, min/max, allowed values): the shipped one, or the file at ``path``.

    kind is id, category, number, integer or label; min/max bound what is possible, not typical.
    """
    return _shipped_dictionary() if path is None else _parse_dictionary(*read_content(FILE, path))


def load_drift_events(path: str | Path | None = None) -> dict[int, str]:
    """Month of ``churn_months()`` -> what changed in the business that month."""
    return _shipped_drift() if path is None else _parse_drift(*read_content(FILE, path))


def __getattr__(name: str) -> Any:
    # DATA_DICTIONARY and DRIFT_EVENTS are course text: read on first use, so importing stays free of I/O
    if name == "DATA_DICTIONARY":
        return _shipped_dictionary()
    if name == "DRIFT_EVENTS":
        return _shipped_drift()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

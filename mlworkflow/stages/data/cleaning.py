"""Data-quality checks and cleaning steps for the course's raw churn data (notebook 02).

Each cleaning step can be switched on or off, and every result says what the choice cost:

    >>> from mlworkflow.stages.data.datasets import churn_raw
    >>> from mlworkflow.stages.data.cleaning import quality_report, clean
    >>> print(quality_report(churn_raw()).text())
    >>> result = clean(churn_raw(), missing="drop")
    >>> result.comparison()          # rows and key statistics, before and after
    >>> result.costs()               # what each step changed: rows lost, values imputed

Checks follow a data dictionary (``mlworkflow.stages.data.datasets.DATA_DICTIONARY`` by default): numeric
columns have a possible range, category columns a list of allowed spellings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from mlworkflow.core.content import Fields, read_content
from mlworkflow.core.text import count

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    STEPS: dict[str, str]  # step key -> the title the notebook shows; read from the content on first use

__all__ = [
    "STEPS",
    "STEP_KEYS",
    "UNKNOWN",
    "CleaningResult",
    "QualityReport",
    "StepResult",
    "StepText",
    "clean",
    "load_steps",
    "quality_report",
]

Schema = Mapping[str, Mapping[str, Any]]
MissingChoice = Literal["keep", "drop", "impute"]

FILE = "data.json"
# the steps in the order clean() runs them; their titles and notes are in content/data.json (cleaning_steps)
STEP_KEYS = ("fix_types", "normalise_categories", "drop_duplicates", "drop_impossible", "missing")
NOTE_CASES = {"missing": ("impute", "drop", "keep")}  # any other step: "on" and "off"

_NUMERIC = ("number", "integer")
UNKNOWN = "Unknown"  # what imputation puts in a category gap; the checks accept it


def _schema(schema: Schema | None) -> Schema:
    if schema is None:
        from mlworkflow.stages.data.datasets import load_data_dictionary

        return load_data_dictionary()
    return schema


def _cols(df: pd.DataFrame, schema: Schema, kinds: tuple[str, ...]) -> list[str]:
    return [c for c, spec in schema.items() if spec.get("kind") in kinds and c in df.columns]


def _category_key(value: str) -> str:
    return re.sub(r"[\s_\-]+", " ", value).strip().casefold()


def _to_number(series: pd.Series) -> pd.Series:
    """Numbers from a column that may hold text such as '$13.99' or ' 12 '; unparseable -> NaN."""
    import pandas as pd

    if pd.api.types.is_numeric_dtype(series):
        return series.astype(float)
    text = series.map(lambda v: re.sub(r"[\s$,]", "", v) if isinstance(v, str) else v)
    return pd.to_numeric(text, errors="coerce")


def _text_values(series: pd.Series) -> int:
    return int(series.map(lambda v: isinstance(v, str)).sum())


def _variants(series: pd.Series, allowed: list[Any]) -> dict[str, str]:
    """Spellings in ``series`` that are not allowed but mean an allowed value -> that value."""
    canon = {_category_key(str(a)): a for a in allowed}
    found = {}
    for value in series.dropna().unique():
        if value not in allowed and isinstance(value, str) and _category_key(value) in canon:
            found[value] = canon[_category_key(value)]
    return found


@dataclass(frozen=True)
class QualityReport:
    """What is wrong with a frame: counts per problem and column (zero counts left out)."""

    rows: int
    duplicate_rows: int
    missing: dict[str, int]
    numbers_as_text: dict[str, int]
    inconsistent_categories: dict[str, dict[str, int]]  # column -> {spelling: rows}
    unknown_categories: dict[str, int]
    impossible_values: dict[str, int]
    impossible_examples: dict[str, tuple[float, ...]] = field(default_factory=dict)  # column -> values, largest first

    @property
    def problem_count(self) -> int:
        """Total problem cells and rows found (0 for clean data)."""
        return (self.duplicate_rows + sum(self.missing.values()) + sum(self.numbers_as_text.values())
                + sum(sum(v.values()) for v in self.inconsistent_categories.values())
                + sum(self.unknown_categories.values()) + sum(self.impossible_values.values()))

    def table(self) -> pd.DataFrame:
        """One row per (problem, column) with its count, for display."""
        import pandas as pd

        rows = []
        if self.duplicate_rows:
            rows.append(("Duplicate rows", "(whole row)", self.duplicate_rows))
        rows += [("Missing values", c, n) for c, n in self.missing.items()]
        rows += [("Numbers stored as text", c, n) for c, n in self.numbers_as_text.items()]
        rows += [("Inconsistent spellings", c, sum(v.values())) for c, v in self.inconsistent_categories.items()]
        rows += [("Unknown categories", c, n) for c, n in self.unknown_categories.items()]
        rows += [("Impossible values", c, n) for c, n in self.impossible_values.items()]
        return pd.DataFrame(rows, columns=["problem", "column", "count"])

    def text(self) -> str:
        """A short plain-text report."""
        lines = [f"{count(self.rows)} rows checked."]
        if not self.problem_count:
            return lines[0] + " No problems found."
        for p, c, n in self.table().itertuples(index=False):
            line = f"- {p}: {count(n)} in {c}" if c != "(whole row)" else f"- {p}: {count(n)}"
            if p == "Impossible values" and self.impossible_examples.get(c):
                line += f" ({', '.join(_number(v) for v in self.impossible_examples[c])})"
            lines.append(line)
        return "\n".join(lines)


def quality_report(df: pd.DataFrame, schema: Schema | None = None) -> QualityReport:
    """Check ``df`` for duplicates, missing values, text in number columns, odd spellings and impossible values."""
    spec = _schema(schema)
    missing = {c: int(n) for c, n in df.isna().sum().items() if n}
    as_text = {c: n for c in _cols(df, spec, _NUMERIC) if (n := _text_values(df[c]))}
    inconsistent: dict[str, dict[str, int]] = {}
    unknown: dict[str, int] = {}
    for c in _cols(df, spec, ("category",)):
        allowed = list(spec[c]["values"])
        variants = _variants(df[c], allowed)
        counts = df[c].value_counts()
        if variants:
            inconsistent[c] = {v: int(counts[v]) for v in sorted(variants)}
        n_unknown = int(sum(counts[v] for v in counts.index
                            if v not in allowed and v not in variants and v != UNKNOWN))
        if n_unknown:
            unknown[c] = n_unknown
    impossible: dict[str, int] = {}
    examples: dict[str, tuple[float, ...]] = {}
    for c in _cols(df, spec, _NUMERIC):
        mask = _impossible_mask(df[c], spec[c])
        if n := int(mask.sum()):
            impossible[c] = n
            found = sorted(set(_to_number(df[c])[mask].tolist()), key=lambda v: -abs(v))
            examples[c] = tuple(found[:_EXAMPLES])
    return QualityReport(
        rows=len(df), duplicate_rows=int(df.duplicated().sum()), missing=missing,
        numbers_as_text=as_text, inconsistent_categories=inconsistent,
        unknown_categories=unknown, impossible_values=impossible, impossible_examples=examples,
    )


_EXAMPLES = 5  # impossible values the report lists per column


def _number(value: float) -> str:
    """9999.0 -> '9,999'; 812.5 -> '812.5'; -3.0 -> '-3'."""
    return count(value) if float(value).is_integer() else f"{value:,.1f}"


def _impossible_mask(series: pd.Series, spec: Mapping[str, Any]) -> pd.Series:
    values = _to_number(series)
    low, high = spec.get("min", float("-inf")), spec.get("max", float("inf"))
    return (values < low) | (values > high)


@dataclass(frozen=True)
class StepResult:
    """What one cleaning step did. ``applied`` is False when the step was switched off."""

    key: str
    title: str
    applied: bool
    rows_before: int
    rows_after: int
    values_changed: int = 0
    note: str = ""

    @property
    def rows_lost(self) -> int:
        return self.rows_before - self.rows_after


@dataclass(frozen=True)
class CleaningResult:
    """The cleaned frame, each step's cost, and the data's key statistics before and after."""

    frame: pd.DataFrame
    steps: tuple[StepResult, ...]
    before: dict[str, float]
    after: dict[str, float]
    report_after: QualityReport = field(repr=False)

    @property
    def rows_lost(self) -> int:
        return sum(s.rows_lost for s in self.steps)

    def costs(self) -> pd.DataFrame:
        """One row per step: on or off, rows lost, values changed, and a note in plain words."""
        import pandas as pd

        return pd.DataFrame(
            [{"step": s.title, "on": s.applied, "rows lost": s.rows_lost,
              "values changed": s.values_changed, "note": s.note} for s in self.steps]
        )

    def comparison(self) -> pd.DataFrame:
        """Key statistics before and after cleaning, side by side."""
        import pandas as pd

        return pd.DataFrame({"before": self.before, "after": self.after})


def _tidy_dtypes(df: pd.DataFrame, spec: Schema) -> None:
    """Give columns that hold only one kind of value a plain dtype (int, float or text), in place."""
    import pandas as pd

    for c in df.columns:
        kind = spec.get(c, {}).get("kind")
        if _text_values(df[c]) and df[c].map(lambda v: isinstance(v, str) or pd.isna(v)).all():
            df[c] = df[c].astype("str")
        elif kind in (*_NUMERIC, "label") and pd.api.types.is_numeric_dtype(df[c]):
            whole = df[c].notna().all() and df[c].mod(1).eq(0).all()
            df[c] = df[c].astype(int if kind != "number" and whole else float)


def _stats(df: pd.DataFrame, spec: Schema) -> dict[str, float]:
    """Rows, problem counts, label rate and means of the numeric columns (text parsed where possible)."""
    report = quality_report(df, spec)
    stats: dict[str, float] = {
        "rows": len(df),
        "duplicate rows": report.duplicate_rows,
        "missing values": sum(report.missing.values()),
        "problems found": report.problem_count,
    }
    for c in [c for c, s in spec.items() if s.get("kind") == "label" and c in df.columns]:
        stats[f"{c} rate"] = round(float(_to_number(df[c]).mean()), 4)
    for c in _cols(df, spec, _NUMERIC):
        stats[f"mean {c}"] = round(float(_to_number(df[c]).mean()), 2)
    return stats


def clean(
    raw: pd.DataFrame,
    *,
    fix_types: bool = True,
    normalise_categories: bool = True,
    drop_duplicates: bool = True,
    drop_impossible: bool = True,
    missing: MissingChoice | bool = "impute",
    schema: Schema | None = None,
) -> CleaningResult:
    """Clean ``raw`` with the chosen steps; ``raw`` itself is not changed.

    ``missing`` is ``"impute"`` (numbers get the column median, categories ``"Unknown"``),
    ``"drop"`` (drop rows with any missing value) or ``"keep"``; ``True``/``False`` mean
    impute/keep. Steps run in the order of :data:`STEP_KEYS`.
    """
    spec = _schema(schema)
    if missing is True:
        missing = "impute"
    elif missing is False:
        missing = "keep"
    if missing not in ("keep", "drop", "impute"):
        raise ValueError(f"missing must be 'keep', 'drop' or 'impute', not {missing!r}")
    df = raw.copy()
    df.attrs = {}
    steps = []
    texts = load_steps()

    def record(key: str, applied: bool, before: int, changed: int = 0, *, case: str = "", n: int = 0) -> None:
        text = texts[key]
        note = text.note(case or ("on" if applied else "off"), n)
        steps.append(StepResult(key, text.title, applied, before, len(df), changed, note))

    n = len(df)
    if fix_types:
        changed = 0
        for c in _cols(df, spec, _NUMERIC):
            if not _text_values(df[c]) and df[c].dtype != object:
                continue
            changed += _text_values(df[c])
            df[c] = _to_number(df[c])
        record("fix_types", True, n, changed, n=changed)
    else:
        n_text = sum(_text_values(df[c]) for c in _cols(df, spec, _NUMERIC))
        record("fix_types", False, n, n=n_text)

    n = len(df)
    if normalise_categories:
        changed = 0
        for c in _cols(df, spec, ("category",)):
            variants = _variants(df[c], list(spec[c]["values"]))
            changed += int(df[c].isin(list(variants)).sum())
            df[c] = df[c].replace(variants)
        record("normalise_categories", True, n, changed, n=changed)
    else:
        record("normalise_categories", False, n)

    n = len(df)
    if drop_duplicates:
        df = df.drop_duplicates().reset_index(drop=True)
        record("drop_duplicates", True, n)
    else:
        dups = int(df.duplicated().sum())
        record("drop_duplicates", False, n, n=dups)

    n = len(df)
    bad = None
    for c in _cols(df, spec, _NUMERIC):
        mask = _impossible_mask(df[c], spec[c])
        bad = mask if bad is None else bad | mask
    n_bad = int(bad.sum()) if bad is not None else 0
    if drop_impossible:
        if bad is not None:
            df = df[~bad].reset_index(drop=True)
        record("drop_impossible", True, n)
    else:
        record("drop_impossible", False, n, n=n_bad)

    n = len(df)
    n_missing = int(df.isna().sum().sum())
    if missing == "drop":
        df = df.dropna().reset_index(drop=True)
        record("missing", True, n, case="drop")
    elif missing == "impute":
        for c in df.columns[df.isna().any()]:
            kind = spec.get(c, {}).get("kind")
            if kind in _NUMERIC:
                numbers = _to_number(df[c])
                fill = numbers.median()
                df[c] = numbers.fillna(round(fill) if kind == "integer" else fill)
            else:
                df[c] = df[c].astype(object).fillna(UNKNOWN)
        record("missing", True, n, n_missing, case="impute", n=n_missing)
    else:
        record("missing", False, n, case="keep", n=n_missing)

    _tidy_dtypes(df, spec)
    return CleaningResult(
        frame=df, steps=tuple(steps), before=_stats(raw, spec), after=_stats(df, spec),
        report_after=quality_report(df, spec),
    )


# ---------------------------------------------------------------- the steps' titles and notes

@dataclass(frozen=True)
class StepText:
    """A cleaning step's title and its note for each case (``on``/``off``, or for missing values
    ``impute``/``drop``/``keep``); a note may hold ``{n}``, the count it is about."""

    title: str
    notes: Mapping[str, str]

    def note(self, case: str, n: int = 0) -> str:
        return self.notes[case].format(n=count(n))


def _parse_steps(data: Any, label: str) -> dict[str, StepText]:
    steps = Fields(data, label).object("cleaning_steps")
    texts = {}
    for key in STEP_KEYS:
        f = steps.object(key)
        notes = f.object("notes")
        texts[key] = StepText(f.text("title"), {case: notes.template(case, {"n"}, exact=False)
                                                 for case in NOTE_CASES.get(key, ("on", "off"))})
    return texts


@cache
def _shipped_steps() -> dict[str, StepText]:
    return _parse_steps(*read_content(FILE))


def load_steps(path: str | Path | None = None) -> dict[str, StepText]:
    """Each step's title and notes, in the order clean() runs them: shipped, or from the JSON file at ``path``."""
    return _shipped_steps() if path is None else _parse_steps(*read_content(FILE, path))


@cache
def _step_titles() -> dict[str, str]:
    return {key: text.title for key, text in load_steps().items()}


def __getattr__(name: str) -> Any:
    # STEPS is course text: read on first use, so importing stays free of I/O
    if name == "STEPS":
        return _step_titles()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

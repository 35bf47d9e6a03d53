"""Who bears the model's mistakes, group by group (notebook 04).

The segment check in :mod:`mlworkflow.stages.evaluation.threshold` asks where the campaign makes
money. This one asks who the mistakes fall on: the share of each group's churners the model
misses (they never hear of the offer), and the share of each group's loyal customers it flags.
Which of the two is a harm depends on what a flag does to a customer.

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"churned": [1, 1, 0, 0], "region": ["A", "A", "B", "B"]})
    >>> table = harm_by_group(frame, [0.9, 0.1, 0.8, 0.2], 0.5, n_boot=100)
    >>> [(g.group, g.missed, g.false_alarms) for g in table.groups]
    [('A', 1, 0), ('B', 0, 1)]
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from mlworkflow.core.content import Fields, read_content
from mlworkflow.core.text import count, percent
from mlworkflow.stages.training.uncertainty import LEVEL, RESAMPLES, interval

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt
    import pandas as pd

__all__ = ["GroupHarm", "HarmTable", "harm_by_group"]


@lru_cache(maxsize=1)
def _texts() -> tuple[tuple[str, ...], str]:
    data, label = read_content("threshold.json")
    words = Fields(data, label).object("harm")
    return words.texts("columns", min_items=4), words.template("note", ("resamples",))


@dataclass(frozen=True)
class GroupHarm:
    group: str
    customers: int
    churners: int
    missed: int  # churners the model did not flag: they never got the offer
    missed_interval: tuple[float, float]  # for missed / churners
    loyal: int
    false_alarms: int  # loyal customers flagged

    @property
    def miss_rate(self) -> float:
        return self.missed / self.churners if self.churners else 0.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.loyal if self.loyal else 0.0


@dataclass(frozen=True)
class HarmTable:
    """One row per group; ``print()`` it."""

    by: str
    groups: tuple[GroupHarm, ...]
    n_boot: int

    def text(self) -> str:
        columns, note = _texts()
        rows = [(g.group, count(g.customers), count(g.churners),
                 f"{percent(g.miss_rate, 0)} ({' to '.join(percent(v, 0) for v in g.missed_interval)})",
                 percent(g.false_alarm_rate)) for g in self.groups]
        head = ("", *columns)
        widths = [max(len(head[i]), *(len(r[i]) for r in rows)) for i in range(len(head))]

        def line(cells: tuple[str, ...]) -> str:
            return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                             for i, (c, w) in enumerate(zip(cells, widths, strict=True)))

        return "\n".join([line(head), *(line(r) for r in rows), note.format(resamples=count(self.n_boot))])

    __str__ = text
    __repr__ = text


def harm_by_group(
    frame: pd.DataFrame, scores: npt.ArrayLike, threshold: float, *, by: str = "region", n_boot: int = RESAMPLES,
    seed: int = 0, level: float = LEVEL,
) -> HarmTable:
    """Per value of column ``by``: churners missed (with an interval) and loyal customers flagged."""
    import numpy as np

    if by not in frame.columns:
        raise ValueError(f"there is no column {by!r}; try one of: {', '.join(map(str, frame.columns))}")
    y = frame["churned"].to_numpy().astype(int)
    flagged = np.asarray(scores, dtype=float) >= threshold
    if flagged.shape != y.shape:
        raise ValueError("need one score per row of the frame")
    labels = frame[by].astype(str).to_numpy()
    rng = np.random.default_rng(seed)
    rows = []
    for group in sorted(set(labels.tolist())):
        here = labels == group
        missed = ~flagged[here & (y == 1)]
        draws = rng.choice(missed, size=(n_boot, len(missed))).mean(axis=1) if len(missed) else np.zeros(1)
        rows.append(GroupHarm(group, int(here.sum()), len(missed), int(missed.sum()), interval(draws, level),
                              int((here & (y == 0)).sum()), int((flagged & here & (y == 0)).sum())))
    return HarmTable(by, tuple(rows), n_boot)

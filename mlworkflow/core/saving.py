"""One way for every widget to call the progress store: never a traceback, always plain words.

    >>> outcome = store_call(lambda: store.save("apply/data", value), "saving your answer")
    >>> outcome.ok, outcome.value, outcome.notes, outcome.error, outcome.busy
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mlworkflow.core.progress import ProgressBusy, ProgressError, ProgressWarning

__all__ = ["StoreOutcome", "store_call"]

log = logging.getLogger("mlworkflow")


@dataclass
class StoreOutcome:
    """What a store call gave: ``ok``, its ``value``, notices worth showing, or the ``error`` in plain words.

    ``busy``: it failed only because another notebook was saving; trying again later will work.
    """

    ok: bool
    value: Any = None
    notes: list[str] = field(default_factory=list)
    error: str = ""
    busy: bool = False


def store_call(call: Callable[[], Any], action: str) -> StoreOutcome:
    """Run ``call``; a ``ProgressError`` or any surprise becomes a message naming ``action``."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ProgressWarning)
            value = call()
    except ProgressError as exc:
        return StoreOutcome(False, error=str(exc), busy=isinstance(exc, ProgressBusy))
    except Exception as exc:
        log.exception("mlworkflow: %s failed", action)
        return StoreOutcome(
            False,
            error=f"Something went wrong while {action} ({type(exc).__name__}). "
            "Your text is still here; copy it somewhere safe.",
        )
    notes = [str(w.message) for w in caught if issubclass(w.category, ProgressWarning)]
    return StoreOutcome(True, value, notes)

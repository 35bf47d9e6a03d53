"""Autosave for a widget's answers: debounced, never over answers it could not load, never freezing the kernel.

:class:`Debouncer` runs a function once, a moment after the last of a burst of triggers. Inside a
kernel the delay runs on the kernel's asyncio loop (so the save happens on the same thread as
every other widget update); elsewhere a daemon timer thread is used.

:class:`SectionAutosave` is what the apply box and the exercise form save through (no widgets
here: they pass in callbacks). It loads the widget's section once; if that fails it saves
nothing, says so, and tries loading again, until a load works or the learner explicitly chooses
to start fresh. A save waits at most :data:`WAIT` seconds for another notebook's save, then
tries again a few seconds later instead of blocking.

    >>> keeper = SectionAutosave(store, "apply/data", value=lambda: {"answer": box.value},
    ...                          restore=fill_box, say=show_status, saved=show_saved, delay=1.0)
    >>> keeper.load()        # True, or False with the reason said and a retry scheduled
    >>> keeper.changed()     # after each edit: saves a moment later
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

from mlworkflow.core.progress import ProgressStore
from mlworkflow.core.saving import store_call

__all__ = ["MAX_RETRY_DELAY", "RETRY_DELAY", "WAIT", "Debouncer", "SectionAutosave", "merge_typed"]

WAIT = 0.25  # seconds an autosave waits for another notebook's save before trying again later
RETRY_DELAY = 2.0  # seconds before the first retry of a failed load or a busy save; doubles each time
MAX_RETRY_DELAY = 30.0


class Debouncer:
    """``trigger()`` calls ``fn`` after ``delay`` seconds of quiet; ``delay <= 0`` calls at once."""

    def __init__(self, delay: float, fn: Callable[[], Any]):
        self.delay, self._fn = delay, fn
        self._handle: asyncio.TimerHandle | threading.Timer | None = None
        self._lock = threading.Lock()

    @property
    def pending(self) -> bool:
        """True while a call is scheduled."""
        return self._handle is not None

    def trigger(self, delay: float | None = None) -> None:
        """Call ``fn`` after ``delay`` seconds (default: the debouncer's), dropping a call already scheduled."""
        self.cancel()
        delay = self.delay if delay is None else delay
        if delay <= 0:
            self._fn()
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        with self._lock:
            if loop is not None:
                self._handle = loop.call_later(delay, self._fire)
            else:
                timer = threading.Timer(delay, self._fire)
                timer.daemon = True
                self._handle = timer
                timer.start()

    def _fire(self) -> None:
        with self._lock:
            self._handle = None
        self._fn()

    def cancel(self) -> None:
        """Drop a scheduled call, if any."""
        with self._lock:
            if self._handle is not None:
                self._handle.cancel()
                self._handle = None

    def flush(self) -> None:
        """Run a scheduled call now instead of later."""
        if self.pending:
            self.cancel()
            self._fn()


def merge_typed(saved: str, typed: str) -> str:
    """A saved answer that loaded late, with what was typed meanwhile added below it: neither is lost."""
    if not typed.strip() or typed == saved:
        return saved
    if not saved.strip():
        return typed
    return f"{saved.rstrip()}\n\n{typed.lstrip()}"


def _not_loaded(error: str) -> str:
    return (f"Your saved answers could not be loaded yet: {error} Nothing is saved until they load, so they "
            "cannot be overwritten; trying again in a few seconds. Your text is still here. To save it anyway, "
            "press “Start fresh anyway” (a copy of the old file is kept first).")


BUSY = ("Another notebook is saving answers at this moment, so yours will be saved in a few seconds. "
        "Your text is still here.")
FRESH = "you chose to start fresh while your saved answers could not be loaded"


class SectionAutosave:
    """One widget's section of the progress store: loaded once, then saved a moment after each change.

    ``value()`` gives what to save; ``restore(saved, notes)`` fills the widget from a loaded value
    and returns the parts it could not use (each a short phrase), which are then set aside: the
    section is saved again without them and a copy of the old file is kept, named in the message.
    ``say(message, kind)`` shows a message (kind ``"info"`` or ``"error"``); ``saved(notes)`` is
    called after each successful save.

    Until a load has worked, nothing is saved (so answers that exist but could not be read are
    never overwritten) unless the learner calls :meth:`start_fresh`.
    """

    def __init__(self, store: ProgressStore, section: str, *, value: Callable[[], dict[str, Any]],
                 restore: Callable[[dict[str, Any], list[str]], list[str] | None],
                 say: Callable[[str, str], None], saved: Callable[[list[str]], None], delay: float):
        self.store, self.section = store, section
        self.loaded = False
        self.error = ""  # why the last load failed
        self._value, self._restore, self._say, self._saved = value, restore, say, saved
        self.autosave = Debouncer(delay, self.save_now)
        self._retry = Debouncer(RETRY_DELAY, self._retry_load)
        self._delay = RETRY_DELAY
        self._copy_why = ""  # a save is owed that first keeps a copy of the old file, and why
        self._edited = False  # edits made while the section was not loaded (saved once it loads)

    def _next_delay(self) -> float:
        delay, self._delay = self._delay, min(self._delay * 2, MAX_RETRY_DELAY)
        return delay

    def load(self) -> bool:
        """Read the section and hand it to ``restore``; False (reason said, retry scheduled) if it failed."""
        outcome = store_call(lambda: self.store.load(self.section), "reading your saved answers")
        if not outcome.ok:
            self.error = outcome.error
            self._say(_not_loaded(outcome.error), "error")
            self._retry.trigger(self._next_delay())
            return False
        self.loaded, self.error, self._delay = True, "", RETRY_DELAY
        self._retry.cancel()
        problems = self._restore(outcome.value if isinstance(outcome.value, dict) else {}, outcome.notes) or []
        if problems:
            self._copy_why = f"parts of it could not be used here: {'; '.join(problems)}"
            self.save_now()
        elif self._edited:
            self.autosave.trigger()
        self._edited = False
        return True

    def _retry_load(self) -> None:
        if not self.loaded:
            self.load()

    def changed(self) -> None:
        """Call after each edit: saves a moment later; before a load has worked, only notes the edit.

        The edit is saved once a retry loads the section (never inside this call, which runs in
        the widget's change handler), or when the learner chooses to start fresh.
        """
        if not self.loaded and not self._copy_why:
            self._edited = True
            self._say(_not_loaded(self.error), "error")
            if not self._retry.pending:
                self._retry.trigger(self._next_delay())
            return
        self.autosave.trigger()

    def save_now(self) -> bool:
        """Save now; True if saved. Busy: tried again later. Not loaded: loads first, else saves nothing."""
        self.autosave.cancel()
        if not self.loaded and not self._copy_why and not self.load():
            return False
        value, keep_copy = self._value(), self._copy_why
        outcome = store_call(lambda: self.store.save(self.section, value, wait=WAIT, keep_copy=keep_copy),
                             "saving your answers")
        if outcome.busy:
            self._say(BUSY, "info")
            self.autosave.trigger(self._next_delay())
            return False
        if not outcome.ok:
            self._say(outcome.error, "error")
            return False
        self.loaded, self._delay, self._copy_why = True, RETRY_DELAY, ""
        self._retry.cancel()
        self._saved(outcome.notes)
        return True

    def start_fresh(self) -> bool:
        """The learner's choice: save what is in the widget although the saved answers could not be loaded.

        A copy of the old file is kept first (the message names it); False if even that failed.
        """
        self._copy_why = self._copy_why or FRESH
        self._retry.cancel()
        return self.save_now()

    def stop(self) -> None:
        """Cancel any scheduled save or retry (the widget is closed)."""
        self.autosave.cancel()
        self._retry.cancel()

"""Debounce: run a function once, a moment after the last of a burst of triggers.

Inside a kernel the delay runs on the kernel's asyncio loop (so the save happens on the same
thread as every other widget update); elsewhere a daemon timer thread is used.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["Debouncer"]


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

    def trigger(self) -> None:
        self.cancel()
        if self.delay <= 0:
            self._fn()
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        with self._lock:
            if loop is not None:
                self._handle = loop.call_later(self.delay, self._fire)
            else:
                timer = threading.Timer(self.delay, self._fire)
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

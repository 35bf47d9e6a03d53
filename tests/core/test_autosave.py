import asyncio
import threading
import time

import pytest

from mlworkflow.core import autosave
from mlworkflow.core.autosave import Debouncer, SectionAutosave, merge_typed
from mlworkflow.core.progress import ProgressBusy, ProgressError, ProgressStore


def _counter():
    calls = []
    return calls, lambda: calls.append(threading.current_thread().name)


def test_zero_delay_calls_at_once():
    calls, fn = _counter()
    d = Debouncer(0, fn)
    d.trigger()
    d.trigger()
    assert len(calls) == 2 and not d.pending


def test_a_burst_outside_a_loop_calls_once_after_the_quiet_moment():
    calls, fn = _counter()
    d = Debouncer(0.05, fn)
    for _ in range(5):
        d.trigger()
    assert d.pending and calls == []
    deadline = time.monotonic() + 2
    while d.pending and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)
    assert len(calls) == 1 and not d.pending


def test_cancel_drops_and_flush_runs_now():
    calls, fn = _counter()
    d = Debouncer(10, fn)
    d.trigger()
    d.cancel()
    assert not d.pending
    d.flush()  # nothing scheduled: nothing to run
    assert calls == []
    d.trigger()
    d.flush()
    assert len(calls) == 1 and not d.pending


def test_inside_a_running_loop_it_uses_the_loop_not_a_thread():
    calls, fn = _counter()

    async def burst() -> bool:
        d = Debouncer(0.02, fn)
        d.trigger()
        d.trigger()
        scheduled_on_loop = isinstance(d._handle, asyncio.TimerHandle)
        await asyncio.sleep(0.1)
        return scheduled_on_loop and not d.pending

    assert asyncio.run(burst())
    assert calls == [threading.main_thread().name]


# -- SectionAutosave: never over answers it could not load (issue 13) ----------------------------
class FlakyStore(ProgressStore):
    """Loads fail while ``unreadable``; saves raise ProgressBusy while ``busy``; every call is recorded."""

    def __init__(self, home):
        super().__init__(home)
        self.unreadable, self.busy, self.calls = False, False, []

    def load(self, section):
        self.calls.append(("load", section))
        if self.unreadable:
            raise ProgressError("Could not read your saved answers in x: permission denied.")
        return super().load(section)

    def save(self, section, value, **options):
        self.calls.append(("save", section, options.get("wait")))
        if self.busy:
            raise ProgressBusy("busy")
        super().save(section, value, **options)


class View:
    """A stand-in widget: one text, and what it was told."""

    def __init__(self, store, **kwargs):
        self.text, self.said, self.saves, self.problems = "", [], 0, []
        self.keeper = SectionAutosave(store, "apply/data", value=lambda: {"answer": self.text},
                                      restore=self.restore, say=lambda m, k: self.said.append((k, m)),
                                      saved=lambda notes: self.said.append(("saved", " ".join(notes))), delay=0)

    def restore(self, saved, notes):
        answer = saved.get("answer", "")
        self.text = merge_typed(answer if isinstance(answer, str) else "", self.text)
        return self.problems

    def type(self, text):
        self.text = text
        self.keeper.changed()


@pytest.fixture
def flaky(tmp_path):
    return FlakyStore(tmp_path / "home")


def test_a_failed_load_saves_nothing_until_a_load_works(flaky, monkeypatch):
    monkeypatch.setattr(autosave, "RETRY_DELAY", 30.0)  # no timer fires during the test
    flaky.save("apply/data", {"answer": "saved before"})
    flaky.unreadable = True
    view = View(flaky)
    assert not view.keeper.load() and not view.keeper.loaded
    assert "could not be loaded yet" in view.said[-1][1] and "Start fresh anyway" in view.said[-1][1]
    assert view.keeper._retry.pending  # tries again by itself
    view.type("typed while it could not load")
    assert [c for c in flaky.calls if c[0] == "save"] == [("save", "apply/data", None)]  # only the setup's
    assert ProgressStore(flaky.home).load("apply/data") == {"answer": "saved before"}
    flaky.unreadable = False
    view.keeper._retry.flush()  # the retry: loads, keeps both texts, then saves
    assert view.keeper.loaded
    assert view.text == "saved before\n\ntyped while it could not load"
    assert ProgressStore(flaky.home).load("apply/data") == {"answer": view.text}
    view.keeper.stop()


def test_start_fresh_saves_and_keeps_a_copy_of_the_old_file(flaky, monkeypatch):
    monkeypatch.setattr(autosave, "RETRY_DELAY", 30.0)
    flaky.save("apply/data", {"answer": "saved before"})
    flaky.unreadable = True
    view = View(flaky)
    view.keeper.load()
    view.text = "a fresh start"
    assert view.keeper.start_fresh()
    assert view.said[-1][0] == "saved" and "set-aside" in view.said[-1][1]
    assert ProgressStore(flaky.home).load("apply/data") == {"answer": "a fresh start"}
    assert not view.keeper._retry.pending


def test_a_busy_store_defers_the_save_instead_of_waiting(flaky, monkeypatch):
    monkeypatch.setattr(autosave, "RETRY_DELAY", 30.0)
    view = View(flaky)
    view.keeper.load()
    flaky.busy = True
    view.type("mine")
    assert flaky.calls[-1] == ("save", "apply/data", autosave.WAIT)  # a short wait, not ten seconds
    assert view.said[-1] == ("info", autosave.BUSY) and view.keeper.autosave.pending
    flaky.busy = False
    view.keeper.autosave.flush()
    assert ProgressStore(flaky.home).load("apply/data") == {"answer": "mine"}
    assert view.said[-1] == ("saved", "")


def test_parts_the_widget_cannot_use_are_set_aside_at_once(flaky):
    flaky.save("apply/data", {"answer": ["not", "text"]})
    view = View(flaky)
    view.problems = ["the answer was a list, not text"]
    view.keeper.load()
    assert "set-aside" in view.said[-1][1] and "a list" in view.said[-1][1]
    assert ProgressStore(flaky.home).load("apply/data") == {"answer": ""}


def test_merge_typed_loses_neither_text():
    assert merge_typed("saved", "") == "saved" and merge_typed("", "typed") == "typed"
    assert merge_typed("same", "same") == "same"
    assert merge_typed("saved\n", "\ntyped") == "saved\n\ntyped"


def test_debouncer_trigger_takes_its_own_delay():
    calls, fn = _counter()
    d = Debouncer(0, fn)
    d.trigger(delay=10)  # a retry later, although the debouncer itself runs at once
    assert d.pending and calls == []
    d.flush()
    assert len(calls) == 1

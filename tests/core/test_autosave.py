import asyncio
import threading
import time

from mlworkflow.core.autosave import Debouncer


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

"""The progress store under real processes: concurrent writers, kill -9 mid-save, a stuck lock holder.

Bounded: each test runs in a few seconds. ``benchmarks/soak_store.py`` runs the same at scale.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from reliability.store_helpers import lock_held

from mlworkflow import ApplyToProject, ProblemStatementForm
from mlworkflow.core.autosave import BUSY
from mlworkflow.core.progress import FILE_NAME, ProgressStore

pytestmark = pytest.mark.skipif(os.name != "posix", reason="kill -9 and flock are POSIX")

_WRITER = textwrap.dedent("""
    import json, sys
    from mlworkflow.core.progress import ProgressStore
    home, section, saves = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = ProgressStore(home)
    lost = 0
    for n in range(saves):
        if n and store.load(section).get("n") != n - 1:
            lost += 1  # someone else's save erased or rolled back this answer
        store.save(section, {"n": n, "text": section * 40})
    print(json.dumps({"lost": lost, "worst": store.last_wait}))
""")

_VICTIM = textwrap.dedent("""
    import sys
    from mlworkflow.core.progress import ProgressStore
    store = ProgressStore(sys.argv[1])
    n = int(sys.argv[2])
    print("ready", flush=True)
    with open(sys.argv[3], "a") as acks:
        while True:
            store.save("victim", {"n": n, "text": "x" * 20000})
            acks.write(f"{n}\\n")
            acks.flush()
            n += 1
""")


def test_concurrent_writers_lose_nothing(tmp_path):
    home, saves, writers = tmp_path / "home", 40, 4
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(home), f"w{k}", str(saves)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for k in range(writers)]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    assert sum(r["lost"] for r in results) == 0
    store = ProgressStore(home)
    assert [store.load(f"w{k}")["n"] for k in range(writers)] == [saves - 1] * writers
    assert not list(home.glob(f".{FILE_NAME}.*.tmp")) and not list(home.glob("*.damaged-*"))


def test_kill_9_mid_save_never_damages_the_file_or_loses_an_acknowledged_save(tmp_path):
    home, acks = tmp_path / "home", tmp_path / "acks"
    store = ProgressStore(home)
    store.save("bulk", {"text": "y" * 200_000})  # a bigger file: more kills land mid-write
    rng = random.Random(13)
    for k in range(12):
        victim = subprocess.Popen([sys.executable, "-c", _VICTIM, str(home), str(k * 100_000), str(acks)],
                                  stdout=subprocess.PIPE, text=True)
        assert victim.stdout is not None and victim.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.01, 0.1))
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(timeout=30)
        json.loads(store.path.read_text(encoding="utf-8"))  # whole after every kill
    acked = [int(n) for n in acks.read_text().split()] if acks.exists() else []
    assert acked, "no save finished before a kill; the test proves nothing"
    assert store.load("victim")["n"] >= max(acked)
    store.save("after", {"ok": True})  # the next save removes what the kills left
    assert not list(home.glob(f".{FILE_NAME}.*.tmp")) and not list(home.glob("*.damaged-*"))
    assert store.load("bulk")["text"] == "y" * 200_000


def test_a_stuck_lock_holder_never_freezes_the_widgets(tmp_path):
    store = ProgressStore(tmp_path / "home")
    store.save("apply/data", {"answer": "saved earlier"})
    with lock_held(store.home / f"{FILE_NAME}.lock"):
        start = time.monotonic()
        box = ApplyToProject("data", store=store, autosave_delay=0)
        form = ProblemStatementForm(store=store, autosave_delay=0)
        assert box.answer == "saved earlier" and box.loaded  # a load takes no lock
        assert time.monotonic() - start < 2, "building the widgets waited for the lock"
        for ch in " and more":
            start = time.monotonic()
            box.answer += ch  # every keystroke: a short wait, then the save is put off
            assert time.monotonic() - start < 1, "a keystroke waited for the lock"
        form.problem = "typed while another notebook is stuck"
        assert box.status == BUSY and form.status == BUSY
        assert box._debouncer.pending and form._debouncer.pending  # will try again by itself
        assert store.load("apply/data") == {"answer": "saved earlier"}
    assert box.save_now() and form.save_now()
    assert store.load("apply/data") == {"answer": "saved earlier and more"}
    assert store.load("exercise")["fields"]["problem"] == "typed while another notebook is stuck"
    box.close()
    form.close()

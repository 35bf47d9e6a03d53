"""Soak the progress store: many writer processes saving at once while another is killed mid-save.

    python benchmarks/soak_store.py [--writers 2,4,8] [--saves 200] [--kills 200]

For each writer count N, in a fresh folder holding a ~200 kB store: N processes each save their
own section ``--saves`` times (before each save a writer reads its section back and checks it
still holds its last acknowledged value), while a "victim" process saves in a loop and is killed
with SIGKILL at a random moment, ``--kills`` times. Then one more save is made (the next save,
which cleans up) and the file is checked. Printed per N:

- saves acknowledged: saves that returned (writers' and victims'),
- answers lost: acknowledged saves whose value was missing from the file or overwritten by an
  older one (seen by a writer's read-back or in the final file); must be 0,
- worst lock wait: the longest a save waited for the lock,
- kills that left a temp file: seen just after the kill (while writers run, a live writer's
  temporary file may be counted too); each is removed by the next save,
- temp files: left after the last kill, and left after the next save (must be 0),
- damaged: files moved aside as damaged (must be 0: a kill never leaves half a file).

Exits non-zero if anything was lost, left behind or damaged.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
BULK = "Clients 顧客 عملاء 🚀 churn after price rises; " * 4000  # ~200 kB of escaped JSON
TEXT = "An answer typed by a learner, saved again and again. " * 20


def _writer(home: str, section: str, saves: int) -> None:
    from mlworkflow.core.progress import ProgressBusy, ProgressStore

    store = ProgressStore(home)
    lost = busy = 0
    worst = 0.0
    acked = -1
    for n in range(saves):
        if acked >= 0 and store.load(section).get("n") != acked:
            lost += 1  # another process's save erased or rolled back this writer's answer
        while True:
            try:
                store.save(section, {"n": n, "text": TEXT})
                break
            except ProgressBusy:
                busy += 1
        worst = max(worst, store.last_wait)
        acked = n
    print(json.dumps({"acked": saves, "lost": lost, "busy": busy, "worst": worst}), flush=True)


def _victim(home: str, base: int, ack_path: str) -> None:
    from mlworkflow.core.progress import ProgressStore

    store = ProgressStore(home)
    print("ready", flush=True)
    with open(ack_path, "a", encoding="ascii") as acks:
        n = base
        while True:
            store.save("victim", {"n": n, "text": TEXT})
            acks.write(f"{n}\n")  # acknowledged: save() returned
            acks.flush()
            n += 1


def _spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(HERE), *args], stdout=subprocess.PIPE, text=True)


def soak(writers: int, saves: int, kills: int, seed: int = 0) -> dict[str, object]:
    from mlworkflow.core.progress import ProgressStore

    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="mlworkflow-soak-") as tmp:
        home = Path(tmp) / "home"
        ack_path = str(Path(tmp) / "victim.acks")
        ProgressStore(home).save("bulk", {"text": BULK})
        start = time.perf_counter()
        procs = [_spawn("--writer", str(home), f"writer/{k}", str(saves)) for k in range(writers)]
        left_by_kill = 0
        for k in range(kills):
            victim = _spawn("--victim", str(home), str(k * 1_000_000), ack_path)
            assert victim.stdout is not None and victim.stdout.readline().strip() == "ready"
            time.sleep(rng.uniform(0.005, 0.12))
            os.kill(victim.pid, signal.SIGKILL)
            victim.wait()
            left_by_kill += bool(list(home.glob(".progress.json.*.tmp")))  # cleaned by the next save
        results = []
        for proc in procs:
            out, _ = proc.communicate(timeout=600)
            if proc.returncode != 0:
                raise SystemExit(f"a writer failed (exit {proc.returncode})")
            results.append(json.loads(out))
        elapsed = time.perf_counter() - start
        temp_after_kills = len(list(home.glob(".progress.json.*.tmp")))
        store = ProgressStore(home)
        store.save("soak/done", {"ok": True})  # the next save
        temp_left = len(list(home.glob(".progress.json.*.tmp")))
        final = json.loads(store.path.read_text(encoding="utf-8"))["sections"]
        victim_acks = [int(line) for line in Path(ack_path).read_text().split()] if kills else []
        lost = sum(r["lost"] for r in results)
        lost += sum(final.get(f"writer/{k}", {}).get("n") != saves - 1 for k in range(writers))
        if victim_acks and final.get("victim", {}).get("n", -1) < max(victim_acks):
            lost += 1
        lost += int(final.get("bulk", {}).get("text") != BULK)
        return {
            "writers": writers,
            "acked": sum(r["acked"] for r in results) + len(victim_acks),
            "lost": lost,
            "worst": max(r["worst"] for r in results),
            "busy": sum(r["busy"] for r in results),
            "kills": kills,
            "left_by_kill": left_by_kill,
            "temp_after_kills": temp_after_kills,
            "temp_left": temp_left,
            "damaged": len(list(home.glob("progress.json.damaged-*"))),
            "seconds": elapsed,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", default="2,4,8")
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--kills", type=int, default=200)
    args = parser.parse_args()
    print(f"{'writers':>7}  {'saves acked':>11}  {'answers lost':>12}  {'worst lock wait':>15}  {'kill -9':>7}  "
          f"{'kills leaving a temp file':>25}  {'temp files after kills / after next save':>40}  {'damaged':>7}  "
          f"{'time':>6}")
    bad = False
    for n in (int(w) for w in args.writers.split(",")):
        r = soak(n, args.saves, args.kills)
        print(f"{r['writers']:>7}  {r['acked']:>11,}  {r['lost']:>12}  {r['worst']:>13.3f} s  {r['kills']:>7}  "
              f"{r['left_by_kill']:>25}  {str(r['temp_after_kills']) + ' / ' + str(r['temp_left']):>40}  "
              f"{r['damaged']:>7}  {r['seconds']:>4.0f} s", flush=True)
        bad = bad or bool(r["lost"] or r["temp_left"] or r["damaged"])
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--writer":
        _writer(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--victim":
        _victim(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        sys.exit(main())

"""The browser benchmark (``benchmarks/bench_controls.py``) still runs: a short pass over two controls.

Its figures are not asserted against a time (speed is measured in benchmarks, not timed tests);
this checks that each change was seen in the page and timed, beside its kernel-side time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from markers import missing

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("MLW_CHROMIUM", "/usr/bin/chromium")


def test_the_control_benchmark_times_changes_in_the_page(tmp_path):
    if not Path(CHROMIUM).exists():
        missing("the browser benchmark", f"Chromium not found at {CHROMIUM}")
    out = tmp_path / "controls.json"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_controls.py"), "--controls",
                           "floor,stepper-next", "--repeat", "3", "--json", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    rows = {r["control"]: r for r in json.loads(out.read_text(encoding="utf-8"))["controls"]}
    assert set(rows) == {"floor", "stepper-next"}
    for row in rows.values():
        assert len(row["browser_samples_ms"]) == 2 + 3 and row["n"] == 3
        assert all(ms > 0 for ms in row["browser_samples_ms"]) and len(row["kernel_samples_ms"]) == 3
    assert "Stage stepper: Next" in proc.stdout  # the printed table names each control

"""The test command's two tiers (root ``conftest.py``): what the quick tier leaves out; the full suite keeps it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _collected(full: bool) -> tuple[set[str], str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "MLWORKFLOW_FULL_TESTS", "PYTEST_XDIST_WORKER")}
    if full:
        env["MLWORKFLOW_FULL_TESTS"] = "1"
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    ids = {line.strip() for line in proc.stdout.splitlines() if "::" in line}
    return ids, proc.stdout


def test_the_quick_tier_leaves_out_the_walk_throughs_the_hub_and_fresh_venvs_and_says_so():
    quick, said = _collected(full=False)
    full, _ = _collected(full=True)
    left = full - quick
    assert quick < full and left
    assert all(i.startswith(("tests/e2e/", "tests/hub/", "tests/test_pythons.py", "tests/test_binder.py",
                             "tests/cli/test_fresh_install.py")) for i in left), sorted(left)[:5]
    assert any(i.startswith("tests/hub/") for i in left) and any("test_pythons" in i for i in left)
    browser = {i for i in quick if i.startswith("tests/e2e/")}
    assert browser == {"tests/e2e/test_course_map.py::test_course_map_renders_the_stepper_in_jupyterlab",
                       "tests/e2e/test_nb_08.py::test_the_prediction_verdict_quotes_the_prediction_clause"}
    assert any(i.startswith("notebooks/") for i in quick)  # every notebook still runs through nbval
    assert f"{len(left)} full-suite tests left out" in said

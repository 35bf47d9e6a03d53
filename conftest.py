"""Test-wide setup: learner progress goes to a throwaway folder, never the developer's home; two tiers.

**Quick tier** (plain ``pytest``): unit and property tests, every notebook through nbval, lint and
types, and two browser smoke tests (the course map in JupyterLab, and notebook 08's feedback quoting
the prediction clause). **Full suite** (``MLWORKFLOW_FULL_TESTS=1``, or ``CI=true``; ``.ci/run``
sets it): adds every real-browser walk-through (``tests/e2e``), the real JupyterHub (``tests/hub``)
and the tests that build fresh venvs (marker ``slow``). Naming a test file or folder, or passing
``-m``, runs what was asked whatever the tier.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Set before any kernel starts (nbval kernels inherit the environment), so notebooks under
# test never read or write a real learner's saved answers.
os.environ.setdefault("MLWORKFLOW_HOME", tempfile.mkdtemp(prefix="mlworkflow-test-home-"))

ROOT = Path(__file__).resolve().parent
FULL_ONLY = (ROOT / "tests" / "e2e", ROOT / "tests" / "hub")
# browser tests that stay in the quick tier: one page load each, on the two views the course stands on
SMOKE = {
    "tests/e2e/test_course_map.py::test_course_map_renders_the_stepper_in_jupyterlab",
    "tests/e2e/test_nb_08.py::test_the_prediction_verdict_quotes_the_prediction_clause",
}


def full_suite() -> bool:
    return os.environ.get("MLWORKFLOW_FULL_TESTS") == "1" or os.environ.get("CI", "").lower() == "true"


def _asked_for(config: pytest.Config) -> bool:
    """Whether the command named tests or a marker expression (then it runs what it names)."""
    if config.option.markexpr or config.option.keyword:
        return True
    return config.args_source == pytest.Config.ArgsSource.ARGS  # paths given, not the configured testpaths


def _full_only(item: pytest.Item) -> bool:
    path = Path(str(item.fspath)).resolve()
    if item.get_closest_marker("slow") is not None:
        return True
    in_full = any(path.is_relative_to(folder) for folder in FULL_ONLY)
    return in_full and item.nodeid.split("[")[0] not in SMOKE


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if full_suite() or _asked_for(config):
        return
    left = [i for i in items if _full_only(i)]
    if left:
        keep = [i for i in items if not _full_only(i)]
        config.hook.pytest_deselected(items=left)
        items[:] = keep
        config._mlw_quick_left = len(left)  # type: ignore[attr-defined]


def pytest_report_header(config: pytest.Config) -> str:
    if full_suite():
        return "mlworkflow: full suite (browser walk-throughs, real hub, fresh venvs included)"
    return ("mlworkflow: quick tier; the browser walk-throughs, the real hub and the fresh-venv tests are "
            "left out (MLWORKFLOW_FULL_TESTS=1 runs them; CI does)")


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    left = getattr(config, "_mlw_quick_left", 0)
    if left:
        terminalreporter.write_line(f"mlworkflow quick tier: {left} full-suite tests left out "
                                    "(MLWORKFLOW_FULL_TESTS=1 runs them)")

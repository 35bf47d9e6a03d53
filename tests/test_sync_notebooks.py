"""The generated notebook cells (course map table, navigation footers) are up to date."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "sync_notebooks.py"


def _check(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(root / "tools" / "sync_notebooks.py"), "--check"],
                          capture_output=True, text=True, timeout=120)


def test_generated_cells_are_current():
    result = _check(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_notices_a_stale_footer(tmp_path):
    """The check can fail: edit a footer in a copy of the repository and it reports that notebook."""
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "tools", copy / "tools")
    shutil.copytree(ROOT / "notebooks", copy / "notebooks")
    shutil.copytree(ROOT / "mlworkflow", copy / "mlworkflow",
                    ignore=shutil.ignore_patterns("__pycache__", "course_notebooks"))
    target = copy / "notebooks" / "03_model_training.ipynb"
    text = target.read_text(encoding="utf-8")
    assert "Next: [Model Evaluation]" in text
    target.write_text(text.replace("Next: [Model Evaluation]", "Next: [Somewhere else]"), encoding="utf-8")
    result = _check(copy)
    assert result.returncode == 1
    assert "out of date: notebooks/03_model_training.ipynb" in result.stdout

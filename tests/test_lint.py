"""Lint and types with the configuration in pyproject.toml: zero findings, and mypy sees the public API."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# the pinned pandas stubs (and pandas 3) install on Python 3.11+; the type check is run there
needs_stubs = pytest.mark.skipif(sys.version_info < (3, 11), reason="mypy runs on Python 3.11+ (pinned pandas stubs)")


def _tool(name: str) -> list[str]:
    exe = Path(sys.executable).with_name(name)
    if exe.exists():
        return [str(exe)]
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed; it comes with the test extra: pip install -e '.[test]'")
    return [found]


def _run(cmd: list[str], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing():
    result = _run([*_tool("ruff"), "check", "--no-cache", "."])
    assert result.returncode == 0, result.stdout + result.stderr


@needs_stubs
@pytest.mark.timeout(900)
def test_mypy_finds_nothing():
    result = _run([*_tool("mypy"), "--no-incremental", "--cache-dir", "/dev/null"])
    assert result.returncode == 0, result.stdout + result.stderr


@needs_stubs
@pytest.mark.timeout(900)
def test_mypy_sees_the_lazy_exports(tmp_path):
    """The lazy exports are typed: a wrong use of a public name is an error, and no name is ``Any``."""
    import mlworkflow

    names = sorted(mlworkflow._EXPORTS)
    sample = tmp_path / "sample.py"
    sample.write_text("\n".join([
        "import mlworkflow",
        "from mlworkflow import Quiz",
        "x: int = mlworkflow.load_course()",
        'reveal_type(Quiz("evaluation"))',
        *[f"reveal_type(mlworkflow.{n})" for n in names],
    ]) + "\n")
    result = _run([*_tool("mypy"), "--no-incremental", "--cache-dir", "/dev/null",
                   "--config-file", str(ROOT / "pyproject.toml"), str(sample)], cwd=tmp_path)
    out = result.stdout
    assert result.returncode == 1, out
    assert 'sample.py:3: error: Incompatible types in assignment (expression has type "Course"' in out, out
    assert 'sample.py:4: note: Revealed type is "mlworkflow.checks.widgets.Quiz"' in out, out
    revealed = [line for line in out.splitlines() if "Revealed type is" in line]
    assert len(revealed) == len(names) + 1
    untyped = [names[int(line.split(":")[1]) - 5] for line in revealed[1:] if line.endswith('"Any"')]
    assert not untyped, f"typed as Any: {untyped}"

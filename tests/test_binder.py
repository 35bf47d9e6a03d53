"""The Binder files (``binder/``) build the same course that ``pip install mlworkflow`` does.

The quick tests read the files; the slow one builds a fresh venv from nothing but the
``binder/`` instructions (what repo2docker would do, minus Docker) and runs the course map
with nbval there.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
BINDER = REPO / "binder"
COURSE_MAP = "notebooks/00_course_map.ipynb"


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _requirements(lines: list[str]) -> dict[str, Requirement]:
    reqs = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            req = Requirement(line)
            reqs[canonicalize_name(req.name)] = req
    return reqs


def _binder_requirements() -> dict[str, Requirement]:
    return _requirements((BINDER / "requirements.txt").read_text(encoding="utf-8").splitlines())


def test_binder_requirements_match_pyproject_dependencies():
    runtime = _requirements(_pyproject()["project"]["dependencies"])
    binder = _binder_requirements()
    missing = sorted(set(runtime) - set(binder))
    assert not missing, f"binder/requirements.txt lacks runtime dependencies from pyproject.toml: {missing}"
    differ = {
        name: (str(runtime[name].specifier), str(binder[name].specifier))
        for name in runtime
        if runtime[name].specifier != binder[name].specifier
    }
    assert not differ, f"version ranges differ (pyproject, binder): {differ}"


def test_binder_extras_come_from_pyproject_with_the_same_range():
    """Anything Binder adds beyond the runtime deps (e.g. voila) is a declared extra, same range."""
    project = _pyproject()["project"]
    runtime = _requirements(project["dependencies"])
    extras: dict[str, Requirement] = {}
    for reqs in project.get("optional-dependencies", {}).values():
        extras.update(_requirements(reqs))
    for name, req in _binder_requirements().items():
        if name in runtime:
            continue
        assert name in extras, f"binder/requirements.txt installs {name!r}, which pyproject.toml never declares"
        assert req.specifier == extras[name].specifier, (
            f"{name}: binder {req.specifier} vs pyproject {extras[name].specifier}"
        )


def test_binder_python_satisfies_requires_python():
    runtime = (BINDER / "runtime.txt").read_text(encoding="utf-8").strip()
    match = re.fullmatch(r"python-(3\.\d+)", runtime)
    assert match, f"binder/runtime.txt should read like 'python-3.11', not {runtime!r}"
    requires = Requirement(f"python{_pyproject()['project']['requires-python']}").specifier
    assert requires.contains(match.group(1) + ".0"), f"{runtime} is outside requires-python {requires}"


def test_binder_installs_the_package_graphviz_and_quiet_settings():
    post_build = BINDER / "postBuild"
    assert os.access(post_build, os.X_OK), "binder/postBuild must be executable for repo2docker"
    assert re.search(r"pip install\b.*\s\.\s*$", post_build.read_text(encoding="utf-8"), re.MULTILINE), (
        "postBuild should pip-install the repository itself ('.')"
    )
    apt = (BINDER / "apt.txt").read_text(encoding="utf-8").split()
    assert "graphviz" in apt
    overrides = json.loads((BINDER / "overrides.json").read_text(encoding="utf-8"))
    notification = overrides["@jupyterlab/apputils-extension:notification"]
    assert notification == {"fetchNews": "false", "checkForUpdates": False}
    # widgets are saved with the notebook, so a restarted and reopened notebook still draws them
    assert overrides["@jupyter-widgets/jupyterlab-manager:plugin"] == {"saveState": True}


def test_start_uses_the_same_jupyterlab_settings_as_binder():
    from mlworkflow.cli import LAB_CONFIG

    started = json.loads((Path(LAB_CONFIG) / "labconfig" / "default_setting_overrides.json").read_text("utf-8"))
    assert started == json.loads((BINDER / "overrides.json").read_text(encoding="utf-8"))


def test_readme_binder_links_open_the_course_map():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"https://mybinder\.org/v2/gh/([^/\s)]+/[^/\s)]+)/[^?\s)]+\?urlpath=([^\s)]+)", readme)
    assert links, "README.md has no mybinder.org launch link with a urlpath"
    assert len({slug for slug, _ in links}) == 1, f"Binder links disagree on the repository: {links}"
    paths = {urlpath for _, urlpath in links}
    assert f"lab/tree/{COURSE_MAP}" in paths, f"no Binder link opens {COURSE_MAP} in JupyterLab: {paths}"
    for urlpath in paths:
        notebook = urlpath.split("/", 2)[-1]
        assert (REPO / notebook).is_file(), f"Binder link points at a missing notebook: {urlpath}"


def _clean_env(venv: Path, home: Path) -> dict[str, str]:
    # Keep PIP_* (the machine's index, certificates and wheel cache); drop anything that
    # would point Python or Jupyter back at the developer's environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "JUPYTER", "IPYTHON"))}
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        VIRTUAL_ENV=str(venv),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        MLWORKFLOW_HOME=str(home / "mlworkflow-home"),
        JUPYTER_CONFIG_DIR=str(home / "jupyter-config"),
        JUPYTER_DATA_DIR=str(home / "jupyter-data"),
        JUPYTER_RUNTIME_DIR=str(home / "jupyter-runtime"),
        IPYTHONDIR=str(home / "ipython"),
        MPLBACKEND="Agg",
    )
    return env


def _run(cmd: list[str], env: dict[str, str], cwd: Path, timeout: float) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    assert proc.returncode == 0, (
        f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    )
    return proc


def _binder_python() -> str:
    """A Python of the version binder/runtime.txt asks for, if this machine has one."""
    wanted = (BINDER / "runtime.txt").read_text(encoding="utf-8").strip().removeprefix("python-")
    if f"{sys.version_info.major}.{sys.version_info.minor}" == wanted:
        return getattr(sys, "_base_executable", sys.executable)
    return shutil.which(f"python{wanted}") or pytest.skip(f"no python{wanted} here (binder/runtime.txt)")


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_fresh_venv_from_binder_instructions_runs_the_course_map(tmp_path):
    """requirements.txt, then postBuild, in an empty venv; then nbval on the course map there."""
    if not (REPO / COURSE_MAP).is_file():
        pytest.fail(f"{COURSE_MAP} is missing")
    venv = tmp_path / "venv"
    subprocess.run([_binder_python(), "-m", "venv", str(venv)], check=True, timeout=120)
    env = _clean_env(venv, tmp_path)
    py = str(venv / "bin" / "python")
    # pip's own cache (~/.cache/pip) is kept between runs, so only the first run downloads.
    _run([py, "-m", "pip", "install", "-q", "-r", str(BINDER / "requirements.txt")], env, tmp_path, 900)
    _run(["bash", str(BINDER / "postBuild")], env, tmp_path, 300)

    where = _run([py, "-c", "import mlworkflow, sys; print(mlworkflow.__file__)"], env, tmp_path, 60)
    assert where.stdout.strip().startswith(str(venv)), f"imported from outside the venv: {where.stdout}"
    settings = venv / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert settings.is_file(), "postBuild did not install the JupyterLab settings overrides"
    labext = _run([py, "-m", "jupyter", "labextension", "list"], env, tmp_path, 120)
    assert "@jupyter-widgets/jupyterlab-manager" in labext.stdout + labext.stderr, "widgets front end missing"

    # Test tools only (not part of the course environment), then nbval as the repo runs it.
    test_extra = _requirements(_pyproject()["project"]["optional-dependencies"]["test"])
    tools = [str(test_extra[n]) for n in ("pytest", "nbval", "pytest-timeout")]
    _run([py, "-m", "pip", "install", "-q", *tools], env, tmp_path, 300)
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(REPO / COURSE_MAP, work)
    shutil.copy(REPO / "tests" / "nbval_sanitize.cfg", work)
    (work / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    nbval = _run(
        [py, "-m", "pytest", "-p", "no:cacheprovider", "--nbval-lax",
         "--nbval-sanitize-with", "nbval_sanitize.cfg", Path(COURSE_MAP).name],
        env, work, 600,
    )
    assert re.search(r"\d+ passed", nbval.stdout), nbval.stdout[-2000:]

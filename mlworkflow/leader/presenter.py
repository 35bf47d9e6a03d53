"""The presenter view: the course map served by Voila as an app, large type and no code cells.

``mlworkflow present`` runs :func:`voila_command` with :func:`voila_env`, which adds the
package's ``mlworkflow-present`` Voila template (Voila's lab template plus projector-sized
type) to Jupyter's search path.

    >>> cmd = voila_command(Path("notebooks/00_course_map.ipynb"), port=8866, no_browser=True)
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["TEMPLATE", "template_root", "voila_command", "voila_env", "voila_installed"]

TEMPLATE = "mlworkflow-present"


def template_root() -> Path:
    """The data folder holding ``voila/templates/mlworkflow-present`` (shipped with the package)."""
    return Path(__file__).resolve().parent / "templates"


def voila_installed() -> bool:
    """True if Voila can be imported here (it is an optional extra, not a course dependency)."""
    import importlib.util

    return importlib.util.find_spec("voila") is not None


def voila_command(notebook: Path, *, port: int | None = None, no_browser: bool = False,
                  extra: Sequence[str] = ()) -> list[str]:
    """The Voila command line that shows ``notebook`` as an app: no code, large type."""
    cmd = [sys.executable, "-m", "voila", str(notebook), f"--template={TEMPLATE}",
           "--strip_sources=True", "--theme=light", "--VoilaConfiguration.show_tracebacks=False"]
    if port is not None:
        cmd.append(f"--port={port}")
    if no_browser:
        cmd.append("--no-browser")
    return cmd + list(extra)


def voila_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) with the presenter template on ``JUPYTER_PATH``."""
    env = dict(os.environ if base is None else base)
    paths = [str(template_root())] + [p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    env["JUPYTER_PATH"] = os.pathsep.join(paths)
    return env

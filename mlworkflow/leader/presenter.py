"""The presenter view: the course as a Voila app for a projector, one stage per screen, no code.

``mlworkflow present`` runs :func:`voila_command` on :func:`slideshow_notebook` (the deck in
:mod:`mlworkflow.leader.projector`) or on a course notebook, with :func:`voila_env`, which puts
the package's ``mlworkflow-present`` Voila template on Jupyter's search path. The template is
Voila's lab template with projector type (at least 28 px), prose shown, code and prompts hidden,
and the arrow keys (or a clicker's Page Up / Page Down) pressing Previous / Next.

    >>> cmd = voila_command(slideshow_notebook(), port=8866, no_browser=True)
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["TEMPLATE", "slideshow_notebook", "template_root", "voila_command", "voila_env", "voila_installed"]

TEMPLATE = "mlworkflow-present"


def slideshow_notebook() -> Path:
    """The notebook ``mlworkflow present`` shows by default: the deck, one stage per screen."""
    return Path(__file__).resolve().parent / "projector" / "slideshow.ipynb"


def template_root() -> Path:
    """The data folder holding ``voila/templates/mlworkflow-present`` (shipped with the package)."""
    return Path(__file__).resolve().parent / "templates"


def voila_installed() -> bool:
    """True if Voila can be imported here (it is an optional extra, not a course dependency)."""
    import importlib.util

    return importlib.util.find_spec("voila") is not None


def voila_command(notebook: Path, *, port: int | None = None, no_browser: bool = False,
                  extra: Sequence[str] = ()) -> list[str]:
    """The Voila command line that shows ``notebook`` as an app: no code, projector type."""
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

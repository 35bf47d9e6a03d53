"""A file offered to the learner's own computer: a download link that carries the file itself.

On Binder or a JupyterHub, a file written "next to the notebook" lives on a server the learner
cannot browse from their desktop. :func:`download_link` makes an ``<a download>`` whose
``data:`` address holds the whole file, so one click saves it through the browser (JupyterLab,
Voila and exported HTML alike), and :func:`where_saved` says in plain words where the server
copy is.

    >>> html = download_link("my brief.md", "# Brief", mime="text/markdown")
    >>> html.startswith('<a class="mlw-download" download="my brief.md" href="data:text/markdown;charset=utf-8;base64,')
    True
"""

from __future__ import annotations

import base64
import os
from pathlib import Path, PurePath

from mlworkflow.core.text import html_escape, safe_text

__all__ = ["MIME", "download_link", "where_saved"]

# the type a browser should give each kind of file the course writes
MIME = {".md": "text/markdown", ".html": "text/html", ".json": "application/json", ".txt": "text/plain",
        ".csv": "text/csv"}


def download_link(filename: str, text: str, *, mime: str | None = None, label: str | None = None) -> str:
    """An HTML link that saves ``text`` as ``filename`` on the learner's computer when clicked.

    Only the last part of ``filename`` is used (a browser would ignore folders anyway); ``mime``
    defaults from its extension. The label says what is downloaded, for screen readers too.
    """
    name = PurePath(str(filename).replace("\\", "/")).name or "download.txt"
    kind = mime or MIME.get(PurePath(name).suffix.lower(), "text/plain")
    data = base64.b64encode(safe_text(text).encode("utf-8")).decode("ascii")  # no lone surrogates or NULs
    shown = label or f"Download {name}"
    return (f'<a class="mlw-download" download="{html_escape(name)}" '
            f'href="data:{html_escape(kind)};charset=utf-8;base64,{data}">{html_escape(shown)}</a>')


def where_saved(path: str | os.PathLike[str], notebook_dir: str | os.PathLike[str] | None = None) -> str:
    """Where ``path`` is, in words a learner can follow in JupyterLab's file browser.

    Inside the notebook's folder (default: the working folder, which is the notebook's own in
    JupyterLab) it is named relative to it; anywhere else by its full path.

        >>> where_saved("/home/sam/course/exports/brief.md", "/home/sam/course")
        'exports/brief.md, next to this notebook (in the file browser on the left)'
    """
    target = Path(path)
    base = Path(notebook_dir) if notebook_dir is not None else Path.cwd()
    try:
        inside = target.resolve().relative_to(base.resolve())
    except (ValueError, OSError):
        return f"{target} on the server running this notebook"
    return f"{inside.as_posix()}, next to this notebook (in the file browser on the left)"

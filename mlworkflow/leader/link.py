"""nbgitpuller links: one click clones (or updates) the course into each learner's hub home.

A learner who clicks the link logs in to the organisation's JupyterHub; nbgitpuller clones the
repository into ``~/<repo folder>`` (or merges new commits, keeping the learner's own changes)
and opens the course map. Answers live in the progress store, outside the clone.

    >>> nbgitpuller_link("https://hub.example.org", "https://github.com/acme/mlworkflow")
    'https://hub.example.org/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Facme%2Fmlworkflow&branch=main&urlpath=lab%2Ftree%2Fmlworkflow%2Fnotebooks%2F00_course_map.ipynb'
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

__all__ = ["DEFAULT_OPEN", "course_repo", "https_repo", "nbgitpuller_link", "repo_folder"]

DEFAULT_OPEN = "notebooks/00_course_map.ipynb"
_SCP = re.compile(r"^(?:[\w.-]+@)?([\w.-]+):(?!//)(.+)$")  # git@github.com:org/repo.git


def https_repo(repo: str) -> str:
    """``repo`` as an https URL nbgitpuller can clone without keys (``git@host:org/r.git`` too)."""
    repo = repo.strip()
    m = _SCP.match(repo)
    if m and "://" not in repo:
        repo = f"https://{m.group(1)}/{m.group(2)}"
    parts = urlsplit(repo)
    if parts.scheme == "ssh" or parts.scheme == "git":
        parts = parts._replace(scheme="https", netloc=parts.hostname or "")
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/") == "":
        raise ValueError(f"{repo!r} is not a repository URL like https://github.com/ORG/REPO")
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def repo_folder(repo: str) -> str:
    """The folder nbgitpuller clones ``repo`` into: its last path part without ``.git``."""
    name = PurePosixPath(urlsplit(https_repo(repo)).path).name
    return name[:-4] if name.endswith(".git") else name


def _hub_base(hub: str) -> str:
    parts = urlsplit(hub.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{hub!r} is not a hub address like https://hub.example.org")
    path = parts.path.rstrip("/")
    # people paste what their browser shows: .../hub/login, .../hub/home, .../user/sam/lab
    for marker in ("/hub/", "/user/"):
        if marker in path + "/":
            path = (path + "/").split(marker, 1)[0]
    return urlunsplit((parts.scheme, parts.netloc, path.rstrip("/"), "", ""))


def nbgitpuller_link(hub: str, repo: str, branch: str = "main", open_path: str = DEFAULT_OPEN) -> str:
    """The link that pulls ``repo`` at ``branch`` into a learner's home and opens ``open_path`` in JupyterLab."""
    if not branch.strip():
        raise ValueError("the branch name is empty")
    target = PurePosixPath(open_path.strip().lstrip("/"))
    if not target.parts or ".." in target.parts:
        raise ValueError(f"{open_path!r} is not a path inside the repository")
    url = https_repo(repo)
    query = urlencode(
        {"repo": url, "branch": branch.strip(), "urlpath": f"lab/tree/{repo_folder(url)}/{target.as_posix()}"},
        quote_via=quote, safe="",
    )
    return f"{_hub_base(hub)}/hub/user-redirect/git-pull?{query}"


def course_repo() -> str | None:
    """The ``origin`` of the git clone this package runs from, if any (an editable install)."""
    root = Path(__file__).resolve().parents[2]
    if not (root / ".git").exists():
        return None
    try:
        out = subprocess.run(["git", "-C", str(root), "config", "--get", "remote.origin.url"],
                             capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None

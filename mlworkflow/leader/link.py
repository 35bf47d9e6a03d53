"""Links that put the course in front of a room: nbgitpuller on a JupyterHub, or mybinder.org.

A learner who clicks the nbgitpuller link logs in to the organisation's JupyterHub; nbgitpuller
clones the repository into ``~/<target>`` (or merges new commits, keeping the learner's own
changes) and opens the course map. Answers live in the progress store, outside the clone.

The repository is passed to nbgitpuller as given: an https URL (with or without ``.git``), an ssh
remote (``git@host:org/r.git``, ``ssh://...``; the hub's accounts need keys for it) or a
``file://`` URL (a local path becomes one; it must exist on the hub's machine). The link always
names the clone folder (``targetpath``), because nbgitpuller's own default is the URL's last
part *with* ``.git`` (``r.git``), and the ``urlpath`` it opens must be inside that folder. (A hub
that sets ``NBGITPULLER_PARENTPATH`` clones one folder deeper; there, add it to ``--target``.)

    >>> nbgitpuller_link("https://hub.example.org", "https://github.com/acme/mlworkflow.git")
    'https://hub.example.org/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Facme%2Fmlworkflow.git&branch=main&targetpath=mlworkflow&urlpath=lab%2Ftree%2Fmlworkflow%2Fnotebooks%2F00_course_map.ipynb'
    >>> binder_link("https://github.com/acme/mlworkflow")
    'https://mybinder.org/v2/gh/acme/mlworkflow/main?urlpath=lab/tree/notebooks/00_course_map.ipynb'
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urlencode, urlsplit, urlunsplit

__all__ = ["BINDER", "DEFAULT_OPEN", "Repo", "binder_badge", "binder_link", "course_repo", "nbgitpuller_link",
           "parse_repo", "repo_folder"]

DEFAULT_OPEN = "notebooks/00_course_map.ipynb"
BINDER = "https://mybinder.org"
_SCP = re.compile(r"^(?:[\w.+-]+@)?([\w.-]+):(?!//)(.+)$")  # git@github.com:org/repo.git
_WINDOWS = re.compile(r"^[A-Za-z]:[\\/]")  # C:\courses\mlworkflow is a path, not host "C"
_BADGE = "https://mybinder.org/badge_logo.svg"
_GITHUB = ("github.com", "www.github.com")
_KINDS = {"https": "https", "http": "https", "ssh": "ssh", "git+ssh": "ssh", "git": "git"}


@dataclass(frozen=True)
class Repo:
    """A course repository as nbgitpuller will clone it.

    ``url`` is passed on as is; ``kind`` is ``"https"``, ``"ssh"``, ``"git"`` or ``"file"``; ``host`` and
    ``path`` are its parts (``path`` without a leading slash); ``note`` is what the leader should
    know about this kind of URL, or None.
    """

    url: str
    kind: str
    host: str
    path: str
    note: str | None = None

    @property
    def on_github(self) -> bool:
        """True for a repository on github.com (Binder's short ``v2/gh`` form)."""
        return self.host.lower() in _GITHUB

    @property
    def folder(self) -> str:
        """The folder name the link clones into by default: the last part, without ``.git``."""
        parts = [p for p in PurePosixPath(self.path).parts if p != "/"]
        if parts and parts[-1] == ".git":  # file:///srv/course/.git is the course folder
            parts.pop()
        name = parts[-1] if parts else ""
        name = name[:-4] if name.endswith(".git") else name
        if not name or name in (".", ".."):
            raise ValueError(f"cannot tell a folder name from {self.url!r}; name one with --target FOLDER")
        return name


def _bad_repo(repo: str) -> ValueError:
    return ValueError(f"{repo!r} is not a repository: give an https URL (https://github.com/ORG/REPO), "
                      "an ssh remote (git@github.com:ORG/REPO.git), a file:// URL or a folder")


def _ssh_note(host: str) -> str:
    return (f"note: the link keeps the ssh address, so each learner's hub account needs ssh access to that "
            f"repository on {host} (a key); for a public repository, an https URL needs none")


def _file_repo(repo: str, path: str) -> Repo:
    if not path.startswith("/"):
        raise ValueError(f"{repo!r} is not a file:// URL of an absolute folder, like file:///srv/courses/mlworkflow")
    return Repo(f"file://{quote(path)}", "file", "", path.lstrip("/"),
                f"note: {path} must exist, and be a git repository, on the machine where learners' hub servers "
                "run (nbgitpuller clones it there), not only on this one")


def parse_repo(repo: str, *, cwd: Path | None = None) -> Repo:
    """``repo`` as nbgitpuller will clone it; a local folder becomes an absolute ``file://`` URL.

    A relative folder must exist here (it is resolved against ``cwd``); an absolute one is taken
    as a path on the hub's machine. ssh addresses are kept as they are, never turned into https.
    """
    text = repo.strip()
    if not text or any(c in text for c in "\r\n\t"):
        raise _bad_repo(repo)
    parts = urlsplit(text)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise ValueError(f"{repo!r} names another machine; a file:// URL is a folder on the hub, file:///PATH")
        return _file_repo(repo, unquote(parts.path).rstrip("/") or "/")
    if parts.scheme in _KINDS:
        path = parts.path.strip("/")
        if not parts.hostname or not path:
            raise ValueError(f"{repo!r} is not a repository URL like https://github.com/ORG/REPO")
        kind = _KINDS[parts.scheme]
        if parts.hostname.lower() in _GITHUB and len(PurePosixPath(path).parts) != 2:  # a page, not the repository
            org_repo = "/".join(PurePosixPath(path).parts[:2])
            raise ValueError(f"{repo!r} is a page on GitHub, not a repository; give https://github.com/{org_repo}")
        url = urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
        return Repo(url, kind, parts.hostname, path, _ssh_note(parts.hostname) if kind == "ssh" else None)
    scp = _SCP.match(text)
    if scp and not _WINDOWS.match(text):
        host, path = scp.group(1), scp.group(2).strip("/")
        if not path:
            raise _bad_repo(repo)
        return Repo(text.rstrip("/"), "ssh", host, path, _ssh_note(host))
    if "://" in text:
        raise _bad_repo(repo)
    return _local_repo(repo, text, cwd)


def _local_repo(repo: str, text: str, cwd: Path | None) -> Repo:
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = (cwd or Path.cwd()) / path
        if not path.is_dir():
            raise _bad_repo(repo)
    if not path.exists():  # a folder on the hub's machine, perhaps
        return _file_repo(repo, path.as_posix())
    path = path.resolve()
    if not ((path / ".git").exists() or ((path / "HEAD").is_file() and (path / "objects").is_dir())):
        raise ValueError(f"{path} is not a git repository (nbgitpuller clones it with git); "
                         "run 'git init' and commit the course there, or give the repository's URL")
    return _file_repo(repo, path.as_posix())


def repo_folder(repo: str) -> str:
    """The folder the course is cloned into by default: the repository's last part without ``.git``."""
    return parse_repo(repo).folder


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


def _inside(path: str, what: str) -> PurePosixPath:
    """``path`` as a relative path that stays inside its folder (no ``..``, not absolute, not empty)."""
    text = path.strip()
    clean = PurePosixPath(text.lstrip("/")) if what == "notebook" else PurePosixPath(text)
    if not text or clean.is_absolute() or text.startswith("~") or not clean.parts or ".." in clean.parts \
            or clean.as_posix() == "." or "\\" in text:
        where = "inside the repository" if what == "notebook" else "inside the learner's home, like mlworkflow"
        raise ValueError(f"{path!r} is not a {what} path {where}")
    return clean


def _branch(branch: str) -> str:
    name = branch.strip()
    if not name:
        raise ValueError("the branch name is empty")
    return name


def nbgitpuller_link(hub: str, repo: str, branch: str = "main", open_path: str = DEFAULT_OPEN,
                     target: str | None = None) -> str:
    """The link that pulls ``repo`` at ``branch`` into ``~/target`` and opens ``open_path`` in JupyterLab.

    ``target`` (nbgitpuller's ``targetpath``) defaults to the repository's name without ``.git``.
    """
    spec = parse_repo(repo)
    folder = _inside(target, "folder") if target is not None else PurePosixPath(spec.folder)
    notebook = _inside(open_path, "notebook")
    query = urlencode(
        {"repo": spec.url, "branch": _branch(branch), "targetpath": folder.as_posix(),
         "urlpath": f"lab/tree/{folder.as_posix()}/{notebook.as_posix()}"},
        quote_via=quote, safe="",
    )
    return f"{_hub_base(hub)}/hub/user-redirect/git-pull?{query}"


def binder_link(repo: str, branch: str = "main", open_path: str = DEFAULT_OPEN) -> str:
    """The mybinder.org link that builds ``repo`` at ``branch`` and opens ``open_path`` in JupyterLab.

    A GitHub repository gets the short ``v2/gh/ORG/REPO/BRANCH`` form; another public https host
    BinderHub's generic ``v2/git/<URL-encoded URL>/BRANCH``. Binder cannot use ssh keys or a
    folder, so an ssh remote outside GitHub, or a local folder, is a ValueError.
    """
    spec = parse_repo(repo)
    ref = quote(_branch(branch), safe="")
    query = "urlpath=" + quote(f"lab/tree/{_inside(open_path, 'notebook').as_posix()}", safe="/")
    if spec.on_github:
        org_repo = PurePosixPath(spec.path).parts
        if len(org_repo) != 2:
            raise ValueError(f"{repo!r} is not a GitHub repository like https://github.com/ORG/REPO")
        name = org_repo[1][:-4] if org_repo[1].endswith(".git") else org_repo[1]
        return f"{BINDER}/v2/gh/{quote(org_repo[0], safe='')}/{quote(name, safe='')}/{ref}?{query}"
    if spec.kind != "https":
        raise ValueError(f"Binder builds only public repositories it can fetch over https; {repo!r} is not one. "
                         "Give --repo https://HOST/ORG/REPO")
    return f"{BINDER}/v2/git/{quote(spec.url, safe='')}/{ref}?{query}"


def binder_badge(link: str) -> str:
    """The Markdown "launch binder" badge for a README or a course page, pointing at ``link``."""
    return f"[![Binder]({_BADGE})]({link})"


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

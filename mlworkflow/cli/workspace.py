"""The learner's working folder: copy the course notebooks in without ever overwriting their edits.

A small manifest (``.mlworkflow-manifest.json``) records the fingerprint of each notebook as
we copied it. On a later ``mlworkflow start``:

* a notebook that is missing is copied;
* one the learner has not touched is updated when the course has a newer version;
* one the learner has edited is left alone, and reported as skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DEFAULT_DIR", "LEADER_DIR", "MANIFEST", "CopyReport", "copy_course", "course_notebooks",
           "notebooks_dir"]

DEFAULT_DIR = "mlworkflow-course"
MANIFEST = ".mlworkflow-manifest.json"
LEADER_DIR = "facilitator"  # the workshop leader's notebooks: copied only with ``start --leader``


def notebooks_dir() -> Path:
    """Where the course notebooks are: shipped inside the package, or the repository's ``notebooks/``."""
    here = Path(__file__).resolve().parents[1]  # the mlworkflow package
    for candidate in (here / "course_notebooks", here.parent / "notebooks"):
        if candidate.is_dir() and any(candidate.glob("*.ipynb")):
            return candidate
    raise FileNotFoundError(
        "the course notebooks are missing from this installation; "
        "reinstall the course with 'pip install --force-reinstall .' in the course's folder"
    )


def course_notebooks(source: Path | None = None) -> list[Path]:
    """The course notebooks, relative to ``source``, in course order."""
    root = source or notebooks_dir()
    found = [p.relative_to(root) for p in root.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts]
    return sorted(found, key=lambda p: (len(p.parts), str(p)))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class CopyReport:
    """What :func:`copy_course` did, notebook by notebook (paths relative to the working folder)."""

    target: Path
    copied: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Plain-language summary for the terminal."""
        out = [f"Course folder: {self.target}"]
        if self.copied:
            out.append(f"  copied {len(self.copied)} notebook(s): {', '.join(self.copied)}")
        if self.updated:
            out.append(f"  updated {len(self.updated)} notebook(s) you had not changed: {', '.join(self.updated)}")
        if self.unchanged:
            out.append(f"  {len(self.unchanged)} notebook(s) already up to date")
        for name in self.skipped:
            out.append(f"  kept your edited copy of {name} (not overwritten; delete it to get a fresh copy)")
        return out


def _load_manifest(target: Path) -> dict[str, str]:
    try:
        data = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return {}
    return {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, str)}


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def copy_course(target: str | Path = DEFAULT_DIR, source: Path | None = None, *, leader: bool = False) -> CopyReport:
    """Copy the course notebooks into ``target`` (created if needed), keeping the learner's edits.

    The leader's notebooks (``facilitator/``) are copied only when ``leader`` is true.
    """
    source = source or notebooks_dir()
    target = Path(target).expanduser().resolve()
    target.mkdir(parents=True, exist_ok=True)
    manifest = _load_manifest(target)
    report = CopyReport(target=target)
    for rel in course_notebooks(source):
        if rel.parts[0] == LEADER_DIR and not leader:
            continue
        name = rel.as_posix()
        src, dst = source / rel, target / rel
        new = _digest(src)
        if dst.exists():
            have = _digest(dst)
            if have == new:
                report.unchanged.append(name)
                manifest[name] = new
                continue
            if manifest.get(name) != have:
                report.skipped.append(name)
                continue
            report.updated.append(name)
        else:
            report.copied.append(name)
        dst.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(dst, src.read_bytes())
        manifest[name] = new
    _atomic_write(target / MANIFEST, json.dumps({"version": 1, "files": manifest}, indent=1).encode("utf-8"))
    return report

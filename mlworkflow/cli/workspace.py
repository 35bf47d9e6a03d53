"""The learner's working folder: copy the course notebooks in without ever overwriting their edits.

A small manifest (``.mlworkflow-manifest.json``) records the fingerprint of each notebook as
we copied it. On a later ``mlworkflow start``:

* a notebook that is missing is copied;
* one the learner has not touched is updated when the course has a newer version;
* one the learner has edited is left alone, and reported as skipped.

A damaged manifest (not JSON, the wrong types, unreadable) is never fatal: it is moved aside
(``.mlworkflow-manifest.json.damaged``), the learner is told so in plain words, and a new one
is written; without a record of what was copied, every existing notebook is kept as it is.

The workshop leader's notebooks (the class pulse) are not in the course's ``notebooks/``, which
nbgitpuller clones into every learner's home, but in the package (``mlworkflow/leader/notebooks``);
``mlworkflow start --leader`` copies them into ``facilitator/`` in the leader's working folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DEFAULT_DIR", "LEADER_DIR", "MANIFEST", "CopyReport", "copy_course", "course_notebooks",
           "leader_notebooks_dir", "notebooks_dir"]

DEFAULT_DIR = "mlworkflow-course"
MANIFEST = ".mlworkflow-manifest.json"
LEADER_DIR = "facilitator"  # where ``start --leader`` puts the leader's notebooks in the working folder


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


def leader_notebooks_dir() -> Path:
    """The workshop leader's notebooks, shipped inside the package (never in the learners' ``notebooks/``)."""
    return Path(__file__).resolve().parents[1] / "leader" / "notebooks"


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
    notes: list[str] = field(default_factory=list)  # what went wrong on the way, in plain words

    def lines(self) -> list[str]:
        """Plain-language summary for the terminal."""
        out = [f"Course folder: {self.target}"]
        out += [f"  note: {note}" for note in self.notes]
        if self.copied:
            out.append(f"  copied {len(self.copied)} notebook(s): {', '.join(self.copied)}")
        if self.updated:
            out.append(f"  updated {len(self.updated)} notebook(s) you had not changed: {', '.join(self.updated)}")
        if self.unchanged:
            out.append(f"  {len(self.unchanged)} notebook(s) already up to date")
        for name in self.skipped:
            out.append(f"  kept your edited copy of {name} (not overwritten; delete it to get a fresh copy)")
        return out


_KINDS = {list: "a list", str: "text", int: "a number", float: "a number", bool: "true/false", type(None): "null"}


def _damage(data: object) -> str | None:
    """What is wrong with a parsed manifest, or None when it is usable."""
    if not isinstance(data, dict):
        return f"it holds {_KINDS.get(type(data), type(data).__name__)}, not an object"
    files = data.get("files")
    if not isinstance(files, dict):
        return ("it has no list of files" if files is None
                else f"its \u201cfiles\u201d is {_KINDS.get(type(files), type(files).__name__)}, not an object")
    bad = sum(not isinstance(v, str) or len(v) != 64 for v in files.values())
    if not bad:
        return None
    return f"{bad} of its {len(files)} entries {'is not a fingerprint' if bad == 1 else 'are not fingerprints'}"


def _read_manifest(path: Path) -> tuple[dict[str, str], str | None]:
    """The manifest's entries, and what was wrong with it (None when nothing was)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}, None
    except OSError as exc:
        return {}, f"it could not be read ({exc.strerror or exc})"
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return {}, "it is not text"
    except RecursionError:
        return {}, "it is not valid JSON (nested too deeply)"
    except ValueError:
        return {}, "it is not valid JSON"
    problem = _damage(data)
    files = data.get("files") if isinstance(data, dict) else None
    good = {k: v for k, v in files.items() if isinstance(v, str) and len(v) == 64} if isinstance(files, dict) else {}
    return good, problem


def _set_aside(path: Path) -> Path | None:
    """Move a damaged manifest out of the way, to the first free ``<name>.damaged[-N]``."""
    for n in range(1, 100):
        aside = path.with_name(f"{path.name}.damaged" + (f"-{n}" if n > 1 else ""))
        if aside.exists() or aside.is_symlink():
            continue
        try:
            path.rename(aside)
        except OSError:
            return None
        return aside
    return None


def _load_manifest(target: Path, report: CopyReport | None = None) -> dict[str, str]:
    """The fingerprints recorded at the last copy; a damaged manifest is moved aside and said."""
    path = target / MANIFEST
    manifest, problem = _read_manifest(path)
    if problem is None:
        return manifest
    aside = _set_aside(path)
    kept = f"kept it as {aside.name} and started a new one" if aside else "it will be replaced by a new one"
    message = (f"the record of the notebooks copied here ({MANIFEST}) was damaged: {problem}; {kept}. "
               + ("Notebooks it still knew are updated as usual; other notebooks already in the folder are "
                  "kept as they are." if manifest else "Notebooks already in the folder are kept as they are."))
    if report is not None:
        report.notes.append(message)
    return manifest


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _sources(source: Path, leader_source: Path | None) -> list[tuple[str, Path]]:
    """Each notebook to copy: its name in the working folder and where it comes from."""
    pairs = [(rel.as_posix(), source / rel) for rel in course_notebooks(source) if rel.parts[0] != LEADER_DIR]
    if leader_source is not None:
        found = course_notebooks(leader_source) if leader_source.is_dir() else []
        if not found:
            raise FileNotFoundError(f"the workshop leader's notebooks ({leader_source}) are missing from this "
                                    "installation; reinstall the course with 'pip install --force-reinstall .' "
                                    "in the course's folder")
        pairs += [(f"{LEADER_DIR}/{rel.as_posix()}", leader_source / rel) for rel in found]
    return pairs


def copy_course(target: str | Path = DEFAULT_DIR, source: Path | None = None, *, leader: bool = False,
                leader_source: Path | None = None) -> CopyReport:
    """Copy the course notebooks into ``target`` (created if needed), keeping the learner's edits.

    With ``leader``, the leader's notebooks (from ``leader_source``, default
    :func:`leader_notebooks_dir`) are copied too, into ``target/facilitator/``.
    """
    source = source or notebooks_dir()
    target = Path(target).expanduser().resolve()
    target.mkdir(parents=True, exist_ok=True)
    report = CopyReport(target=target)
    manifest = _load_manifest(target, report)
    for name, src in _sources(source, (leader_source or leader_notebooks_dir()) if leader else None):
        dst = target / name
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

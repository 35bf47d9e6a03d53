"""Learners' answers, kept in a JSON file they own, safe across restarts, open notebooks and crashes.

The file is ``progress.json`` in ``$MLWORKFLOW_HOME`` (default ``~/.mlworkflow``). Each widget
saves one *section* (``"exercise"``, ``"quiz/problem"``, ...); :class:`ProgressStore` says what
is guaranteed.

    >>> store = ProgressStore()
    >>> store.save("exercise", {"problem": "..."})
    >>> store.load("exercise")
    {'problem': '...'}
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import random
import stat
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from mlworkflow.core.text import kind_of, safe_text

__all__ = [
    "FILE_NAME",
    "VERSION",
    "ProgressBusy",
    "ProgressError",
    "ProgressStore",
    "ProgressWarning",
    "atomic_write",
    "current_umask",
    "default_home",
    "os_error_reason",
]

FILE_NAME = "progress.json"
FORMAT = "mlworkflow-progress"
VERSION = 1
LOCK_TIMEOUT = 10.0  # seconds a direct save waits for another notebook's save; widgets wait far less
MAX_DEPTH = 64  # lists and objects inside a section; deeper is not an answer any widget writes


class ProgressError(Exception):
    """Answers could not be saved or read; the message says why in plain words."""


class ProgressBusy(ProgressError):
    """Another notebook was saving for longer than this call would wait; nothing was changed, try again."""


class ProgressWarning(UserWarning):
    """Something about saved answers the learner should know (a damaged file was moved aside)."""


def default_home() -> Path:
    """``$MLWORKFLOW_HOME`` if set, else ``~/.mlworkflow``."""
    env = os.environ.get("MLWORKFLOW_HOME", "").strip()
    return Path(env).expanduser() if env else Path.home() / ".mlworkflow"


def os_error_reason(exc: OSError) -> str:
    """Why a file operation failed, in plain words (for messages such as "Could not save ...: <reason>.")."""
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "the folder is read-only or you do not have permission to write there"
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return "that path is a file, not a folder"
    return exc.strerror or str(exc)


def _open_lock(lock_path: Path) -> int:
    """The lock file's descriptor; a lock file that is a link is refused, so no file is made through it."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(lock_path, flags, 0o600)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK) or lock_path.is_symlink():
            raise ProgressError(
                f"{lock_path} is a link, and the course never follows a link for its lock file. Delete that "
                "link (nothing is lost: it holds no answers) and save again. Your text is still in the form."
            ) from None
        raise


@contextlib.contextmanager
def _locked(lock_path: Path, timeout: float = LOCK_TIMEOUT, waited: list[float] | None = None) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_path`` across processes (POSIX ``flock``; Windows ``msvcrt``).

    Polls without blocking for at most ``timeout`` seconds, then raises :class:`ProgressBusy`.
    The seconds spent waiting are appended to ``waited`` if given.
    """
    fd = _open_lock(lock_path)
    try:
        if sys.platform == "win32":  # pragma: no cover - Windows
            import msvcrt

            def try_lock() -> None:
                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

            def unlock() -> None:
                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            def try_lock() -> None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

            def unlock() -> None:
                fcntl.flock(fd, fcntl.LOCK_UN)
        start = time.monotonic()
        pause = 0.002
        while True:
            try:
                try_lock()
                break
            except OSError:
                if time.monotonic() - start >= timeout:
                    raise ProgressBusy(
                        "Another notebook has been saving answers for a while, so this save has not happened "
                        "yet. Nothing was changed; your text is still in the form."
                    ) from None
                time.sleep(min(pause * random.uniform(0.5, 1.5), max(0.0, start + timeout - time.monotonic())))
                pause = min(pause * 1.5, 0.05)
        if waited is not None:
            waited.append(time.monotonic() - start)
        try:
            yield
        finally:
            unlock()
    finally:
        os.close(fd)


# -- reading a file: what is usable, and what is not -----------------------------------------------
@dataclass
class _Contents:
    """A progress file as read: usable sections, problems with the rest, and the raw bytes."""

    raw: bytes | None = None  # None: no file
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # parts that are set aside (copied) on the next write
    damaged: str = ""  # why the whole file is unusable (it is moved aside on the next write)
    newer: bool = False


class _Unusable(ValueError):
    """A value that cannot be kept as it is; the message says why in a few words."""


def _clean(value: Any, depth: int = 0) -> Any:
    """``value`` with every text (keys too) made safe by :func:`safe_text`; ``_Unusable`` if it cannot be."""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, (dict, list, tuple)) and depth >= MAX_DEPTH:
        raise _Unusable(f"is nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, dict):
        clean = {safe_text(k) if isinstance(k, str) else k: _clean(v, depth + 1) for k, v in value.items()}
        if len(clean) < len(value):  # two names differed only in characters that cannot be kept
            raise _Unusable("has two entries whose names are the same once made safe")
        return clean
    if isinstance(value, (list, tuple)):
        return [_clean(v, depth + 1) for v in value]
    return value


def _parse(raw: bytes) -> _Contents:
    """What in ``raw`` (a progress file's bytes) can be used; never raises for bad content."""
    found = _Contents(raw)
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        found.damaged = "it is not UTF-8 text"
        return found
    except RecursionError:
        found.damaged = "it is nested too deeply to read"
        return found
    except ValueError:
        found.damaged = "it is not valid JSON"
        return found
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("sections"), dict):
        found.damaged = "it is not a course progress file"
        return found
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
        found.newer = True
        return found
    if not (isinstance(version, int) and not isinstance(version, bool) and version >= 1):
        found.problems.append("its version number was missing or not a whole number"
                              if "version" not in data or not isinstance(version, int) else
                              f"its version number {version!r} is unknown")
    unknown = sorted(set(data) - {"format", "version", "sections"})
    if unknown:
        found.problems.append(f"it had entries the course does not know ({', '.join(map(repr, unknown))})")
    for name, value in data["sections"].items():
        safe = safe_text(name)
        if not name.strip():
            found.problems.append("a section had no name")
        elif not isinstance(value, dict):
            found.problems.append(f"section {safe!r} was {kind_of(value)}, not a set of answers")
        elif safe in found.sections:
            found.problems.append(f"two sections were named {safe!r} once made safe")
        else:
            try:
                found.sections[safe] = _clean(value)
            except _Unusable as exc:
                found.problems.append(f"section {safe!r} {exc}")
    return found


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")


def _beside(target: Path, kind: str) -> Path:
    """A name next to ``target`` that is not taken yet: ``progress.json.<kind>-<time>[-n]``."""
    stamp = _stamp()
    candidate = target.with_name(f"{target.name}.{kind}-{stamp}")
    n = 1
    while os.path.lexists(candidate):
        n += 1
        candidate = target.with_name(f"{target.name}.{kind}-{stamp}-{n}")
    return candidate


def _write_new(path: Path, data: bytes) -> None:
    """Write ``data`` to a new private file (never through a link, never over another file)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


class ProgressStore:
    """Sections of answers in ``<home>/progress.json``, saved so that none is lost or leaked.

    Guarantees:

    - **Atomic.** A save writes a temporary file beside the store (``.progress.json.<random>.tmp``),
      flushes it to disk and renames it over the old file: a crash or ``kill -9`` at any moment
      leaves the old file or the new one, whole.
    - **Locked and merged.** A save takes an exclusive lock (``progress.json.lock``), re-reads the
      file and replaces only its own section, so notebooks saving at once never erase each other's
      answers. :meth:`save` waits ``wait`` seconds at most (default 10) for the lock, then raises
      :class:`ProgressBusy` having changed nothing; widgets wait a fraction of a second and retry
      later, so a stuck notebook never freezes another. :meth:`load` takes no lock (every version
      of the file on disk is complete), so it never waits.
    - **Nothing silently dropped.** A file that cannot be used at all (not JSON, not UTF-8, not a
      progress file, nested too deeply) is moved aside to ``progress.json.damaged-<time>``. A file
      with unusable parts (a missing or non-integer version, unknown entries, a section that is not
      an object or is nested too deeply) keeps its usable sections and a copy of the whole file is
      kept as ``progress.json.set-aside-<time>``. Either happens at the next save (or at a load when
      no other notebook is saving), with a :class:`ProgressWarning` naming the copy. A file from a
      newer course version is never changed: load and save raise :class:`ProgressError`. A file
      that cannot be read (permissions) is never written over.
    - **Safe text.** Every text saved or loaded, keys included, goes through
      :func:`~mlworkflow.core.text.safe_text`: lone surrogates and NULs become U+FFFD, so any
      answer can be shown in a browser and written again. The file itself is ASCII JSON.
    - **Temporary files.** They are made only while the lock is held, so any found by the next
      save (which holds the lock) were left by a save that died; they are removed then. A live
      writer's temporary file is never touched.
    - **Links.** If ``progress.json`` is a symbolic link made by the same user to an existing file,
      the link is followed on purpose: the target is read, locked (``<target>.lock`` beside it)
      and replaced atomically, and the link stays. A link made by someone else, a dangling link,
      or a link to something other than a file is refused with a :class:`ProgressError` (nothing
      read or written). A lock file that is a link is refused too: no file is ever created
      through a link.
    - **Modes.** The store, its lock and the copies set aside are private to their owner (0600).
      :meth:`export` writes files for others with the mode any new file of the user gets.
    """

    def __init__(self, home: str | os.PathLike[str] | None = None):
        self.home = Path(home).expanduser() if home is not None else default_home()
        self.last_wait = 0.0  # seconds the last save waited for the lock (for benchmarks)

    @property
    def path(self) -> Path:
        """The progress file."""
        return self.home / FILE_NAME

    def __repr__(self) -> str:
        return f"ProgressStore(home={str(self.home)!r})"

    # -- where -------------------------------------------------------------------------------
    def _target(self) -> Path:
        """The file to read and replace: ``progress.json``, or the file a link of the learner's points to."""
        path = self.path
        if not path.is_symlink():
            return path
        if hasattr(os, "geteuid") and path.lstat().st_uid != os.geteuid():
            raise ProgressError(
                f"{path} is a link made by another user, so the course does not follow it. Delete the link "
                "(or set MLWORKFLOW_HOME to a folder of your own); nothing was read or saved."
            )
        target = Path(os.path.realpath(path))
        if not target.is_file():
            missing = not os.path.lexists(target)
            raise ProgressError(
                f"{path} is a link to {target}, which {'does not exist' if missing else 'is not a file'}. "
                "Fix or delete the link; nothing was read or saved, and your text is still in the form."
            )
        return target

    @staticmethod
    def _lock_for(target: Path) -> Path:
        return target.with_name(f"{target.name}.lock")

    # -- reading -----------------------------------------------------------------------------
    def _contents(self, target: Path) -> _Contents:
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)  # a FIFO never blocks
        try:
            with os.fdopen(os.open(target, flags), "rb") as handle:
                mode = os.fstat(handle.fileno()).st_mode
                if not stat.S_ISREG(mode):
                    what = "a folder" if stat.S_ISDIR(mode) else "a special file"
                    return _Contents(b"", damaged=f"it is {what}, not an ordinary file")
                raw = handle.read()
        except (FileNotFoundError, NotADirectoryError):  # nothing saved (a home that is a file: saving says why)
            return _Contents()
        except IsADirectoryError:  # pragma: no cover - systems that refuse to open a folder
            return _Contents(b"", damaged="it is a folder, not an ordinary file")
        except OSError as exc:
            raise ProgressError(f"Could not read your saved answers in {target}: {os_error_reason(exc)}.") from exc
        found = _parse(raw)
        if found.newer:
            raise ProgressError(
                f"Your saved answers in {target} were written by a newer version of the course. "
                "Update the course package (pip install -U mlworkflow); nothing was changed."
            )
        return found

    def _repair(self, target: Path, found: _Contents, *, rewrite: bool = True) -> None:
        """Move a damaged file aside, or copy a file with unusable parts aside and rewrite it (lock held).

        ``rewrite=False``: the caller writes the file next (a save), so it is not written twice.
        """
        if found.damaged:
            why = found.damaged
            aside = _beside(target, "damaged")
            try:
                os.replace(target, aside)
            except OSError as exc:
                raise ProgressError(
                    f"Your saved answers file {target} is damaged ({why}) and could not be moved aside "
                    f"({os_error_reason(exc)}). It was left as it is; new answers are not saved until it is "
                    "moved or deleted."
                ) from exc
            found.damaged, found.raw = "", None
            warnings.warn(ProgressWarning(
                f"Your saved answers file was damaged, so it was moved to {aside} ({why}; it may still hold "
                "earlier answers). New answers are saved in a fresh file."
            ), stacklevel=3)
        elif found.problems:
            aside = self._keep_copy(target, found)
            problems = "; ".join(found.problems)
            found.problems = []
            if rewrite:
                self._write(target, found.sections)
            warnings.warn(ProgressWarning(
                f"Part of your saved answers could not be used ({problems}), so a copy of the whole file was "
                f"kept at {aside}. Everything else is kept, and saving works as before."
            ), stacklevel=3)

    @staticmethod
    def _keep_copy(target: Path, found: _Contents) -> Path:
        aside = _beside(target, "set-aside")
        _write_new(aside, found.raw or b"")
        return aside

    def load(self, section: str) -> dict[str, Any]:
        """The saved value of ``section``, or ``{}`` when nothing is saved; never waits for a lock.

        Damaged files and parts are set aside when no other notebook is saving (with a
        :class:`ProgressWarning`), else at the next save. A file from a newer course version, or
        one that cannot be read, raises :class:`ProgressError`.
        """
        target = self._target()
        found = self._contents(target)
        if found.damaged or found.problems:
            # busy, or a read-only home: the next save repairs instead
            with contextlib.suppress(ProgressBusy, OSError), _locked(self._lock_for(target), timeout=0):
                found = self._contents(target)
                self._repair(target, found)
        return dict(found.sections.get(safe_text(section), {}))

    def sections(self) -> list[str]:
        """Names of the saved sections (nothing is repaired or moved)."""
        return sorted(self._contents(self._target()).sections)

    # -- writing -----------------------------------------------------------------------------
    def _ensure_home(self) -> None:
        try:
            self.home.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ProgressError(
                f"Could not create the folder for your saved answers ({self.home}): {os_error_reason(exc)}. "
                "Set MLWORKFLOW_HOME to a folder you can write to. Your text is still in the form."
            ) from exc
        if not self.home.is_dir():
            raise ProgressError(
                f"{self.home} is a file, not a folder, so answers cannot be saved there. "
                "Set MLWORKFLOW_HOME to a folder you can write to. Your text is still in the form."
            )

    def save(self, section: str, value: dict[str, Any], *, wait: float | None = None,
             keep_copy: str = "") -> None:
        """Replace ``section`` with ``value``, keeping every other section as it is on disk.

        ``wait``: seconds to wait for another notebook's save (default 10), then :class:`ProgressBusy`.
        ``keep_copy``: why the old file should be kept; a copy is kept beside it first and a
        :class:`ProgressWarning` names it (for a learner who chose to start fresh).
        Raises :class:`ProgressError` with a plain message if it cannot be saved.
        """
        if not isinstance(section, str) or not section.strip():
            raise ValueError("section must be a non-empty string such as 'exercise'")
        if not isinstance(value, dict):
            raise TypeError(f"value must be a dict, not {type(value).__name__}")
        try:
            clean = _clean(value)
        except _Unusable as exc:
            raise ValueError(f"value cannot be saved: it {exc}") from None
        self._ensure_home()
        target = self._target()
        waited: list[float] = []
        try:
            with _locked(self._lock_for(target), LOCK_TIMEOUT if wait is None else wait, waited):
                found = self._contents(target)
                self._remove_stale_temp(target)
                if keep_copy and found.raw and not found.damaged and not found.problems:
                    aside = self._keep_copy(target, found)
                    warnings.warn(ProgressWarning(f"A copy of your saved answers was kept at {aside} ({keep_copy})."),
                                  stacklevel=2)
                self._repair(target, found, rewrite=False)
                found.sections[safe_text(section)] = clean
                self._write(target, found.sections)
        except OSError as exc:
            raise ProgressError(
                f"Could not save your answers in {target.parent}: {os_error_reason(exc)}. Your text is still in "
                "the form; set MLWORKFLOW_HOME to a folder you can write to, or export a copy."
            ) from exc
        finally:
            self.last_wait = waited[0] if waited else 0.0

    @staticmethod
    def _write(target: Path, sections: dict[str, Any]) -> None:
        text = json.dumps({"format": FORMAT, "version": VERSION, "sections": sections}, indent=1, sort_keys=True)
        atomic_write(target, text)  # ASCII JSON: any text survives

    @staticmethod
    def _remove_stale_temp(target: Path) -> int:
        """Delete temporary files of saves that died (lock held: no live save has one open)."""
        prefix, removed = f".{target.name}.", 0
        with os.scandir(target.parent) as entries:
            for entry in entries:
                ours = entry.name.startswith(prefix) and entry.name.endswith(".tmp")
                if ours and entry.is_file(follow_symlinks=False):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)
                        removed += 1
        return removed

    def export(self, path: str | os.PathLike[str], text: str) -> Path:
        """Write ``text`` to ``path`` atomically (e.g. a Markdown or JSON export); return the path.

        A relative ``path`` is taken inside ``<home>/exports``.
        """
        target = Path(path).expanduser()
        if not target.is_absolute():
            target = self.home / "exports" / target
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(target, text, shared=True)
        except OSError as exc:
            raise ProgressError(
                f"Could not write {target}: {os_error_reason(exc)}. Your text is still in the form."
            ) from exc
        return target


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows (Linux), else set and restored."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: Path, text: str, *, shared: bool = False) -> None:
    """Write ``text`` to a temporary file next to ``path``, then rename it over ``path``.

    The file is private to its owner (mode 0600, as ``mkstemp`` makes it) unless ``shared``: then it
    gets the mode any new file of the user would get (0666 less the umask), for files written for
    someone else to read, such as a submission to a workshop leader or an export.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if shared:
            os.fchmod(fd, 0o666 & ~current_umask())
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise

"""Learners' answers, kept in a JSON file they own, safe across restarts and open notebooks.

The file is ``progress.json`` in ``$MLWORKFLOW_HOME`` (default ``~/.mlworkflow``). Each widget
saves one *section* (``"exercise"``, ``"quiz/problem"``, ...). A save takes a lock, re-reads
the file, replaces only its own section and writes a temporary file that is renamed over the
old one, so two notebooks saving at once never erase each other's answers and a crash never
leaves half a file. A damaged file is moved aside, never overwritten.

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
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

__all__ = [
    "FILE_NAME",
    "VERSION",
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
LOCK_TIMEOUT = 10.0  # seconds to wait for another notebook's save to finish


class ProgressError(Exception):
    """Answers could not be saved or read; the message says why in plain words."""


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


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_path`` across processes (POSIX ``fcntl``; Windows ``msvcrt``)."""
    with open(lock_path, "a+b") as handle:
        deadline = time.monotonic() + LOCK_TIMEOUT
        if sys.platform == "win32":  # pragma: no cover - Windows
            import msvcrt

            def try_lock() -> None:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

            def unlock() -> None:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            def try_lock() -> None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

            def unlock() -> None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        while True:
            try:
                try_lock()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise ProgressError(
                        "Another notebook has been saving answers for a long time, so this save "
                        "was skipped. Your text is still in the form; try again in a moment."
                    ) from None
                time.sleep(0.02)
        try:
            yield
        finally:
            unlock()


class ProgressStore:
    """Sections of answers in ``<home>/progress.json``; see the module docstring."""

    def __init__(self, home: str | os.PathLike[str] | None = None):
        self.home = Path(home).expanduser() if home is not None else default_home()

    @property
    def path(self) -> Path:
        """The progress file."""
        return self.home / FILE_NAME

    def __repr__(self) -> str:
        return f"ProgressStore(home={str(self.home)!r})"

    # -- reading -------------------------------------------------------------------------
    def _read(self, *, repair: bool) -> dict[str, Any]:
        """The file's sections; ``{}`` if there is no file. A damaged file is moved aside if ``repair``."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except (NotADirectoryError, IsADirectoryError):
            return {}
        except OSError as exc:
            raise ProgressError(f"Could not read your saved answers in {self.path}: {os_error_reason(exc)}.") from exc
        except UnicodeDecodeError:
            text = None  # damaged
        data = None
        if text is not None:
            with contextlib.suppress(ValueError):
                data = json.loads(text)
        if not (isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("sections"), dict)):
            if repair:
                self._move_aside()
            return {}
        if not isinstance(data.get("version"), int) or data["version"] > VERSION:
            raise ProgressError(
                f"Your saved answers in {self.path} were written by a newer version of the course. "
                "Update the course package (pip install -U mlworkflow); nothing was changed."
            )
        return {k: v for k, v in data["sections"].items() if isinstance(v, dict)}

    def _move_aside(self) -> None:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{FILE_NAME}.damaged-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{FILE_NAME}.damaged-{stamp}-{n}")
        try:
            os.replace(self.path, target)
        except OSError as exc:
            raise ProgressError(
                f"Your saved answers file {self.path} is damaged and could not be moved aside "
                f"({os_error_reason(exc)}). It was left as it is; new answers are not saved until it is "
                "moved or deleted."
            ) from exc
        warnings.warn(
            ProgressWarning(
                f"Your saved answers file was damaged, so it was moved to {target} (it may still "
                "hold earlier answers). New answers are saved in a fresh file."
            ),
            stacklevel=4,
        )

    def load(self, section: str) -> dict[str, Any]:
        """The saved value of ``section``, or ``{}`` when nothing is saved.

        A damaged file is moved aside with a :class:`ProgressWarning`; a file from a newer
        course version, or one that cannot be read, raises :class:`ProgressError`.
        """
        if not self.path.exists():
            return {}
        try:
            with _locked(self._lock_path()):
                sections = self._read(repair=True)
        except OSError:  # cannot create the lock file (read-only home): read without repairing
            sections = self._read(repair=False)
        return dict(sections.get(section, {}))

    def sections(self) -> list[str]:
        """Names of the saved sections (a damaged file is treated as empty, not moved)."""
        return sorted(self._read(repair=False))

    # -- writing -------------------------------------------------------------------------
    def _lock_path(self) -> Path:
        return self.home / f"{FILE_NAME}.lock"

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

    def save(self, section: str, value: dict[str, Any]) -> None:
        """Replace ``section`` with ``value``, keeping every other section as it is on disk.

        Raises :class:`ProgressError` with a plain message if it cannot be saved.
        """
        if not isinstance(section, str) or not section.strip():
            raise ValueError("section must be a non-empty string such as 'exercise'")
        if not isinstance(value, dict):
            raise TypeError(f"value must be a dict, not {type(value).__name__}")
        self._ensure_home()
        try:
            with _locked(self._lock_path()):
                sections = self._read(repair=True)
                sections[section] = value
                self._write_json(self.path, {"format": FORMAT, "version": VERSION, "sections": sections})
        except OSError as exc:
            raise ProgressError(
                f"Could not save your answers in {self.home}: {os_error_reason(exc)}. Your text is still in "
                "the form; set MLWORKFLOW_HOME to a folder you can write to, or export a copy."
            ) from exc

    @staticmethod
    def _write_json(path: Path, data: Any) -> None:
        text = json.dumps(data, indent=1, sort_keys=True)  # ASCII-safe: any string survives
        atomic_write(path, text)

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


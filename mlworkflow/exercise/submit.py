"""Hand an exercise in to the workshop: one JSON file per learner in a folder the leader names.

The folder comes from the ``folder`` argument or ``$MLWORKFLOW_SUBMIT_DIR`` (a shared directory
on the hub, for example); the name from the argument or ``$MLWORKFLOW_LEARNER``. The file is
written atomically and named after the learner and a random id kept with their answers, so a
second submission replaces the first and two learners called "Sam" never overwrite each other.
It is readable by others as the learner's umask allows (the leader is often another Unix user),
except in a drop-box the leader made with ``mlworkflow collect --prepare FOLDER``
(:mod:`mlworkflow.leader.dropbox`): there it is readable by the leader's group only, and named
with a fresh random part, so classmates can neither list the folder nor open each other's files.
:func:`mlworkflow.leader.collect.collect` reads these files.

    >>> path = write_submission("/srv/shared/workshop", {"problem": "..."}, name="Sam")
"""

from __future__ import annotations

import json
import os
import re
import secrets
import stat
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from mlworkflow.core.progress import atomic_write, os_error_reason

__all__ = [
    "DROPBOX_FILE_MODE",
    "DROPBOX_MARKER",
    "FOLDER_ENV",
    "NAME_ENV",
    "SUBMISSION_FORMAT",
    "SUBMISSION_VERSION",
    "SubmitError",
    "is_dropbox",
    "learner_name",
    "new_learner_id",
    "submission_record",
    "submit_folder",
    "write_submission",
]

SUBMISSION_FORMAT = "mlworkflow-submission"
SUBMISSION_VERSION = 1
FOLDER_ENV = "MLWORKFLOW_SUBMIT_DIR"
NAME_ENV = "MLWORKFLOW_LEARNER"
MAX_NAME = 80
DROPBOX_MARKER = ".mlworkflow-dropbox.json"  # readable by name in a drop-box nobody but its owner can list
DROPBOX_FILE_MODE = 0o640  # the learner and the drop-box's group (the leader's): never other learners
_SLUG = re.compile(r"[^a-z0-9]+")
_ID = re.compile(r"^[a-z0-9]{6,32}$")


class SubmitError(Exception):
    """The exercise could not be handed in; the message says why and what to do instead."""


def submit_folder(folder: str | os.PathLike[str] | None = None) -> Path | None:
    """``folder`` if given, else ``$MLWORKFLOW_SUBMIT_DIR``, else None (no folder named yet)."""
    text = str(folder).strip() if folder is not None else os.environ.get(FOLDER_ENV, "").strip()
    return Path(text).expanduser() if text else None


def learner_name(name: str | None = None) -> str:
    """``name`` if given, else ``$MLWORKFLOW_LEARNER``; one tidy line of at most 80 characters."""
    raw = name if name is not None and name.strip() else os.environ.get(NAME_ENV, "")
    return " ".join(str(raw).split())[:MAX_NAME]


def new_learner_id() -> str:
    """A random id that keeps one learner's resubmissions in one file."""
    return secrets.token_hex(6)


def submission_record(fields: Mapping[str, str], name: str, learner_id: str,
                      when: datetime | None = None) -> dict[str, Any]:
    """The JSON-ready submission: who, when, and the statement's boxes (never a score)."""
    stamp = (when or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return {
        "format": SUBMISSION_FORMAT, "version": SUBMISSION_VERSION,
        "name": name, "learner_id": learner_id,
        "submitted_at": stamp.isoformat(timespec="seconds"),
        "statement": {str(k): "" if v is None else str(v) for k, v in fields.items()},
    }


def is_dropbox(folder: Path) -> bool:
    """``folder`` is a drop-box: setgid, with the marker file of the folder's owner in it (no listing needed).

    The owner check means a learner who drops a marker into an ordinary shared folder changes nothing.
    """
    try:
        info, marker = folder.stat(), (folder / DROPBOX_MARKER).lstat()
    except OSError:
        return False
    return bool(info.st_mode & stat.S_ISGID) and stat.S_ISREG(marker.st_mode) and marker.st_uid == info.st_uid


def _file_name(name: str, learner_id: str, suffix: str = "") -> str:
    slug = _SLUG.sub("-", name.lower()).strip("-")[:40] or "anonymous"
    return f"{slug}-{learner_id}{suffix}.json"


def _someone_elses(path: Path) -> bool:
    """``path`` exists and is not this user's own regular file (another learner's, or a link)."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return False
    except OSError:
        return True
    if not stat.S_ISREG(info.st_mode):
        return True
    return hasattr(os, "geteuid") and info.st_uid != os.geteuid()


def _target_path(folder: Path, name: str, learner_id: str, *, fresh: bool = False) -> Path:
    """The learner's own file: ``<name>-<id>.json``, or, when another account already holds that
    name (a copied id), a name with this account's uid in it, and failing that a fresh id.
    With ``fresh`` (a drop-box), ``<name>-<id>-<random>.json``: a new file nobody can guess."""
    while fresh:
        path = folder / _file_name(name, learner_id, f"-{secrets.token_hex(8)}")
        if not _someone_elses(path):
            return path
    path = folder / _file_name(name, learner_id)
    if not _someone_elses(path):
        return path
    if hasattr(os, "geteuid"):
        path = folder / _file_name(name, learner_id, f"-u{os.geteuid()}")
        if not _someone_elses(path):
            return path
    while True:
        path = folder / _file_name(name, new_learner_id())
        if not _someone_elses(path):
            return path


def write_submission(folder: str | os.PathLike[str] | None, fields: Mapping[str, str], *,
                     name: str | None = None, learner_id: str | None = None) -> Path:
    """Write the submission into the leader's folder and return its path.

    ``folder`` defaults to ``$MLWORKFLOW_SUBMIT_DIR`` and ``name`` to ``$MLWORKFLOW_LEARNER``;
    ``learner_id`` is the id kept with the learner's answers (a new one when missing or unsafe).

    Guarantees:

    * **Atomic**: the file is written beside its final name and renamed into place, so the
      leader never reads half a submission, and a failed write leaves the folder as it was.
    * **Readable by the leader** as the umask allows: mode 0666 less the learner's umask
      (0644 with the usual 022), like any file the learner creates; the folder's group applies
      if it is setgid. It is never made private (0600), nor more open than the umask says.
    * **In a drop-box** (``mlworkflow collect --prepare``; see :func:`is_dropbox`) the file is
      mode 0640 with the folder's group (the leader's), so no other learner can read it, and
      each hand-in is a new file with a random part in its name (the collector keeps each
      learner's latest). Nothing here needs to list the folder, which learners cannot.
    * **One file per learner**: handing in again with the same ``learner_id`` replaces the
      learner's own earlier file, and never another learner's: if another account already
      owns the file name (someone copied the id), the submission goes to a file of its own.
      (In a folder everyone may write to, use the sticky bit so learners cannot delete each
      other's files; ``mlworkflow collect --prepare FOLDER`` sets up such a folder.)

    Raises :class:`SubmitError` with a plain message, and writes nothing, when no folder is
    named, there is nothing to hand in, the folder does not exist, or it cannot be written.
    Nothing the learner typed is touched.

        >>> write_submission("/srv/shared/workshop", {"problem": "...", "outcome": "..."}, name="Sam")
        PosixPath('/srv/shared/workshop/sam-3f9c2a1b7d4e.json')
    """
    target = submit_folder(folder)
    if target is None:
        raise SubmitError(
            "No workshop folder is set, so nothing was sent. Type the folder your workshop leader "
            f"gave you in the folder box (or ask them to set {FOLDER_ENV}); or use “Export JSON” and "
            "send them the file. Your answers are still here."
        )
    if not any(str(v).strip() for v in fields.values()):
        raise SubmitError("There is nothing to hand in yet: the boxes are empty.")
    if not target.is_dir():
        raise SubmitError(
            f"The workshop folder {target} does not exist (or is not a folder), so nothing was sent. "
            "Check the folder name with your workshop leader. Your answers are still here."
        )
    learner_id = learner_id if learner_id and _ID.match(learner_id) else new_learner_id()
    who = learner_name(name)
    dropbox = is_dropbox(target)
    path = _target_path(target, who, learner_id, fresh=dropbox)
    text = json.dumps(submission_record(fields, who, learner_id), indent=1, ensure_ascii=False)
    try:
        if dropbox:  # written private (0600), then opened to the folder's group only: never world-readable
            atomic_write(path, text)
            os.chmod(path, DROPBOX_FILE_MODE)
        else:
            atomic_write(path, text, shared=True)  # the leader, another user, must be able to read it
    except OSError as exc:
        raise SubmitError(
            f"Could not hand in to {target}: {os_error_reason(exc)}. Your answers are still here; tell your "
            "workshop leader, or use “Export JSON” and send them the file."
        ) from exc
    return path

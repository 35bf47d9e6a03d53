"""A drop-box for hand-ins on a shared machine: learners can hand in, not look around.

Like nbgrader's exchange "inbound" folder. The leader runs ``mlworkflow collect --prepare FOLDER``
once; :func:`prepare_dropbox` makes FOLDER theirs with mode ``3733`` (``drwx-ws-wt``: setgid, sticky)
and a group only the leader is in (their primary group, or ``--group``):

* learners (other Unix users) may create files in it, but cannot list it (no ``r``), nor delete
  or rename a classmate's file (sticky bit);
* every new file gets the folder's group (setgid), and :func:`mlworkflow.write_submission`,
  seeing the marker file :data:`~mlworkflow.exercise.submit.DROPBOX_MARKER` (readable by name),
  makes it mode 0640 with a random part in its name: the leader reads it through the group, a
  classmate who guesses the name still cannot open it;
* the leader owns the folder, so ``mlworkflow collect FOLDER`` lists and reads everything.

What Unix permissions cannot do: when every learner's server runs as the *same* Unix user
(Zero to JupyterHub's default, uid 1000 "jovyan", with one shared volume), learners are one
account to the system, and any of them can read what another handed in, here or anywhere. Then
collect files another way (each learner's "Export JSON", sent to the leader), or give each learner
a separate uid.

    >>> box = prepare_dropbox("/srv/workshop/inbox")
    >>> print(box.instructions())
"""

from __future__ import annotations

import json
import os
import stat
import textwrap
from dataclasses import dataclass
from pathlib import Path

from mlworkflow.core.progress import atomic_write
from mlworkflow.exercise.submit import DROPBOX_FILE_MODE, DROPBOX_MARKER, FOLDER_ENV

__all__ = ["DROPBOX_MODE", "Dropbox", "DropboxError", "folder_problems", "prepare_dropbox"]

DROPBOX_MODE = 0o3733  # setgid + sticky, rwx for the leader, -wx for group and others
_SAME_USER = ("if every learner's server runs as the same Unix user (Zero to JupyterHub's default: uid 1000 "
              "with one shared volume), no folder permission can keep learners apart: any of them can read "
              "what another handed in. Then have learners use \u201cExport JSON\u201d and send you the file, "
              "or give each learner their own Unix user.")


class DropboxError(Exception):
    """The drop-box could not be set up safely; the message says why and what to do."""


@dataclass(frozen=True)
class Dropbox:
    """A prepared drop-box: where, whose group, and anything the leader should check."""

    folder: Path
    group: str
    created: bool
    notes: tuple[str, ...] = ()

    def instructions(self) -> str:
        """What to tell learners and how to collect, in plain words."""
        made = "Created" if self.created else "Checked"
        lines = [
            f"{made} the drop-box {self.folder}",
            f"  yours, group {self.group}, mode drwx-ws-wt (3733): learners can hand in, but cannot list it or",
            f"  open a classmate's file; each hand-in is readable by you (group {self.group}) only.",
            *(f"  note: {n}" for n in self.notes),
            "",
            "Give learners this setting (the exercise's folder box then fills itself):",
            f"  {FOLDER_ENV}={self.folder}",
            "  On a JupyterHub, set it for everyone in jupyterhub_config.py:",
            f"  c.Spawner.environment = {{\"{FOLDER_ENV}\": \"{self.folder}\"}}",
            "  (the folder must be at that path inside every learner's server).",
            "",
            "To collect, run as yourself (you own the folder; learners cannot read the summary either):",
            f"  mlworkflow collect {self.folder}",
            "",
            *textwrap.wrap("A limit: " + _SAME_USER, width=100, subsequent_indent="  "),
        ]
        return "\n".join(lines)


def folder_problems(mode: int, owner: int, group: int, *, leader: int, gid: int) -> list[str]:
    """What makes an existing folder (its ``mode``, ``owner`` uid and ``group`` gid) unsafe as a drop-box.

    Empty when it is exactly a drop-box of ``leader`` (uid) and group ``gid``.
    """
    problems = []
    if owner != leader:
        problems.append("it belongs to another account")
    if group != gid:
        problems.append("its group is not the drop-box's group")
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        problems.append("other accounts can list the files in it")
    if not mode & stat.S_ISVTX:
        problems.append("learners could delete or rename each other's files (no sticky bit)")
    if not mode & stat.S_ISGID:
        problems.append("new files would not get the drop-box's group, so you could not read them (no setgid bit)")
    if mode & 0o333 != 0o333:
        problems.append("learners cannot hand in to it (they need write and search permission)")
    if not problems and stat.S_IMODE(mode) != DROPBOX_MODE:
        problems.append(f"its mode is {stat.S_IMODE(mode):04o}, not {DROPBOX_MODE:04o}")
    return problems


def _group(group: str | None) -> tuple[int, str, bool]:
    """The drop-box's gid and name, and whether it was chosen (``--group``) or is the leader's own."""
    import grp

    if group is None:
        gid = os.getegid()
        try:
            return gid, grp.getgrgid(gid).gr_name, False
        except KeyError:
            return gid, str(gid), False
    try:
        entry = grp.getgrgid(int(group)) if group.isdigit() else grp.getgrnam(group)
    except KeyError:
        raise DropboxError(f"there is no group {group!r} on this machine. Make one only you are in: "
                           f"sudo groupadd {group} && sudo usermod -aG {group} $USER (then log in again)") from None
    if os.geteuid() != 0 and entry.gr_gid != os.getegid() and entry.gr_gid not in os.getgroups():
        raise DropboxError(f"you are not in the group {entry.gr_name}, so you could not read the hand-ins. "
                           f"Join it (sudo usermod -aG {entry.gr_name} $USER, then log in again), "
                           "or leave out --group to use your own group")
    return entry.gr_gid, entry.gr_name, True


def _other_members(gid: int) -> list[str]:
    """Accounts other than this one in group ``gid`` (listed in it, or with it as their primary group)."""
    import grp
    import pwd

    try:
        me = pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        me = ""
    try:
        listed = set(grp.getgrgid(gid).gr_mem)
    except KeyError:
        listed = set()
    primary = {p.pw_name for p in pwd.getpwall() if p.pw_gid == gid}
    return sorted((listed | primary) - {me})


def _unreachable(folder: Path) -> Path | None:
    """The first folder above ``folder`` that other accounts cannot pass through (no ``x`` for others)."""
    for parent in reversed(folder.parents):
        try:
            if not parent.stat().st_mode & stat.S_IXOTH:
                return parent
        except OSError:
            return parent
    return None


def _write_marker(folder: Path) -> None:
    marker = folder / DROPBOX_MARKER
    text = json.dumps({"format": "mlworkflow-dropbox", "version": 1, "file_mode": f"{DROPBOX_FILE_MODE:04o}",
                       "about": "Hand-ins here are readable by the workshop leader only "
                                "(made by: mlworkflow collect --prepare)."}, indent=1)
    atomic_write(marker, text)
    os.chmod(marker, 0o644)  # learners read it by name to know the folder is a drop-box


def _make(path: Path, gid: int) -> None:
    """Create ``path`` as a drop-box with group ``gid``; on failure, leave nothing behind."""
    try:
        path.mkdir(parents=True)
    except OSError as exc:
        raise DropboxError(f"cannot create the drop-box {path}: {exc.strerror or exc}") from exc
    try:
        os.chown(path, -1, gid)
        os.chmod(path, DROPBOX_MODE)  # after chown: changing the group can clear setgid
    except OSError as exc:
        path.rmdir()
        raise DropboxError(f"cannot set up the drop-box {path}: {exc.strerror or exc}") from exc


def _refuse(folder: Path, problems: list[str], group: str) -> DropboxError:
    return DropboxError(
        f"{folder} already exists and is not safe as a drop-box: {'; '.join(problems)}. "
        f"If it is yours and holds nothing yet, fix it with: chgrp {group} {folder} && chmod 3733 {folder} "
        f"(then run this again); files already in it keep their own permissions. "
        f"Or choose a new folder: mlworkflow collect --prepare NEW_FOLDER"
    )


def prepare_dropbox(folder: str | os.PathLike[str], group: str | None = None) -> Dropbox:
    """Create (or check) ``folder`` as a drop-box owned by this account; see the module's docstring.

    ``group`` (a name or gid) must be one you are in and learners are not; by default your own
    primary group, refused when other accounts share it. Running it again on a drop-box is safe.
    Raises :class:`DropboxError` with the reason and the fix, changing nothing, when it cannot.
    """
    path = Path(folder).expanduser().absolute()
    gid, name, chosen = _group(group)
    others = _other_members(gid)
    notes = []
    if others and not chosen:
        raise DropboxError(
            f"your group {name} also holds {', '.join(others[:5])}{' and others' if len(others) > 5 else ''}, "
            "who could then read every hand-in. Use a group only you (and any co-leaders) are in: sudo groupadd "
            "mlw-leaders && sudo usermod -aG mlw-leaders $USER, log in again, then add --group mlw-leaders"
        )
    if others:
        notes.append(f"group {name} also holds {', '.join(others[:5])}: they can read every hand-in too")
    created = not (path.exists() or path.is_symlink())
    if created:
        _make(path, gid)
    elif path.is_symlink() or not path.is_dir():
        raise DropboxError(f"{path} exists and is not a folder (or is a link); choose another place")
    info = path.stat()
    problems = folder_problems(info.st_mode, info.st_uid, info.st_gid, leader=os.geteuid(), gid=gid)
    if problems and created:  # the file system did not keep the mode (some network mounts ignore it)
        raise DropboxError(f"made {path}, but its permissions did not stay as set: {'; '.join(problems)}. "
                           "Choose a folder on a local disk, or ask the machine's administrator")
    if problems:
        raise _refuse(path, problems, name)
    try:
        _write_marker(path)
    except OSError as exc:
        raise DropboxError(f"cannot write {DROPBOX_MARKER} into {path}: {exc.strerror or exc}") from exc
    if os.geteuid() == 0:
        notes.append("you ran this as root, so root owns the drop-box: collect as root too, or run it again "
                     "as the leader's own account in a new folder")
    blocked = _unreachable(path)
    if blocked is not None:
        notes.append(f"learners cannot reach it: {blocked} does not let other accounts through "
                     f"(chmod o+x {blocked}, or choose a folder under /srv or a shared volume)")
    return Dropbox(path, name, created, tuple(notes))

"""The drop-box (``mlworkflow collect --prepare``): learners hand in, cannot look around; the leader reads all.

The unit tests run anywhere. The last test is the real thing, across Unix accounts: it needs root
(to create a leader and learners with ``useradd`` and run as them with ``setpriv``), as in CI, and
reuses the accounts fixture (``room``) of ``tests/reliability/test_two_users.py``. Elsewhere it
skips and says why.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import sys
from pathlib import Path

import pytest
from reliability.test_two_users import _SUBMIT as SUBMIT
from reliability.test_two_users import _collect as collect_as_leader
from reliability.test_two_users import room  # noqa: F401  (the accounts: a leader and learners)
from statements import STRONG

from mlworkflow import cli
from mlworkflow.core.progress import current_umask
from mlworkflow.exercise.submit import DROPBOX_MARKER, is_dropbox, write_submission
from mlworkflow.leader import dropbox
from mlworkflow.leader.dropbox import DROPBOX_MODE, DropboxError, folder_problems, prepare_dropbox

DIR = stat.S_IFDIR
ME = os.geteuid() if hasattr(os, "geteuid") else 0
WEAK = {"problem": "We want to use AI to improve the customer experience.",
        "outcome": "A model with 95% accuracy.", "data_sources": "Our customer data."}
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="Unix permissions")


@pytest.fixture(autouse=True)
def _alone_in_my_group(monkeypatch):
    """Unit tests don't depend on who else is in this machine's groups (one test sets it)."""
    monkeypatch.setattr(dropbox, "_other_members", lambda gid: [])


# ------------------------------------------------------------------ pure: what makes a folder unsafe


def test_a_drop_box_has_no_problems():
    assert folder_problems(DIR | DROPBOX_MODE, 1000, 50, leader=1000, gid=50) == []


@pytest.mark.parametrize("mode, owner, group, said", [
    (0o1777, 1000, 50, ["other accounts can list", "no setgid bit"]),  # like /tmp
    (0o2770, 1000, 50, ["no sticky bit", "cannot hand in"]),  # a class-group folder
    (0o3777, 1000, 50, ["other accounts can list"]),
    (0o3773, 1000, 50, ["other accounts can list"]),  # the group may list
    (0o3733, 1001, 50, ["another account"]),
    (0o3733, 1000, 51, ["group is not"]),
    (0o3731, 1000, 50, ["cannot hand in"]),
    (0o3333, 1000, 50, ["its mode is 3333"]),  # not even the leader could list it
])
def test_unsafe_folders_are_named(mode, owner, group, said):
    problems = " ".join(folder_problems(DIR | mode, owner, group, leader=1000, gid=50))
    for words in said:
        assert words in problems


# ------------------------------------------------------------------ preparing the folder


def test_prepare_creates_the_drop_box_and_says_what_to_do(tmp_path):
    folder = tmp_path / "inbox"
    box = prepare_dropbox(folder)
    info = folder.stat()
    assert stat.S_IMODE(info.st_mode) == DROPBOX_MODE and info.st_uid == ME and info.st_gid == os.getegid()
    marker = folder / DROPBOX_MARKER
    assert stat.S_IMODE(marker.stat().st_mode) == 0o644
    assert json.loads(marker.read_text())["format"] == "mlworkflow-dropbox"
    assert box.created and is_dropbox(folder)
    text = box.instructions()
    assert f"MLWORKFLOW_SUBMIT_DIR={folder}" in text and f"mlworkflow collect {folder}" in text
    assert "cannot list" in text and "same Unix user" in text and "Export JSON" in text
    again = prepare_dropbox(folder)  # running it twice is fine
    assert not again.created and again.instructions().startswith(f"Checked the drop-box {folder}")


def test_prepare_refuses_an_unsafe_folder_and_changes_nothing(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o1777)
    (folder / "ana.json").write_text("{}")
    with pytest.raises(DropboxError, match="not safe as a drop-box") as caught:
        prepare_dropbox(folder)
    assert "chmod 3733" in str(caught.value) and "--prepare NEW_FOLDER" in str(caught.value)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o1777 and not (folder / DROPBOX_MARKER).exists()
    (tmp_path / "file").write_text("x")
    with pytest.raises(DropboxError, match="not a folder"):
        prepare_dropbox(tmp_path / "file")


def test_a_group_shared_with_others_is_refused_unless_chosen(tmp_path, monkeypatch):
    monkeypatch.setattr(dropbox, "_other_members", lambda gid: ["ana", "bob"])
    with pytest.raises(DropboxError, match="also holds ana, bob"):
        prepare_dropbox(tmp_path / "inbox")
    assert not (tmp_path / "inbox").exists()
    box = prepare_dropbox(tmp_path / "inbox", group=str(os.getegid()))  # chosen on purpose: said, not refused
    assert any("ana, bob" in note for note in box.notes)


def test_an_unknown_group_is_a_clear_error(tmp_path):
    with pytest.raises(DropboxError, match="no group 'no-such-group-mlw'"):
        prepare_dropbox(tmp_path / "inbox", group="no-such-group-mlw")


def test_a_folder_learners_cannot_reach_is_said(tmp_path):
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    box = prepare_dropbox(private / "inbox")
    said = [n for n in box.notes if "learners cannot reach it" in n]
    assert len(said) == 1  # it names the first folder on the way that is closed (pytest's own may be)
    blocked = Path(said[0].split(": ", 1)[1].split(" does not", 1)[0])
    assert blocked in (private, *private.parents) and not blocked.stat().st_mode & stat.S_IXOTH


# ------------------------------------------------------------------ handing in to a drop-box


def test_hand_ins_are_group_only_fresh_files_and_need_no_listing(tmp_path, monkeypatch):
    folder = tmp_path / "inbox"
    prepare_dropbox(folder)

    def no_listing(*args, **kwargs):
        raise PermissionError(13, "Permission denied (learners cannot list a drop-box)")

    monkeypatch.setattr(os, "listdir", no_listing)
    monkeypatch.setattr(os, "scandir", no_listing)
    first = write_submission(folder, STRONG, name="Ana", learner_id="anaid00001")
    second = write_submission(folder, WEAK, name="Ana", learner_id="anaid00001")
    monkeypatch.undo()
    assert first != second and first.exists() and second.exists()
    for path in (first, second):
        assert re.fullmatch(r"ana-anaid00001-[0-9a-f]{16}\.json", path.name)
        assert stat.S_IMODE(path.stat().st_mode) == 0o640 and path.stat().st_gid == folder.stat().st_gid
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_a_marker_in_an_ordinary_folder_changes_nothing(tmp_path):
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / DROPBOX_MARKER).write_text("{}")
    assert not is_dropbox(folder)  # no setgid bit: not made by --prepare
    path = write_submission(folder, STRONG, name="Ana", learner_id="anaid00001")
    assert path.name == "ana-anaid00001.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~current_umask()


@pytest.mark.skipif(ME != 0, reason="giving the marker to another account needs root")
def test_a_marker_planted_by_someone_else_is_ignored(tmp_path):
    folder = tmp_path / "inbox"
    prepare_dropbox(folder)
    os.chown(folder / DROPBOX_MARKER, 4242, -1)  # not the folder's owner: a learner's file
    assert not is_dropbox(folder)


# ------------------------------------------------------------------ the command


def test_collect_prepare_command(tmp_path, capsys):
    folder = tmp_path / "inbox"
    assert cli.main(["collect", "--prepare", str(folder)]) == 0
    out = capsys.readouterr().out
    assert f"MLWORKFLOW_SUBMIT_DIR={folder}" in out and is_dropbox(folder)
    write_submission(folder, STRONG, name="Ana", learner_id="anaid00001")
    assert cli.main(["collect", str(folder), "--out", str(tmp_path / "out")]) == 0
    assert "1 statement submitted." in capsys.readouterr().out

    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    assert cli.main(["collect", "--prepare", str(shared)]) == 1
    err = capsys.readouterr().err
    assert "chmod 3733" in err and "Traceback" not in err
    assert cli.main(["collect", "--prepare", str(folder), str(folder)]) == 2
    assert cli.main(["collect"]) == 2
    assert "mlworkflow collect FOLDER" in capsys.readouterr().err
    assert cli.main(["collect", str(folder), "--group", "staff"]) == 2


# ------------------------------------------------------------------ for real: a leader and two learners

_TOOLS = ("useradd", "userdel", "groupadd", "groupdel", "setpriv")
_LIST = "import os, sys; os.listdir(sys.argv[1])"
_READ = "import sys; open(sys.argv[1], 'rb').read()"
_DELETE = "import os, sys; os.unlink(sys.argv[1])"


@pytest.mark.timeout(180)
@pytest.mark.skipif(sys.platform != "linux", reason="needs Linux accounts (useradd and setpriv)")
@pytest.mark.skipif(ME != 0, reason="creating Unix users needs root (CI runs these tests as root)")
@pytest.mark.skipif(any(shutil.which(t) is None for t in _TOOLS),
                    reason=f"needs {', '.join(_TOOLS)} to create users and run as them")
def test_learners_hand_in_cannot_look_and_the_leader_collects_all(room):  # noqa: F811 (the imported fixture)
    """Learners are not in the leader's own group (the drop-box's), as on a hub with one Unix user each."""
    leader, ana, bob = room.leader, room.learners["ana"], room.learners["bob"]
    home = room.base / "leader-home"  # the leader's own place, which others may pass through
    home.mkdir()
    os.chown(home, leader.uid, leader.gid)
    folder = home / "inbox"
    done = room.run(leader, "-m", "mlworkflow", "collect", "--prepare", str(folder))
    assert f"MLWORKFLOW_SUBMIT_DIR={folder}" in done.stdout
    info = folder.stat()  # the leader's own group: ana and bob are not in it
    assert (stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid) == (DROPBOX_MODE, leader.uid, leader.gid)

    mine = Path(room.run(ana, "-c", SUBMIT, str(folder), "Ana", "anaid00001",
                         json.dumps(STRONG)).stdout.strip())
    assert stat.S_IMODE(mine.stat().st_mode) == 0o640 and mine.stat().st_uid == ana.uid
    for code, what in ((_LIST, folder), (_READ, mine), (_DELETE, mine)):
        refused = room.run(bob, "-c", code, str(what), check=False)
        assert refused.returncode != 0 and "PermissionError" in refused.stderr, (code, refused.stdout)
    room.run(bob, "-c", _READ, str(folder / DROPBOX_MARKER))  # the marker is readable by name
    theirs = Path(room.run(bob, "-c", SUBMIT, str(folder), "Bob", "bobid00001",
                           json.dumps(WEAK)).stdout.strip())
    refused = room.run(ana, "-c", _READ, str(theirs), check=False)
    assert refused.returncode != 0 and "PermissionError" in refused.stderr

    again = Path(room.run(ana, "-c", SUBMIT, str(folder), "Ana", "anaid00001", json.dumps(WEAK)).stdout.strip())
    assert again != mine  # a new file; the collector keeps each learner's latest

    status, out, err, read = collect_as_leader(room, folder)
    assert status == 0, (out, err)
    assert len(read) == 2 and "2 statements submitted, 1 file skipped" in out, out
    assert "an earlier submission from the same learner" in out and "could not be read" not in out
    assert room.run(leader, "-m", "mlworkflow", "collect", "--prepare", str(folder)).returncode == 0  # again: fine

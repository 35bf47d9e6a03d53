"""Submit and collect across Unix accounts, as on a JupyterHub: learners hand in, the leader reads.

Issue 13. Run as root (as in CI): the test creates a class group, three learners and a leader,
has each learner call ``mlworkflow.write_submission`` as themselves (``setpriv``) into a shared
drop folder laid out the two usual ways, then runs ``python -m mlworkflow collect`` as the
leader. It checks that every statement is read, a file a learner made unreadable is reported by
name with exit status 1, and a copied learner id cannot hide a classmate. The accounts and
folders are removed afterwards, whatever happens. Elsewhere it skips and says why.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from statements import STRONG

import mlworkflow

REPO = Path(mlworkflow.__file__).resolve().parents[1]
TOOLS = ("useradd", "userdel", "groupadd", "groupdel", "setpriv")
WEAK = {"problem": "We want to use AI to improve the customer experience.",
        "outcome": "A model with 95% accuracy.", "data_sources": "Our customer data."}
OTHER = {"problem": "Dispatchers at our courier firm plan 400 routes by hand each morning, which takes two hours.",
         "outcome": "Cut planning time from two hours to 30 minutes within three months.",
         "data_sources": "Two years of delivery logs and GPS traces from the dispatch system."}

_missing = [t for t in TOOLS if shutil.which(t) is None]
pytestmark = [
    pytest.mark.skipif(sys.platform != "linux", reason="needs Linux accounts (useradd and setpriv)"),
    pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                       reason="creating Unix users needs root (CI runs these tests as root)"),
    pytest.mark.skipif(bool(_missing), reason=f"needs {', '.join(_missing)} to create users and run as them"),
    pytest.mark.timeout(180),
]


@dataclass(frozen=True)
class Account:
    name: str
    uid: int
    gid: int


@dataclass(frozen=True)
class Room:
    """The class: its group, learners and leader, a Python they can all run, and a scratch folder."""

    group: str
    gid: int
    learners: dict[str, Account]
    leader: Account
    python: str
    base: Path

    def run(self, who: Account, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``python args...`` as ``who`` (their uid, gid and groups), with umask 022."""
        env = {"PATH": "/usr/bin:/bin", "HOME": str(self.base), "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
               "PYTHONPATH": os.pathsep.join([str(REPO), sysconfig.get_paths()["purelib"]])}
        cmd = ["setpriv", f"--reuid={who.uid}", f"--regid={who.gid}", "--init-groups", "--",
               "sh", "-c", 'umask 022 && exec "$@"', "sh", self.python, *args]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=90, cwd=self.base)
        if check and done.returncode:
            raise AssertionError(f"{who.name}: {args[:2]} exited {done.returncode}\n{done.stdout}\n{done.stderr}")
        return done


_SUBMIT = """
import json, sys
from mlworkflow import write_submission
folder, name, learner_id, fields = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
print(write_submission(folder, fields, name=name, learner_id=learner_id))
"""


def _sh(*cmd: str) -> None:
    subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=30)


def _python_for(probe: Account, group: str, base: Path) -> str | None:
    """An interpreter of this Python version that an unprivileged user can run (ours may sit in /root)."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (sys.executable, shutil.which(f"python{version}"), f"/usr/bin/python{version}"):
        if not candidate or not Path(candidate).exists():
            continue
        room = Room(group, probe.gid, {}, probe, candidate, base)
        done = room.run(probe, "-c", "import mlworkflow.leader.collect, mlworkflow.exercise.submit", check=False)
        if done.returncode == 0:
            return candidate
    return None


@pytest.fixture(scope="module")
def room() -> Iterator[Room]:
    tag = secrets.token_hex(3)
    group = f"mlwt{tag}cls"
    created: list[str] = []
    have_group = False
    base = Path(tempfile.mkdtemp(prefix="mlworkflow-two-users-"))
    try:
        try:
            _sh("groupadd", group)
            have_group = True
            for who in ("ana", "bob", "cy", "dee", "lead"):
                _sh("useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", "--user-group",
                    "--groups", group, f"mlwt{tag}{who}")
                created.append(f"mlwt{tag}{who}")
        except (subprocess.CalledProcessError, OSError) as exc:
            pytest.skip(f"could not create test users here: {getattr(exc, 'stderr', '') or exc}")
        import grp
        import pwd

        accounts = {n[len(f"mlwt{tag}"):]: Account(n, pwd.getpwnam(n).pw_uid, pwd.getpwnam(n).pw_gid) for n in created}
        base.chmod(0o755)
        python = _python_for(accounts["lead"], group, base)
        if python is None:
            pytest.skip(f"no Python {sys.version_info.major}.{sys.version_info.minor} that another user may run "
                        f"(this one, {sys.executable}, is not reachable for them)")
        leader = accounts.pop("lead")
        yield Room(group, grp.getgrnam(group).gr_gid, accounts, leader, python, base)
    finally:
        for name in created:
            subprocess.run(["userdel", name], capture_output=True, timeout=30)
        if have_group:
            subprocess.run(["groupdel", group], capture_output=True, timeout=30)
        shutil.rmtree(base, ignore_errors=True)


def _drop(room: Room, layout: str) -> Path:
    """The folder learners hand in to, as a hub admin would set it up."""
    folder = room.base / layout
    folder.mkdir()
    if layout == "setgid-group":  # the class group may write; new files get the group (chmod 2770)
        os.chown(folder, room.leader.uid, room.gid)
        folder.chmod(0o2770)
    else:  # anyone may write, nobody may delete another's file (chmod 1777, like /tmp)
        os.chown(folder, room.leader.uid, room.leader.gid)
        folder.chmod(0o1777)
    return folder


def _submit(room: Room, who: str, folder: Path, name: str, learner_id: str, fields: dict[str, str]) -> Path:
    out = room.run(room.learners[who], "-c", _SUBMIT, str(folder), name, learner_id, json.dumps(fields))
    return Path(out.stdout.strip())


def _collect(room: Room, folder: Path) -> tuple[int, str, str, dict[str, str]]:
    """Exit status, stdout, stderr, and each read file with its line in "Read (when each came in ...)"."""
    out = room.base / f"{folder.name}-summary"
    out.mkdir(exist_ok=True)
    os.chown(out, room.leader.uid, room.leader.gid)
    done = room.run(room.leader, "-m", "mlworkflow", "collect", str(folder), "--out", str(out), "--show-names",
                    check=False)  # the leader checks who handed in: file names are shown
    read: dict[str, str] = {}
    section = False
    for line in done.stdout.splitlines():
        if line.startswith("Read (when each came in"):
            section = True
        elif section and line.startswith("  "):
            file, _, rest = line.strip().partition(": ")
            read[file.split(" (")[0]] = rest  # "ana-….json (Ana)": names are shown
        else:
            section = False
    return done.returncode, done.stdout, done.stderr, read


@pytest.mark.parametrize("layout", ["setgid-group", "sticky-world"])
def test_every_statement_is_read_and_nobody_can_hide_a_classmate(room, layout):
    folder = _drop(room, layout)
    ana = _submit(room, "ana", folder, "Ana", "anaid00001", STRONG)
    bob = _submit(room, "bob", folder, "Bob", "bobid00001", WEAK)
    cy = _submit(room, "cy", folder, "Cy", "cyid000001", STRONG)  # Ana's pair: the same words
    assert ana.stat().st_mode & 0o777 == 0o644 and ana.stat().st_uid == room.learners["ana"].uid
    ana_bytes = ana.read_bytes()

    # Bob copies Ana's id and name: write_submission never replaces her file ...
    forged = _submit(room, "bob", folder, "Ana", "anaid00001", OTHER)
    assert forged != ana and ana.read_bytes() == ana_bytes and ana.stat().st_uid == room.learners["ana"].uid
    # ... and a hand-made file with her id and a later time does not hide her either.
    record = json.loads(ana_bytes) | {"submitted_at": "2099-01-01T00:00:00+00:00", "statement": WEAK}
    room.run(room.learners["bob"], "-c", "import sys, pathlib; pathlib.Path(sys.argv[1]).write_text(sys.argv[2])",
             str(folder / "zz-ana-later.json"), json.dumps(record))

    status, out, err, read = _collect(room, folder)
    assert status == 0, (out, err)
    assert set(read) == {ana.name, bob.name, cy.name, "zz-ana-later.json"}, out  # Bob's later file replaced his first
    assert f"{forged.name}: an earlier submission from the same learner (kept zz-ana-later.json)" in out
    assert "the same learner id as zz-ana-later.json, but written by another account" in read[ana.name]
    assert f"same text as {cy.name}" in read[ana.name] and f"same text as {ana.name}" in read[cy.name]
    assert "4 statements submitted" in out and "UTC" in read[ana.name]

    # Dee hands in, then makes her file unreadable: it is named, with the reason, and the exit status says so.
    dee = _submit(room, "dee", folder, "Dee", "deeid00001", OTHER)
    room.run(room.learners["dee"], "-c", "import os, sys; os.chmod(sys.argv[1], 0)", str(dee))
    status, out, err, read = _collect(room, folder)
    assert status == 1 and dee.name not in read
    assert "4 statements submitted, 1 file skipped, 1 file could not be read" in out
    assert f"{dee.name}: could not be read (Permission denied)" in out and "permissions ----------" in out
    assert "could not be read" in err
    summary = (room.base / f"{folder.name}-summary" / "class-summary.md").read_text(encoding="utf-8")
    assert "1 file could not be read" in summary and "Read this first" in summary


def test_nothing_readable_is_said_and_fails(room):
    folder = _drop(room, "sticky-private")
    # A learner whose umask keeps every file private (077): the leader cannot read the file.
    code = f"import os; os.umask(0o077); exec({_SUBMIT!r})"
    room.run(room.learners["ana"], "-c", code, str(folder), "Ana", "anaid00002", json.dumps(STRONG))
    status, out, err, read = _collect(room, folder)
    assert status == 1 and read == {}
    assert "0 statements submitted, 1 file could not be read" in out
    assert "No statement was read: no file in the folder could be read." in out
    assert "no statement was read" in err

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlworkflow import cli
from mlworkflow.cli import doctor
from mlworkflow.cli.workspace import MANIFEST, copy_course, course_notebooks, notebooks_dir


def _fake_course(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    (src / "facilitator").mkdir(parents=True)
    for name, body in [("00_course_map.ipynb", "map v1"), ("01_problem.ipynb", "p v1"), ("facilitator/pulse.ipynb", "x")]:
        (src / name).write_text(body)
    (src / ".ipynb_checkpoints").mkdir()
    (src / ".ipynb_checkpoints" / "00_course_map-checkpoint.ipynb").write_text("junk")
    return src


def test_start_copies_the_course_then_keeps_edits_and_updates_untouched(tmp_path):
    src, work = _fake_course(tmp_path), tmp_path / "work"
    first = copy_course(work, src)
    assert sorted(first.copied) == ["00_course_map.ipynb", "01_problem.ipynb"]  # no leader's notebooks
    assert not (work / "facilitator").exists()
    assert not (work / ".ipynb_checkpoints").exists()
    assert (work / MANIFEST).exists()

    (work / "01_problem.ipynb").write_text("my answers")  # the learner edits one notebook
    (src / "01_problem.ipynb").write_text("p v2")  # and the course gets a new version of both
    (src / "00_course_map.ipynb").write_text("map v2")
    second = copy_course(work, src)
    assert second.skipped == ["01_problem.ipynb"] and (work / "01_problem.ipynb").read_text() == "my answers"
    assert second.updated == ["00_course_map.ipynb"] and (work / "00_course_map.ipynb").read_text() == "map v2"
    assert "kept your edited copy of 01_problem.ipynb" in "\n".join(second.lines())

    (work / "00_course_map.ipynb").unlink()  # deleting a copy brings a fresh one back
    third = copy_course(work, src)
    assert third.copied == ["00_course_map.ipynb"] and third.skipped == ["01_problem.ipynb"]


def test_start_leader_also_copies_the_facilitator_notebooks(tmp_path, capsys):
    src, work = _fake_course(tmp_path), tmp_path / "work"
    assert copy_course(work, src, leader=True).copied == [
        "00_course_map.ipynb", "01_problem.ipynb", "facilitator/pulse.ipynb"]
    assert copy_course(work, src).unchanged == ["00_course_map.ipynb", "01_problem.ipynb"]  # kept, not removed
    assert (work / "facilitator" / "pulse.ipynb").exists()
    target = tmp_path / "leader"
    assert cli.main(["start", "--no-lab", "--leader", "--dir", str(target)]) == 0
    assert any(p.parent.name == "facilitator" for p in target.rglob("*.ipynb")) == (notebooks_dir() / "facilitator").is_dir()


def test_existing_files_without_manifest_are_never_overwritten(tmp_path):
    src, work = _fake_course(tmp_path), tmp_path / "work"
    work.mkdir()
    (work / "00_course_map.ipynb").write_text("someone's own notebook")
    report = copy_course(work, src)
    assert report.skipped == ["00_course_map.ipynb"]
    assert (work / "00_course_map.ipynb").read_text() == "someone's own notebook"


def test_shipped_notebooks_are_found_in_course_order():
    names = [p.as_posix() for p in course_notebooks(notebooks_dir())]
    assert names[0] == "00_course_map.ipynb"


def test_lab_command(monkeypatch):
    cmd = cli.lab_command(Path("/tmp/c"), port=8899, no_browser=True, extra=["--ServerApp.ip=127.0.0.1"])
    assert cmd[:3] == [sys.executable, "-m", "jupyterlab"]
    assert "--ServerApp.root_dir=/tmp/c" in cmd and "--port=8899" in cmd and "--no-browser" in cmd
    assert "--LabApp.default_url=/lab/tree/00_course_map.ipynb" in cmd and cmd[-1] == "--ServerApp.ip=127.0.0.1"
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert "--allow-root" in cli.lab_command(Path("/tmp/c"))
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert "--allow-root" not in cli.lab_command(Path("/tmp/c"))


def test_start_passes_options_through_to_jupyterlab(tmp_path, monkeypatch, capsys):
    seen = {}

    class Replaced(Exception):
        """os.execv never returns: the process becomes JupyterLab."""

    def fake_execv(exe, cmd):
        seen.update(cmd=cmd)
        raise Replaced

    monkeypatch.setattr(os, "execv", fake_execv)
    monkeypatch.setattr(cli.subprocess, "call", lambda cmd: pytest.fail("would start a real JupyterLab"))
    with pytest.raises(Replaced):
        cli.main(["start", "--dir", str(tmp_path / "c"), "--no-browser", "--port", "9123", "--", "--ServerApp.ip=127.0.0.1"])
    assert "--no-browser" in seen["cmd"] and "--port=9123" in seen["cmd"] and seen["cmd"][-1] == "--ServerApp.ip=127.0.0.1"
    assert "copied" in capsys.readouterr().out
    assert (tmp_path / "c" / "00_course_map.ipynb").exists()


def test_start_no_lab_only_copies_and_says_what_it_skipped(tmp_path, capsys):
    target = tmp_path / "course"
    assert cli.main(["start", "--no-lab", "--dir", str(target)]) == 0
    (target / "00_course_map.ipynb").write_text("edited")
    assert cli.main(["start", "--no-lab", "--dir", str(target)]) == 0
    out = capsys.readouterr().out
    assert "kept your edited copy of 00_course_map.ipynb" in out


def test_start_into_an_unwritable_place_is_a_clear_message(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert cli.main(["start", "--no-lab", "--dir", str(blocker / "course")]) == 1
    assert "cannot set up the course folder" in capsys.readouterr().err


def test_doctor_all_good_here(tmp_path, capsys):
    assert cli.main(["doctor", "--dir", str(tmp_path / "c")]) == 0
    out = capsys.readouterr().out
    assert "ok    Widgets in JupyterLab" in out and "ok    Diagrams: drawn by" in out
    assert "All good" in out or "Ready" in out
    assert not (tmp_path / "c").exists()  # checking changes nothing


def test_doctor_fails_when_widgets_frontend_missing(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("jupyter_core.paths.jupyter_path", lambda *a: [str(tmp_path / "empty")])
    assert cli.main(["doctor", "--dir", str(tmp_path / "c")]) == 1
    out = capsys.readouterr().out
    assert "FAIL  Widgets in JupyterLab" in out and "fix: pip install jupyterlab_widgets" in out
    assert "problem(s) would stop a learner" in out


def test_doctor_reports_missing_package_and_unwritable_home(tmp_path, monkeypatch):
    monkeypatch.setitem(doctor.REQUIRED_PACKAGES, "surely-not-installed-pkg", "testing")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("MLWORKFLOW_HOME", str(blocker / "home"))
    checks = {c.what: c for c in doctor.run_checks(tmp_path / "c")}
    assert checks["surely-not-installed-pkg"].status == "fail"
    assert checks["Saved answers"].status == "fail" and "not writable" in checks["Saved answers"].detail


def test_doctor_warns_when_no_graphviz(monkeypatch):
    monkeypatch.setenv("MLWORKFLOW_GRAPHVIZ", "none")
    check = doctor.check_graphviz()
    assert check.status == "warn" and "shown as text" in check.detail


def test_console_script_runs():
    out = subprocess.run([sys.executable, "-m", "mlworkflow", "--help"], capture_output=True, text=True, check=True).stdout
    assert "start" in out and "doctor" in out


def test_present_runs_voila_with_the_presenter_template(tmp_path, monkeypatch, capsys):
    from mlworkflow.leader import presenter

    seen = {}

    class Replaced(Exception):
        """os.execve never returns: the process becomes Voila."""

    def fake_execve(exe, cmd, env):
        seen.update(cmd=cmd, env=env)
        raise Replaced

    monkeypatch.setattr(os, "execve", fake_execve)
    with pytest.raises(Replaced):
        cli.main(["present", "--port", "8877", "--no-browser", "--", "--Voila.ip=127.0.0.1"])
    cmd = seen["cmd"]
    assert cmd[1:3] == ["-m", "voila"] and cmd[3].endswith("00_course_map.ipynb")
    assert "--template=mlworkflow-present" in cmd and "--strip_sources=True" in cmd
    assert "--port=8877" in cmd and "--no-browser" in cmd and cmd[-1] == "--Voila.ip=127.0.0.1"
    root = seen["env"]["JUPYTER_PATH"].split(os.pathsep)[0]
    template = Path(root) / "voila" / "templates" / "mlworkflow-present"
    assert json.loads((template / "conf.json").read_text())["base_template"] == "lab"
    assert "font-size: 22px" in (template / "index.html.j2").read_text()
    assert "Presenting 00_course_map.ipynb" in capsys.readouterr().out

    assert cli.main(["present", "--dir", str(tmp_path)]) == 1
    assert "there is no notebook" in capsys.readouterr().err
    monkeypatch.setattr(presenter, "voila_installed", lambda: False)
    assert cli.main(["present"]) == 1
    assert "pip install voila" in capsys.readouterr().err


def test_presenter_env_keeps_existing_jupyter_path():
    from mlworkflow.leader.presenter import template_root, voila_env

    env = voila_env({"JUPYTER_PATH": "/a" + os.pathsep + "/b", "HOME": "/h"})
    assert env["JUPYTER_PATH"].split(os.pathsep) == [str(template_root()), "/a", "/b"] and env["HOME"] == "/h"

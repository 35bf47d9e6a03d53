"""The ``mlworkflow`` command: argument handling and what each command prints (no JupyterLab or Voila started)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlworkflow import cli
from mlworkflow.cli.workspace import leader_notebooks_dir


def test_start_leader_also_copies_the_class_pulse(tmp_path, capsys):
    target = tmp_path / "leader"
    assert cli.main(["start", "--no-lab", "--leader", "--dir", str(target)]) == 0
    assert (target / "facilitator" / "class_pulse.ipynb").read_bytes() == (
        leader_notebooks_dir() / "class_pulse.ipynb").read_bytes()
    assert "facilitator/class_pulse.ipynb" in capsys.readouterr().out
    assert cli.main(["start", "--no-lab", "--dir", str(tmp_path / "learner")]) == 0
    assert not (tmp_path / "learner" / "facilitator").exists()
    assert not list((tmp_path / "learner").rglob("class_pulse.ipynb"))


def test_lab_command(monkeypatch):
    cmd = cli.lab_command(Path("/tmp/c"), port=8899, no_browser=True, extra=["--ServerApp.ip=127.0.0.1"])
    assert cmd[:3] == [sys.executable, "-m", "jupyterlab"]
    assert "--ServerApp.root_dir=/tmp/c" in cmd and "--port=8899" in cmd and "--no-browser" in cmd
    assert "--LabApp.default_url=/lab/tree/00_course_map.ipynb" in cmd and cmd[-1] == "--ServerApp.ip=127.0.0.1"
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert "--allow-root" in cli.lab_command(Path("/tmp/c"))
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert "--allow-root" not in cli.lab_command(Path("/tmp/c"))


def test_lab_env_turns_off_the_news_pop_up(tmp_path, monkeypatch):
    """JupyterLab 4 asks "get notified about official Jupyter news?" while fetchNews is "none" (its default)."""
    env = cli.lab_env({"JUPYTER_CONFIG_PATH": os.pathsep.join(["/etc/site-jupyter", ""]), "HOME": "/h"})
    assert env["JUPYTER_CONFIG_PATH"].split(os.pathsep) == ["/etc/site-jupyter", str(cli.LAB_CONFIG)]
    assert env["HOME"] == "/h"
    assert cli.lab_env({})["JUPYTER_CONFIG_PATH"] == str(cli.LAB_CONFIG)
    assert cli.lab_env(env) == env  # not added twice
    # what JupyterLab's settings API reads with that environment (jupyterlab_server's overrides)
    from jupyterlab_server.settings_utils import _get_overrides

    monkeypatch.setenv("JUPYTER_CONFIG_PATH", cli.lab_env({})["JUPYTER_CONFIG_PATH"])
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "user-config"))
    overrides, error = _get_overrides(str(tmp_path / "no-app-settings"))
    assert not error
    assert overrides["@jupyterlab/apputils-extension:notification"] == {"fetchNews": "false", "checkForUpdates": False}


def test_start_passes_options_through_to_jupyterlab(tmp_path, monkeypatch, capsys):
    seen = {}

    class Replaced(Exception):
        """os.execve never returns: the process becomes JupyterLab."""

    def fake_execve(exe, cmd, env):
        seen.update(cmd=cmd, env=env)
        raise Replaced

    monkeypatch.setattr(os, "execve", fake_execve)
    monkeypatch.setattr(cli.subprocess, "call", lambda cmd, **kw: pytest.fail("would start a real JupyterLab"))
    with pytest.raises(Replaced):
        cli.main(["start", "--dir", str(tmp_path / "c"), "--no-browser", "--port", "9123",
                  "--", "--ServerApp.ip=127.0.0.1"])
    cmd = seen["cmd"]
    assert "--no-browser" in cmd and "--port=9123" in cmd and cmd[-1] == "--ServerApp.ip=127.0.0.1"
    assert seen["env"]["JUPYTER_CONFIG_PATH"].split(os.pathsep)[-1] == str(cli.LAB_CONFIG)  # no news pop-up
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
    assert "FAIL  Widgets in JupyterLab" in out and f"fix: {sys.executable} -m pip install jupyterlab_widgets" in out
    assert "problem(s) would stop a learner" in out


def test_console_script_runs():
    out = subprocess.run([sys.executable, "-m", "mlworkflow", "--help"],
                         capture_output=True, text=True, check=True).stdout
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
    assert cmd[1:3] == ["-m", "voila"] and cmd[3].endswith("slideshow.ipynb")  # the course slides
    assert "--template=mlworkflow-present" in cmd and "--strip_sources=True" in cmd
    assert "--port=8877" in cmd and "--no-browser" in cmd and cmd[-1] == "--Voila.ip=127.0.0.1"
    root = seen["env"]["JUPYTER_PATH"].split(os.pathsep)[0]
    template = Path(root) / "voila" / "templates" / "mlworkflow-present"
    assert json.loads((template / "conf.json").read_text())["base_template"] == "lab"
    assert "--mlw-text: max(28px," in (template / "index.html.j2").read_text()
    assert "Presenting the course slides" in capsys.readouterr().out

    assert cli.main(["present", "--dir", str(tmp_path)]) == 1
    assert "there is no notebook" in capsys.readouterr().err
    monkeypatch.setattr(presenter, "voila_installed", lambda: False)
    assert cli.main(["present"]) == 1
    assert "pip install voila" in capsys.readouterr().err


# ------------------------------------------------------------ issue 13: collect says what it could not read


def _hand_in(folder: Path, *names: str) -> None:
    from mlworkflow.exercise.submit import write_submission

    for name in names:
        write_submission(folder, {"problem": f"{name}'s agents sort tickets by hand.", "outcome": "Halve it.",
                                  "data_sources": "Zendesk."}, name=name)


def test_collect_fails_when_a_file_cannot_be_read(tmp_path, monkeypatch, capsys):
    import mlworkflow.leader.collect as collect_module

    drop = tmp_path / "drop"
    drop.mkdir()
    _hand_in(drop, "Ana", "Bob")
    real_open = collect_module.os.open

    def refuse(path, flags, *args, **kwargs):  # as for another user's file created mode 0600
        if Path(path).name.startswith("bob-"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(collect_module.os, "open", refuse)
    out_dir = tmp_path / "out"
    assert cli.main(["collect", str(drop), "--out", str(out_dir)]) == 1
    captured = capsys.readouterr()
    assert "1 statement submitted, 1 file could not be read" in captured.out
    assert "…-" in captured.out and "bob-" not in captured.out and "Permission denied" in captured.out  # names hidden
    assert "1 file(s) in" in captured.err and "could not be read" in captured.err
    assert "1 file could not be read" in (out_dir / "class-summary.md").read_text(encoding="utf-8")

    def refuse_all(path, flags, *args, **kwargs):
        if Path(path).parent == drop:
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(collect_module.os, "open", refuse_all)
    assert cli.main(["collect", str(drop), "--out", str(out_dir)]) == 1  # nothing readable at all
    captured = capsys.readouterr()
    assert "0 statements submitted, 2 files could not be read" in captured.out
    assert "no statement was read" in captured.err
    assert "No statement was read" in (out_dir / "class-summary.html").read_text(encoding="utf-8")


def test_collect_exit_status_says_whether_anything_was_read(tmp_path, capsys):
    drop = tmp_path / "drop"
    drop.mkdir()
    assert cli.main(["collect", str(drop), "--out", str(tmp_path / "out")]) == 1  # empty: nothing read
    assert "the folder is empty" in capsys.readouterr().out
    _hand_in(drop, "Ana")
    assert cli.main(["collect", str(drop), "--out", str(tmp_path / "out")]) == 0
    assert "1 statement submitted." in capsys.readouterr().out

"""The presenter view's Voila command and template (Voila itself is not needed to test them)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from mlworkflow.leader.presenter import TEMPLATE, template_root, voila_command, voila_env, voila_installed


def test_presenter_env_keeps_existing_jupyter_path():
    env = voila_env({"JUPYTER_PATH": "/a" + os.pathsep + "/b", "HOME": "/h"})
    assert env["JUPYTER_PATH"].split(os.pathsep) == [str(template_root()), "/a", "/b"] and env["HOME"] == "/h"
    assert voila_env({})["JUPYTER_PATH"] == str(template_root())


def test_voila_command_strips_code_and_passes_options_through():
    cmd = voila_command(Path("nb/00_course_map.ipynb"), port=8877, no_browser=True, extra=["--Voila.ip=0"])
    assert cmd[:4] == [sys.executable, "-m", "voila", str(Path("nb/00_course_map.ipynb"))]
    assert f"--template={TEMPLATE}" in cmd and "--strip_sources=True" in cmd
    assert "--port=8877" in cmd and "--no-browser" in cmd and cmd[-1] == "--Voila.ip=0"
    plain = voila_command(Path("x.ipynb"))
    assert not any(a.startswith("--port") for a in plain) and "--no-browser" not in plain


def test_the_template_ships_with_the_package():
    template = template_root() / "voila" / "templates" / TEMPLATE
    assert json.loads((template / "conf.json").read_text())["base_template"] == "lab"
    assert "font-size: 22px" in (template / "index.html.j2").read_text()
    assert isinstance(voila_installed(), bool)

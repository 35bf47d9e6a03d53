"""Fixtures for the JupyterHub test: a real hub, run as root, with real Unix users.

The module fixture ``workshop`` sets up what a workshop leader's hub has: a leader and two
learners (Unix users made with ``useradd``, unique per run), the course repository served over
git's smart HTTP protocol on 127.0.0.1, a drop-box folder, and JupyterHub with
configurable-http-proxy and LocalProcessSpawner, each learner's server running this venv's
``jupyterhub-singleuser`` as that learner. Teardown stops the hub (which stops the servers and
the proxy), kills whatever still runs as the test's users, removes them and their homes, and
restores any folder mode it changed.

Needs: root (``useradd``, ``setpriv``), ``configurable-http-proxy`` on PATH (``.ci/run`` installs
it with npm), Debian's Chromium, and the ``test`` extra (jupyterhub, nbgitpuller, playwright).
Where one is missing the tests skip and say why; under ``CI=true`` they fail instead.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from e2e.conftest import CHROMIUM, CHROMIUM_ARGS, INSTALL_HINT, SETTINGS_OVERRIDES, _free_port
from hub.gitserver import GitServer, serve_repository
from hub.hubkit import (
    ARTIFACTS,
    CLEAN_PATH,
    BrowserThread,
    Hub,
    Steps,
    User,
    add_group,
    add_user,
    open_traverse,
    remove_group,
    remove_user,
    restore_modes,
    start_hub,
    write_jupyter_config,
)
from markers import missing

REPO = Path(__file__).resolve().parents[2]
PROXY_HINT = "install it with npm: `npm install -g configurable-http-proxy` (.ci/run does this)"


def _missing(reason: str) -> None:
    missing("the JupyterHub test", reason)


@pytest.fixture(scope="module")
def proxy_command() -> str:
    """Check what a real hub needs (skip, or fail under CI, if not); the configurable-http-proxy command."""
    if sys.platform != "linux" or os.geteuid() != 0:
        _missing("it must run as root on Linux (it creates Unix users and runs the hub as root)")
    for tool in ("useradd", "userdel", "groupadd", "groupdel", "setpriv", "git"):
        if shutil.which(tool) is None:
            _missing(f"`{tool}` is not installed")
    for module in ("jupyterhub", "nbgitpuller", "playwright"):
        if importlib.util.find_spec(module) is None:
            _missing(f"Python package {module} is not installed: pip install -e '.[test]'")
    proxy = shutil.which("configurable-http-proxy")
    if proxy is None:
        if shutil.which("node") is None:
            _missing(f"Node.js is not installed (apt-get install nodejs npm), then {PROXY_HINT}")
        _missing(f"configurable-http-proxy is not on PATH; {PROXY_HINT}")
    if not Path(CHROMIUM).exists():
        _missing(f"Chromium not found at {CHROMIUM}. {INSTALL_HINT}")
    return proxy


@dataclass
class Workshop:
    hub: Hub
    git: GitServer
    leader: User
    learners: list[User]
    group: str  # the learners' group, as TLJH's jupyterhub-users (the leader is not in it)
    password: str
    dropbox: Path
    leader_dir: Path  # the leader's own folder: the drop-box and the summary go here


@pytest.fixture(scope="module")
def steps() -> Steps:
    return Steps()


@pytest.fixture(autouse=True)
def _keep_steps_for_report(request, steps):
    request.node.mlw_steps = steps


@pytest.fixture(scope="module")
def workshop(request, proxy_command, steps):
    failed_before = request.session.testsfailed
    tag = secrets.token_hex(3)
    undo = contextlib.ExitStack()
    base = Path(tempfile.mkdtemp(prefix=f"mlw-hub-{tag}-"))
    undo.callback(shutil.rmtree, base, ignore_errors=True)
    try:
        os.chmod(base, 0o755)  # learners reach the drop-box and the shared config below it

        with steps("users: a leader and two learners in a class group (groupadd, useradd)"):
            group = add_group(f"mlw{tag}class")
            undo.callback(_say_problem, remove_group, group)  # after the users (callbacks run last first)
            leader = add_user(f"mlw{tag}lead")
            undo.callback(_say_problem, remove_user, leader)
            learners = []
            for role in ("l1", "l2"):
                learners.append(add_user(f"mlw{tag}{role}", groups=(group,)))
                undo.callback(_say_problem, remove_user, learners[-1])
            changed = open_traverse([Path(os.path.realpath(sys.executable)), Path(sys.prefix), REPO])
            undo.callback(restore_modes, changed)
            if changed:
                print(f"[hub] granted traverse (o+x) until teardown on: {', '.join(str(p) for p, _ in changed)}")

        with steps("git: bare clone of HEAD, served over smart HTTP"):
            git_root = base / "git"
            git_root.mkdir()
            git = serve_repository(REPO, git_root)
            undo.callback(git.stop)

        leader_dir = base / "workshop"
        leader_dir.mkdir()
        os.chown(leader_dir, leader.uid, leader.gid)
        state = base / "hub-state"
        state.mkdir(mode=0o700)
        password = secrets.token_urlsafe(12)
        config = write_jupyter_config(base / "jupyter-config", SETTINGS_OVERRIDES)
        dropbox = leader_dir / "dropbox"
        environment = {
            "MLWORKFLOW_SUBMIT_DIR": str(dropbox),
            "JUPYTER_CONFIG_PATH": str(config),
            "MPLBACKEND": "Agg",
            "PATH": CLEAN_PATH,
        }
        with steps("hub: start JupyterHub + configurable-http-proxy"):
            hub = start_hub(state, port=_free_port(), hub_port=_free_port(), api_port=_free_port(),
                            proxy=proxy_command, password=password, users={u.name for u in learners},
                            environment=environment)
            undo.callback(hub.stop)
        yield Workshop(hub, git, leader, learners, group, password, dropbox, leader_dir)
    finally:
        hub_log = base / "hub-state" / "jupyterhub.log"
        if request.session.testsfailed > failed_before and hub_log.exists():
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(hub_log, ARTIFACTS / "jupyterhub.log")
            print(f"\n[hub] the hub's log, the learners' servers' too: {ARTIFACTS / 'jupyterhub.log'}",
                  file=sys.stderr)
        with steps("teardown: hub, servers, proxy, git server, users and homes, folders"):
            undo.close()


def _say_problem(undo: Callable[[Any], str], what: Any) -> None:
    problem = undo(what)
    if problem:
        print(f"[hub] teardown: {problem}", file=sys.stderr)


@pytest.fixture(scope="module")
def browser_thread(proxy_command, steps):
    """Chromium for the learners, starting in the background: request it before ``workshop``."""
    runner = BrowserThread(CHROMIUM, CHROMIUM_ARGS, steps)
    yield runner
    runner.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the step timings (setup included) to the test report."""
    outcome = yield
    report = outcome.get_result()
    steps = getattr(item, "mlw_steps", None)
    if report.when == "call" and steps is not None and steps.done:
        report.sections.append(("hub step timings", steps.table()))

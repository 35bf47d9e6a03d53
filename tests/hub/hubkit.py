"""The pieces of a real JupyterHub test: step timings, Unix users, the hub itself, a browser thread.

Everything binds 127.0.0.1 on free ports, lives under one temporary folder, and is undone by
the ``stop``/``remove`` functions (the fixtures in ``conftest.py`` call them in ``finally``).
Every wait is bounded and says what it saw last when it times out.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import queue
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "hub"
VENV_BIN = Path(sys.executable).parent  # the test's own venv: the hub, the servers and the kernels run from it
CLEAN_PATH = f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin"


# -- step timings ----------------------------------------------------------------------------
@dataclass
class Steps:
    """Times named steps, prints each as it ends (``pytest -s`` shows them) and keeps them for the report."""

    done: list[tuple[str, float, str]] = field(default_factory=list)

    @contextlib.contextmanager
    def __call__(self, what: str) -> Iterator[None]:
        start = time.monotonic()
        outcome = "failed"
        try:
            yield
            outcome = "ok"
        finally:
            took = time.monotonic() - start
            self.done.append((what, took, outcome))
            print(f"[hub] {took:6.1f} s  {what}{'' if outcome == 'ok' else '  (FAILED)'}", flush=True)

    def table(self) -> str:
        lines = [f"{took:6.1f} s  {what}{'' if ok == 'ok' else '  (FAILED)'}" for what, took, ok in self.done]
        return "\n".join([*lines, f"{sum(t for _, t, _ in self.done):6.1f} s  in all"])


def run_cli(args: list[str]) -> subprocess.CompletedProcess[str]:
    """``python -m mlworkflow ARGS`` as the test's own user (root)."""
    return subprocess.run([sys.executable, "-m", "mlworkflow", *args], capture_output=True, text=True, timeout=60)


def wait_until(check: Callable[[], Any], timeout: float, what: str, interval: float = 0.2) -> Any:
    """Call ``check`` until it returns something truthy; on timeout fail with the last value or OSError.

    An OSError (connection refused, reset) means "not yet"; any other error ends the wait at once.
    """
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        try:
            last = check()
            if last:
                return last
        except OSError as exc:
            last = f"{type(exc).__name__}: {exc}"
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}; last: {last}")
        time.sleep(interval)


def http_status(url: str, timeout: float = 5) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


# -- Unix users ------------------------------------------------------------------------------
@dataclass
class User:
    name: str
    uid: int
    gid: int
    home: Path


def add_group(name: str) -> str:
    """A Unix group, like TLJH's ``jupyterhub-users`` that every learner is in."""
    subprocess.run(["groupadd", name], check=True, capture_output=True, text=True)
    return name


def remove_group(name: str) -> str:
    done = subprocess.run(["groupdel", name], capture_output=True, text=True)
    return "" if done.returncode == 0 else f"groupdel {name}: {done.returncode} {done.stderr.strip()}"


def add_user(name: str, groups: tuple[str, ...] = ()) -> User:
    """A real login user with its own group and home, as ``useradd`` on a hub machine makes them."""
    extra = ["--groups", ",".join(groups)] if groups else []
    subprocess.run(["useradd", "--create-home", "--user-group", "--shell", "/bin/bash", *extra,
                    "--comment", "mlworkflow hub test", name], check=True, capture_output=True, text=True)
    entry = pwd.getpwnam(name)
    return User(name, entry.pw_uid, entry.pw_gid, Path(entry.pw_dir))


def _pids_of(uid: int) -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError):
                if proc.stat().st_uid == uid:
                    pids.append(int(proc.name))
    return pids


def remove_user(user: User) -> str:
    """Kill what still runs as ``user`` (by pid: only this test's users own processes), then ``userdel -r``."""
    for _ in range(50):
        pids = _pids_of(user.uid)
        if not pids:
            break
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.1)
    done = subprocess.run(["userdel", "--remove", user.name], capture_output=True, text=True)
    shutil.rmtree(user.home, ignore_errors=True)
    # 12: the mail spool was missing (useradd made none); the user is gone all the same
    return "" if done.returncode in (0, 12) else f"userdel {user.name}: {done.returncode} {done.stderr.strip()}"


def run_as(user: User, argv: list[str], *, env: dict[str, str] | None = None, timeout: float = 60,
           cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` as ``user`` (``setpriv``: their uid, group and supplementary groups) in a clean environment."""
    base = {"HOME": str(user.home), "USER": user.name, "LOGNAME": user.name, "PATH": CLEAN_PATH,
            "LANG": "C.UTF-8", "MPLBACKEND": "Agg"}
    cmd = ["setpriv", f"--reuid={user.uid}", f"--regid={user.gid}", "--init-groups", "--", *argv]
    return subprocess.run(cmd, env={**base, **(env or {})}, cwd=cwd or user.home, capture_output=True,
                          text=True, timeout=timeout)


def open_traverse(paths: list[Path]) -> list[tuple[Path, int]]:
    """Let other users *traverse* (not list) each folder above ``paths`` that stops them; return what changed.

    The learners' servers run this venv's Python, whose interpreter may live under a private
    home (pyenv under /root, mode 0700). Adding o+x on such a folder lets a process that knows
    the path reach it without seeing the folder's contents; :func:`restore_modes` undoes it.
    """
    changed: list[tuple[Path, int]] = []
    for path in paths:
        for folder in [*reversed(path.parents), path] if path.is_dir() else reversed(path.parents):
            mode = folder.stat().st_mode
            if not mode & stat.S_IXOTH and all(f != folder for f, _ in changed):
                os.chmod(folder, stat.S_IMODE(mode) | stat.S_IXOTH)
                changed.append((folder, stat.S_IMODE(mode)))
    return changed


def restore_modes(changed: list[tuple[Path, int]]) -> None:
    for folder, mode in reversed(changed):
        os.chmod(folder, mode)


# -- JupyterHub -------------------------------------------------------------------------------
@dataclass
class Hub:
    url: str
    state: Path
    log: Path
    proc: subprocess.Popen = field(repr=False)

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]

    def stop(self) -> None:
        """SIGTERM: the hub stops every user's server and the proxy it started; then kill what is left."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):  # the proxy shares the hub's process group
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(OSError, ValueError):  # a proxy the hub left behind (it removes the file)
            pid = int((self.state / "jupyterhub-proxy.pid").read_text().strip())
            if b"configurable-http-proxy" in Path(f"/proc/{pid}/cmdline").read_bytes():
                os.kill(pid, signal.SIGKILL)


HUB_CONFIG = """\
# Written by tests/hub: a JupyterHub as a workshop would run one, on 127.0.0.1 only.
c = get_config()  # noqa: F821
c.JupyterHub.bind_url = {bind_url!r}
c.JupyterHub.hub_bind_url = {hub_bind_url!r}
c.ConfigurableHTTPProxy.api_url = {proxy_api!r}
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.ConfigurableHTTPProxy.pid_file = {proxy_pid!r}
c.JupyterHub.db_url = {db_url!r}
c.JupyterHub.cookie_secret_file = {cookie_secret!r}
c.JupyterHub.cleanup_servers = True
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = {password!r}
c.Authenticator.allowed_users = {users!r}
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.ip = "127.0.0.1"
c.Spawner.default_url = "/lab"
c.Spawner.environment = {environment!r}
c.Spawner.start_timeout = 90
c.Spawner.http_timeout = 90
"""


def start_hub(state: Path, *, port: int, hub_port: int, api_port: int, proxy: str, password: str,
              users: set[str], environment: dict[str, str], timeout: float = 60) -> Hub:
    """``jupyterhub`` as root with LocalProcessSpawner: each user's server runs as that Unix user."""
    config = state / "jupyterhub_config.py"
    config.write_text(HUB_CONFIG.format(
        bind_url=f"http://127.0.0.1:{port}", hub_bind_url=f"http://127.0.0.1:{hub_port}",
        proxy_api=f"http://127.0.0.1:{api_port}", proxy=proxy, proxy_pid=str(state / "jupyterhub-proxy.pid"),
        db_url=f"sqlite:///{state / 'jupyterhub.sqlite'}", cookie_secret=str(state / "cookie_secret"),
        password=password, users=users, singleuser=str(VENV_BIN / "jupyterhub-singleuser"),
        environment=environment,
    ), encoding="utf-8")
    log = state / "jupyterhub.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "MLWORKFLOW"))}
    env["PATH"] = CLEAN_PATH
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterhub", "-f", str(config)], cwd=state, env=env,
        stdin=subprocess.DEVNULL, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    hub = Hub(f"http://127.0.0.1:{port}", state, log, proc)
    try:
        def healthy() -> bool:
            if proc.poll() is not None:
                raise RuntimeError(f"jupyterhub exited with {proc.returncode}:\n{hub.log_tail()}")
            return http_status(f"{hub.url}/hub/health") == 200
        try:
            wait_until(healthy, timeout, f"JupyterHub at {hub.url}/hub/health", interval=0.25)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- hub log ---\n{hub.log_tail()}") from None
    except BaseException:
        hub.stop()
        raise
    return hub


def write_jupyter_config(folder: Path, settings_overrides: dict[str, Any]) -> Path:
    """A read-only Jupyter config folder the learners' servers add to their config path.

    JupyterLab's ``window.jupyterapp`` (which the browser helpers read) and the settings the
    browser tests use (no news pop-up, every cell in the DOM); the learners' own ``~/.jupyter``
    still comes first, so their workspaces and settings are theirs.
    """
    (folder / "labconfig").mkdir(parents=True)
    (folder / "labconfig" / "default_setting_overrides.json").write_text(json.dumps(settings_overrides))
    (folder / "jupyter_server_config.json").write_text(json.dumps({"LabApp": {"expose_app_in_browser": True}}))
    for path in [folder, *folder.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    return folder


# -- a browser of its own -----------------------------------------------------------------------
class BrowserThread:
    """Chromium driven by playwright from one dedicated thread.

    Playwright's sync API refuses to start while another sync instance runs in the same thread
    (the browser tests in tests/e2e keep theirs for the whole session), so this one lives in a
    thread of its own and every page action is submitted to it. The thread is a daemon: a test
    stopped by its timeout does not keep pytest from exiting while a page wait runs out.
    """

    def __init__(self, executable: str, args: list[str], steps: Steps) -> None:
        """Start Chromium in the background (the hub can start meanwhile); ``run`` waits for it."""
        self._tasks: queue.Queue[tuple[Callable[[], Any], Future[Any]] | None] = queue.Queue()
        self._state: dict[str, Any] = {}
        threading.Thread(target=self._work, name="hub-browser", daemon=True).start()

        def launch() -> None:
            from playwright.sync_api import sync_playwright

            with steps("browser: Chromium starts (in its own thread, while the hub starts)"):
                self._state["pw"] = sync_playwright().start()
                self._state["browser"] = self._state["pw"].chromium.launch(
                    executable_path=executable, headless=True, args=args, timeout=60_000)

        self._launched = self._submit(launch)

    def _work(self) -> None:
        while (task := self._tasks.get()) is not None:
            fn, future = task
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn())
                except BaseException as exc:  # handed to the caller of run(), raised there
                    future.set_exception(exc)

    def _submit(self, fn: Callable[[], Any]) -> Future[Any]:
        future: Future[Any] = Future()
        self._tasks.put((fn, future))
        return future

    def run(self, fn: Callable[..., Any], *args: Any, timeout: float = 300) -> Any:
        """Run ``fn(browser, *args)`` in the browser's thread and return its result (or raise its error)."""
        self._launched.result(timeout=90)
        return self._submit(lambda: fn(self._state["browser"], *args)).result(timeout=timeout)

    def close(self) -> None:
        def stop() -> None:
            with contextlib.suppress(Exception):
                self._state["browser"].close()
            if "pw" in self._state:
                self._state["pw"].stop()

        with contextlib.suppress(Exception):
            self._submit(stop).result(timeout=10)  # longer only if a page wait is still running out
        self._tasks.put(None)

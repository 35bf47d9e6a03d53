"""Fixtures for the browser tests: a real JupyterLab and Voila, driven by Debian's Chromium.

Servers are started once per session on 127.0.0.1 with every Jupyter/IPython directory in a
temporary folder; each test gets a fresh browser context (``page``) and, on failure, leaves a
screenshot and the browser console log under ``test-artifacts/e2e/`` (path printed in the report).

Adding a notebook to the suite::

    def test_problem_definition(lab_page):
        open_notebook(lab_page, "01_problem_definition.ipynb")
        run_all(lab_page)
        wait_widgets_rendered(lab_page)
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from markers import missing

REPO = Path(__file__).resolve().parents[2]
# MLW_E2E_NOTEBOOKS lets you point the suite at another folder of notebooks while developing.
NOTEBOOKS = Path(os.environ.get("MLW_E2E_NOTEBOOKS", REPO / "notebooks"))
ARTIFACTS = REPO / "test-artifacts" / "e2e"
CHROMIUM = os.environ.get("MLW_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = (
    "Install Debian's Chromium to run them: `sudo apt-get install chromium` "
    "(do not use `playwright install`; or set MLW_CHROMIUM to a Chromium binary)."
)
SERVER_START_TIMEOUT = 90  # seconds; JupyterLab on a busy 2-core machine takes ~5-15 s

# Settings every test server starts with: no news pop-up or update check (the same overrides
# Binder installs), and every notebook cell attached to the DOM so locators see all outputs.
SETTINGS_OVERRIDES = {
    **json.loads((REPO / "binder" / "overrides.json").read_text(encoding="utf-8")),
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}


def _missing(reason: str) -> None:
    missing("the browser tests", reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A Jupyter server process we started, its URL, token and log file."""

    url: str
    token: str
    root: Path
    log: Path
    proc: subprocess.Popen = field(repr=False)

    def request(self, method: str, path: str) -> bytes:
        req = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.read()

    def api(self, method: str, path: str) -> object:
        body = self.request(method, path)
        return json.loads(body) if body else None

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]


def _jupyter_env(base: Path) -> dict[str, str]:
    """Environment whose Jupyter/IPython dirs and learner home all live under ``base``."""
    dirs = {
        "JUPYTER_CONFIG_DIR": base / "config",
        "JUPYTER_DATA_DIR": base / "data",
        "JUPYTER_RUNTIME_DIR": base / "runtime",
        "IPYTHONDIR": base / "ipython",
        "MLWORKFLOW_HOME": base / "mlworkflow-home",
    }
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    # jupyterlab_server layers <config dir>/labconfig/default_setting_overrides.json over the
    # defaults, like an overrides.json, without writing into the shared venv.
    labconfig = dirs["JUPYTER_CONFIG_DIR"] / "labconfig"
    labconfig.mkdir(exist_ok=True)
    (labconfig / "default_setting_overrides.json").write_text(
        json.dumps(SETTINGS_OVERRIDES), encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHON"))}
    env.update({k: str(v) for k, v in dirs.items()}, MPLBACKEND="Agg", PYTHONUNBUFFERED="1")
    return env


def _start_server(cmd: list[str], base: Path, root: Path, port: int, token: str, ready_path: str) -> Server:
    log = base / "server.log"
    proc = subprocess.Popen(
        cmd, cwd=root, env=_jupyter_env(base), stdin=subprocess.DEVNULL,
        stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    server = Server(f"http://127.0.0.1:{port}", token, root, log, proc)
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{cmd[2]} exited with {proc.returncode}:\n{server.log_tail()}")
        try:
            server.request("GET", ready_path)
            return server
        except OSError:
            time.sleep(0.25)
    _stop_server(server)
    raise RuntimeError(f"{cmd[2]} did not answer on {server.url} in {SERVER_START_TIMEOUT}s:\n{server.log_tail()}")


def _stop_server(server: Server) -> None:
    if server.proc.poll() is None:
        server.proc.send_signal(signal.SIGTERM)  # jupyter_server shuts kernels down on SIGTERM
        try:
            server.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.proc.pid, signal.SIGKILL)
            server.proc.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):  # kernels the server failed to stop share its process group
        os.killpg(server.proc.pid, signal.SIGKILL)


def _course_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the notebooks, so autosave and run outputs never touch the repository."""
    root = tmp_path_factory.mktemp("course")
    for nb in NOTEBOOKS.glob("*.ipynb"):
        shutil.copy(nb, root)
    return root


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory):
    """A real ``jupyter lab`` for the session (no browser of its own)."""
    base, port, token = tmp_path_factory.mktemp("jupyterlab"), _free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True",
        "--ServerApp.port_retries=0",
    ]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    server = _start_server(cmd, base, _course_folder(tmp_path_factory), port, token, "/api/status")
    try:
        for plugin, wanted in SETTINGS_OVERRIDES.items():
            props = server.api("GET", f"/lab/api/settings/{plugin}")["schema"]["properties"]
            actual = {key: props[key].get("default") for key in wanted}
            assert actual == wanted, f"settings overrides not applied to {plugin}: {actual}"
    except BaseException:
        _stop_server(server)
        raise
    yield server
    _stop_server(server)


@pytest.fixture(scope="session")
def voila_server(tmp_path_factory):
    """Voila serving the course folder: ``/voila/render/<notebook>`` is the app view."""
    base, port, token = tmp_path_factory.mktemp("voila"), _free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable, "-m", "voila", "--no-browser", "--Voila.ip=127.0.0.1", f"--port={port}",
        f"--token={token}", "--show_tracebacks=True", ".",
    ]
    server = _start_server(cmd, base, _course_folder(tmp_path_factory), port, token, "/voila/tree")
    yield server
    _stop_server(server)


@pytest.fixture(scope="module")
def present_server(tmp_path_factory):
    """``mlworkflow present`` on a copy of the notebooks, bound to 127.0.0.1."""
    base, port = tmp_path_factory.mktemp("present"), _free_port()
    root = _course_folder(tmp_path_factory)
    cmd = [sys.executable, "-m", "mlworkflow", "present", "--dir", str(root), "--port", str(port),
           "--no-browser", "--", "--Voila.ip=127.0.0.1", "--Voila.port_retries=0"]
    server = _start_server(cmd, base, root, port, secrets.token_hex(4), "/voila/static/voila.js")
    yield server
    _stop_server(server)


@pytest.fixture(scope="module")
def slides_server(tmp_path_factory):
    """``mlworkflow present`` with no options (the projector slides), bound to 127.0.0.1."""
    base, port = tmp_path_factory.mktemp("slides"), _free_port()
    cmd = [sys.executable, "-m", "mlworkflow", "present", "--port", str(port), "--no-browser",
           "--", "--Voila.ip=127.0.0.1", "--Voila.port_retries=0"]
    server = _start_server(cmd, base, base, port, secrets.token_hex(4), "/voila/static/voila.js")
    yield server
    _stop_server(server)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        _missing(f"Chromium not found at {CHROMIUM}. {INSTALL_HINT}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Python playwright is not installed: pip install -e '.[test]'.")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser tab; console messages and page errors are kept for the failure report."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    tab = context.new_page()
    console: list[str] = []
    tab.on("console", lambda msg: console.append(f"[{msg.type}] {msg.text}"))
    tab.on("pageerror", lambda err: console.append(f"[pageerror] {err}"))
    request.node.mlw_page, request.node.mlw_console = tab, console
    yield tab
    context.close()


@pytest.fixture
def lab_page(page, lab_server):
    """A tab logged in to the session's JupyterLab; its kernels are shut down afterwards."""
    page.mlw_server = lab_server
    yield page
    for session in lab_server.api("GET", "/api/sessions"):
        lab_server.api("DELETE", f"/api/sessions/{session['id']}")


@pytest.fixture
def voila_page(page, voila_server):
    page.mlw_server = voila_server
    return page


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, while the page is still open, save a screenshot and the console log."""
    outcome = yield
    report = outcome.get_result()
    tab = getattr(item, "mlw_page", None)
    if not report.failed or tab is None or getattr(item, "mlw_saved", False):
        return
    item.mlw_saved = True
    from playwright.sync_api import Error as PlaywrightError
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", item.nodeid.split("::", 1)[-1])
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    try:
        tab.screenshot(path=str(folder / "screenshot.png"), full_page=True, timeout=10_000)
        lines.append(f"screenshot:  {folder / 'screenshot.png'}")
    except PlaywrightError as exc:  # the page may have crashed; still write the console log
        lines.append(f"screenshot failed: {exc}")
    (folder / "console.log").write_text("\n".join(item.mlw_console) + "\n", encoding="utf-8")
    lines.append(f"console log: {folder / 'console.log'}")
    server = getattr(tab, "mlw_server", None)
    if server is not None:
        shutil.copy(server.log, folder / "server.log")
        lines.append(f"server log:  {folder / 'server.log'}")
    report.sections.append(("browser test artifacts", "\n".join(lines)))
    print("\nbrowser test artifacts:\n  " + "\n  ".join(lines), file=sys.stderr)

"""What a learner does on a fresh machine: install the wheel, ``mlworkflow doctor``, ``mlworkflow start``.

Slow (it builds a wheel and a venv; pip's cache makes reruns faster): in the full suite
(MLWORKFLOW_FULL_TESTS=1 or CI=true), which CI runs.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 120  # seconds for `mlworkflow start` to answer on /api


def _env(tmp: Path, venv: Path) -> dict[str, str]:
    """The learner's environment: the new venv first on PATH, Jupyter dirs and home under ``tmp``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "JUPYTER", "IPYTHON"))}
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        VIRTUAL_ENV=str(venv),
        MLWORKFLOW_HOME=str(tmp / "home"),
        JUPYTER_CONFIG_DIR=str(tmp / "jupyter-config"),
        JUPYTER_DATA_DIR=str(tmp / "jupyter-data"),
        JUPYTER_RUNTIME_DIR=str(tmp / "jupyter-runtime"),
        IPYTHONDIR=str(tmp / "ipython"),
    )
    return env


def _run(cmd: list[str], timeout: float, **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False, **kwargs)
    said = f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} -> {proc.returncode}\n{said}"
    return proc


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _api_status(port: int) -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api", timeout=5) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A fresh venv with only the built wheel (and what it pulls from PyPI) installed."""
    tmp = tmp_path_factory.mktemp("fresh-install")
    dist = tmp / "dist"
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(REPO)], 600)
    (wheel,) = dist.glob("mlworkflow-*.whl")
    venv = tmp / "venv"
    _run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(venv)], 120)
    env = _env(tmp, venv)
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)], 900, env=env, cwd=tmp)
    return tmp, env


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_doctor_passes_after_a_wheel_install(installed):
    tmp, env = installed
    proc = _run(["mlworkflow", "doctor"], 120, env=env, cwd=tmp)
    assert "FAIL" not in proc.stdout, proc.stdout


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_start_serves_jupyterlab_and_stops_on_ctrl_c(installed):
    tmp, env = installed
    port, course = _free_port(), tmp / "course"
    log = (tmp / "start.log").open("w")
    proc = subprocess.Popen(
        ["mlworkflow", "start", "--no-browser", "--port", str(port), "--dir", str(course)],
        env=env, cwd=tmp, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal would give it
    )
    try:
        deadline, status = time.monotonic() + START_TIMEOUT, None
        while time.monotonic() < deadline and proc.poll() is None:
            status = _api_status(port)
            if status == 200:
                break
            time.sleep(0.5)
        output = (tmp / "start.log").read_text()
        assert status == 200, f"/api answered {status} (exit code {proc.poll()}):\n{output[-3000:]}"
        assert (course / "00_course_map.ipynb").is_file(), f"course map not copied into {course}"

        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl+C in the terminal sends
        try:
            code = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            tail = (tmp / "start.log").read_text()[-3000:]
            pytest.fail(f"mlworkflow start did not stop within 30 s of Ctrl+C:\n{tail}")
        assert code in (0, 130, -signal.SIGINT), f"exit code {code} after Ctrl+C"
        assert _api_status(port) is None, "the server still answers after stopping"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log.close()

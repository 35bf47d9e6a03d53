"""How long each interactive control takes, from the learner's input to the updated output on the page.

    python benchmarks/bench_controls.py                       # every control; a few minutes
    python benchmarks/bench_controls.py --controls threshold-slider,offer-cost --repeat 10
    python benchmarks/bench_controls.py --json out.json --profile

A real JupyterLab (the e2e suite's server and settings, ``tests/e2e/conftest.py``) serves a copy of
the notebooks; Debian's Chromium (``/usr/bin/chromium``, never ``playwright install``) opens each
notebook, runs all cells and then, for every control, makes ``--repeat`` changes that alternate
between two values, so each change really changes the output.

- **browser**: measured inside the page. A ``MutationObserver`` watches the output element the
  control updates last (the chart, the summary, the status line); ``performance.now()`` is read
  just before the input event is dispatched (a click, a ``<select>`` change, a text box change,
  or ArrowRight/ArrowLeft keydown on a slider's focused handle: the keyboard, not the model) and
  again at the first mutation after which the output differs from before (its ``innerHTML``, or an
  image's ``src``). So the figure is kernel round trip + Python observer + rendering in the DOM.
- **kernel**: the same change made in the notebook's kernel (``control.value = x``, ``control.index
  = i`` or ``button.click()`` on the very widget instance shown), timed with ``time.perf_counter``:
  the Python observer work, including sending the updates to the page.
- **1st**: the first browser change (cold: before the control's caches have that value).
- **floor**: a row that only asks the kernel, from the page, to change one HTML widget: the
  round trip page -> server -> kernel -> page that every control pays before its own work.

Untimed preparation (e.g. un-checking a quiz before timing Check) runs in the kernel through
JupyterLab's kernel connection. After the controls of a notebook, the kernel's resident memory
is read from ``/proc/<pid>/status`` (VmRSS, VmHWM), after Run All and again after the changes.
The load average is printed at the start and the end: absolute figures drift on a busy machine.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
E2E = ROOT / "tests" / "e2e"

__all__ = ["CONTROLS", "Control", "markdown", "measure"]


@dataclass(frozen=True)
class Control:
    """One control: where it is, how to change it in the page and in the kernel, what output to watch.

    ``root`` is the composite widget's class and DOM class; ``control`` the DOM class of the input
    widget inside it (found the same way in the page and in the kernel: the first one). ``values``
    is a Python expression (``w`` the composite, ``c`` the control) giving the two values a change
    alternates between; ``prep`` (untimed) and ``act`` (timed) are Python code run with ``v`` one
    of them. ``kind`` says how the page dispatches the input: ``click``, ``toggle`` and ``select``
    take ``v`` as an option index, ``slider`` presses ArrowRight for the first value and ArrowLeft
    for the second, ``number`` types ``v``, ``checkbox`` clicks, and ``kernel`` runs ``act`` in the
    kernel from the page (for state that has no control on the page).
    """

    name: str
    label: str
    notebook: str
    root: tuple[str, str]
    control: str | None
    kind: str
    watch: str
    values: str
    act: str
    prep: str = ""
    image: bool = False  # compare the watched image's src instead of the element's innerHTML
    needle: str = ""  # the watched output must also contain this (e.g. a status written after a save)


_SELECT_INDEX = "[(c.index + 1) % len(c.options), c.index]"
_SLIDER = "[round(c.value + c.step, 6), c.value]"

CONTROLS: tuple[Control, ...] = (
    Control("stepper-next", "Stage stepper: Next", "00_course_map.ipynb", ("StageStepper", "mlw-stepper"),
            "mlw-next", "click", ".mlw-diagram", "[0, 2]", "c.click()", prep="w.index = v", image=True),
    # The floor every control pays: the page asks the kernel for one HTML widget update, no observer at all.
    Control("floor", "Floor: one HTML update requested from the page", "00_course_map.ipynb",
            ("StageStepper", "mlw-stepper"), None, "kernel", ".mlw-nav", "[0, 1]",
            "w._position.value = ['<b>floor a</b>', '<b>floor b</b>'][v]"),
    Control("sorter-pick", "Request sorter: pick a pile", "01_problem_definition.ipynb",
            ("RequestSorter", "mlw-sorter"), "mlw-sort-choice", "toggle", ".mlw-sort-status", "[1, 0]",
            "c.index = v", prep="w.check()"),
    Control("sorter-check", "Request sorter: Check", "01_problem_definition.ipynb",
            ("RequestSorter", "mlw-sorter"), "mlw-sort-check", "click", ".mlw-sort-status", "[1, 0]",
            "c.click()", prep="find('mlw-sort-choice').index = v"),
    Control("framer-goal", "Problem framer: business goal", "01_problem_definition.ipynb",
            ("ProblemFramer", "mlw-framer"), "mlw-frame-goal", "select", ".mlw-frame-summary", _SELECT_INDEX,
            "c.index = v"),
    Control("quiz-check", "Quiz: Check (01)", "01_problem_definition.ipynb", ("Quiz", "mlw-quiz"),
            "mlw-quiz-check", "click", ".mlw-quiz-status", "[0, 1]", "c.click()",
            prep=("q = w.content.questions[0]\n"
                  "w.answers = {q.id: [q.correct_ids[0] if v == 0 else "
                  "next(o for o in q.option_ids if o not in q.correct_ids)]}"),
            needle="saved"),
    Control("cleaning-toggle", "Cleaning lab: drop duplicates", "02_data_collection_and_preparation.ipynb",
            ("CleaningLab", "mlw-cleaning-lab"), "mlw-clean-drop-duplicates", "checkbox", ".mlw-clean-chart",
            "[not c.value, c.value]", "c.value = v"),
    Control("depth-slider", "Overfitting: depth slider", "03_model_training.ipynb",
            ("OverfittingExplorer", "mlw-overfitting"), "mlw-depth-slider", "slider", ".mlw-curve-chart",
            _SLIDER, "c.value = v", image=True),
    Control("threshold-slider", "Threshold slider", "04_model_evaluation.ipynb",
            ("ThresholdExplorer", "mlw-threshold"), "mlw-threshold-slider", "slider", ".mlw-value-chart",
            _SLIDER, "c.value = v", image=True),
    Control("offer-cost", "Threshold: offer cost $", "04_model_evaluation.ipynb",
            ("ThresholdExplorer", "mlw-threshold"), "mlw-offer-cost", "number", ".mlw-value-chart",
            "[c.value + 5, c.value]", "c.value = v", image=True),
    Control("value-saved", "Threshold: saved customer $", "04_model_evaluation.ipynb",
            ("ThresholdExplorer", "mlw-threshold"), "mlw-value-saved", "number", ".mlw-value-chart",
            "[c.value + 10, c.value]", "c.value = v", image=True),
    Control("rollout-stage", "Rollout stage", "05_deployment.ipynb", ("RolloutSimulator", "mlw-rollout"),
            "mlw-rollout-stages", "toggle", ".mlw-rollout-summary", _SELECT_INDEX, "c.index = v"),
    Control("drift-threshold", "Drift alert threshold", "06_monitoring_and_maintenance.ipynb",
            ("DriftMonitor", "mlw-drift-monitor"), "mlw-drift-threshold", "slider", ".mlw-drift-grid",
            _SLIDER, "c.value = v"),
    Control("rec-member", "Recommender: member", "07_case_study_netflix.ipynb",
            ("RecommendationExplorer", "mlw-rec-explorer"), "mlw-rec-member", "select", ".mlw-rec-personal",
            _SELECT_INDEX, "c.index = v"),
    Control("rec-k", "Recommender: k (no control; set in the kernel)", "07_case_study_netflix.ipynb",
            ("RecommendationExplorer", "mlw-rec-explorer"), None, "kernel", ".mlw-rec-personal",
            "[5 if w.k != 5 else 10, w.k]", "w.k = v"),
    Control("exercise-feedback", "Exercise: Get feedback", "08_exercise_define_an_ml_problem.ipynb",
            ("ProblemStatementForm", "mlw-problem-form"), "mlw-feedback-button", "click", ".mlw-status",
            "[0, 1]", "c.click()",
            prep=("w.problem = ['About 18% of our patients miss appointments; each no-show wastes a slot.',"
                  " 'We want to use AI to improve the customer experience.'][v]\n"
                  "w.save_now()")),
)

# Installed in each notebook's kernel after Run All. Finds the instance the notebook shows (an
# Out[] value), never a second one built for printing (01's course_framing, 08's weak and clinic).
_KERNEL_HELPERS = r'''
import cProfile as _mlw_cprofile, io as _mlw_io, json as _mlw_json, os as _mlw_os, pstats as _mlw_pstats
import time as _mlw_time
import ipywidgets as _mlw_widgets
try:
    from ipywidgets.widgets.widget import _instances as _mlw_instances  # ipywidgets 8.1: Widget.widgets is deprecated
except ImportError:
    _mlw_instances = _mlw_widgets.Widget.widgets
_MLW = {}

def _mlw_walk(w):
    yield w
    for child in getattr(w, "children", ()) or ():
        yield from _mlw_walk(child)

def _mlw_find(root, dom):
    for w in _mlw_walk(root):
        if dom in getattr(w, "_dom_classes", ()):
            return w
    raise LookupError(f"no widget with the class {dom!r} inside {type(root).__name__}")

def _mlw_root(cls, dom):
    found = [w for w in list(_mlw_instances.values())
             if type(w).__name__ == cls and dom in getattr(w, "_dom_classes", ())]
    shown = [w for w in found if any(o is w for o in get_ipython().user_ns.get("Out", {}).values())]
    pick = shown if shown else found
    if len(pick) != 1:
        raise LookupError(f"{len(found)} {cls} widgets with the class {dom!r}, {len(shown)} of them shown; need one")
    return pick[0]

def _mlw_setup(name, cls, dom, control, values, prep, act):
    w = _mlw_root(cls, dom)
    c = _mlw_find(w, control) if control else None
    ns = {"w": w, "c": c, "find": lambda d: _mlw_find(w, d)}
    vals = list(eval(values, dict(ns)))
    _MLW[name] = dict(ns=ns, values=vals, prep=compile(prep or "pass", name + ":prep", "exec"),
                      act=compile(act, name + ":act", "exec"))
    print(_mlw_json.dumps({"values": vals}))

def _mlw_run(name, step, i):
    s = _MLW[name]
    exec(s[step], dict(s["ns"], v=s["values"][i % 2]))

def _mlw_times(name, n, start, pause):
    s, out = _MLW[name], []
    for i in range(start, start + n):
        ns = dict(s["ns"], v=s["values"][i % 2])
        exec(s["prep"], ns)
        t = _mlw_time.perf_counter()
        exec(s["act"], ns)
        out.append((_mlw_time.perf_counter() - t) * 1e3)
        _mlw_time.sleep(pause)  # let the page render before the next change (it shares the CPUs)
    print(_mlw_json.dumps(out))

def _mlw_profile(name, n, start, top):
    s, prof = _MLW[name], _mlw_cprofile.Profile()
    for i in range(start, start + n):
        ns = dict(s["ns"], v=s["values"][i % 2])
        exec(s["prep"], ns)
        prof.enable()
        exec(s["act"], ns)
        prof.disable()
    buf = _mlw_io.StringIO()
    stats = _mlw_pstats.Stats(prof, stream=buf).strip_dirs()
    buf.write("By own time (where the time is spent):\n")
    stats.sort_stats("tottime").print_stats(top)
    buf.write("By cumulative time (which call leads there):\n")
    stats.sort_stats("cumulative").print_stats(top)
    print(buf.getvalue())
'''

_EXEC = """async ({code, timeout}) => {
  const nb = window.jupyterapp.shell.currentWidget;
  const kernel = nb.sessionContext.session.kernel;
  const future = kernel.requestExecute({code, silent: false, store_history: false, stop_on_error: true});
  let out = '', err = null;
  future.onIOPub = (msg) => {
    const t = msg.header.msg_type;
    if (t === 'stream' && msg.content.name === 'stdout') out += msg.content.text;
    else if (t === 'error') err = `${msg.content.ename}: ${msg.content.evalue}\\n${msg.content.traceback.join('\\n')}`;
  };
  let timer;
  const late = new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), timeout); });
  let how;
  try { how = await Promise.race([future.done.then(() => 'done'), late]); }
  catch (e) { how = `failed: ${e}`; }
  clearTimeout(timer);
  return {how, out, err};
}"""

# One timed change in the page. Resolves with the time from just before the input event to the
# first DOM mutation after which the watched output differs (and, for reference, to the next frame).
_CHANGE = """async ({root, control, kind, watch, image, needle, value, step, code, timeout}) => {
  const r = document.querySelector(root);
  if (!r) return {error: `nothing on the page matches ${root}`};
  const out = r.querySelector(watch);
  if (!out) return {error: `nothing matches ${root} ${watch}`};
  const ctl = control ? r.querySelector(control) : null;
  if (control && !ctl) return {error: `nothing matches ${root} ${control}`};
  const sig = image ? () => { const i = out.querySelector('img'); return i ? (i.getAttribute('src') || '') : ''; }
                    : () => out.innerHTML;
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  let fire;
  if (kind === 'click') fire = () => ctl.click();
  else if (kind === 'toggle') {
    const b = ctl.querySelectorAll('button')[value];
    if (!b) return {error: `${control} has no option ${value}`};
    fire = () => b.click();
  } else if (kind === 'select') {
    const s = ctl.querySelector('select');
    fire = () => { s.selectedIndex = value; s.dispatchEvent(new Event('change', {bubbles: true})); };
  } else if (kind === 'checkbox') {
    const box = ctl.querySelector('input[type=checkbox]');
    fire = () => box.click();
  } else if (kind === 'slider') {
    const h = ctl.querySelector('.noUi-handle');
    if (!h) return {error: `${control} has no slider handle`};
    h.focus();
    const key = step % 2 === 0 ? 'ArrowRight' : 'ArrowLeft';
    fire = () => h.dispatchEvent(new KeyboardEvent('keydown', {key, code: key, bubbles: true, cancelable: true}));
  } else if (kind === 'number') {
    const input = ctl.querySelector('input');
    fire = () => { input.value = String(value); input.dispatchEvent(new Event('change', {bubbles: true})); };
  } else if (kind === 'kernel') {
    fire = () => { kernel.requestExecute({code, silent: true, store_history: false}); };
  } else return {error: `unknown kind ${kind}`};
  const before = sig();
  const result = await new Promise((resolve) => {
    let t0 = 0, seen = false;
    const timer = setTimeout(() => { obs.disconnect(); resolve({timeout: true, now: sig().slice(0, 300)}); }, timeout);
    const obs = new MutationObserver(() => {
      if (seen) return;
      const now = sig();
      if (now === before || (needle && !now.includes(needle))) return;
      const t1 = performance.now();
      seen = true;
      obs.disconnect();
      clearTimeout(timer);
      requestAnimationFrame(() => setTimeout(() => resolve({ms: t1 - t0, frame_ms: performance.now() - t0}), 0));
    });
    obs.observe(out, {childList: true, subtree: true, attributes: true, characterData: true});
    t0 = performance.now();
    fire();
  });
  // settle: the kernel idle again, so the next change does not overlap this one's trailing messages
  const end = performance.now() + 30000;
  while (kernel.status !== 'idle' && performance.now() < end) await new Promise((ok) => setTimeout(ok, 20));
  await new Promise((ok) => setTimeout(ok, 150));
  return result;
}"""

# Waits until the watched output has not changed for ``quiet`` ms (after untimed preparation).
_SETTLE = """async ({root, watch, quiet, timeout}) => {
  const out = document.querySelector(`${root} ${watch}`);
  if (!out) return false;
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const end = performance.now() + timeout;
  let last = out.innerHTML, since = performance.now();
  while (performance.now() < end) {
    await new Promise((ok) => setTimeout(ok, 25));
    const now = out.innerHTML;
    if (now !== last || kernel.status !== 'idle') { last = now; since = performance.now(); }
    else if (performance.now() - since >= quiet) return true;
  }
  return false;
}"""


def _load() -> tuple[float, float, float]:
    return os.getloadavg()


def _percentile(samples: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (``q`` in 0..1)."""
    s = sorted(samples)
    if len(s) == 1:
        return s[0]
    pos = q * (len(s) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def _summary(samples: Sequence[float]) -> dict[str, float]:
    return {"median": statistics.median(samples), "p95": _percentile(samples, 0.95),
            "min": min(samples), "max": max(samples)}


def _last_json(text: str, what: str) -> Any:
    """The last line the kernel printed, as JSON (say what came instead if it is not)."""
    lines = text.strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, ValueError):
        raise RuntimeError(f"{what}: expected JSON from the kernel, got {text[-1000:]!r}") from None


class _Kernel:
    """Runs code in the current notebook's kernel through JupyterLab's own kernel connection."""

    def __init__(self, page: Any):
        self.page = page

    def run(self, code: str, timeout: float = 120) -> str:
        res = self.page.evaluate(_EXEC, {"code": code, "timeout": timeout * 1000})
        if res["err"]:
            raise RuntimeError("in the kernel: " + re.sub(r"\x1b\[[0-9;]*m", "", res["err"])[-2000:])
        if res["how"] != "done":
            raise RuntimeError(f"kernel request {res['how']} after {timeout:.0f}s: {code[:120]!r}")
        return str(res["out"])


def _vmrss(pid: int) -> dict[str, float]:
    out: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out["rss" if key == "VmRSS" else "peak_rss"] = int(value.split()[0]) / 1024
    return out


def _measure_control(page: Any, kernel: _Kernel, c: Control, repeat: int, warmup: int,
                     profile: bool) -> dict[str, Any]:
    root_sel = "." + c.root[1]
    setup = _last_json(kernel.run(
        f"_mlw_setup({c.name!r}, {c.root[0]!r}, {c.root[1]!r}, {c.control!r}, {c.values!r}, {c.prep!r}, {c.act!r})"
    ), f"{c.name} setup")
    values = setup["values"]
    page.evaluate("(sel) => document.querySelector(sel).scrollIntoView({block: 'center'})", root_sel)
    browser: list[dict[str, float]] = []
    for i in range(warmup + repeat):
        if c.prep:
            kernel.run(f"_mlw_run({c.name!r}, 'prep', {i})")
            page.evaluate(_SETTLE, {"root": root_sel, "watch": c.watch, "quiet": 200, "timeout": 15000})
        res = page.evaluate(_CHANGE, {
            "root": root_sel, "control": f".{c.control}" if c.control else None, "kind": c.kind,
            "watch": c.watch, "image": c.image, "needle": c.needle, "value": values[i % 2], "step": i,
            "code": f"_mlw_run({c.name!r}, 'act', {i})", "timeout": 60000,
        })
        if "error" in res:
            raise RuntimeError(f"{c.name}: {res['error']}")
        if res.get("timeout"):
            raise RuntimeError(f"{c.name}: change {i + 1} (to {values[i % 2]!r}) did not change {c.watch} "
                               f"within 60 s; it shows: {res['now']!r}")
        browser.append(res)
    start = warmup + repeat
    kernel_ms = _last_json(kernel.run(f"_mlw_times({c.name!r}, {repeat}, {start}, 0.15)", timeout=600),
                           f"{c.name} kernel times")
    timed = [r["ms"] for r in browser[warmup:]]
    row: dict[str, Any] = {
        "control": c.name, "label": c.label, "notebook": c.notebook, "kind": c.kind, "n": repeat,
        "values": values, "browser_first_ms": browser[0]["ms"],
        "browser_ms": _summary(timed), "browser_frame_ms": _summary([r["frame_ms"] for r in browser[warmup:]]),
        "kernel_ms": _summary(kernel_ms), "browser_samples_ms": [r["ms"] for r in browser],
        "kernel_samples_ms": kernel_ms,
    }
    if profile:
        row["profile"] = kernel.run(f"_mlw_profile({c.name!r}, {repeat}, {start + repeat}, 18)", timeout=600)
    return row


def measure(names: Sequence[str] | None = None, repeat: int = 20, *, warmup: int = 2, profile: bool = False,
            progress: bool = True) -> dict[str, Any]:
    """Start JupyterLab and Chromium, time every control (or ``names``), read each kernel's memory."""
    sys.path[:0] = [str(E2E), str(E2E.parent)]  # the e2e helpers, and tests/markers.py they import
    from jupyter_ui import open_notebook, run_all, wait_widgets_rendered
    from playwright.sync_api import sync_playwright

    from conftest import CHROMIUM, CHROMIUM_ARGS, _free_port, _start_server, _stop_server

    controls = [c for c in CONTROLS if not names or c.name in names]
    unknown = sorted(set(names or ()) - {c.name for c in CONTROLS})
    if unknown:
        raise SystemExit(f"unknown control(s) {', '.join(unknown)}; known: {', '.join(c.name for c in CONTROLS)}")
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM}: sudo apt-get install chromium (or set MLW_CHROMIUM)")

    def say(msg: str) -> None:
        if progress:
            print(f"… {msg}", file=sys.stderr, flush=True)

    load_start = _load()
    rows: list[dict[str, Any]] = []
    memory: list[dict[str, Any]] = []
    notebooks = list(dict.fromkeys(c.notebook for c in controls))
    with tempfile.TemporaryDirectory(prefix="mlworkflow-bench-controls-") as tmp:
        base, course = Path(tmp) / "jupyter", Path(tmp) / "course"
        base.mkdir()
        course.mkdir()
        for nb in NOTEBOOKS.glob("*.ipynb"):  # a copy: autosave and outputs never touch notebooks/
            shutil.copy(nb, course)
        port, token = _free_port(), secrets.token_hex(16)
        cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True",
               "--ServerApp.port_retries=0"]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        say("starting JupyterLab")
        server = _start_server(cmd, base, course, port, token, "/api/status")
        try:
            with sync_playwright() as pw:
                chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                try:
                    for nb in notebooks:
                        context = chromium.new_context(viewport={"width": 1400, "height": 1000})
                        context.set_default_timeout(60_000)
                        page = context.new_page()
                        page.mlw_server = server  # what jupyter_ui's helpers expect (conftest's lab_page)
                        try:
                            say(f"{nb}: open and Run All")
                            open_notebook(page, nb, timeout=180)
                            t = time.perf_counter()
                            run_all(page, timeout=900)
                            run_s = time.perf_counter() - t
                            wait_widgets_rendered(page, timeout=120)
                            kernel = _Kernel(page)
                            kernel.run(_KERNEL_HELPERS)
                            pid = int(kernel.run("print(_mlw_os.getpid())").strip())
                            mem = {"notebook": nb, "pid": pid, "run_all_s": run_s,
                                   "after_run_all": _vmrss(pid)}
                            for c in (c for c in controls if c.notebook == nb):
                                say(f"{nb}: {c.name} ({warmup} + {repeat} changes)")
                                rows.append(_measure_control(page, kernel, c, repeat, warmup, profile))
                            mem["after_changes"] = _vmrss(pid)
                            memory.append(mem)
                        finally:
                            context.close()
                            for session in server.api("GET", "/api/sessions"):  # stop this notebook's kernel
                                server.api("DELETE", f"/api/sessions/{session['id']}")
                finally:
                    chromium.close()
        except Exception as exc:
            raise RuntimeError(f"{exc}\n--- JupyterLab log (end) ---\n{server.log_tail(2000)}") from exc
        finally:
            _stop_server(server)
    return {
        "meta": {"date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "cpus": os.cpu_count(), "repeat": repeat,
                 "warmup": warmup, "load_start": load_start, "load_end": _load()},
        "controls": rows,
        "memory": memory,
    }


def markdown(result: dict[str, Any]) -> str:
    """The two tables (controls, kernel memory) and the machine load."""
    lines = ["| Control | notebook | browser median ms | browser p95 ms | kernel median ms | kernel p95 ms | n "
             "| browser 1st ms |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in result["controls"]:
        b, k = r["browser_ms"], r["kernel_ms"]
        lines.append(f"| {r['label']} | {r['notebook'][:2]} | {b['median']:.0f} | {b['p95']:.0f} | "
                     f"{k['median']:.1f} | {k['p95']:.1f} | {r['n']} | {r['browser_first_ms']:.0f} |")
    lines += ["", "| Notebook | kernel RSS after Run All MiB | after the changes MiB | peak RSS MiB | Run All s |",
              "|---|---:|---:|---:|---:|"]
    for m in result["memory"]:
        a, c = m["after_run_all"], m.get("after_changes", {})
        lines.append(f"| {m['notebook']} | {a['rss']:.0f} | {c.get('rss', float('nan')):.0f} | "
                     f"{c.get('peak_rss', a['peak_rss']):.0f} | {m['run_all_s']:.1f} |")
    meta = result["meta"]
    ls, le = meta["load_start"], meta["load_end"]
    lines += ["", f"Measured {meta['date']} on {meta['cpus']} CPUs; load average (1/5/15 min) at start "
              f"{ls[0]:.1f}/{ls[1]:.1f}/{ls[2]:.1f}, at end {le[0]:.1f}/{le[1]:.1f}/{le[2]:.1f}. "
              f"browser: input event to the output changed in the DOM; kernel: the same change's Python work; "
              f"{meta['warmup']} warm-up changes first (the 1st is cold), then n timed."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--controls", metavar="NAME,...",
                        help="only these controls: " + ", ".join(c.name for c in CONTROLS))
    parser.add_argument("--repeat", type=int, default=20, help="timed changes per control (default 20)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures (and every sample) as JSON")
    parser.add_argument("--profile", action="store_true",
                        help="also profile each control's kernel-side change with cProfile and print the top functions")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    names = [n.strip() for n in args.controls.split(",") if n.strip()] if args.controls else None
    result = measure(names, args.repeat, profile=args.profile)
    print(markdown(result))
    if args.profile:
        for r in result["controls"]:
            print(f"\n### kernel profile: {r['label']} ({r['n']} changes)\n\n```\n{r['profile'].strip()}\n```")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
        print(f"\nwritten: {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Drive JupyterLab and Voila pages from playwright: open a notebook, run it, check its widgets.

Every wait is bounded and its failure message says what the page showed last.
``page`` is a fixture from ``conftest.py`` (``lab_page`` / ``voila_page``) that knows its server.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

__all__ = [
    "image_src",
    "open_notebook",
    "open_slides",
    "open_voila",
    "run_all",
    "run_notebook",
    "stepper_button",
    "type_into_readout",
    "wait_for",
    "wait_for_stage",
    "wait_slide",
    "wait_text",
    "wait_widgets_rendered",
]

_NOTEBOOK_STATE = """(path) => {
  const app = window.jupyterapp;
  if (!app) return {phase: 'no window.jupyterapp yet'};
  const nb = app.shell.currentWidget;
  if (!nb || !nb.context || !nb.content || !nb.sessionContext) return {phase: 'no notebook open'};
  if (nb.context.path !== path) return {phase: `current tab is ${nb.context.path}`};
  const dialog = document.querySelector('.jp-Dialog');
  const kernel = nb.sessionContext.session && nb.sessionContext.session.kernel;
  if (!kernel) return {phase: 'no kernel', dialog: dialog ? dialog.innerText.slice(0, 200) : null};
  return {phase: 'kernel', status: `${kernel.connectionStatus}/${kernel.status}`, dialog: !!dialog};
}"""

_RUN_STATE = """() => {
  const nb = window.jupyterapp.shell.currentWidget;
  const kernel = nb.sessionContext.session.kernel;
  const code = nb.content.widgets.filter(c => c.model.type === 'code');
  const pending = code.filter(c => c.model.executionCount === null || c.model.executionState === 'running');
  const errors = [];
  code.forEach((c, i) => c.model.outputs.toJSON().forEach(o => {
    if (o.output_type === 'error') errors.push(`code cell ${i + 1}: ${o.ename}: ${o.evalue}`);
  }));
  return {run: window.__mlwRunAll, kernel: `${kernel.connectionStatus}/${kernel.status}`,
          pending: pending.length, code: code.length, errors};
}"""

_WIDGET_STATE = """(scope) => {
  const root = document.querySelector(scope) || document.body;
  const text = root.textContent || '';  // not innerText: it skips cells the browser has not laid out
  const views = root.querySelectorAll('[class^="widget-"], [class*=" widget-"]').length;
  const count = (s) => text.split(s).length - 1;
  // In JupyterLab we can ask directly whether anything renders widget outputs at all.
  const nb = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const rendermime = nb && nb.content && nb.content.rendermime;
  const renderer = rendermime ? rendermime.mimeTypes.includes('application/vnd.jupyter.widget-view+json') : null;
  return {views, loading: count('Loading widget'), errors: count('Error displaying widget'), renderer};
}"""


def wait_for(page: Any, js: str, arg: Any, done: Callable[[Any], bool], timeout: float, what: str) -> Any:
    """Evaluate ``js(arg)`` until ``done(result)``; on timeout fail with the last result seen."""
    deadline = time.monotonic() + timeout
    state = None
    while True:
        state = page.evaluate(js, arg)
        if done(state):
            return state
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}; last state: {state}")
        page.wait_for_timeout(250)


def open_notebook(page: Any, name: str, *, timeout: float = 90) -> None:
    """Open ``name`` (relative to the course folder) in JupyterLab; wait for an idle kernel."""
    server = page.mlw_server
    page.goto(f"{server.url}/lab/tree/{name}?token={server.token}", wait_until="domcontentloaded")

    def ready(state: dict) -> bool:
        if state.get("phase") == "no kernel" and state.get("dialog") and "Select Kernel" in state["dialog"]:
            page.click(".jp-Dialog .jp-mod-accept")  # a notebook without kernelspec metadata
        return state.get("status") == "connected/idle" and not state.get("dialog")

    wait_for(page, _NOTEBOOK_STATE, name, ready, timeout, f"{name} to open with an idle kernel")


def run_all(page: Any, *, timeout: float = 180) -> None:
    """Run all cells of the current notebook and wait until each has run; fail on any error output."""
    # Through the command registry, not the Run menu: clicking the menu right after load
    # silently did nothing about 1 run in 6.
    page.evaluate("""() => {
      window.__mlwRunAll = 'running';
      window.jupyterapp.commands.execute('notebook:run-all-cells').then(
        ok => { window.__mlwRunAll = ok === false ? 'failed' : 'done'; },
        err => { window.__mlwRunAll = `error: ${err}`; });
    }""")
    state = wait_for(
        page, _RUN_STATE, None,
        lambda s: s["run"] != "running" and s["pending"] == 0 and s["kernel"] == "connected/idle",
        timeout, "all cells to run",
    )
    assert not state["errors"], f"cells raised errors: {state['errors']}"
    assert state["run"] == "done", f"run-all-cells ended with {state['run']!r}"


def wait_widgets_rendered(page: Any, *, scope: str = "body", timeout: float = 30, min_views: int = 1) -> None:
    """Wait until no "Loading widget..." is left; fail on "Error displaying widget" or no views."""
    state = wait_for(
        page, _WIDGET_STATE, scope,
        lambda s: s["errors"] > 0 or s["renderer"] is False or (s["loading"] == 0 and s["views"] >= min_views),
        timeout, "widgets to render",
    )
    assert state["renderer"] is not False, (
        "JupyterLab has no renderer for widget outputs: the widgets front end (jupyterlab_widgets) "
        "is not installed or is disabled"
    )
    assert state["errors"] == 0, f"'Error displaying widget' shown {state['errors']} time(s); see the console log"
    assert state["views"] >= min_views, (
        f"only {state['views']} widget views rendered (is the widgets front end, jupyterlab_widgets, installed?)"
    )


def open_voila(page: Any, name: str, *, timeout: float = 120) -> None:
    """Open ``name`` in Voila's app view and wait until its widgets have rendered."""
    server = page.mlw_server
    # Voila runs the whole notebook while it streams the page, so loading is the slow part.
    page.goto(f"{server.url}/voila/render/{name}?token={server.token}", wait_until="domcontentloaded",
              timeout=timeout * 1000)
    wait_widgets_rendered(page)


_TEXT = """(sel) => { const e = document.querySelector(sel); return e ? e.textContent : null; }"""
_SRC = """(sel) => { const e = document.querySelector(sel); return e ? e.getAttribute('src') : null; }"""


def wait_text(page: Any, selector: str, needle: str, timeout: float = 30) -> str:
    """Wait until the first element matching ``selector`` contains ``needle``."""
    return wait_for(page, _TEXT, selector, lambda t: bool(t) and needle in t, timeout,
                    f"{selector} to contain {needle!r}")


def image_src(page: Any, selector: str, *, changed_from: str | None = None, timeout: float = 30) -> str:
    """Wait for an image matching ``selector`` (with a ``src`` other than ``changed_from``); return its ``src``."""
    what = f"the image at {selector} to change" if changed_from else f"an image at {selector}"
    return wait_for(page, _SRC, selector, lambda src: bool(src) and src != changed_from, timeout, what)


def run_notebook(page: Any, name: str) -> None:
    """Open a notebook in JupyterLab, run every cell, and wait for its widgets to render."""
    open_notebook(page, name)
    run_all(page)
    wait_widgets_rendered(page)


def type_into_readout(page: Any, slider: str, value: str) -> None:
    """Set an ipywidgets slider the way a learner can: edit its number readout and press Enter."""
    readout = page.locator(f"{slider} .widget-readout").first
    readout.click()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(value)
    page.keyboard.press("Enter")


# What the first stepper on the page shows: card title, highlighted stage button, position
# text, and the <title> of the diagram's SVG (fetched from the <img> src, data: or blob:).
_STEPPER_STATE = """async () => {
  const s = document.querySelector('.mlw-stepper');
  if (!s) return {found: false};
  const title = s.querySelector('.mlw-card .mlw-card-title');
  const img = s.querySelector('.mlw-diagram .jp-RenderedSVG img');
  let svgTitle = null;
  if (img && img.src) {
    const svg = new DOMParser().parseFromString(await (await fetch(img.src)).text(), 'image/svg+xml');
    const titles = [...svg.querySelectorAll('title')].map(t => t.textContent.trim());
    svgTitle = titles.find(t => t.includes('current stage')) || titles[0] || null;
  }
  const position = (s.textContent.match(/Stage \\d+ of \\d+/) || [null])[0];
  return {
    found: true,
    title: title ? title.textContent.trim() : null,
    current: [...s.querySelectorAll('.mlw-stage-button.mlw-current')].map(b => b.textContent.trim()),
    position, svgTitle, imgSrc: img ? img.src : null,
  };
}"""


def wait_for_stage(page: Any, number: int, title: str, timeout: float = 30) -> dict:
    """Wait until the stepper's card, stage row and diagram all show stage ``number``."""

    def shows(s: dict) -> bool:
        return (
            s.get("title") == title
            and s.get("current") == [f"{number} {title}"]
            and s.get("position") == f"Stage {number} of 6"
            and s.get("svgTitle") == f"ML project workflow — current stage: {title}"
        )

    return wait_for(page, _STEPPER_STATE, None, shows, timeout, f"the stepper to show stage {number} ({title})")


def stepper_button(page: Any, text: str) -> Any:
    return page.locator(".mlw-stepper").first.locator("button.widget-button", has_text=text).first


_SLIDE = """() => {
  const s = document.querySelector('.mlw-slideshow .mlw-slide');
  const img = document.querySelector('.mlw-slide-diagram img');
  return s ? {cls: s.className, stage: s.dataset.stage || null, img: img ? img.src.length : 0,
              text: s.textContent.slice(0, 80)} : null;
}"""


def open_slides(page: Any, server: Any, viewport: dict) -> None:
    """Open the ``mlworkflow present`` slides at ``viewport`` and wait for their widgets."""
    page.mlw_server = server
    page.set_viewport_size(viewport)
    page.goto(f"{server.url}/", wait_until="domcontentloaded", timeout=120_000)
    wait_widgets_rendered(page, timeout=120)


def wait_slide(page: Any, stage: str | None, cls: str, previous_img: int | None = None) -> dict:
    """Wait until the slides show the slide of ``stage`` (or the ``cls`` slide) and its diagram."""
    def shows(s: dict | None) -> bool:
        return bool(s) and s["stage"] == stage and cls in s["cls"] and s["img"] > 0 and s["img"] != previous_img
    return wait_for(page, _SLIDE, None, shows, 30, f"the slide {stage or cls}")

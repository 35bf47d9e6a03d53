"""A learner restarts the kernel and reopens a notebook: the widgets are still there, never an error.

JupyterLab saves the widgets' state with the notebook (the course turns that setting on wherever
it starts JupyterLab: ``binder/overrides.json``, ``mlworkflow start``), so a notebook reopened on
a fresh kernel draws its widgets from the saved state until the learner runs it again.
"""

from __future__ import annotations

import warnings

from jupyter_ui import open_notebook, run_notebook, wait_for, wait_text, wait_widgets_rendered

NB08 = "08_exercise_define_an_ml_problem.ipynb"
FORM = ".mlw-problem-form"

_SAVED = """(path) => {
  const nb = window.jupyterapp.shell.currentWidget;
  return nb && nb.context.path === path && !nb.context.model.dirty;
}"""

_ERRORS = """() => {
  const text = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)')?.textContent || '';
  return {errors: text.split('Error displaying widget').length - 1,
          forms: document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .mlw-problem-form').length};
}"""


_VIEW = "application/vnd.jupyter.widget-view+json"


def _reopened(page) -> dict:
    return wait_for(page, _ERRORS, None, lambda s: s["errors"] > 0 or s["forms"] > 0, 60,
                    "the reopened notebook to draw its widgets")


def _saved_state(page) -> tuple[str, bool]:
    """What the saved file holds (widget models, views in outputs), and True if it has every view's model."""
    nb = page.mlw_server.api("GET", f"/api/contents/{NB08}")["content"]
    state = nb["metadata"].get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    views = [o["data"][_VIEW]["model_id"] for c in nb["cells"] for o in c.get("outputs", ())
             if _VIEW in o.get("data", {})]
    missing = [v for v in views if v not in state]
    text = f"the saved file has {len(state)} widget models, {len(views)} widget views, {len(missing)} of them missing"
    return text, bool(views) and not missing


def test_restart_and_reopen_keeps_the_widgets(lab_page):
    page = lab_page
    run_notebook(page, NB08)
    form = page.locator(FORM).last
    area = form.locator(".mlw-field-problem textarea").first
    area.click()
    area.fill("Dispatchers guess which deliveries will be late; each late one costs a credit.")
    wait_text(page, f"{FORM} .mlw-status", "saved")
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    wait_for(page, _SAVED, NB08, bool, 30, "the notebook to be saved")
    # Kernel > Restart, then close the tab and open the notebook again, as the learner did
    page.evaluate("async () => { await window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.restart() }")
    page.evaluate("() => window.jupyterapp.commands.execute('application:close-all')")
    open_notebook(page, NB08)
    state = _reopened(page)
    if state["errors"]:
        saved, complete = _saved_state(page)
        # Ours to fix: the saved file lost widget state. Not ours: jupyterlab_widgets (3.0.x)
        # restores twice on open, once without the notebook's state, and a view that asks in
        # between gives up after 2 s. A reload draws it; the facilitator guide says so.
        assert complete, (
            f"the reopened notebook shows 'Error displaying widget' {state['errors']} times; {saved}")
        warnings.warn(f"jupyterlab_widgets drew {state['errors']} views before reading the saved state "
                      f"({saved}); reloading", stacklevel=1)
        open_notebook(page, NB08)
        state = _reopened(page)
        assert state["errors"] == 0, (
            f"after a reload the notebook still shows 'Error displaying widget'; {_saved_state(page)[0]}")
    wait_widgets_rendered(page, scope=".jp-NotebookPanel:not(.lm-mod-hidden)")
    # the form drawn from the saved state still shows what the learner typed
    reopened = page.locator(f".jp-NotebookPanel:not(.lm-mod-hidden) {FORM} .mlw-field-problem textarea").last
    assert "each late one costs a credit" in reopened.input_value()

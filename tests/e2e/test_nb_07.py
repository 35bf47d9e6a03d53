"""Notebook 07 (the recommendations case study) as a learner sees it: JupyterLab in Chromium.

Runs the notebook, checks the recommendation explorer rendered both lists with reasons, that
picking another member changes them, and that the project brief rendered at the end.
"""

from __future__ import annotations

from typing import Any

from jupyter_ui import open_notebook, run_all, wait_for, wait_widgets_rendered

NB07 = "07_case_study_netflix.ipynb"

_LISTS = """() => {
  const x = document.querySelector('.mlw-rec-explorer');
  if (!x) return null;
  const items = (sel) => [...x.querySelectorAll(sel + ' .mlw-rec-item')].map(li => li.dataset.title);
  return {popular: items('.mlw-rec-popular'), personal: items('.mlw-rec-personal'),
          reasons: x.querySelectorAll('.mlw-rec-personal .mlw-rec-reason').length,
          history: (x.querySelector('.mlw-rec-history') || {}).textContent || ''};
}"""

_TEXT = """(sel) => { const e = document.querySelector(sel); return e ? e.textContent : null; }"""


def explorer_lists(page: Any, changed_from: dict | None = None, timeout: float = 30) -> dict:
    """The explorer's two lists once they show 10 titles each (and differ from ``changed_from``)."""

    def ready(s: dict | None) -> bool:
        if not s or len(s["popular"]) != 10 or len(s["personal"]) != 10 or s["reasons"] != 10:
            return False
        return changed_from is None or (s["personal"] != changed_from["personal"] and s["history"] != changed_from["history"])

    return wait_for(page, _LISTS, None, ready, timeout, "the recommendation explorer's two lists")


def test_explorer_and_brief_in_jupyterlab(lab_page):
    open_notebook(lab_page, NB07)
    run_all(lab_page)
    wait_widgets_rendered(lab_page)
    first = explorer_lists(lab_page)
    assert "Watched" in first["history"]

    menu = lab_page.locator(".mlw-rec-explorer .mlw-rec-member select").first
    options = menu.locator("option").all_text_contents()
    menu.select_option(label=options[5])
    second = explorer_lists(lab_page, changed_from=first)
    assert second["popular"] != second["personal"]

    brief = wait_for(lab_page, _TEXT, ".mlw-brief-widget .mlw-brief", lambda t: bool(t), 30, "the project brief")
    assert "My ML project brief" in brief and "Open questions" in brief
    assert lab_page.locator(".mlw-brief-widget button.mlw-brief-export").count() == 1

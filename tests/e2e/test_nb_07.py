"""Notebook 07 (the recommendations case study) as a learner sees it: JupyterLab in Chromium.

Runs the notebook, checks the recommendation explorer rendered both lists with reasons, that
picking another member changes them, and that the project brief rendered at the end.
"""

from __future__ import annotations

from typing import Any

from jupyter_ui import run_notebook, wait_for, wait_text

NB07 = "07_case_study_netflix.ipynb"

_LISTS = """() => {
  const x = document.querySelector('.mlw-rec-explorer');
  if (!x) return null;
  const items = (sel) => [...x.querySelectorAll(sel + ' .mlw-rec-item')].map(li => li.dataset.title);
  return {popular: items('.mlw-rec-popular'), personal: items('.mlw-rec-personal'),
          reasons: x.querySelectorAll('.mlw-rec-personal .mlw-rec-reason').length,
          history: (x.querySelector('.mlw-rec-history') || {}).textContent || ''};
}"""

def explorer_lists(page: Any, changed_from: dict | None = None, timeout: float = 30) -> dict:
    """The explorer's two lists once they show 10 titles each (and differ from ``changed_from``)."""

    def ready(s: dict | None) -> bool:
        if not s or len(s["popular"]) != 10 or len(s["personal"]) != 10 or s["reasons"] != 10:
            return False
        return changed_from is None or (
            s["personal"] != changed_from["personal"] and s["history"] != changed_from["history"]
        )

    return wait_for(page, _LISTS, None, ready, timeout, "the recommendation explorer's two lists")


def test_explorer_and_brief_in_jupyterlab(lab_page):
    run_notebook(lab_page, NB07)
    first = explorer_lists(lab_page)
    assert "Watched" in first["history"]

    menu = lab_page.locator(".mlw-rec-explorer .mlw-rec-member select").first
    options = menu.locator("option").all_text_contents()
    menu.select_option(label=options[5])
    second = explorer_lists(lab_page, changed_from=first)
    assert second["popular"] != second["personal"]

    brief = wait_text(lab_page, ".mlw-brief-widget .mlw-brief", "My ML project brief")
    assert "Open questions" in brief
    assert lab_page.locator(".mlw-brief-widget button.mlw-brief-export").count() == 1

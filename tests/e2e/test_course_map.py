"""The course map as a learner sees it: JupyterLab in Chromium, and Voila's app view."""

from __future__ import annotations

from typing import Any

from jupyter_ui import open_notebook, open_voila, run_all, stepper_button, wait_for_stage, wait_widgets_rendered

NOTEBOOK = "00_course_map.ipynb"


def course_map_in_lab(page: Any) -> dict:
    open_notebook(page, NOTEBOOK)
    run_all(page)
    wait_widgets_rendered(page)
    return wait_for_stage(page, 1, "Problem Definition")


def test_course_map_renders_the_stepper_in_jupyterlab(lab_page):
    state = course_map_in_lab(lab_page)
    assert state["imgSrc"], "the diagram should be an <img> inside .jp-RenderedSVG"
    assert lab_page.locator(".mlw-stepper .mlw-stage-button").count() >= 6


def test_next_and_stage_row_move_the_card_and_the_diagram(lab_page):
    first = course_map_in_lab(lab_page)

    stepper_button(lab_page, "Next").click()
    second = wait_for_stage(lab_page, 2, "Data Collection and Preparation")
    assert second["imgSrc"] != first["imgSrc"], "the diagram image did not change"

    stepper_button(lab_page, "5 Deployment").click()
    fifth = wait_for_stage(lab_page, 5, "Deployment")
    assert fifth["imgSrc"] != second["imgSrc"]


_FOCUSED = (
    """() => { const e = document.activeElement;
  return e ? `${e.tagName.toLowerCase()}.${[...e.classList].slice(-2).join('.')} """
    """"${(e.innerText || '').trim().slice(0, 30)}"` : 'nothing'; }"""
)


def tab_to(page: Any, selector: str, text: str = "", max_presses: int = 30) -> None:
    """Press Tab until the focused element matches ``selector`` (and starts with ``text``)."""
    seen = []
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        if page.evaluate(
            "([sel, text]) => { const e = document.activeElement;"
            " return !!e && e.matches(sel) && (e.innerText || '').trim().startsWith(text); }",
            [selector, text],
        ):
            return
        seen.append(page.evaluate(_FOCUSED))
    raise AssertionError(f"{max_presses} Tab presses never reached {selector} {text!r}; focus went: {' > '.join(seen)}")


def select_cell_with(page: Any, selector: str, max_presses: int = 60) -> None:
    """In command mode, move the active cell up (arrow keys) until it contains ``selector``."""
    page.keyboard.press("Escape")
    has = "(sel) => !!window.jupyterapp.shell.currentWidget.content.activeCell.node.querySelector(sel)"
    for _ in range(max_presses):
        if page.evaluate(has, selector):
            return
        page.keyboard.press("ArrowUp")
    raise AssertionError(f"no cell above the active one contains {selector}")


def test_stepper_is_usable_with_the_keyboard_alone(lab_page):
    course_map_in_lab(lab_page)
    select_cell_with(lab_page, ".mlw-stepper")  # from wherever run-all left the active cell
    tab_to(lab_page, ".mlw-stepper button.mlw-next")
    lab_page.keyboard.press("Enter")
    wait_for_stage(lab_page, 2, "Data Collection and Preparation")
    focused = lab_page.evaluate(_FOCUSED)
    assert "mlw-next" in focused, f"after Enter on Next, focus moved to {focused}"

    tab_to(lab_page, ".mlw-stepper button.mlw-stage-button", "4 ")
    lab_page.keyboard.press("Space")
    wait_for_stage(lab_page, 4, "Model Evaluation")


def test_voila_renders_the_stepper_and_responds_to_a_click(voila_page):
    open_voila(voila_page, NOTEBOOK)
    first = wait_for_stage(voila_page, 1, "Problem Definition")
    stepper_button(voila_page, "Next").click()
    second = wait_for_stage(voila_page, 2, "Data Collection and Preparation")
    assert second["imgSrc"] != first["imgSrc"]

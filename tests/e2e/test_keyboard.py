"""Every kind of course widget works from the keyboard alone, in JupyterLab in Chromium.

Only keys are pressed: Tab / Shift+Tab to move, Enter or Space to press, arrow keys for a
slider, and typing into a text box. The stage stepper's keyboard test lives with the course
map (``test_course_map.py::test_stepper_is_usable_with_the_keyboard_alone``); these cover the
request sorter (toggle buttons), a knowledge check, a slider and the exercise form.
"""

from __future__ import annotations

from typing import Any

from jupyter_ui import run_notebook, wait_for, wait_text
from test_course_map import select_cell_with, tab_to

NB01 = "01_problem_definition.ipynb"
NB04 = "04_model_evaluation.ipynb"
NB08 = "08_exercise_define_an_ml_problem.ipynb"

_FOCUS = """(sel) => { const e = document.activeElement; return !!e && e.matches(sel); }"""


def _focused_is(page: Any, selector: str) -> bool:
    return page.evaluate(_FOCUS, selector)


_SORT_CARD = """() => {
  const card = document.querySelector('.mlw-sorter .mlw-sort-card');
  if (!card) return null;
  const buttons = [...card.querySelectorAll('.mlw-sort-choice button')];
  return {active: buttons.filter(b => b.classList.contains('mod-active')).map(b => b.textContent.trim()),
          labels: buttons.map(b => b.textContent.trim()),
          feedback: card.querySelector('.mlw-sort-feedback').textContent.trim(),
          status: document.querySelector('.mlw-sorter .mlw-sort-status').textContent.trim()};
}"""


def test_request_sorter_with_keys_only(lab_page):
    run_notebook(lab_page, NB01)
    select_cell_with(lab_page, ".mlw-sorter")
    before = wait_for(lab_page, _SORT_CARD, None, bool, 30, "the request sorter")
    # Tab to the first card's second pile, then Shift+Tab back to its first, and press Space on it
    tab_to(lab_page, ".mlw-sorter .mlw-sort-card .mlw-sort-choice button", before["labels"][1])
    lab_page.keyboard.press("Shift+Tab")
    assert _focused_is(lab_page, ".mlw-sort-choice button"), "Shift+Tab left the pile buttons"
    first = before["labels"][0]
    lab_page.keyboard.press("Space")
    wait_for(lab_page, _SORT_CARD, None, lambda s: s["active"] == [first], 30, f"the pile {first!r} to be chosen")
    tab_to(lab_page, ".mlw-sorter button.mlw-sort-check", "Check", max_presses=80)
    lab_page.keyboard.press("Enter")
    after = wait_for(lab_page, _SORT_CARD, None, lambda s: bool(s["feedback"]) and bool(s["status"]), 30,
                     "the sorter's feedback")
    assert after["active"] == [first]


_QUESTION = """() => {
  const q = document.querySelector('.mlw-quiz .mlw-quiz-question');
  if (!q) return null;
  return {checked: [...q.querySelectorAll('input[type=checkbox]')].map(b => b.checked),
          feedback: q.querySelector('.mlw-quiz-feedback').textContent.trim(),
          status: document.querySelector('.mlw-quiz .mlw-quiz-status').textContent.trim()};
}"""

_THRESHOLD = """() => {
  const t = document.querySelector('.mlw-threshold');
  if (!t) return null;
  const handle = t.querySelector('.mlw-threshold-slider .noUi-handle');
  const readout = t.querySelector('.mlw-threshold-slider .widget-readout');
  return {handle: !!handle, value: readout ? parseFloat(readout.textContent) : null,
          tp: (t.querySelector('.mlw-cm-tp') || {}).textContent};
}"""


def test_quiz_and_threshold_slider_with_keys_only(lab_page):
    run_notebook(lab_page, NB04)
    # the knowledge check: tick the first option with Space, press Check with Enter
    select_cell_with(lab_page, ".mlw-quiz")
    tab_to(lab_page, ".mlw-quiz .mlw-quiz-question input[type=checkbox]")
    lab_page.keyboard.press("Space")
    wait_for(lab_page, _QUESTION, None, lambda q: bool(q) and q["checked"][0], 30, "the first option to be ticked")
    tab_to(lab_page, ".mlw-quiz button.mlw-quiz-check", "Check", max_presses=80)
    lab_page.keyboard.press("Enter")
    wait_for(lab_page, _QUESTION, None, lambda q: bool(q["feedback"]) and "correct" in q["status"], 30,
             "the knowledge check's feedback")

    # the threshold slider: focus its handle with Tab, move it with the arrow keys
    select_cell_with(lab_page, ".mlw-threshold")
    start = wait_for(lab_page, _THRESHOLD, None, lambda s: bool(s) and s["handle"] and s["value"] is not None,
                     30, "the threshold explorer")
    tab_to(lab_page, ".mlw-threshold .mlw-threshold-slider .noUi-handle")
    for _ in range(5):
        lab_page.keyboard.press("ArrowLeft")
    moved = wait_for(lab_page, _THRESHOLD, None, lambda s: s["tp"] != start["tp"] and s["value"] < start["value"],
                     30, "the threshold to go down and the confusion matrix to change")
    assert moved["value"] == round(start["value"] - 0.05, 2), (start, moved)  # one step (0.01) a press
    lab_page.keyboard.press("ArrowRight")
    wait_for(lab_page, _THRESHOLD, None, lambda s: s["value"] == round(moved["value"] + 0.01, 2), 30,
             "the slider to move back one step with ArrowRight")


_FORM = ".mlw-problem-form"
_ROWS = """(form) => {
  const forms = document.querySelectorAll(form);
  const mine = forms[forms.length - 1];
  return mine ? mine.querySelectorAll('.mlw-feedback tr.mlw-criterion').length : 0;
}"""


def test_exercise_form_with_keys_only(lab_page):
    run_notebook(lab_page, NB08)
    select_cell_with(lab_page, f"{_FORM} .mlw-field-problem textarea")
    tab_to(lab_page, f"{_FORM} .mlw-field-problem textarea", max_presses=80)
    lab_page.keyboard.type("Our support team cannot tell which accounts will cancel; each lost account costs $4,000.")
    lab_page.keyboard.press("Tab")
    assert _focused_is(lab_page, f"{_FORM} .mlw-field-outcome textarea"), "Tab did not reach the outcome box"
    lab_page.keyboard.type("Cut monthly churn from 2.1% to 1.7% within two quarters.")
    tab_to(lab_page, f"{_FORM} button.mlw-feedback-button", max_presses=40)
    lab_page.keyboard.press("Enter")
    wait_for(lab_page, _ROWS, _FORM, lambda n: n >= 6, 30, "the feedback rows")
    wait_text(lab_page, f"{_FORM} .mlw-status", "saved")

"""The knowledge check as a learner meets it: own option order, "select all that apply", partial feedback."""

from __future__ import annotations

from jupyter_ui import run_notebook, wait_for

NB04 = "04_model_evaluation.ipynb"
RIGHT = "More customers are flagged"  # option "a" of the threshold question
WRONG = "The model gets better at spotting churners"  # option "d"

_QUESTION = """(needle) => {
  const q = [...document.querySelectorAll('.mlw-quiz-question')].find(e => e.textContent.includes(needle));
  if (!q) return null;
  const rows = [...q.querySelectorAll('.mlw-quiz-option')];
  return {
    prompt: q.querySelector('.mlw-quiz-prompt')?.textContent ?? '',
    letters: rows.map(r => (r.querySelector('.widget-checkbox')?.textContent ?? '').replace(/\u200b/g, '').trim()),
    texts: rows.map(r => r.querySelector('.mlw-quiz-option-text')?.textContent ?? ''),
    feedback: q.querySelector('.mlw-quiz-feedback')?.textContent ?? '',
  };
}"""


def test_partial_answer_gets_a_reason_in_jupyterlab(lab_page):
    run_notebook(lab_page, NB04)
    question = wait_for(lab_page, _QUESTION, "decision threshold", bool, 30, "the threshold question")
    assert question["prompt"].count("Select all that apply.") == 1
    assert question["letters"] == ["A", "B", "C", "D"]
    assert sum(RIGHT in t for t in question["texts"]) == 1 and sum(WRONG in t for t in question["texts"]) == 1

    box = lab_page.locator(".mlw-quiz-question", has_text="decision threshold")
    for text in (RIGHT, WRONG):
        box.locator(".mlw-quiz-option", has_text=text).locator("input[type=checkbox]").check()
    lab_page.locator("button.mlw-quiz-check").click()
    wait_for(lab_page, _QUESTION, "decision threshold",
             lambda q: "Partly right: you chose 1 of the 3 right answers and 1 that isn't." in q["feedback"],
             30, "the partial-answer feedback")

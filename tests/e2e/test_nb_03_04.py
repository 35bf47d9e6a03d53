"""Notebooks 03 (model training) and 04 (model evaluation) as a learner sees them.

Each test runs the notebook in JupyterLab (or Voila), checks that its main interactive element
rendered, and that it responds to one interaction.
"""

from __future__ import annotations

from jupyter_ui import image_src, open_voila, run_notebook, type_into_readout, wait_text

NB03 = "03_model_training.ipynb"
NB04 = "04_model_evaluation.ipynb"


def test_overfitting_explorer_turns_overfit_when_the_tree_gets_deep(lab_page):
    run_notebook(lab_page, NB03)
    explorer = ".mlw-overfitting"
    wait_text(lab_page, f"{explorer} .mlw-verdict", "About right")
    first_chart = image_src(lab_page, f"{explorer} .mlw-curve-chart img")
    handle = lab_page.locator(f"{explorer} .mlw-depth-slider .noUi-handle").first
    handle.focus()
    for _ in range(9):  # depth 3 -> 12, one arrow key at a time
        lab_page.keyboard.press("ArrowRight")
    wait_text(lab_page, f"{explorer} .mlw-verdict", "Overfit")
    image_src(lab_page, f"{explorer} .mlw-curve-chart img", changed_from=first_chart)


def test_threshold_slider_moves_matrix_and_money_in_jupyterlab(lab_page):
    run_notebook(lab_page, NB04)
    explorer = ".mlw-threshold"
    wait_text(lab_page, f"{explorer} .mlw-cm-tp", "9churners")
    assert lab_page.locator(f"{explorer} .mlw-value-chart img").count() == 1
    type_into_readout(lab_page, f"{explorer} .mlw-threshold-slider", "0.25")
    wait_text(lab_page, f"{explorer} .mlw-cm-tp", "33churners")
    wait_text(lab_page, f"{explorer} .mlw-money", "Net value: -$140")  # below break-even precision at 0.25
    offer = lab_page.locator(f"{explorer} .mlw-offer-cost input").first
    offer.fill("60")
    offer.press("Enter")
    wait_text(lab_page, f"{explorer} .mlw-money", "87 offers cost $5,220")


def test_threshold_slider_in_voila(voila_page):
    open_voila(voila_page, NB04)
    explorer = ".mlw-threshold"
    wait_text(voila_page, f"{explorer} .mlw-cm-tp", "9churners")
    type_into_readout(voila_page, f"{explorer} .mlw-threshold-slider", "0.25")
    wait_text(voila_page, f"{explorer} .mlw-cm-tp", "33churners")

"""Notebooks 01 (problem definition) and 02 (data preparation) as a learner sees them.

Each test runs the notebook in JupyterLab (or Voila), checks that its main interactive element
rendered, and that it responds to one interaction.
"""

from __future__ import annotations

from jupyter_ui import open_voila, run_notebook, wait_text

NB01 = "01_problem_definition.ipynb"
NB02 = "02_data_collection_and_preparation.ipynb"


def test_sorter_grades_a_card_in_jupyterlab(lab_page):
    run_notebook(lab_page, NB01)
    sorter = lab_page.locator(".mlw-sorter").first
    assert sorter.locator(".mlw-sort-card").count() == 10
    first_card = sorter.locator(".mlw-sort-card").first
    first_card.locator(".mlw-sort-choice button", has_text="ML fits").click()
    sorter.locator("button.mlw-sort-check").click()
    wait_text(lab_page, ".mlw-sorter .mlw-sort-status", "1 of 10 sorted correctly")
    assert first_card.locator(".mlw-sort-feedback .mlw-sort-correct").count() == 1
    # no button label is cut short ("Show an exam…" in the apply box was)
    example = lab_page.locator(".mlw-apply-example-button").first
    example.scroll_into_view_if_needed()
    cut = lab_page.evaluate("""() => [...document.querySelectorAll('.jupyter-widgets button')]
        .filter(b => b.offsetParent && b.scrollWidth > b.clientWidth + 1).map(b => b.innerText)""")
    assert cut == [], cut


def test_framer_flags_accuracy_as_the_goal_in_jupyterlab(lab_page):
    run_notebook(lab_page, NB01)
    framer = lab_page.locator(".mlw-framer").first
    wait_text(lab_page, ".mlw-framer .mlw-frame-summary", "Ready to take to your team")
    framer.locator(".mlw-frame-success-metric select").select_option(label="Model accuracy of 95%")
    wait_text(lab_page, ".mlw-framer .mlw-frame-summary", "Needs work before anyone builds a model")
    assert framer.locator(".mlw-frame-summary .mlw-frame-flag-weak").count() >= 1


def test_cleaning_lab_shows_the_cost_of_dropping_rows_in_jupyterlab(lab_page):
    run_notebook(lab_page, NB02)
    lab = lab_page.locator(".mlw-cleaning-lab").first
    wait_text(lab_page, ".mlw-cleaning-lab .mlw-clean-summary", "2,995")
    assert lab.locator(".mlw-clean-chart img.mlw-clean-chart-img").count() == 1
    lab.locator(".mlw-clean-missing button", has_text="Drop those rows").click()
    wait_text(lab_page, ".mlw-cleaning-lab .mlw-clean-summary", "2,800")


def test_cleaning_lab_toggle_in_voila(voila_page):
    open_voila(voila_page, NB02)
    lab = voila_page.locator(".mlw-cleaning-lab").first
    wait_text(voila_page, ".mlw-cleaning-lab .mlw-clean-summary", "Ready for a model")
    lab.locator(".mlw-clean-fix-types input[type=checkbox]").uncheck()
    wait_text(voila_page, ".mlw-cleaning-lab .mlw-clean-summary", "Not ready for a model yet")

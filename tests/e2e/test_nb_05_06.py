"""Notebooks 05 (deployment) and 06 (monitoring) as a learner sees them.

Each test runs the notebook in JupyterLab (or Voila), checks that its main interactive element
rendered, and that it responds to one interaction.
"""

from __future__ import annotations

from jupyter_ui import open_voila, run_notebook, type_into_readout, wait_text

NB05 = "05_deployment.ipynb"
NB06 = "06_monitoring_and_maintenance.ipynb"


def test_rollout_simulator_moves_from_shadow_to_a_canary_in_jupyterlab(lab_page):
    run_notebook(lab_page, NB05)
    sim = ".mlw-rollout"
    wait_text(lab_page, f"{sim} .mlw-rollout-summary", "0 of 10,000 customers")
    wait_text(lab_page, f"{sim} .mlw-rollout-summary", "Nothing is measured")
    assert lab_page.locator(f"{sim} .mlw-rollout-stages button").count() == 5
    lab_page.locator(f"{sim} .mlw-rollout-stages button", has_text="Canary 25%").first.click()
    wait_text(lab_page, f"{sim} .mlw-rollout-summary", "2,500 of 10,000 customers")
    wait_text(lab_page, f"{sim} .mlw-rollout-summary", "95% range")
    wait_text(lab_page, f"{sim} .mlw-rollout-explain", "canary grows")
    # money in the prose stays money: a pair of "$" in a Markdown cell must not become a formula
    maths = lab_page.evaluate("() => document.querySelectorAll('.jp-MarkdownOutput mjx-container').length")
    assert maths == 0, f"{maths} Markdown passages typeset as maths"


def test_drift_monitor_threshold_changes_the_alerts_in_jupyterlab(lab_page):
    run_notebook(lab_page, NB06)
    monitor = ".mlw-drift-monitor"
    wait_text(lab_page, f"{monitor} .mlw-drift-summary", "4 of 6 months fire an alert: months 3, 4, 5, 6")
    assert lab_page.locator(f"{monitor} .mlw-drift-table tbody tr").count() == 6
    type_into_readout(lab_page, f"{monitor} .mlw-drift-threshold", "0.5")
    wait_text(lab_page, f"{monitor} .mlw-drift-summary", "3 of 6 months fire an alert: months 4, 5, 6")
    assert lab_page.locator(f"{monitor} .mlw-drift-alert").count() == 3


def test_drift_monitor_in_voila(voila_page):
    open_voila(voila_page, NB06)
    monitor = ".mlw-drift-monitor"
    wait_text(voila_page, f"{monitor} .mlw-drift-summary", "4 of 6 months")
    type_into_readout(voila_page, f"{monitor} .mlw-drift-threshold", "0.5")
    wait_text(voila_page, f"{monitor} .mlw-drift-summary", "3 of 6 months")

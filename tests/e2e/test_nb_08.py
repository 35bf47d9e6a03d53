"""Notebook 08 (the exercise) as a learner sees it: write a statement, get feedback, see it saved."""

from __future__ import annotations

from jupyter_ui import run_notebook, wait_for, wait_text

NB08 = "08_exercise_define_an_ml_problem.ipynb"
FORM = ".mlw-problem-form"

_ROWS = """(form) => {
  const forms = document.querySelectorAll(form);
  const mine = forms[forms.length - 1];  // the learner's own form is the last on the page
  if (!mine) return null;
  return [...mine.querySelectorAll('.mlw-feedback tr.mlw-criterion')].map(r =>
    ({key: r.dataset.key, status: [...r.classList].find(c => c.startsWith('mlw-criterion-') ) }));
}"""


def test_type_a_statement_and_get_feedback(lab_page):
    alerts: list[str] = []
    lab_page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    run_notebook(lab_page, NB08)
    form = lab_page.locator(FORM).last
    boxes = {
        "problem": "Our support team cannot tell which of 2,000 business accounts will cancel; each lost account costs "
                   "about $4,000 a year. Today leads call accounts by gut feel. <script>alert(1)</script>",
        "outcome": "Cut monthly churn of business accounts from 2.1% to 1.7% within two quarters.",
        "data_sources": "Billing database (plans, cancellations since 2022), product event log, Zendesk tickets.",
    }
    for key, text in boxes.items():
        area = form.locator(f".mlw-field-{key} textarea").first
        area.click()
        area.fill(text)
    form.locator("button.mlw-feedback-button").first.click()
    rows = wait_for(lab_page, _ROWS, FORM, lambda r: bool(r) and len(r) >= 6, 30, "the feedback rows")
    statuses = {r["status"] for r in rows}
    assert "mlw-criterion-met" in statuses, rows
    # the learner's markup is shown as text, never run
    assert lab_page.locator(f"{FORM} script").count() == 0
    assert "<script>alert(1)</script>" in form.locator(".mlw-field-problem textarea").first.input_value()
    assert alerts == []
    wait_text(lab_page, f"{FORM} .mlw-status", "saved")


_EVIDENCE = """([form, key]) => {
  const forms = document.querySelectorAll(form);
  const mine = forms[forms.length - 1];
  const row = mine && mine.querySelector(`.mlw-feedback tr.mlw-criterion[data-key="${key}"]`);
  if (!row) return null;
  const status = [...row.classList].find(c => c.startsWith('mlw-criterion-'));
  return {status, evidence: row.querySelector('.mlw-evidence').textContent,
          fix: mine.querySelector('.mlw-feedback .mlw-fix-first') !== null};
}"""


def test_the_prediction_verdict_quotes_the_prediction_clause(lab_page):
    run_notebook(lab_page, NB08)
    form = lab_page.locator(FORM).last
    prediction = ("Each Monday, predict which subscribers are likely to cancel this month, "
                  "so the retention team calls them first.")
    boxes = {
        "problem": "Our retention team calls subscribers at random, and each cancellation costs us about $180 a year.",
        "outcome": "Cut monthly cancellations from 15% to 12% within six months.",
        "data_sources": "Cancellations since 2022 in the billing database and app usage events.",
    }
    for key, text in boxes.items():
        area = form.locator(f".mlw-field-{key} textarea").first
        area.click()
        area.fill(text)
    form.locator(".mlw-optional").get_by_text("Go further (optional)").first.click()
    area = form.locator(".mlw-field-prediction textarea").first
    area.click()
    area.fill(prediction)
    form.locator("button.mlw-feedback-button").first.click()
    got = wait_for(lab_page, _EVIDENCE, [FORM, "prediction_action"], lambda r: bool(r) and r["evidence"] != "—", 30,
                   "the prediction row's evidence")
    assert got["status"] == "mlw-criterion-met"
    assert got["evidence"].strip("“”") == prediction  # the clause that earned it, quoted once
    payoff = wait_for(lab_page, _EVIDENCE, [FORM, "business_goal"], bool, 10, "the business goal row")
    assert payoff["evidence"].strip("“”") == boxes["outcome"]


def test_an_export_is_offered_as_a_download_to_this_computer(lab_page):
    run_notebook(lab_page, NB08)
    form = lab_page.locator(FORM).last
    area = form.locator(".mlw-field-problem textarea").first
    area.click()
    area.fill("Our dispatchers guess which deliveries will be late; each late one costs a $10 credit.")
    form.locator("button.mlw-export-md-button").first.click()
    status = wait_text(lab_page, f"{FORM} .mlw-status", "Saved")
    assert "next to this notebook" in status, status
    link = form.locator(".mlw-downloads a.mlw-download").first
    with lab_page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "my_ml_problem_statement.md"
    with open(download.path(), encoding="utf-8") as saved:
        assert "each late one costs a $10 credit" in saved.read().replace("\\$", "$")

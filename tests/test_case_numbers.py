"""The churn case's numbers agree everywhere: quiz, case text and notebook prose follow content/economics.json.

Notebook prose is checked the way the issue asked: a dollar amount or a percentage with a decimal
written in a Markdown cell must appear in the stored output of a checked cell (``nbval-check-output`` tag)
of the same notebook, and nbval re-runs those cells and compares their output. So a number in the
prose cannot drift from what the code prints.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mlworkflow.checks.quiz import load_quiz
from mlworkflow.core.text import money, percent
from mlworkflow.stages.evaluation.economics import case_economics

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
STAGE_NOTEBOOKS = sorted(NOTEBOOKS.glob("0[1-7]_*.ipynb"))
# $1,234 or $14.17 (a backslash may escape the $ for MathJax), or 37.9%; not inside `code`
NUMBER = re.compile(r"\\?\$\d[\d,]*(?:\.\d+)?|\b\d+\.\d+%")
CODE_SPAN = re.compile(r"`[^`]*`")


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _checked_output(cells: list[dict]) -> str:
    texts = []
    for cell in cells:
        if cell["cell_type"] == "code" and "nbval-check-output" in cell.get("metadata", {}).get("tags", []):
            for out in cell.get("outputs", []):
                texts.append("".join(out.get("text", "")))
                texts.append("".join(out.get("data", {}).get("text/plain", "")))
    return "\n".join(texts)


@pytest.mark.parametrize("path", STAGE_NOTEBOOKS, ids=lambda p: p.stem)
def test_numbers_in_the_prose_are_printed_by_a_checked_cell(path):
    cells = _cells(path)
    printed = _checked_output(cells)
    missing = []
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        prose = CODE_SPAN.sub("", "".join(cell["source"]))
        missing += [n for n in NUMBER.findall(prose) if n.lstrip("\\") not in printed]
    assert not missing, f"{path.name}: numbers in the prose that no checked cell prints: {missing}"


def test_quiz_which_metric_follows_the_economics():
    e = case_economics()
    q = next(q for q in load_quiz("evaluation").questions if q.id == "which-metric")
    cents = {key: money(value, cents=True) for key, value in
             (("cost", e.offer_cost), ("value", e.value_saved), ("reached", e.value_reached))}
    assert cents["cost"] in q.prompt and cents["value"] in q.prompt and percent(e.save_rate, 0) in q.prompt
    explanations = " ".join(o.explanation for o in q.options)
    assert f"{e.miss_to_false_alarm:.1f} times" in explanations
    assert cents["reached"] in explanations and percent(e.break_even_precision) in explanations
    assert "nine" not in explanations


def test_case_text_quotes_the_economics():
    from mlworkflow.stages.problem.framing import load_framing

    e, case = case_economics(), load_framing().case
    for number in (money(e.monthly_price, cents=True), money(e.value_saved, cents=True), percent(e.monthly_churn),
                   f"{e.subscribers:,}", f"{e.weekly_capacity:,}", e.offer):
        assert number in case


def test_no_content_file_states_the_old_economics():
    content = Path(__file__).resolve().parent.parent / "mlworkflow" / "content"
    for path in [*content.glob("*.json"), *content.glob("quizzes/*.json")]:
        if path.name in ("rubric.json", "exercise.json"):
            continue
        text = path.read_text(encoding="utf-8")
        assert "$180" not in text and "$20 " not in text and "($20)" not in text, path.name


def test_the_weekly_capacity_notebook_01_states_is_the_one_in_the_economics():
    requests = (Path(__file__).resolve().parent.parent / "mlworkflow" / "content" / "requests.json").read_text("utf-8")
    assert f"the {case_economics().weekly_capacity:,} most at risk" in requests


def test_quiz_expected_value_follows_the_economics():
    e = case_economics()
    q = next(q for q in load_quiz("evaluation").questions if q.id == "expected-value")
    reached, cost = money(e.value_reached, cents=True), money(e.offer_cost, cents=True)
    right = next(o for o in q.options if o.correct)
    assert reached in q.prompt and cost in q.prompt
    assert f"{reached} is more than {cost}: a score of about {e.break_even_precision:.2f}" in right.text
    assert percent(e.break_even_precision) in right.explanation

import json
import re

import mistune
import pytest

from mlworkflow.checks.apply import section_for
from mlworkflow.checks.brief import (
    SECTIONS,
    brief_html,
    brief_markdown,
    brief_page,
    brief_text,
    gather_brief,
    load_brief_content,
    today,
)
from mlworkflow.core.content import ContentError
from mlworkflow.core.course import load_course
from mlworkflow.core.progress import ProgressStore
from mlworkflow.core.text import md_escape

HOSTILE = ('<script>alert("x")</script> and <img src=x onerror=alert(1)> & [click](javascript:alert(1)) '
           "*bold* # head")

COMPLETE_EXERCISE = {
    "problem": "Our support leads decide each morning which business accounts to call, by gut feel. "
               "We lose about 40 accounts a month, roughly $160,000 a year in revenue.",
    "outcome": "Monthly churn among business accounts falls from 2.1% to 1.7% within two quarters.",
    "data_sources": "Billing database (Finance), product event log (Data Platform), Zendesk tickets.",
    "baseline": "Leads call accounts with no logins in 14 days.",
    "prediction": "Every night, the chance each account cancels in the next 60 days; leads call the top 50.",
    "labels": "Cancellations recorded in billing since 2022.",
    "constraints": "Scores must be ready by 7am; support transcripts need a privacy review.",
}
ANSWERS = {
    "problem": "Support leads decide whom to call; churn should fall from 2.1% to 1.7%.",
    "data": "Billing DB, event log, Zendesk. Labels from billing since 2022.",
    "training": "Classification; beat the no-login rule on the last 3 months.",
    "evaluation": "Go if we catch 55% of cancellations among the 50 calls a day.",
    "deployment": "Nightly batch into the CRM; fallback to yesterday's scores.",
    "monitoring": "Weekly recall; alert below 45% for two weeks; retrain quarterly.",
}


@pytest.fixture
def store(tmp_path):
    return ProgressStore(home=tmp_path / "home")


@pytest.fixture
def no_graphviz(monkeypatch):
    monkeypatch.setenv("MLWORKFLOW_GRAPHVIZ", "none")


def save_all(store, exercise=COMPLETE_EXERCISE, answers=ANSWERS):
    store.save("exercise", {"version": 1, "fields": dict(exercise), "hints_shown": 0})
    for stage, text in answers.items():
        store.save(section_for(stage), {"answer": text})


def test_complete_progress_fills_every_section(store, no_graphviz):
    save_all(store)
    brief = gather_brief(store)
    assert [s.key for s in brief.sections] == [k for k, *_ in SECTIONS]
    assert all(s.entries and not s.open for s in brief.sections)
    assert brief.completed == tuple(load_course().keys)
    assert brief.feedback  # the exercise's feedback summary
    text = brief_text(brief)
    for answer in ANSWERS.values():
        assert answer in text
    assert "Open question: not answered yet" not in text
    md = brief_markdown(brief)
    assert md.count("\n## ") == len(SECTIONS) + 1 and "## 8. Open questions" in md


def test_empty_progress_is_all_open_questions_never_blanks(store, no_graphviz):
    brief = gather_brief(store)
    assert brief.answered == 0 and brief.completed == () and brief.feedback == ""
    assert all(not s.entries and s.open for s in brief.sections)
    files = {q.file for q in brief.open_questions}
    assert "08_exercise_define_an_ml_problem.ipynb" in files
    assert {"01_problem_definition.ipynb", "04_model_evaluation.ipynb", "06_monitoring_and_maintenance.ipynb"} <= files
    page = brief_html(brief)
    assert page.count('class="mlw-brief-missing"') == len(SECTIONS)
    for section in re.findall(r'<section class="mlw-brief-section".*?</section>', page):
        assert "mlw-brief-answer" in section or "mlw-brief-missing" in section or 'data-key="open"' in section


def test_partial_progress_and_weak_criteria_become_open_questions(store, no_graphviz):
    save_all(store, exercise={"problem": "We want to use AI.", "outcome": "", "data_sources": ""},
             answers={"evaluation": ANSWERS["evaluation"]})
    brief = gather_brief(store)
    by_key = {s.key: s for s in brief.sections}
    assert by_key["evaluation"].entries and not by_key["deployment"].entries
    assert set(brief.completed) == {"problem", "evaluation"}
    assert brief.weak and all(q.file.startswith("08_") for q in brief.weak)
    texts = " ".join(q.text for q in brief.open_questions)
    assert "Expected outcome: not written yet." in texts
    assert "batch or real time" in texts  # the deployment prompt, as a question
    assert any(q.file == "05_deployment.ipynb" for q in brief.open_questions)


def test_hostile_learner_text_never_appears_unescaped_in_html(store):
    hostile = dict.fromkeys(COMPLETE_EXERCISE, HOSTILE)
    save_all(store, exercise=hostile, answers=dict.fromkeys(ANSWERS, HOSTILE + "\n- <b>bold</b>"))
    brief = gather_brief(store)
    for page in (brief_page(brief, today()), brief_html(brief)):
        lower = page.lower()
        assert "<script>" not in lower and "<img" not in lower and "<b>bold" not in lower
        assert "onerror=alert" not in lower.replace("&lt;img src=x onerror=alert", "")
        assert "&lt;script&gt;" in page


def test_markdown_special_characters_are_neutralised(store, no_graphviz):
    save_all(store, answers={},
             exercise={"problem": HOSTILE + "\n1. not a list\n- nor this\n===", "outcome": "x", "data_sources": "y"})
    md = brief_markdown(gather_brief(store))
    rendered = mistune.html(md)
    assert "<script" not in rendered and "<img" not in rendered
    assert "<a " not in rendered.split("Open questions")[0]  # only the brief's own notebook links
    assert "<strong>bold</strong>" not in rendered and "<h1>head" not in rendered
    assert "<ol" not in rendered and "<li>nor this" not in rendered
    assert md_escape("*x* [y](z) <b>") == r"\*x\* \[y\]\(z\) \<b\>"
    assert md_escape("1. one") == r"1\. one" and md_escape("- dash") == r"\- dash"


def test_diagram_marks_completed_stages(store):
    save_all(store, answers={"data": ANSWERS["data"], "training": ANSWERS["training"]},
             exercise={"problem": "", "outcome": "", "data_sources": ""})
    brief = gather_brief(store)
    assert set(brief.completed) == {"data", "training"}
    page = brief_page(brief)
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page and "<script" not in page
    assert "<svg" in page or "<pre>" in page
    if "<svg" in page:  # Graphviz available: ticks on the answered stages' boxes only
        labels = [t.replace("&#160;", " ") for t in re.findall(r"<text[^>]*>([^<]*)</text>", page)]
        assert [t for t in labels if "✓" in t] == ["✓ 2. Data Collection", "✓ 3. Model Training"]
    else:
        assert "✓ 2. Data Collection" in page


def test_diagram_falls_back_to_text_without_graphviz(store, no_graphviz):
    save_all(store, answers={"monitoring": ANSWERS["monitoring"]},
             exercise={"problem": "", "outcome": "", "data_sources": ""})
    page = brief_page(gather_brief(store))
    assert "<svg" not in page and "✓ 6. Monitoring and Maintenance" in page and "  5. Deployment" in page


def test_damaged_store_is_a_note_not_a_crash(tmp_path, no_graphviz):
    home = tmp_path / "home"
    home.mkdir()
    (home / "progress.json").write_text('{"format": "mlworkflow-progress", "version": 99, "sections": {}}')
    brief = gather_brief(ProgressStore(home))
    assert brief.notes and "newer version" in brief.notes[0]
    assert "newer version" in brief_html(brief) and brief.answered == 0


# -- content/brief.json -------------------------------------------------------------------------
def test_layout_and_wording_come_from_the_content_file():
    content = load_brief_content()
    assert content.title == "My ML project brief"
    assert [s.key for s in content.sections] == [k for k, *_ in SECTIONS]  # the old constant still works
    assert {s.stage for s in content.sections} == set(load_course().keys)
    assert all(kind in ("exercise", "apply") for s in content.sections for kind, _ in s.sources)


def test_dated_brief_says_where_it_came_from(store, no_graphviz):
    brief = gather_brief(store)
    md, page = brief_markdown(brief, "2024-05-31"), brief_page(brief, "2024-05-31")
    assert md.startswith("# My ML project brief\n\n_Built from my answers in the course")
    assert "Work”, 2024-05-31._" in md
    assert r"\*today\*._" in brief_markdown(brief, "*today*")  # the date is escaped like any text
    assert "<p><i>Built from my answers" in page and "2024-05-31.</i>" in page
    assert "Built from" not in brief_markdown(brief)


def _broken_brief(tmp_path, change):
    from importlib import resources

    data = json.loads(resources.files("mlworkflow.content").joinpath("brief.json").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "brief.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("change, field", [
    (lambda d: d.pop("title"), "title"),
    (lambda d: d["labels"].update(apply_entry="Your answer in {nb}"), "labels.apply_entry"),
    (lambda d: d["sections"][1].update(stage="marketing"), "sections[1].stage"),
    (lambda d: d["sections"][2]["sources"][0].update(exercise="budget"), "sections[2].sources[0].exercise"),
    (lambda d: d["sections"][2]["sources"].append({"survey": "x"}), "sections[2].sources[3]"),
    (lambda d: d["sections"].append(dict(d["sections"][0])), "sections[7].key"),
])
def test_malformed_brief_content_names_file_and_field(tmp_path, change, field):
    path = _broken_brief(tmp_path, change)
    with pytest.raises(ContentError) as info:
        load_brief_content(path)
    assert info.value.field == field and str(path) in str(info.value)


def test_plain_text_brief_is_always_encodable_and_reads_as_typed(store, no_graphviz):
    store.home.mkdir(parents=True, exist_ok=True)
    store.path.write_text('{"format": "mlworkflow-progress", "version": 1, "sections": '
                          '{"apply/data": {"answer": "lone \\ud800 pay\\u202eyas \\u0000"}}}', encoding="utf-8")
    text = brief_text(gather_brief(store))
    text.encode("utf-8")
    assert "lone \ufffd payyas \ufffd" in text

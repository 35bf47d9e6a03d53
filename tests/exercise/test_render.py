"""Tests for mlworkflow.exercise.render: HTML, Markdown and text renderings of an assessment."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from statements import STRONG

from mlworkflow.exercise.assess import assess, examples
from mlworkflow.exercise.render import STATUS_LABELS, render_html, render_markdown, render_text
from mlworkflow.exercise.rubric import load_rubric

_OUR_TAGS = re.compile(
    r"</?(?:div|p|strong|ul|ol|li|table|thead|tbody|tr|th|td|br|span|details|summary)(?:\s[^<>]*)?>"
)


def _learner_markup_left(html: str) -> bool:
    return "<" in _OUR_TAGS.sub("", html)


def test_html_escapes_script_and_img_onerror():
    result = assess("<script>alert(1)</script> customers wait", "<img src=x onerror=alert(1)> cut wait 10%",
                    "<b>CRM</b> tickets")
    html = render_html(result)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html
    assert not _learner_markup_left(html)


def test_markdown_neutralises_markup_and_keeps_the_statement():
    result = assess("<script>x</script> *bold* [link](http://e)", "cut # costs by 5% | fast", "CRM")
    md = render_markdown(result)
    assert "## Problem statement" in md and "## Feedback" in md
    assert re.search(r"(?<!\\)<", md) is None
    assert r"\*bold\*" in md


def test_text_rendering_lists_every_criterion():
    text = render_text(assess(**STRONG))
    for criterion in load_rubric().criteria:
        assert criterion.title in text


_texts = st.text(max_size=400) | st.sampled_from(["<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                                                   "</td><td>", "\"'><svg onload=x>", "🚀" * 50, "\x00\ud800"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=_texts, outcome=_texts, data=_texts, extra=_texts)
def test_assess_never_raises_and_html_never_carries_learner_tags(problem, outcome, data, extra):
    result = assess(problem, outcome, data, baseline=extra, constraints=extra + problem)
    assert 0 <= result.score <= result.max_score
    assert {c.status for c in result.criteria} <= {"met", "partial", "missing"}
    assert not _learner_markup_left(render_html(result))
    assert re.search(r"(?<!\\)<", render_markdown(result)) is None
    render_text(result)




def test_html_has_one_row_per_criterion_with_its_status():
    result = assess(**STRONG)
    html = render_html(result)
    assert html.count('class="mlw-criterion ') == len(result.criteria)
    for c in result.criteria:
        assert f'data-key="{c.key}"' in html and STATUS_LABELS[c.status] in html
    assert "What these checks can and cannot judge" in html


def test_markdown_escapes_the_title_and_quotes_the_statement():
    md = render_markdown(assess(**STRONG), title="Churn *draft* #2")
    assert md.startswith(r"# Churn \*draft\* \#2")
    assert "> Maintenance technicians service our packaging machines" in md
    assert "## For a human to judge" in md


def test_example_table_renders_as_html_and_text():
    table = examples()
    html, text = table._repr_html_(), str(table)
    assert html.count("<tr><td>") == len(table.pairs) and "Why the strong one works" in html
    assert all(p.aspect in text and p.strong in text for p in table.pairs)
    assert repr(table) == text


def test_feedback_reads_well_fix_first_left_aligned_level_once():
    result = assess("Customers wait.", "Shorter waits.", "Zendesk tickets.")
    html = render_html(result)
    assert html.count(result.level) == 1  # the level is said once
    fix = re.search(r'<div class="mlw-fix-first">.*?</div>', html).group(0)
    assert 1 <= fix.count("<li>") <= 3 and html.index("mlw-fix-first") < html.index("mlw-criteria")
    first_title, first_advice = result.fix_first[0]
    assert first_title in fix and first_advice.replace("'", "&#x27;") in fix
    assert 'style="text-align:left' in html.split("<table")[1].split(">")[0]  # prose is left-aligned
    assert all(html.count(f"<td {k}") == 0 for k in ("align=\"right\"",))
    for c in result.criteria:
        assert len(c.evidence) <= 1  # one quote per criterion
    text = render_text(result)
    assert text.startswith(f"{result.level}: ") and text.count(result.level) == 1
    md = render_markdown(result)
    assert "**What to fix first**" in md and md.count(result.level) == 1


def test_fix_first_puts_the_most_valuable_gap_first():
    result = assess("Customers wait too long on the phone.", "Shorter waits.", "Zendesk tickets and the call logs.")
    keys = [title for title, _ in result.fix_first]
    statuses = {c.title: c for c in result.criteria}
    assert len(keys) == 3
    # heavier checks before lighter ones; among equals, missing before partly met
    weights = {c.key: c.weight for c in __import__("mlworkflow.exercise.rubric", fromlist=["x"]).load_rubric().criteria}
    order = [(-weights[statuses[k].key], statuses[k].status != "missing") for k in keys]
    assert order == sorted(order)

"""No status is said by colour alone: each coloured status also carries a word and a symbol.

Covers the learner's feedback (``exercise.render``), the class summary (``leader.report``: its
bars, legend and counts), the knowledge check's feedback and the save/status lines of the
course's forms (``checks``).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from statements import STRONG

from mlworkflow.checks.quiz import feedback_html, grade_quiz, load_quiz
from mlworkflow.checks.widgets import _status_html
from mlworkflow.exercise.assess import assess
from mlworkflow.exercise.render import STATUS_LABELS, render_html
from mlworkflow.leader.collect import collect
from mlworkflow.leader.demo import demo_class
from mlworkflow.leader.report import render_summary_html

WORDS = {"met": "met", "partial": "partly met", "missing": "missing"}
SYMBOLS = {"met": "✔", "partial": "◐", "missing": "✘"}


class _Coloured(HTMLParser):
    """Every element with an inline text colour, with the text inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.found: list[str] = []
        self._texts: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "img", "meta", "input"):
            return
        style = dict(attrs).get("style") or ""
        coloured = re.search(r"(?:^|;)\s*color\s*:", style) is not None
        self.stack.append((tag, coloured))
        if coloured:
            self._texts.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("br", "img", "meta", "input") or not self.stack:
            return
        _, coloured = self.stack.pop()
        if coloured:
            self.found.append("".join(self._texts.pop()).strip())

    def handle_data(self, data: str) -> None:
        for texts in self._texts:
            texts.append(data)


def _coloured_texts(html: str) -> list[str]:
    parser = _Coloured()
    parser.feed(html)
    return parser.found


def test_every_criterion_status_is_a_word_and_a_symbol_in_its_colour():
    html = render_html(assess(STRONG["problem"], "Better results.", ""))
    rows = re.findall(r'<tr class="mlw-criterion mlw-criterion-(\w+)".*?</tr>', html)
    assert {"met", "missing"} <= set(rows), rows
    for status in rows:
        label = STATUS_LABELS[status]
        assert label == f"{SYMBOLS[status]} {WORDS[status]}"
    coloured = _coloured_texts(html)
    assert len(coloured) == len(rows)
    assert all(text in STATUS_LABELS.values() for text in coloured), coloured


def test_class_summary_bars_legend_and_counts_carry_words_and_symbols(tmp_path):
    demo_class(tmp_path)
    summary = collect(tmp_path)
    html = render_summary_html(summary)
    legend = re.search(r'<p class="mlw-legend">(.*?)</p>', html).group(1)
    for key in ("met", "partial", "missing"):
        # each swatch is followed by its symbol and word
        assert f'<span class="mlw-key mlw-bar-{key}"></span>{SYMBOLS[key]} {WORDS[key]}' in legend
    for c in summary.criteria:
        for key, n in (("met", c.met), ("partial", c.partial), ("missing", c.missing)):
            assert f'<span class="mlw-num-{key}" title="{n} {WORDS[key]}">{SYMBOLS[key]}\u2009{n}</span>' in html
    # a coloured bar segment always has its count and word as a title, and the chart a text alternative
    for key, word in WORDS.items():
        for n in re.findall(rf'<span class="mlw-bar-{key}" style="[^"]*" title="(\d+) ([a-z ]+)">', html):
            assert n[1] == word
    assert re.search(r'<div class="mlw-chart" role="img" aria-label="[^"]*partly met[^"]*">', html)
    assert all(re.search(r"[A-Za-z]", text) for text in _coloured_texts(html))


def test_quiz_feedback_says_its_verdict_in_words():
    quiz = load_quiz("evaluation")
    q = quiz.questions[0]
    right = [o.id for o in q.options if o.correct]
    wrong = [o.id for o in q.options if not o.correct]
    cases = {"correct": right, "incorrect": wrong[:1]}
    if len(right) > 1:
        cases["partial"] = right[:1]
    words = {"correct": "Correct", "incorrect": "Not quite", "partial": "Partly right"}
    for status, chosen in cases.items():
        result = grade_quiz(quiz, {q.id: chosen}).results[0]
        assert result.status == status
        html = feedback_html(result)
        assert f"mlw-quiz-{status}" in html and f"<b>{words[status]}" in html


def test_ok_and_error_lines_start_with_a_symbol_as_well_as_a_colour():
    assert _status_html("Saved.", "ok").endswith(">✔ Saved.</span>")
    error = _status_html("Could not save.", "error")
    assert error.endswith(">⚠ Could not save.</span>") and 'role="alert"' in error
    assert _status_html("Nothing typed yet.", "info").endswith(">Nothing typed yet.</span>")

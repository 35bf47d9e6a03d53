"""Rendering the class summary: a self-contained HTML page, Markdown and plain text, learner text made inert."""

from __future__ import annotations

import re

from mlworkflow import cli
from mlworkflow.leader.collect import collect
from mlworkflow.leader.report import (
    render_summary_html,
    render_summary_markdown,
    render_summary_text,
    summary_fragment_html,
    write_summary,
)


def test_html_page_is_self_contained_and_escapes_learner_text(room):
    page = render_summary_html(collect(room), show_names=True)
    assert page.startswith("<!doctype html>") and "<style>" in page
    assert "<script" not in page.lower() and "<img" not in page.lower() and "<b onmouseover" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "&lt;b onmouseover=&quot;alert(1)&quot;&gt;Mallory&lt;/b&gt;" in page
    assert "&lt;img src=x onerror=alert(3)&gt;.json" in page  # a hostile file name, listed as skipped
    assert "http://" not in page and "https://" not in page and "default-src 'none'" in page


def test_names_are_hidden_unless_asked_for(room):
    s = collect(room)
    for hidden in (render_summary_html(s), render_summary_markdown(s), render_summary_text(s)):
        assert "Ana" not in hidden and "Mallory" not in hidden and "Statement A" in hidden
    shown_html = render_summary_html(s, show_names=True)
    shown_md = render_summary_markdown(s, show_names=True)
    assert "Ana" in shown_html and "Statement A" not in shown_html
    assert "### Ana (26/28)" in shown_md


def test_markdown_escapes_learner_text(room):
    md = render_summary_markdown(collect(room), show_names=True)
    assert not re.search(r"(?<!\\)[<>]", md.replace("> ", "").replace("\n>\n", "")), "an unescaped < or >"
    assert r"\<script\>alert\('x'\)\</script\>" in md  # core.text.md_escape: brackets too
    assert r'(\<b onmouseover="alert\(1\)"\>Mallory\</b\>)' in md
    assert r"| Where the labels \(past outcomes\) come from | 2 | 1 | 1 |" in md


def test_write_summary_and_the_collect_command(room, tmp_path, capsys):
    html_path, md_path = write_summary(collect(room), tmp_path / "out")
    assert html_path.name == "class-summary.html" and md_path.read_text(encoding="utf-8").startswith("# Class summary")
    out_dir = tmp_path / "cli-out"
    assert cli.main(["collect", str(room), "--out", str(out_dir)]) == 0
    out = capsys.readouterr().out
    assert "Class summary: 4 statements submitted, 14 files skipped." in out
    assert "  deep.json: not valid JSON" in out and "names hidden" in out
    assert "Ana" not in (out_dir / "class-summary.html").read_text(encoding="utf-8")
    assert cli.main(["collect", str(room), "--out", str(out_dir), "--show-names"]) == 0
    assert "Ana" in (out_dir / "class-summary.md").read_text(encoding="utf-8")
    assert cli.main(["collect", str(tmp_path / "missing")]) == 1
    assert "does not exist" in capsys.readouterr().err




def test_the_widget_fragment_carries_its_own_scoped_style(room):
    fragment = summary_fragment_html(collect(room))
    assert fragment.startswith("<style>") and '<div class="mlw-class-summary">' in fragment
    assert "<!doctype" not in fragment and "Most common gaps" in fragment
    assert 'role="img" aria-label="' in fragment  # the chart is described for screen readers


def test_text_lists_each_check_and_the_gaps(room):
    text = render_summary_text(collect(room))
    assert text.startswith("Class summary: 4 statements submitted, 14 files skipped.")
    assert "Levels: Strong statement 2, Getting there 1, Early draft 1" in text
    assert "Most common gaps: " in text and "Strong statements: Statement A, Statement B" in text


def test_write_summary_leaves_no_temporary_files(room, tmp_path):
    out = tmp_path / "out"
    write_summary(collect(room), out)
    write_summary(collect(room), out)  # writing again replaces both files
    assert sorted(p.name for p in out.iterdir()) == ["class-summary.html", "class-summary.md"]


def test_hidden_names_do_not_leak_through_file_names(tmp_path):
    """Files are named after learners; with names hidden, every view shows only the random tail."""
    from statements import STRONG

    from mlworkflow import write_submission
    from mlworkflow.leader.collect import collect
    from mlworkflow.leader.report import render_summary_html, render_summary_markdown, render_summary_text

    first = write_submission(tmp_path, STRONG, name="Samira Jones", learner_id="k3x9q2ab")
    write_submission(tmp_path, STRONG, name="Okonkwo Adeyemi", learner_id="z8y7w6vu")  # same text: flagged
    (tmp_path / "notes.txt").write_text("not a submission", encoding="utf-8")
    summary = collect(tmp_path)
    for render in (render_summary_html, render_summary_markdown, render_summary_text):
        hidden, shown = render(summary), render(summary, show_names=True)
        for person in ("samira", "Samira", "okonkwo", "Okonkwo", "jones", "adeyemi"):
            assert person not in hidden, (render.__name__, person)
        assert first.name in shown and "notes.txt" in hidden  # a stray file keeps its name: the leader acts on it
        assert "…-k3x9q2ab.json" in hidden.replace("\\-", "-").replace("\\.", ".")

"""Render a :class:`~mlworkflow.leader.collect.ClassSummary`: a self-contained HTML page, Markdown, text.

Learner text is escaped for each format wherever it appears (names, statements, file names),
and names are shown only with ``show_names=True``; otherwise strong statements are labelled
"Statement A", "Statement B", ... The chart is plain HTML and CSS, so the page needs no
scripts, no network and no plotting library. Every format says first when files could not be
read or no statement was read, and lists each statement's file with when it came in (UTC, as
the file system says) and any flag ("same text as ...").

    >>> html_page = render_summary_html(collect(folder))
    >>> html_path, md_path = write_summary(collect(folder), "out/")
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from mlworkflow.core.content import stylesheet
from mlworkflow.core.text import clean_text, html_escape, md_escape

if TYPE_CHECKING:  # pragma: no cover
    from mlworkflow.leader.collect import ClassSummary, Example, Skipped, Submission

__all__ = [
    "HTML_NAME",
    "MARKDOWN_NAME",
    "render_summary_html",
    "render_summary_markdown",
    "render_summary_text",
    "summary_fragment_html",
    "summary_problems",
    "write_summary",
]

HTML_NAME = "class-summary.html"
MARKDOWN_NAME = "class-summary.md"
# Each status has a word and a symbol as well as a colour (and the bars a pattern), so nothing is said
# by colour alone; the symbols are the ones the learner's own feedback uses.
_STATUS = (("met", "met", "✔"), ("partial", "partly met", "◐"), ("missing", "missing", "✘"))
_CSS = stylesheet("class-summary")


def _label(i: int) -> str:
    return f"Statement {chr(ord('A') + i)}" if i < 26 else f"Statement {i + 1}"


def _who(sub: Submission, i: int, show_names: bool) -> str:
    return sub.name if show_names and sub.name else _label(i)


def _credit(example: Example, show_names: bool, esc: Callable[[str], str]) -> str:
    return f" ({esc(example.name)})" if show_names and example.name else ""


def _files(n: int) -> str:
    return f"{n} file{'s' if n != 1 else ''}"


def _headline(summary: ClassSummary) -> str:
    n, k, u = summary.submitted, len(summary.skipped), len(summary.unreadable)
    return (f"{n} statement{'s' if n != 1 else ''} submitted"
            + (f", {_files(k)} skipped" if k else "")
            + (f", {_files(u)} could not be read" if u else ""))


def summary_problems(summary: ClassSummary) -> list[str]:
    """What the leader must know first, in plain sentences: unreadable files, or nothing read."""
    problems = []
    u = len(summary.unreadable)
    if u:
        problems.append(
            f"{_files(u)} in the folder could not be read, so "
            f"{'its statement is' if u == 1 else 'their statements are'} "
            "missing from this summary (listed below with the reason). Ask the learner to hand in again "
            "with the course's Submit button, or ask whoever runs the hub to let you read the file "
            "(for example: chmod a+r FILE)."
        )
    if not summary.submitted:
        if u and not summary.skipped:
            problems.append("No statement was read: no file in the folder could be read.")
        elif u or summary.skipped:
            problems.append("No statement was read: none of the files that could be read is a usable submission.")
        else:
            problems.append("No statement was read: the folder is empty, so nobody has handed in yet.")
    return problems


def _at(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


# how write_submission names a file: the learner's name as a slug, then their random id
_NAMED_FILE = re.compile(r"^(?P<name>[a-z0-9]+(?:-[a-z0-9]+)*)-(?P<tail>[a-z0-9]{6,32}(?:-[\w-]+)?\.json)$")


def _tail(name: str) -> str:
    """A submission file without the learner's name: "sam-jones-k3x9q2.json" -> "…-k3x9q2.json"."""
    m = _NAMED_FILE.match(name)
    return f"…-{m.group('tail')}" if m else name


def _hider(summary: ClassSummary, show_names: bool) -> Callable[[str], str]:
    """With names hidden, a function that cuts the learner's name out of every submission file name in a text.

    Files the course did not name (a stray ``notes.txt``) are shown whole: the leader needs them to act.
    """
    if show_names:
        return lambda text: text
    files = {f.file for group in (summary.submissions, summary.skipped, summary.unreadable) for f in group
             if _NAMED_FILE.match(f.file)}
    if not files:
        return lambda text: text
    pattern = re.compile("|".join(re.escape(f) for f in sorted(files, key=len, reverse=True)))
    return lambda text: pattern.sub(lambda m: _tail(m.group(0)), text)


def _arrival(sub: Submission, show_names: bool, hide: Callable[[str], str],
             esc: Callable[[str], str]) -> tuple[str, str]:
    """(file, and name if shown; when it came in and its flags), each escaped for one format."""
    who = esc(hide(sub.file)) + (f" ({esc(sub.name)})" if show_names and sub.name else "")
    said = f" (the file says {_at(sub.when)})" if sub.claimed else ""
    notes = "".join(f"; {esc(hide(note))}" for note in sub.notes)
    return who, f"{_at(sub.modified)}{said}{notes}"


def _file_line(k: Skipped, hide: Callable[[str], str], esc: Callable[[str], str]) -> str:
    return f"{esc(hide(k.file))}: {esc(hide(k.reason))}"


def _chart_html(summary: ClassSummary) -> str:
    total = max(summary.submitted, 1)
    rows = []
    for c in summary.criteria:
        counts = {"met": c.met, "partial": c.partial, "missing": c.missing}
        bars = "".join(
            f'<span class="mlw-bar-{key}" style="width:{100 * counts[key] / total:.2f}%" '
            f'title="{counts[key]} {word}"></span>'
            for key, word, _ in _STATUS if counts[key]
        )
        nums = " ".join(f'<span class="mlw-num-{key}" title="{counts[key]} {word}">{mark}\u2009{counts[key]}</span>'
                        for key, word, mark in _STATUS)
        rows.append(f'<div class="mlw-chart-label">{html_escape(c.title)}</div>'
                    f'<div class="mlw-bar" aria-hidden="true">{bars}</div><div class="mlw-nums">{nums}</div>')
    legend = "".join(f'<span class="mlw-key mlw-bar-{key}"></span>{mark} {word}' for key, word, mark in _STATUS)
    described = "; ".join(f"{c.title}: {c.met} met, {c.partial} partly met, {c.missing} missing"
                          for c in summary.criteria)
    return (f'<p class="mlw-legend">Each check, across the class (✔ met / ◐ partly met / ✘ missing):{legend}</p>'
            f'<div class="mlw-chart" role="img" aria-label="{html_escape(described)}">{"".join(rows)}</div>')


def summary_fragment_html(summary: ClassSummary, *, show_names: bool = False) -> str:
    """The summary as an HTML fragment with its own scoped style (for a widget or a page)."""
    hide = _hider(summary, show_names)
    parts = [f"<style>{_CSS}</style>", '<div class="mlw-class-summary">',
             f'<p><span class="mlw-count">{summary.submitted}</span> {html_escape(_headline(summary).split(" ", 1)[1])}'
             f"<br><small>from {html_escape(summary.folder)}</small></p>"]
    problems = summary_problems(summary)
    if problems:
        items = "".join(f"<li><code>{html_escape(hide(k.file))}</code>: {html_escape(hide(k.reason))}</li>"
                        for k in summary.unreadable)
        parts.append('<div class="mlw-problems" role="alert" style="border-left:4px solid #cf222e;'
                     'padding:.2em .8em;margin:.6em 0;background:#fff5f5">'
                     + "".join(f"<p><b>{html_escape(p)}</b></p>" for p in problems)
                     + (f"<ul>{items}</ul>" if items else "") + "</div>")
    if summary.submitted:
        parts.append("<p>" + " · ".join(f"<b>{html_escape(t)}</b>: {n}" for t, n in summary.levels) + "</p>")
        parts.append(_chart_html(summary))
    if summary.gaps:
        parts.append('<h3>Most common gaps</h3><ol class="mlw-gaps">')
        for g in summary.gaps:
            parts.append(f"<li><b>{html_escape(g.title)}</b>: {g.missing} missing, {g.partial} partly met."
                         f"<br>{html_escape(g.advice)}")
            if g.example:
                where = f" ({html_escape(g.example.field)})" if g.example.field else ""
                parts.append(f"<blockquote>In the room{where}: “{html_escape(g.example.text)}”"
                             f"{_credit(g.example, show_names, html_escape)}</blockquote>")
            if g.good_example:
                parts.append(f"<blockquote>A statement that met it: “{html_escape(g.good_example.text)}”"
                             f"{_credit(g.good_example, show_names, html_escape)}</blockquote>")
            parts.append("</li>")
        parts.append("</ol>")
    if summary.strong:
        parts.append('<h3>Strong statements to discuss</h3><ul class="mlw-strong">')
        for i, s in enumerate(summary.strong):
            a = s.assessment
            parts.append(f"<li><b>{html_escape(_who(s, i, show_names))}</b> <small>({a.score}/{a.max_score})</small>"
                         f"<blockquote>{html_escape(s.statement['problem'])}</blockquote>"
                         f"<blockquote>{html_escape(s.statement['outcome'])}</blockquote></li>")
        parts.append("</ul>")
    if summary.submitted:
        flagged = sum(bool(s.notes) for s in summary.submissions)
        items = "".join(f"<li><code>{who}</code>: {rest}</li>" for who, rest in
                        (_arrival(s, show_names, hide, html_escape) for s in summary.submissions))
        note = f", {flagged} flagged" if flagged else ""
        parts.append(f'<details class="mlw-received"{" open" if flagged else ""}><summary>'
                     f"When each statement came in ({summary.submitted}{note})</summary><ul>{items}</ul></details>")
    if summary.skipped:
        items = "".join(f"<li><code>{html_escape(hide(k.file))}</code>: {html_escape(hide(k.reason))}</li>"
                        for k in summary.skipped)
        parts.append(f'<details class="mlw-skipped"><summary>{len(summary.skipped)} file(s) skipped</summary>'
                     f"<ul>{items}</ul></details>")
    parts.append("</div>")
    return "".join(parts)


def render_summary_html(summary: ClassSummary, *, show_names: bool = False,
                        title: str = "Class summary") -> str:
    """A self-contained HTML page (inline style, no scripts, no network)."""
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html_escape(title)}</title><style>body{{margin:2rem auto;padding:0 1rem;max-width:64rem;"
            'font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328}'
            "h1{font-size:1.5em;margin:.2em 0}</style>"
            f"</head><body><main><h1>{html_escape(title)}</h1>"
            f"{summary_fragment_html(summary, show_names=show_names)}</main></body></html>\n")


def render_summary_markdown(summary: ClassSummary, *, show_names: bool = False,
                            title: str = "Class summary") -> str:
    """The same summary as Markdown; learner text is backslash-escaped and quoted."""
    hide = _hider(summary, show_names)
    lines = [f"# {md_escape(title)}", "", f"**{md_escape(_headline(summary))}** (from {md_escape(summary.folder)})", ""]
    problems = summary_problems(summary)
    if problems:
        lines += ["## Read this first", ""] + [f"**{md_escape(p)}**\n" for p in problems]
        lines += [f"- {_file_line(k, hide, md_escape)}" for k in summary.unreadable]
        lines += [""] if summary.unreadable else []
    if summary.submitted:
        lines += [" · ".join(f"{md_escape(t)}: {n}" for t, n in summary.levels), "",
                  "## Each check", "", "| Check | Met | Partly met | Missing |", "|---|---:|---:|---:|"]
        lines += [f"| {md_escape(c.title)} | {c.met} | {c.partial} | {c.missing} |" for c in summary.criteria]
        lines.append("")
    if summary.gaps:
        lines += ["## Most common gaps", ""]
        for n, g in enumerate(summary.gaps, 1):
            lines.append(f"{n}. **{md_escape(g.title)}**: {g.missing} missing, {g.partial} partly met. "
                         f"{md_escape(g.advice)}")
            if g.example:
                where = f" ({md_escape(g.example.field)})" if g.example.field else ""
                lines.append(f"   - In the room{where}: “{md_escape(g.example.text)}”"
                             f"{_credit(g.example, show_names, md_escape)}")
            if g.good_example:
                lines.append(f"   - A statement that met it: “{md_escape(g.good_example.text)}”"
                             f"{_credit(g.good_example, show_names, md_escape)}")
        lines.append("")
    if summary.strong:
        lines += ["## Strong statements to discuss", ""]
        for i, s in enumerate(summary.strong):
            a = s.assessment
            lines += [f"### {md_escape(_who(s, i, show_names))} ({a.score}/{a.max_score})", "",
                      f"> {md_escape(s.statement['problem'])}", ">", f"> {md_escape(s.statement['outcome'])}", ""]
    if summary.submitted:
        lines += ["## When each statement came in", ""]
        lines += [f"- {who}: {rest}" for who, rest in (_arrival(s, show_names, hide, md_escape)
                                                       for s in summary.submissions)]
        lines.append("")
    if summary.skipped:
        lines += ["## Skipped files", ""]
        lines += [f"- {_file_line(k, hide, md_escape)}" for k in summary.skipped]
        lines.append("")
    return "\n".join(lines)


def render_summary_text(summary: ClassSummary, *, show_names: bool = False) -> str:
    """Plain text for a terminal or a checked notebook cell: deterministic, one fact a line."""
    hide = _hider(summary, show_names)
    lines = [f"Class summary: {_headline(summary)}."]
    lines += [f"WARNING: {p}" for p in summary_problems(summary)]
    if summary.unreadable:
        lines.append("Could not be read:")
        lines += [f"  {_file_line(k, hide, _plain)}" for k in summary.unreadable]
    if summary.submitted:
        lines.append("Levels: " + ", ".join(f"{t} {n}" for t, n in summary.levels))
        lines.append("Checks (met / partly met / missing):")
        lines += [f"  {c.met:>3} / {c.partial:>3} / {c.missing:>3}  {c.title}" for c in summary.criteria]
    if summary.gaps:
        lines.append("Most common gaps: " + "; ".join(
            f"{g.title} ({g.missing + g.partial})" for g in summary.gaps))
    if summary.strong:
        lines.append("Strong statements: " + ", ".join(
            clean_text(_who(s, i, show_names)) for i, s in enumerate(summary.strong)))
    if summary.submitted:
        lines.append("Read (when each came in, as the file system says):")
        lines += [f"  {who}: {rest}" for who, rest in (_arrival(s, show_names, hide, _plain)
                                                       for s in summary.submissions)]
    if summary.skipped:
        lines.append("Skipped:")
        lines += [f"  {_file_line(k, hide, _plain)}" for k in summary.skipped]
    return "\n".join(lines)


def _plain(text: str) -> str:
    """A file name or learner text on one terminal line: quoted when it holds odd characters."""
    return repr(clean_text(text)) if clean_text(text) != text or text.strip() != text or "\n" in text else text


def write_summary(summary: ClassSummary, out_dir: str | os.PathLike[str], *,
                  show_names: bool = False) -> tuple[Path, Path]:
    """Write ``class-summary.html`` and ``class-summary.md`` into ``out_dir``; return both paths."""
    from mlworkflow.core.progress import atomic_write

    folder = Path(out_dir).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    html_path, md_path = folder / HTML_NAME, folder / MARKDOWN_NAME
    atomic_write(html_path, render_summary_html(summary, show_names=show_names))
    atomic_write(md_path, render_summary_markdown(summary, show_names=show_names))
    return html_path, md_path

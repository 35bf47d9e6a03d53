"""Render an ``Assessment`` as HTML, Markdown or plain text (pure functions).

Every string is escaped for its format, whether the learner typed it or the rubric supplied it,
so nothing a learner writes can become markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlworkflow.core.text import html_escape, md_escape, safe_text
from mlworkflow.exercise.rubric import FIELD_KEYS, ExamplePair, load_exercise

if TYPE_CHECKING:  # pragma: no cover
    from mlworkflow.exercise.assess import Assessment

__all__ = ["STATUS_LABELS", "ExampleTable", "render_html", "render_markdown", "render_text"]

STATUS_LABELS = {"met": "✔ met", "partial": "◐ partly met", "missing": "✘ missing"}
_COLORS = {"met": "#1a7f37", "partial": "#9a6700", "missing": "#cf222e"}


def _label(key: str) -> str:
    return load_exercise().field(key).label


def render_html(assessment: Assessment) -> str:
    """An HTML fragment: summary, notices, one row per criterion, and the honest scope note."""
    a = assessment
    left = 'style="text-align:left;vertical-align:top"'
    parts = [
        '<div class="mlw-assessment" style="text-align:left">',
        f'<p class="mlw-assessment-summary"><strong class="mlw-level">{html_escape(a.level)}</strong>: '
        f"{html_escape(a.summary)}</p>",
    ]
    if a.notices:
        parts.append('<ul class="mlw-notices">' + "".join(f"<li>{html_escape(n)}</li>" for n in a.notices) + "</ul>")
    if a.fix_first:
        parts.append('<div class="mlw-fix-first"><p><strong>What to fix first</strong></p><ol>'
                     + "".join(f"<li><strong>{html_escape(title)}</strong>: {html_escape(advice)}</li>"
                               for title, advice in a.fix_first)
                     + "</ol></div>")
    parts.append(f'<table class="mlw-criteria" {left}><thead><tr><th {left}>Check</th><th {left}>Status</th>'
                 f"<th {left}>Your words</th><th {left}>What to add</th></tr></thead><tbody>")
    for c in a.criteria:
        words = "<br>".join(f"“{html_escape(q)}”" for q in c.evidence) or "—"
        if c.flagged:
            flagged = ", ".join(f"“{html_escape(f)}”" for f in c.flagged)
            words += f'<br><span class="mlw-flagged">Flagged: {flagged}</span>'
        parts.append(
            f'<tr class="mlw-criterion mlw-criterion-{html_escape(c.status)}" data-key="{html_escape(c.key)}">'
            f"<td {left}>{html_escape(c.title)}</td>"
            f'<td style="text-align:left;vertical-align:top;color:{_COLORS[c.status]};white-space:nowrap">'
            f"{html_escape(STATUS_LABELS[c.status])}</td>"
            f'<td class="mlw-evidence" {left}>{words}</td>'
            f"<td {left}>{html_escape(c.advice) or 'Nothing to add.'}</td></tr>"
        )
    parts.append("</tbody></table>")
    parts.append(
        "<details class=\"mlw-scope\"><summary>What these checks can and cannot judge</summary>"
        f"<p>{html_escape(a.scope_note)}</p><p><strong>Checked automatically:</strong></p><ul>"
        + "".join(f"<li>{html_escape(t)}</li>" for t in a.checked_automatically)
        + "</ul><p><strong>For a human to judge:</strong></p><ul>"
        + "".join(f"<li>{html_escape(t)}</li>" for t in a.human_judgement)
        + "</ul></details></div>"
    )
    return "".join(parts)


def render_markdown(assessment: Assessment, title: str = "My ML problem statement") -> str:
    """A Markdown document with the statement and its feedback, ready to paste or hand in."""
    a = assessment
    lines = [f"# {md_escape(title)}", ""]
    for key in FIELD_KEYS:
        text = a.statement.get(key, "")
        if not text.strip():
            continue
        lines += [f"## {md_escape(_label(key))}", ""]
        lines += ["> " + (md_escape(para) or "") for para in text.strip().splitlines() if para.strip()]
        lines.append("")
    lines += ["## Feedback", "", f"**{md_escape(a.level)}**: {md_escape(a.summary)}", ""]
    lines += [f"- Note: {md_escape(n)}" for n in a.notices]
    if a.notices:
        lines.append("")
    if a.fix_first:
        lines += ["**What to fix first**", ""]
        lines += [f"{i}. **{md_escape(title)}**: {md_escape(advice)}"
                  for i, (title, advice) in enumerate(a.fix_first, 1)]
        lines.append("")
    for c in a.criteria:
        lines.append(f"- **{md_escape(c.title)}**: {STATUS_LABELS[c.status]}")
        lines += [f"  - Your words: “{md_escape(q)}”" for q in c.evidence]
        if c.flagged:
            lines.append("  - Flagged: " + ", ".join(f"“{md_escape(f)}”" for f in c.flagged))
        if c.advice:
            lines.append(f"  - What to add: {md_escape(c.advice)}")
    lines += ["", "## For a human to judge", ""] + [f"- {md_escape(t)}" for t in a.human_judgement]
    lines += ["", f"_{md_escape(a.scope_note)}_", ""]
    return "\n".join(lines)


def render_text(assessment: Assessment) -> str:
    """Plain text for a terminal or a printed notebook cell; stable for output checks, always encodable."""
    a = assessment
    lines = [f"{a.level}: {a.summary}"] + [f"Note: {n}" for n in a.notices]
    if a.fix_first:
        lines.append("What to fix first:")
        lines += [f"  {i}. {title}: {advice}" for i, (title, advice) in enumerate(a.fix_first, 1)]
    for c in a.criteria:
        lines.append(f"[{c.status}] {c.title}")
        lines += [f"    your words: {q}" for q in c.evidence]
        if c.flagged:
            lines.append("    flagged: " + ", ".join(c.flagged))
        if c.advice:
            lines.append(f"    to add: {c.advice}")
    return safe_text("\n".join(lines), shown=True)


@dataclass(frozen=True)
class ExampleTable:
    """Weak and strong versions of each part of a statement, with why; displays as a table."""

    pairs: tuple[ExamplePair, ...]

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td><b>{html_escape(p.aspect)}</b></td><td>{html_escape(p.weak)}</td><td>{html_escape(p.strong)}</td>"
            f"<td>{html_escape(p.why)}</td></tr>"
            for p in self.pairs
        )
        return ('<table class="mlw-example-pairs"><thead><tr><th>Part</th><th>Weak</th><th>Strong</th>'
                f"<th>Why the strong one works</th></tr></thead><tbody>{rows}</tbody></table>")

    def __str__(self) -> str:
        return "\n\n".join(
            f"{p.aspect}\n  weak:   {p.weak}\n  strong: {p.strong}\n  why:    {p.why}" for p in self.pairs
        )

    def __repr__(self) -> str:
        return str(self)

"""Money in stored HTML outputs never turns into maths.

JupyterLab typesets ``$...$`` inside HTML outputs with MathJax, so "costs $14.17 and keeps a
$82.81 customer" shows as garbled italics in a notebook that has not been run yet. HTML the
course writes sits in a ``mathjax_ignore`` block (:func:`mlworkflow.ui.no_maths`); this test reads
every stored ``text/html`` output and fails on a dollar pair that MathJax would see.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from mlworkflow.ui import NO_MATHS, no_maths

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted([*(ROOT / "notebooks").glob("*.ipynb"), *(ROOT / "mlworkflow" / "leader").rglob("*.ipynb")])
IGNORED = set(NO_MATHS.split())
BLOCKS = {"p", "div", "li", "td", "th", "tr", "table", "ul", "ol", "section", "h1", "h2", "h3", "h4", "h5", "h6",
          "blockquote", "pre", "details", "summary", "br", "dt", "dd"}
VOID = {"br", "img", "hr", "meta", "input", "link", "area", "base", "col", "embed", "source", "track", "wbr"}
PAIR = re.compile(r"(?<!\\)\$[^$]*(?<!\\)\$")


class _MathsFinder(HTMLParser):
    """Text runs MathJax would scan (not inside an ignored element, not split by a block), in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.runs: list[str] = [""]

    def _ignored(self) -> bool:
        return any(ignored for _, ignored in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCKS:
            self.runs.append("")
        if tag in VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        self.stack.append((tag, bool(classes & IGNORED) or tag in ("script", "style", "code", "pre")))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break
        if tag in BLOCKS:
            self.runs.append("")

    def handle_data(self, data: str) -> None:
        if self._ignored():
            self.runs.append("")
        else:
            self.runs[-1] += data


def maths_in(html: str) -> list[str]:
    finder = _MathsFinder()
    finder.feed(html)
    return [m.group(0) for run in finder.runs for m in PAIR.finditer(run)]


def test_the_finder_sees_a_pair_and_respects_the_ignore_block():
    garbled = "<p>An offer costs $14.17 and keeps a $82.81 customer.</p>"
    assert maths_in(garbled) == ["$14.17 and keeps a $"]
    assert maths_in(no_maths(garbled)) == []
    assert maths_in("<td>$14.17</td><td>$82.81</td>") == []  # separate blocks: MathJax does not join them
    assert maths_in(r"<p>costs \$14.17 and \$82.81</p>") == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_stored_html_output_holds_a_dollar_pair(path):
    nb = nbformat.read(path, as_version=4)
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            html = out.get("data", {}).get("text/html")
            if html:
                text = html if isinstance(html, str) else "".join(html)
                found += [(i, pair[:60]) for pair in maths_in(text)]
    assert not found, f"{path.name}: dollar pairs MathJax would typeset (cell, text): {found}"

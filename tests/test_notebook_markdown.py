"""Notebook prose as JupyterLab renders it: a dollar sign must not start a formula."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
LEADER_NOTEBOOKS = ROOT / "mlworkflow" / "leader" / "notebooks"  # the class pulse: not cloned to learners
ALL = sorted([*NOTEBOOKS.glob("*.ipynb"), *LEADER_NOTEBOOKS.glob("*.ipynb")])
CODE_SPAN = re.compile(r"`[^`]*`")
# JupyterLab typesets a pair of "$" in one Markdown cell as LaTeX, even when written "\$" (the Markdown
# renderer eats the backslash before MathJax sees it). "\\$" leaves "\$" for MathJax, which shows "$".
BARE_DOLLAR = re.compile(r"(?<!\\\\)\$")


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_money_in_markdown_is_escaped(path):
    """A pair of $ in one cell turns into maths in JupyterLab ("$14.17 ... $82.81"); checked in a browser."""
    bad = []
    for i, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
        if cell["cell_type"] == "markdown":
            prose = CODE_SPAN.sub("", "".join(cell["source"]))
            bad += [f"cell {i}: {prose[max(0, m.start() - 20):m.end() + 20]!r}" for m in BARE_DOLLAR.finditer(prose)]
    assert not bad, f"{path.name}: write \\\\$ for a dollar sign in notebook Markdown: {bad[:5]}"

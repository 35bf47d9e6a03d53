"""Each notebook says "Why this matters" once: in the stage card at its top, not again at its end.

A learner reads a notebook as rendered, so the count covers the Markdown and the stored HTML and
text outputs (the stepper's card, ``stage_notes``) alike.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
PHRASE = re.compile(r"why this matters", flags=re.I)


def _rendered(cell) -> list[str]:
    """What a reader sees of a cell: Markdown as written; for code, one view of each output (HTML if any)."""
    if cell.cell_type == "markdown":
        return [cell.source]
    views = []
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        views.append(data.get("text/html") or data.get("text/plain") or out.get("text", ""))
    return views


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_why_this_matters_shows_at_most_once(path):
    nb = nbformat.read(path, as_version=4)
    where = [i for i, cell in enumerate(nb.cells) for view in _rendered(cell) for _ in PHRASE.finditer(view)]
    assert len(where) <= 1, f"{path.name}: 'Why this matters' appears in cells {where}"


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if re.match(r"0[1-6]_", p.name)], ids=lambda p: p.stem)
def test_each_stage_notebook_still_shows_it(path):
    """The card keeps it: de-duplicating must not drop it."""
    nb = nbformat.read(path, as_version=4)
    assert any(PHRASE.search(view) for cell in nb.cells for view in _rendered(cell)), path.name

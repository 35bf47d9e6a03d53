"""nbval's markers are cell tags, which learners don't see, not comments at the top of a code cell.

nbval reads ``# NBVAL_CHECK_OUTPUT`` comments and ``nbval-check-output`` tags alike; the course uses
the tags only, so a learner never reads test plumbing. A tag nbval does not know would be ignored
in silence, so the tags are checked against nbval's own table.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbval.plugin import metadata_tags

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(
    (ROOT / "mlworkflow" / "leader").glob("*/*.ipynb"))
COURSE_TAGS = {"mlw-map", "mlw-nav", "mlw-time", "mlw-optional"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_cell_mentions_nbval(path):
    nb = nbformat.read(path, as_version=4)
    found = [i for i, cell in enumerate(nb.cells) if "NBVAL" in cell.source.upper()]
    assert not found, f"{path.name}: cells {found} mention NBVAL; use a cell tag such as nbval-check-output"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_tag_is_one_nbval_or_the_course_knows(path):
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        for tag in cell.get("metadata", {}).get("tags", []):
            assert tag in metadata_tags or tag in COURSE_TAGS, f"{path.name}, cell {i}: unknown tag {tag!r}"
            assert not tag.startswith("nbval") or cell.cell_type == "code", f"{path.name}, cell {i}: {tag} on Markdown"


def test_the_tag_names_are_nbvals():
    assert {"nbval-check-output", "nbval-ignore-output", "nbval-skip", "nbval-raises-exception"} <= set(metadata_tags)


def test_the_stage_notebooks_still_check_outputs():
    """Moving the markers to tags kept them: every stage notebook has checked cells."""
    for path in sorted((ROOT / "notebooks").glob("0[1-8]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert any("nbval-check-output" in c.get("metadata", {}).get("tags", []) for c in nb.cells), path.name

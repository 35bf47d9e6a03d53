"""Every learner notebook ends by telling the learner to shut its kernel down before moving on.

A kernel left running holds 50 to 240 MiB (benchmarks/hub_memory.py); a learner who opens all
the notebooks and closes none holds over a GiB of a shared hub's memory.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
LEARNER_NOTEBOOKS = sorted(NOTEBOOKS.glob("*.ipynb"))  # top level only: the leader's notebooks are not here

# the menu item and the sidebar panel, as JupyterLab names them
SHUT_DOWN = re.compile(r"Kernel > Shut Down Kernel")
PANEL = re.compile(r"Running Terminals and Kernels")


def _last_markdown(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    markdown = [c for c in nb.cells if c.cell_type == "markdown"]
    assert markdown, f"{path.name} has no Markdown cell"
    return markdown[-1].source


def test_there_are_learner_notebooks():
    assert len(LEARNER_NOTEBOOKS) >= 9


@pytest.mark.parametrize("path", LEARNER_NOTEBOOKS, ids=lambda p: p.stem)
def test_the_closing_cell_says_how_to_shut_the_kernel_down(path):
    text = _last_markdown(path)
    assert re.search(r"\bshut\b.*\bkernel\b.*\bdown\b", text, flags=re.I), text
    assert SHUT_DOWN.search(text) and PANEL.search(text), text


@pytest.mark.parametrize("path", LEARNER_NOTEBOOKS, ids=lambda p: p.stem)
def test_the_closing_cell_is_the_notebooks_last_cell(path):
    """Nothing after it: a learner who reaches the end of the notebook reads it."""
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[-1].cell_type == "markdown"
    assert nb.cells[-1].source == _last_markdown(path)

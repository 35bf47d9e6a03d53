"""The leader's notebooks run, as nbval runs the course's: they live in the package, outside ``notebooks/``.

nbval executes what is under ``notebooks/`` (pytest's testpaths), but the class pulse moved to
``mlworkflow/leader/notebooks`` so that nbgitpuller does not hand it to every learner. This test
runs each leader notebook top to bottom with nbclient and compares the outputs of cells marked
for checking (the ``nbval-check-output`` tag) with the stored ones.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import nbformat
import pytest

from mlworkflow.cli.workspace import leader_notebooks_dir

SANITIZE = Path(__file__).resolve().parents[1] / "nbval_sanitize.cfg"
NOTEBOOKS = sorted(leader_notebooks_dir().glob("*.ipynb"))


def _sanitizers() -> list[tuple[re.Pattern[str], str]]:
    cfg = configparser.ConfigParser()
    cfg.read(SANITIZE, encoding="utf-8")
    return [(re.compile(cfg[s]["regex"]), cfg[s]["replace"]) for s in cfg.sections()]


def _checked(cell) -> bool:
    tags = cell.get("metadata", {}).get("tags", [])
    return cell.cell_type == "code" and "nbval-check-output" in tags


def _text(cell, rules) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif "data" in out:
            parts.append(out.data.get("text/plain", ""))
    text = "".join(parts)
    for pattern, replace in rules:
        text = pattern.sub(replace, text)
    return text


def test_there_is_a_leader_notebook():
    assert [p.name for p in NOTEBOOKS] == ["class_pulse.ipynb"]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_leader_notebook_runs_and_checked_outputs_match(path, tmp_path, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("MLWORKFLOW_HOME", str(tmp_path / "home"))  # never a real learner's answers
    monkeypatch.delenv("MLWORKFLOW_SUBMIT_DIR", raising=False)
    stored = nbformat.read(path, as_version=4)
    ran = nbformat.read(path, as_version=4)
    NotebookClient(ran, timeout=240, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    rules = _sanitizers()
    checked = [(i, old, new) for i, (old, new) in enumerate(zip(stored.cells, ran.cells, strict=True)) if _checked(old)]
    assert checked, f"{path.name} has no cell whose output is checked"
    for i, old, new in checked:
        assert _text(new, rules) == _text(old, rules), f"{path.name}, cell {i}: the output changed"
    errors = [o for c in ran.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors

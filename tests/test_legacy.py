"""Notebooks copied by an older ``mlworkflow start`` keep working after the package moved into rooms.

``tests/data/legacy_imports.json`` is every ``from mlworkflow... import`` line of the course
notebooks as they were before the move (a learner's edited copy is never overwritten).
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import mlworkflow
from mlworkflow._legacy import LEGACY, legacy_module

LINES = json.loads((Path(__file__).parent / "data" / "legacy_imports.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("line", LINES, ids=lambda e: f"{e['notebook'][:2]}-{e['module']}")
def test_old_notebook_imports_still_work(line):
    module = importlib.import_module(line["module"])
    for name in line["names"]:
        assert getattr(module, name) is not None, f"from {line['module']} import {name}"


def test_old_lines_cover_the_moved_modules():
    used = {e["module"].removeprefix("mlworkflow.") for e in LINES if e["module"] != "mlworkflow"}
    assert used <= set(LEGACY) | {"leader"}, used - set(LEGACY)


def test_every_legacy_target_exists():
    for old, targets in LEGACY.items():
        for target in targets:
            importlib.import_module(f"mlworkflow.{target}")
        assert legacy_module(old) is sys.modules[f"mlworkflow.{old}"]


def test_old_submodule_attribute_and_its_functions():
    feedback = mlworkflow.feedback  # 08 used ``from mlworkflow import feedback; feedback.examples()``
    assert feedback.examples() is not None
    assert feedback.assess is mlworkflow.assess


def test_unknown_names_still_fail_clearly():
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        _ = mlworkflow.nope
    from mlworkflow import threshold

    with pytest.raises(AttributeError, match=r"mlworkflow.threshold .*has no attribute 'nope'"):
        _ = threshold.nope
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("mlworkflow.not_a_module")


def test_old_import_in_a_fresh_interpreter_stays_lazy():
    code = ("import sys; from mlworkflow.threshold import go_no_go; "
            "print('ipywidgets' in sys.modules, 'mlworkflow.stages.evaluation.threshold' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True"]

"""The course map's minutes are measured, not guessed: ``tools/reading_time.py`` counts them.

Markdown at 200 words a minute, each activity at its own minutes, and the sections marked
"If you have time" counted apart. The stored minutes in ``content/notebooks.json`` (which the
course map, the time line under each title and the facilitator guide's agendas use) must match.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "reading_time.py"


@pytest.fixture(scope="module")
def rt():
    spec = importlib.util.spec_from_file_location("reading_time", TOOL)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def _words(n: int) -> str:
    return " ".join(["word"] * n)


def _notebook(tmp_path: Path, *cells) -> Path:
    nb = nbformat.v4.new_notebook(cells=list(cells))
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    return path


def test_stored_minutes_match_the_measured_ones():
    result = subprocess.run([sys.executable, str(TOOL), "--check"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_notices_stale_minutes(rt, tmp_path, monkeypatch):
    data = json.loads(rt.CATALOGUE.read_text(encoding="utf-8"))
    data["notebooks"][1]["minutes"] += 5
    copy = tmp_path / "notebooks.json"
    copy.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(rt, "CATALOGUE", copy)
    assert [line.split(":")[0] for line in rt.stale()] == [data["notebooks"][1]["file"]]


def test_words_are_read_at_200_a_minute_and_optional_sections_apart(rt, tmp_path):
    md = nbformat.v4.new_markdown_cell
    path = _notebook(
        tmp_path,
        md("# Title\n\n" + _words(399)),  # a heading's words are read too
        md("## If you have time: more\n\n" + _words(195)),
        md("### Still optional\n\n" + _words(198)),
        md("## Back on the core path\n\n" + _words(195)),
        md(_words(200), metadata={"tags": ["mlw-optional"]}),
        md(_words(500), metadata={"tags": ["mlw-nav"]}),
    )
    t = rt.timing(path)
    assert (t.core, t.optional) == (pytest.approx(3.0), pytest.approx(3.0))


def test_a_subsection_marked_optional_ends_at_the_next_heading_of_its_level(rt, tmp_path):
    md = nbformat.v4.new_markdown_cell
    path = _notebook(tmp_path, md("## Core\n\n" + _words(199) + "\n\n### If you have time: aside\n\n" + _words(195)
                                  + "\n\n### Core again\n\n" + _words(198)))
    t = rt.timing(path)
    assert (t.core, t.optional) == (pytest.approx(2.0), pytest.approx(1.0))


def test_activities_take_their_minutes_and_worked_examples_their_reading(rt, tmp_path):
    code = nbformat.v4.new_code_cell
    printed = nbformat.v4.new_output("stream", name="stdout", text=_words(400))
    path = _notebook(
        tmp_path,
        code('Quiz("problem")'),
        code("sorter = RequestSorter()\nsorter"),
        code("print(RequestSorter(answers={}).report())", outputs=[printed]),
        code("x = 1"),
        nbformat.v4.new_markdown_cell("## If you have time"),
        code("ProblemStatementForm()"),
    )
    questions = len(json.loads((rt.QUIZZES / "problem.json").read_text(encoding="utf-8"))["questions"])
    t = rt.timing(path)
    assert t.core == pytest.approx(questions * rt.QUIZ_MINUTES_PER_QUESTION + rt.ACTIVITY_MINUTES["RequestSorter"]
                                   + 2 + rt.OUTPUT_MINUTES)
    assert t.optional == pytest.approx(rt.ACTIVITY_MINUTES["ProblemStatementForm"] + 4 / rt.WORDS_PER_MINUTE)


def test_stage_notebooks_keep_their_core_path_short(rt):
    """About 20 minutes each: the walk-through that prompted this took 20-25 minutes a notebook."""
    for file, t in rt.measured().items():
        if file[:2] in {"01", "02", "03", "04", "05", "06"}:
            assert t.minutes <= 24, f"{file}: {t.minutes} minutes on the core path"


def test_a_notebook_with_optional_minutes_says_where_they_are(rt):
    for e in rt.catalogue()["notebooks"]:
        nb = nbformat.read(rt.NOTEBOOKS / e["file"], as_version=4)
        marked = any(line.lstrip("#").strip().startswith(rt.OPTIONAL_HEADING) for c in nb.cells
                     if c.cell_type == "markdown" for line in c.source.splitlines() if line.startswith("#"))
        assert marked == bool(e["optional_minutes"]), e["file"]


def test_each_notebook_states_its_time_under_its_title(rt):
    for e in rt.catalogue()["notebooks"]:
        nb = nbformat.read(rt.NOTEBOOKS / e["file"], as_version=4)
        line = nb.cells[1]
        assert "mlw-time" in line.metadata.get("tags", []), e["file"]
        assert line.source.startswith(f"**About {e['minutes']} minutes**"), (e["file"], line.source)

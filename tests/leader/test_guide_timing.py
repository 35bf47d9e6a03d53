"""The facilitator guide's agendas agree with the notebooks' own timings in the course map.

Each agenda is a table whose rows read ``| 0:13 | 12 | Block | Notebooks | What happens |``. The
*Notebooks* cell is ``–`` (no notebook: welcome, break, close) or notebooks with their course-map
minutes and the named parts skipped, with the minutes each saves::

    01 (20) − 01 offer (3) − 01 deeper (3) − 01 apply (2)

so the block's minutes must be 20 − 3 − 3 − 2 = 12. Every skipped part is listed, with the same
minutes, in "What to skip when short of time" (``NN apply`` there stands for any notebook's
``04 apply``), and every notebook an agenda does not cover is named in its "Left for later" line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mlworkflow.core.course import load_notebooks

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "facilitator-guide.md"
AGENDAS = (60, 90, 120)
ROW = re.compile(r"^\| (\d+):(\d\d) \| (\d+) \| ([^|]+) \| ([^|]+) \|", flags=re.M)
NOTEBOOK = re.compile(r"^(\d\d) \((\d+)\)$")
SKIP = re.compile(r"^(\d\d) ([a-z][a-z-]*) \((\d+)\)$")
SKIP_ROW = re.compile(r"^\| `((?:\d\d|NN) [a-z][a-z-]*)` \| (\d+) \|", flags=re.M)
DASH = re.compile(r"\s[−-]\s")  # the minus sign, or a hyphen typed by hand, with spaces around it


def _text() -> str:
    return GUIDE.read_text(encoding="utf-8")


def _section(heading: str) -> str:
    return _text().split(heading, 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]


def _agenda(total: int) -> str:
    return _section(f"### {total} minutes")


def _course_minutes() -> dict[str, int]:
    return {e.file[:2]: e.minutes for e in load_notebooks()}


def _skips() -> dict[str, int]:
    return {name: int(saves) for name, saves in SKIP_ROW.findall(_section("## What to skip when short of time"))}


def _parse_cell(cell: str) -> tuple[dict[str, int], list[tuple[str, str, int]]]:
    """``01 (20) − 01 deeper (3)`` -> ({"01": 20}, [("01", "deeper", 3)])."""
    notebooks: dict[str, int] = {}
    skips: list[tuple[str, str, int]] = []
    for part in DASH.split(cell.strip()):
        whole, skip = NOTEBOOK.match(part.strip()), SKIP.match(part.strip())
        if whole:
            notebooks[whole.group(1)] = int(whole.group(2))
        elif skip:
            skips.append((skip.group(1), skip.group(2), int(skip.group(3))))
        else:
            raise AssertionError(f"cannot read {part!r} in the Notebooks cell {cell!r}")
    return notebooks, skips


def _rows(total: int) -> list[tuple[int, int, str, str]]:
    rows = [(int(h) * 60 + int(m), int(n), block.strip(), cell.strip()) for h, m, n, block, cell in
            ROW.findall(_agenda(total))]
    assert rows, f"no agenda rows found under '### {total} minutes'"
    return rows


@pytest.mark.parametrize("total", AGENDAS)
def test_the_blocks_follow_each_other_and_fill_the_agenda(total):
    clock = 0
    for start, minutes, block, _ in _rows(total):
        assert start == clock, f"{total}-minute agenda: '{block}' starts at {start}, the block before ends at {clock}"
        clock += minutes
    assert clock == total


@pytest.mark.parametrize("total", AGENDAS)
def test_each_block_takes_its_notebooks_time_minus_what_it_skips(total):
    course = _course_minutes()
    listed = _skips()
    for _, minutes, block, cell in _rows(total):
        if cell == "–":
            continue
        notebooks, skips = _parse_cell(cell)
        assert notebooks, f"'{block}' names skips but no notebook: {cell!r}"
        for nb, stated in notebooks.items():
            assert nb in course, f"'{block}': there is no notebook {nb} in the course map"
            assert stated == course[nb], f"'{block}': notebook {nb} takes {course[nb]} minutes, the guide says {stated}"
        for nb, part, saves in skips:
            assert nb in notebooks, f"'{block}' skips part of {nb}, which it does not cover"
            name = f"{nb} {part}" if f"{nb} {part}" in listed else f"NN {part}"
            assert name in listed, f"'{block}': '{nb} {part}' is not in 'What to skip when short of time'"
            assert saves == listed[name], f"'{block}': '{nb} {part}' saves {listed[name]} minutes there, not {saves}"
        expected = sum(notebooks.values()) - sum(saves for *_, saves in skips)
        assert minutes == expected, f"{total}-minute agenda, '{block}': {cell} is {expected} minutes, not {minutes}"


@pytest.mark.parametrize("total", AGENDAS)
def test_every_notebook_is_covered_once_or_left_for_later(total):
    covered: list[str] = []
    for _, _, _, cell in _rows(total):
        if cell != "–":
            covered += list(_parse_cell(cell)[0])
    assert len(covered) == len(set(covered)), f"{total}-minute agenda covers a notebook twice: {covered}"
    later = re.search(r"^\*\*Left for later:\*\* (.*)$", _agenda(total), flags=re.M)
    left = set(re.findall(r"\b(\d\d)\b", later.group(1).split("(")[0])) if later else set()
    assert set(covered) | left == set(_course_minutes()), (total, sorted(covered), sorted(left))
    assert not set(covered) & left, f"{total}-minute agenda covers and leaves for later {set(covered) & left}"


def test_every_skip_names_a_real_notebook_part():
    course = _course_minutes()
    for name, saves in _skips().items():
        nb = name.split()[0]
        assert nb == "NN" or nb in course, name
        assert 0 < saves < min(course.values()), (name, saves)


def test_the_parser_reads_the_convention_and_refuses_anything_else():
    assert _parse_cell("04 (20) − 04 calibration (2) - 04 apply (2)") == (
        {"04": 20}, [("04", "calibration", 2), ("04", "apply", 2)])
    with pytest.raises(AssertionError):
        _parse_cell("04 (20) minus a bit")

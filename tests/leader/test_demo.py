"""The made-up class for trying the summary before a workshop."""

from __future__ import annotations

import json

from mlworkflow.leader.collect import collect
from mlworkflow.leader.demo import DEMO_STATEMENTS, demo_class, demo_folder, random_class


def test_demo_class_counts():
    # the numbers the class pulse notebook prints; checked there too
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        demo_class(tmp)
        s = collect(tmp)
    assert (s.submitted, len(s.skipped)) == (5, 3)
    assert dict(s.levels) == {"Strong statement": 2, "Getting there": 2, "Early draft": 1}



def test_demo_folder_is_a_new_folder_each_time():
    first, second = demo_folder(), demo_folder()
    assert first != second and len(list(first.iterdir())) == 8
    assert collect(first).submitted == 5


def test_random_class_is_seeded_and_mostly_usable(tmp_path):
    paths = random_class(tmp_path / "a", 60, seed=3)
    again = random_class(tmp_path / "b", 60, seed=3)
    assert len(paths) == 60 and [p.read_text() for p in paths] == [p.read_text() for p in again]
    s = collect(tmp_path / "a")
    assert s.submitted + len(s.skipped) == 60 and s.submitted > 45


def test_demo_statements_are_invented_and_complete(tmp_path):
    assert len({name for name, *_ in DEMO_STATEMENTS}) == len(DEMO_STATEMENTS)
    path = demo_class(tmp_path)[0]
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["name"] == DEMO_STATEMENTS[0][0] and record["statement"]["problem"] == DEMO_STATEMENTS[0][1]

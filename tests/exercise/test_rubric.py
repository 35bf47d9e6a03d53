"""Tests for mlworkflow.exercise.rubric: the shipped rubric and exercise files, and malformed copies."""

from __future__ import annotations

import json
import re

import pytest

from mlworkflow.core.content import ContentError
from mlworkflow.exercise.rubric import FIELD_KEYS, OPTIONAL_FIELDS, REQUIRED_FIELDS, load_exercise, load_rubric


def test_shipped_content_loads():
    rubric, exercise = load_rubric(), load_exercise()
    assert len(rubric.criteria) >= 8
    assert tuple(f.key for f in exercise.fields) == FIELD_KEYS
    assert len(exercise.hints) == 2 and exercise.difficulty == "Medium"
    assert exercise.pairs and all(p.why for p in exercise.pairs)


def _broken_copy(tmp_path, name, change):
    from importlib import resources

    data = json.loads(resources.files("mlworkflow.content").joinpath(name).read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("change, field", [
    (lambda d: d["criteria"][0].pop("advice"), "criteria[0].advice"),
    (lambda d: d["criteria"][1]["groups"][0].update(patterns=["("]), "criteria[1].groups[0].patterns[0]"),
    (lambda d: d["criteria"][2].update(reads=["budget"]), "criteria[2].reads"),
    (lambda d: d["criteria"][3]["caution"].update(effect="explode"), "criteria[3].caution.effect"),
])
def test_malformed_rubric_names_file_and_field(tmp_path, change, field):
    path = _broken_copy(tmp_path, "rubric.json", change)
    with pytest.raises(ContentError) as info:
        load_rubric(path)
    assert info.value.field == field and str(path) in str(info.value)


def test_malformed_exercise_names_file_and_field(tmp_path):
    path = _broken_copy(tmp_path, "exercise.json", lambda d: d["worked_example"].pop("outcome"))
    with pytest.raises(ContentError, match=r"worked_example\.outcome"):
        load_exercise(path)
    bad = tmp_path / "bad.json"
    bad.write_text("{nope", encoding="utf-8")
    with pytest.raises(ContentError, match="not valid JSON"):
        load_exercise(bad)




def test_field_keys_are_the_required_then_the_optional_ones():
    assert FIELD_KEYS == REQUIRED_FIELDS + OPTIONAL_FIELDS and "problem" in REQUIRED_FIELDS


def test_cue_words_match_whole_words_with_wildcards():
    rubric = load_rubric()
    groups = {g.name: g.regex for c in rubric.criteria for g in c.groups}
    assert groups  # every criterion has named groups with a compiled regex
    assert all(isinstance(regex, re.Pattern) for regex in groups.values())
    time = next(g for c in rubric.criteria for g in c.groups if g.regex.search("within six months"))
    assert time.regex.search("within  six\nmonths")  # any whitespace between words

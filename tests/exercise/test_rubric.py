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
    (lambda d: d["roles"]["number"].update(patterns=["("]), "roles.number.patterns[0]"),
    (lambda d: d["criteria"][2].update(reads=["budget"]), "criteria[2].reads"),
    (lambda d: d["criteria"][3]["caution"].update(role="hype"), "criteria[3].caution.role"),
    (lambda d: d["criteria"][0].update(met=[["actor", "nonsense"]]), "criteria[0].met[0]"),
    (lambda d: d["criteria"][4].update(met=[["method_weak@budget"]]), "criteria[4].met[0]"),
    (lambda d: d["roles"]["pain"].update(cues=[]), "roles.pain.cues"),
    (lambda d: d["criteria"][6]["distinct"].update(roles=["nope"]), "criteria[6].distinct.roles"),
    (lambda d: d["criteria"][8]["distinct"].update(fallback="nope"), "criteria[8].distinct.fallback"),
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
    roles = load_rubric().roles
    assert all(isinstance(r.regex, re.Pattern) for r in roles.values())
    assert roles["time"].regex.search("within  six\nmonths")  # any whitespace between words
    assert roles["predict"].regex.search("we will predict which orders")  # predict* takes any ending
    assert roles["predict"].regex.search("predictions")
    assert not roles["actor"].regex.search("xcustomers")  # a cue starts at a word boundary
    assert roles["actor"].regex.search("customers")


def test_every_role_a_criterion_names_exists_and_every_role_is_used():
    rubric = load_rubric()
    named = {n.role for c in rubric.criteria for combo in c.met + c.partial for n in combo}
    named |= {r for c in rubric.criteria for r in (*c.distinct_roles, *c.distinct_kinds, *c.quote)}
    named |= {c.caution for c in rubric.criteria if c.caution}
    named |= {c.fallback for c in rubric.criteria if c.fallback}
    assert named - {"text"} <= set(rubric.roles)
    helpers = {"purpose", "tech", "vague_data", "model_metric"}  # read by the sentence reader
    credited = {r.credited for r in rubric.roles.values()}  # a narrower cue list counts as a broader role
    assert credited - named <= helpers, credited - named
    assert all(rubric.roles[r.counts_as].counts_as == "" for r in rubric.roles.values() if r.counts_as)


def test_a_role_read_only_in_some_boxes_and_credited_as_another(tmp_path):
    rubric = load_rubric()
    soft = [r for r in rubric.roles.values() if r.counts_as]
    assert soft and all(r.boxes and r.counts_as in rubric.roles for r in soft)
    # a role is read only in boxes that some criterion naming it reads
    for role in rubric.roles.values():
        readers = {box for c in rubric.criteria for combo in c.met + c.partial for n in combo
                   if n.role == role.credited for box in c.reads}
        readers |= {box for c in rubric.criteria if role.credited in (*c.distinct_roles, *c.distinct_kinds,
                                                                        c.fallback) for box in c.reads}
        if role.boxes and readers:
            assert set(role.boxes) <= readers, (role.name, role.boxes, readers)

    def nowhere(data):
        data["roles"]["c_timing_soft"]["boxes"] = ["nowhere"]

    def unknown(data):
        data["roles"]["c_timing_soft"]["counts_as"] = "no_such_role"

    with pytest.raises(ContentError, match="unknown box"):
        load_rubric(_broken_copy(tmp_path, "rubric.json", nowhere))
    with pytest.raises(ContentError, match="unknown role"):
        load_rubric(_broken_copy(tmp_path, "rubric.json", unknown))


def test_a_role_is_looked_for_only_in_the_boxes_its_criteria_read():
    rubric = load_rubric()
    boxes = rubric.role_boxes
    assert "data_sources" not in boxes["pain"] and "problem" in boxes["pain"]  # nobody reads pain in data boxes
    assert boxes["c_timing"] <= {"data_sources", "constraints"}
    everywhere = frozenset(("problem", "outcome", "data_sources", "baseline", "prediction", "labels", "constraints"))
    for name in ("actor", "predict", "action", "purpose", "tech", "source_named"):  # the reader's own roles
        assert boxes[name] == frozenset(rubric.roles[name].boxes or everywhere), name  # in all of their boxes
    assert boxes["source_named"] == {"data_sources", "labels"}  # a role's own boxes still bound it
    # each box a criterion reads is searched for every role credited as one the criterion names
    for c in rubric.criteria:
        named = {n.role for combo in c.met + c.partial for n in combo} | {*c.distinct_kinds, *c.quote}
        for role in rubric.roles.values():
            if role.credited in named:
                allowed = set(c.reads) & set(role.boxes or c.reads)
                assert allowed <= boxes[role.name], (c.key, role.name)

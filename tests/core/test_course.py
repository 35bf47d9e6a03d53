import json
from pathlib import Path

import pytest

from mlworkflow import ContentError, load_course
from mlworkflow.core.course import load_notebooks

SEED_TITLES = [
    "Problem Definition",
    "Data Collection and Preparation",
    "Model Training",
    "Model Evaluation",
    "Deployment",
    "Monitoring and Maintenance",
]


def test_shipped_course_has_the_seed_stages_in_order():
    course = load_course()
    assert [s.title for s in course.stages] == SEED_TITLES
    assert course.keys == ("problem", "data", "training", "evaluation", "deployment", "monitoring")
    for i, stage in enumerate(course.stages):
        assert stage.index == i and stage.number == i + 1
        assert stage.summary and stage.why_it_matters
        assert len(stage.key_steps) >= 2 and stage.questions_to_ask and stage.red_flags and stage.handover


def test_loops_point_back_and_include_the_two_real_ones():
    course = load_course()
    pairs = {(loop.source, loop.target) for loop in course.loops}
    assert ("monitoring", "data") in pairs and ("evaluation", "training") in pairs
    for loop in course.loops:
        assert course.stage(loop.target).index < course.stage(loop.source).index


def test_stage_lookup_by_key_and_index():
    course = load_course()
    assert course.stage("evaluation").title == "Model Evaluation"
    assert course.stage(5).key == "monitoring"
    with pytest.raises(KeyError, match="no stage called 'nope'"):
        course.stage("nope")
    with pytest.raises(KeyError):
        course.stage(6)


def _shipped() -> dict:
    from importlib import resources

    return json.loads(resources.files("mlworkflow.content").joinpath("stages.json").read_text())


def _write(tmp_path: Path, data) -> Path:
    path = tmp_path / "stages.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


@pytest.mark.parametrize(
    "mutate, field, problem",
    [
        (lambda d: d["stages"][2].pop("title"), "stages[2].title", "missing"),
        (lambda d: d["stages"][1].update(key_steps="clean it"), "stages[1].key_steps", "list of non-empty texts"),
        (lambda d: d["stages"][0].update(summary="   "), "stages[0].summary", "non-empty text"),
        (lambda d: d["stages"][3].update(key="Model Eval"), "stages[3].key", "lowercase identifier"),
        (lambda d: d["stages"][4].update(key="data"), "stages[4].key", "duplicate key"),
        (lambda d: d["loops"][0].update(to="nowhere"), "loops[0].to", "unknown stage"),
        (lambda d: d["loops"][0].update({"from": "problem", "to": "monitoring"}), "loops[0].to", "earlier stage"),
        (lambda d: d.update(version=2), "version", "unsupported version"),
        (lambda d: d.update(stages={}), "stages", "expected a list"),
    ],
)
def test_malformed_content_names_file_and_field(tmp_path, mutate, field, problem):
    data = _shipped()
    mutate(data)
    path = _write(tmp_path, data)
    with pytest.raises(ContentError) as err:
        load_course(path)
    assert err.value.file == str(path) and err.value.field == field
    assert problem in str(err.value) and str(path) in str(err.value)


def test_invalid_json_and_missing_file(tmp_path):
    with pytest.raises(ContentError, match="line 1: not valid JSON"):
        load_course(_write(tmp_path, "{not json"))
    with pytest.raises(ContentError, match="cannot read file"):
        load_course(tmp_path / "missing.json")


def test_notebook_catalogue_starts_with_the_map_and_covers_every_stage():
    entries = load_notebooks()
    assert entries[0].file == "00_course_map.ipynb"
    assert {e.stage for e in entries if e.stage} == set(load_course().keys)
    assert len({e.file for e in entries}) == len(entries)

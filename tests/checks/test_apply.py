"""The 'apply it to your project' prompts (pure): mlworkflow.checks.apply."""

import json
from importlib import resources

import pytest

from mlworkflow.checks.apply import MAX_CHARS, load_prompts, section_for
from mlworkflow.core.content import ContentError
from mlworkflow.core.course import load_course


def test_every_stage_has_a_prompt_with_guide_and_example():
    prompts = load_prompts()
    assert list(prompts) == list(load_course().keys)
    for p in prompts.values():
        assert p.prompt.endswith("?") and len(p.guide) >= 2 and len(p.example) > 80
        assert len(p.example) < MAX_CHARS and p.brief_heading


def test_prompts_are_a_copy_callers_cannot_spoil():
    load_prompts().clear()
    assert "data" in load_prompts()


def test_section_for():
    assert section_for("data") == "apply/data"
    assert section_for("monitoring") != section_for("deployment")


def _broken(tmp_path, change):
    data = json.loads(resources.files("mlworkflow.content").joinpath("apply.json").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "apply.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("change, field", [
    (lambda d: d["prompts"][0].pop("example"), "prompts[0].example"),
    (lambda d: d["prompts"][1].update(stage="marketing"), "prompts[1].stage"),
    (lambda d: d["prompts"][2].update(guide="one line"), "prompts[2].guide"),
    (lambda d: d["prompts"].pop(), "prompts"),
])
def test_malformed_prompts_name_file_and_field(tmp_path, change, field):
    path = _broken(tmp_path, change)
    with pytest.raises(ContentError) as info:
        load_prompts(path)
    assert info.value.field == field and str(path) in str(info.value)


def test_saved_answer_says_what_it_could_not_use():
    from mlworkflow.checks.apply import saved_answer

    assert saved_answer({"answer": "Billing DB"}) == ("Billing DB", [])
    assert saved_answer({}) == ("", [])
    assert saved_answer({"answer": ["x"]}) == ("", ["the answer was a list, not text"])
    answer, problems = saved_answer({"answer": "kept", "colour": "blue"})
    assert answer == "kept" and problems == ["entries the course does not know ('colour')"]

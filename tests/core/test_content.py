import re
from pathlib import Path

import pytest

import mlworkflow
from mlworkflow.core.content import ContentError, Fields, read_content, stylesheet


def test_content_error_names_file_and_field():
    err = ContentError("stages.json", "stages[2].title", "expected non-empty text")
    assert str(err) == "stages.json: stages[2].title: expected non-empty text"
    assert isinstance(err, ValueError) and err.file == "stages.json" and err.field == "stages[2].title"
    assert str(ContentError("x.json", "", "not found")) == "x.json: not found"


def test_read_content_shipped_and_from_a_path(tmp_path):
    data, label = read_content("stages.json")
    assert label == "stages.json" and data["version"] == 1
    path = tmp_path / "draft.json"
    path.write_text('{"a": [1, 2]}', encoding="utf-8")
    assert read_content("stages.json", path) == ({"a": [1, 2]}, str(path))


def test_read_content_bad_json_names_the_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n  "a": 1,\n  "b": \n}', encoding="utf-8")
    with pytest.raises(ContentError) as info:
        read_content("stages.json", path)
    assert info.value.file == str(path) and info.value.field == "line 4" and "not valid JSON" in info.value.problem


def test_read_content_missing_file(tmp_path):
    with pytest.raises(ContentError, match="cannot read file"):
        read_content("stages.json", tmp_path / "nope.json")


def _fields() -> Fields:
    return Fields(
        {"t": " hi ", "e": "", "ts": ["a", " b "], "n": 3, "b": True, "o": {"x": "y"}, "os": [{"k": "v"}], "bad": 1},
        "f.json",
        "top",
    )


def test_fields_read_typed_values_and_strip_text():
    f = _fields()
    assert f.text("t") == "hi" and f.text("missing", "") == "" and f.text("e", "") == ""
    assert f.texts("ts") == ("a", "b")
    assert f.number("n") == 3 and f.number("missing", 1.5) == 1.5
    assert f.flag("b") is True and f.flag("missing", False) is False
    assert f.object("o").text("x") == "y" and f.object("o").where == "top.o"
    [item] = f.objects("os")
    assert item.text("k") == "v" and item.where == "top.os[0]"


@pytest.mark.parametrize(
    "read, field, problem",
    [
        (lambda f: f.text("missing"), "top.missing", "missing"),
        (lambda f: f.text("e"), "top.e", "expected non-empty text"),
        (lambda f: f.text("n"), "top.n", "expected non-empty text"),
        (lambda f: f.texts("t"), "top.t", "expected a list of non-empty texts"),
        (lambda f: f.texts("ts", min_items=3), "top.ts", "expected at least 3 item(s)"),
        (lambda f: f.number("b"), "top.b", "expected a number"),
        (lambda f: f.flag("n"), "top.n", "expected true or false"),
        (lambda f: f.objects("o"), "top.o", "expected a list"),
        (lambda f: f.objects("os", min_items=2), "top.os", "expected at least 2 item(s)"),
        (lambda f: f.objects("nothing"), "top.nothing", "missing"),
        (lambda f: f.object("nothing"), "top.nothing", "missing"),
        (lambda f: f.object("bad"), "top.bad", "expected an object"),
        (lambda f: f.fail("custom", "is wrong"), "top.custom", "is wrong"),
    ],
)
def test_fields_errors_name_the_dotted_field(read, field, problem):
    with pytest.raises(ContentError) as info:
        err = read(_fields())
        if isinstance(err, ContentError):
            raise err
    assert info.value.file == "f.json" and info.value.field == field and info.value.problem == problem


def test_fields_top_level_must_be_an_object():
    with pytest.raises(ContentError, match=r"f.json: \(top level\): expected an object"):
        Fields([1, 2], "f.json")


def test_stylesheet_section_and_style_tag():
    css = stylesheet("card")
    assert css.startswith(".mlw-card-body{") and "@section" not in css and "framing" not in css
    assert stylesheet("card", tag=True) == f"<style>\n{css}\n</style>"


def test_unknown_stylesheet_section_is_a_content_error():
    with pytest.raises(ContentError) as info:
        stylesheet("no-such-view")
    assert info.value.file == "styles.css" and info.value.field == "no-such-view"
    assert str(info.value) == "styles.css: no-such-view: no such section"


def test_every_stylesheet_section_the_code_asks_for_exists():
    package = Path(mlworkflow.__file__).parent
    asked = set()
    for source in package.rglob("*.py"):
        asked |= set(re.findall(r"stylesheet\(\s*[\"']([a-z-]+)[\"']", source.read_text(encoding="utf-8")))
    assert {"card", "framing", "brief"} <= asked  # the scan finds what it should
    for section in sorted(asked):
        assert stylesheet(section).strip(), section


def test_template_checks_placeholders_exactly_or_as_a_subset():
    f = Fields({"a": "Kept {n} of {total}", "b": "{oops", "c": "Only {n}"}, "x.json", "texts")
    assert f.template("a", ["n", "total"]) == "Kept {n} of {total}"
    assert f.template("c", {"n", "total"}, exact=False) == "Only {n}"
    with pytest.raises(ContentError, match=r"x.json: texts.b: unbalanced braces"):
        f.template("b", set())
    with pytest.raises(ContentError, match=r"texts.c: expected \{n\}, \{total\}, found \{n\}"):
        f.template("c", {"n", "total"})
    with pytest.raises(ContentError, match=r"texts.a: expected only \{n\}, found \{n\}, \{total\}"):
        f.template("a", {"n"}, exact=False)

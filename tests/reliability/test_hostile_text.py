"""Hostile text (lone surrogates, NULs, right-to-left overrides, HTML and script) through every output of the
saved answers: the store round trip, the brief as HTML, Markdown and text, the apply box and the exercise form."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from reliability.store_helpers import HOSTILE, sendable

from mlworkflow import ApplyToProject, ProblemStatementForm, ProjectBrief
from mlworkflow.checks.apply import section_for
from mlworkflow.checks.brief import brief_html, brief_markdown, brief_page, brief_text, gather_brief
from mlworkflow.core.progress import ProgressStore
from mlworkflow.core.text import safe_text
from mlworkflow.exercise.render import render_html, render_markdown, render_text

_UNSAFE = re.compile(r"[\x00\ud800-\udfff]")
_DIRECTION = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_RAW_TAG = re.compile(r"(?<!\\)<(script|img|svg)")  # Markdown: a tag not escaped with a backslash


class _Live(HTMLParser):
    """The elements and attributes a browser would act on."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "img", "svg", "iframe", "a"):
            self.found.append(tag)
        self.found += [name for name, _ in attrs if name.startswith("on")]


def _inert(text: str, *, markup: bool = True) -> None:
    """Encodable, no lone surrogate or NUL, no direction override; with ``markup``, no live tag or handler."""
    text.encode("utf-8")
    assert not _UNSAFE.search(text) and not _DIRECTION.search(text)
    if markup:
        parser = _Live()
        parser.feed(text)
        assert parser.found == [], parser.found


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("MLWORKFLOW_GRAPHVIZ", "none")
    store = ProgressStore(home=tmp_path / "home")
    text = "\n".join(HOSTILE)
    for stage in ("problem", "data", "training", "evaluation", "deployment", "monitoring"):
        store.save(section_for(stage), {"answer": text})
    store.save("exercise", {"version": 1, "hints_shown": 0,
                            "fields": {"problem": text, "outcome": text, "data_sources": text}})
    return store


@pytest.mark.parametrize("text", HOSTILE)
def test_store_round_trip_makes_text_safe_and_keeps_the_rest(tmp_path, text):
    store = ProgressStore(home=tmp_path)
    store.save("apply/data", {"answer": text, text: [text]})
    loaded = store.load("apply/data")
    assert loaded == {"answer": safe_text(text), safe_text(text): [safe_text(text)]}
    assert not _UNSAFE.search(loaded["answer"]) and "😀" in safe_text("\ud83d\ude00")
    assert "<script>" in safe_text("<script>")  # stored as typed; escaped where shown


def test_the_brief_in_every_format(store):
    brief = gather_brief(store)
    assert brief.answered >= 6
    for html in (brief_html(brief), brief_page(brief, "2024-05-31")):
        _inert(html)
        assert "&lt;script&gt;" in html
    _inert(brief_markdown(brief, "2024-05-31"), markup=False)
    assert not _RAW_TAG.search(brief_markdown(brief)) and "\\[link\\]" in brief_markdown(brief)
    _inert(brief_text(brief), markup=False)  # plain text keeps the words, drops what reorders them
    widget = ProjectBrief(store=store)
    sendable(widget)
    _inert(widget._view.value)


def test_the_apply_box(store):
    box = ApplyToProject("data", store=store, autosave_delay=0)
    sendable(box)
    _inert(box._repr_mimebundle_()["text/html"])
    _inert(box._repr_mimebundle_()["text/plain"], markup=False)
    box.answer = HOSTILE[0] + HOSTILE[1]  # typed (or set by code): made safe before it is kept or sent
    assert not _UNSAFE.search(box.answer)
    sendable(box)
    assert store.load(section_for("data")) == {"answer": box.answer}
    box.close()


def test_the_exercise_form_and_its_feedback(store):
    form = ProblemStatementForm(store=store, autosave_delay=0)
    assert form.problem.startswith("lone")
    result = form.get_feedback()
    sendable(form)
    _inert(render_html(result))
    _inert(form._static_html())
    _inert(render_markdown(result), markup=False)
    assert not _RAW_TAG.search(render_markdown(result))
    _inert(render_text(result), markup=False)
    form.set_values(problem=HOSTILE[1])
    assert "\x00" not in form.problem and "\x00" not in store.load("exercise")["fields"]["problem"]
    form.close()

"""The presenter view: the deck (slides, their diagram, the widget), the Voila command and template.

Voila and a browser are not needed here; ``tests/e2e/test_present.py`` measures the real page.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import sys
from pathlib import Path

import nbformat
import pytest
from widget_checks import unguarded

from mlworkflow.cli import main as cli_main
from mlworkflow.core.course import load_course
from mlworkflow.display.backends import RenderFailed, RenderUnavailable
from mlworkflow.display.cards import load_card_text
from mlworkflow.leader import presenter
from mlworkflow.leader.presenter import (
    TEMPLATE,
    slideshow_notebook,
    template_root,
    voila_command,
    voila_env,
    voila_installed,
)
from mlworkflow.leader.projector.slides import LABEL_PX, ProjectorDiagram, course_slides, scale_svg, slide_index
from mlworkflow.leader.projector.widgets import Slideshow

TEMPLATE_HTML = template_root() / "voila" / "templates" / TEMPLATE / "index.html.j2"


def _svg_or_skip(diagram: ProjectorDiagram) -> str:
    try:
        return diagram.to_svg()
    except (RenderUnavailable, RenderFailed) as exc:  # pragma: no cover - every supported install renders
        pytest.skip(f"no Graphviz here: {exc}")


# ------------------------------------------------------------------------------ the slides


def test_the_deck_is_the_title_then_one_slide_per_stage_then_the_loops():
    course = load_course()
    slides = course_slides()
    assert [s.key for s in slides] == ["title", *course.keys, "loops"]
    assert [s.stage for s in slides] == [None, *course.keys, None]
    assert course.title in slides[0].html and course.tagline in slides[0].html
    assert all(loop.why in slides[-1].text for loop in course.loops)


def test_each_stage_slide_holds_that_stage_only_and_all_its_card_text():
    course, titles = load_course(), load_card_text().section_titles
    slides = course_slides()
    for i, stage in enumerate(course.stages, 1):
        slide = slides[i]
        assert slide.html.count("data-stage=") == 1 and f'data-stage="{stage.key}"' in slide.html
        assert f"Stage {stage.number} of {len(course.stages)}" in slide.html
        for text in (stage.summary, stage.why_it_matters, *stage.key_steps, *stage.questions_to_ask,
                     *stage.red_flags, *stage.handover, *titles.values()):
            assert text.replace("'", "&#x27;") in slide.html, text
        others = [s.key for s in course.stages if s is not stage and s.summary in slide.html + slide.text]
        assert others == [], f"{stage.key}'s slide shows {others}"
        assert stage.summary in slide.text and stage.questions_to_ask[0] in slide.text
        assert slide.completed == course.keys[: i - 1]  # the diagram ticks the stages already shown


def test_slides_escape_the_course_text():
    course = load_course()
    first = dataclasses.replace(course.stages[0], title="<script>x</script>", summary="A & <b>B</b>")
    hostile = dataclasses.replace(course, title="<img src=x onerror=alert(1)>", stages=(first, *course.stages[1:]))
    html = "".join(s.html for s in course_slides(hostile))
    assert "<script>" not in html and "<img" not in html and "<b>B" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "A &amp; &lt;b&gt;B&lt;/b&gt;" in html


def test_a_course_without_loops_has_no_loops_slide():
    course = dataclasses.replace(load_course(), loops=())
    assert [s.key for s in course_slides(course)][-1] == course.keys[-1]


def test_slide_index_finds_keys_and_clamps_numbers():
    slides = course_slides()
    assert slide_index(slides, "title") == 0 and slide_index(slides, "data") == 2
    assert slide_index(slides, "loops") == len(slides) - 1
    assert slide_index(slides, -4) == 0 and slide_index(slides, 99) == len(slides) - 1
    with pytest.raises(KeyError, match="the slides are: title, problem"):
        slide_index(slides, "nope")


# ------------------------------------------------------------------------------ the diagram


def test_scale_svg_sets_the_drawn_size_from_the_smallest_text():
    svg = ('<svg width="100pt" height="50pt"\n viewBox="0.00 0.00 100.00 50.00" xmlns="x">'
           '<text font-size="10.00">a</text><text font-size="14.00">b</text></svg>')
    scaled = scale_svg(svg, 30)
    assert '<svg width="300px" height="150px"\n viewBox="0.00 0.00 100.00 50.00"' in scaled
    assert scaled.count("font-size") == 2 and scaled.endswith("</svg>")
    assert scale_svg('<svg width="1pt" height="1pt"><text font-size="9">a</text></svg>', 30).startswith(
        '<svg width="1pt"')  # no viewBox: left alone
    assert scale_svg('<svg width="1pt" height="1pt" viewBox="0 0 1 1"></svg>', 30).startswith('<svg width="1pt"')


def test_the_projector_diagram_is_top_to_bottom_with_labels_at_the_projector_size():
    diagram = ProjectorDiagram("data", ["problem"])
    assert "rankdir=TB" in diagram.source and "ranksep=0.2" in diagram.source
    svg = _svg_or_skip(diagram)
    width = float(re.search(r'<svg\b[^>]*?width="([\d.]+)px"', svg).group(1))
    box = float(re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+)', svg).group(1))
    smallest = min(float(s) for s in re.findall(r'font-size="([\d.]+)"', svg))
    assert smallest * width / box == pytest.approx(LABEL_PX, abs=0.5) and LABEL_PX >= 28
    assert "current stage: Data Collection and Preparation" in svg and "✓ 1. Problem Definition" in svg
    assert ProjectorDiagram(label_px=40).to_text() == ProjectorDiagram().to_text()


# ------------------------------------------------------------------------------ the widget


def test_slideshow_moves_one_slide_at_a_time_and_clamps():
    show = Slideshow()
    assert show.slide.key == "title" and show._prev_button.disabled and not show._next_button.disabled
    show._next_button.click()
    assert show.slide.key == "problem" and 'data-stage="problem"' in show._view.value
    svg = show._diagram.outputs[0]["data"].get("image/svg+xml", "")
    assert not svg or "current stage: Problem Definition" in svg
    show.go_to("loops")
    assert show._next_button.disabled
    show.next()
    assert show.index == len(show.slides) - 1
    show._prev_button.click()
    assert show.slide.key == "monitoring"
    show.index = 99
    assert show.index == len(show.slides) - 1
    show.index = -3
    assert show.index == 0
    assert Slideshow(start="data").index == 2 and Slideshow(start=5).slide.key == "deployment"


def test_slideshow_callbacks_are_guarded_and_it_reads_well_without_widgets():
    show = Slideshow(start=1)
    assert unguarded(show) == []
    assert "mlw-slideshow" in show._dom_classes and "mlw-next" in show._next_button._dom_classes
    bundle = show._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    for stage in load_course().stages:
        assert stage.title in data["text/plain"] and stage.summary in data["text/html"]


# ------------------------------------------------------------------------------ Voila


def test_the_slideshow_notebook_ships_with_the_package_and_only_shows_the_deck():
    path = slideshow_notebook()
    assert path.parent == Path(presenter.__file__).resolve().parent / "projector" and path.is_file()
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert [c.cell_type for c in nb.cells] == ["code"] and not nb.cells[0].outputs
    assert nb.cells[0].source.splitlines()[-1] == "Slideshow()"
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.metadata["title"] == load_course().title  # Voila's page title


def test_presenter_env_keeps_existing_jupyter_path():
    env = voila_env({"JUPYTER_PATH": "/a" + os.pathsep + "/b", "HOME": "/h"})
    assert env["JUPYTER_PATH"].split(os.pathsep) == [str(template_root()), "/a", "/b"] and env["HOME"] == "/h"
    assert voila_env({})["JUPYTER_PATH"] == str(template_root())


def test_voila_command_strips_code_and_passes_options_through():
    cmd = voila_command(Path("nb/00_course_map.ipynb"), port=8877, no_browser=True, extra=["--Voila.ip=0"])
    assert cmd[:4] == [sys.executable, "-m", "voila", str(Path("nb/00_course_map.ipynb"))]
    assert f"--template={TEMPLATE}" in cmd and "--strip_sources=True" in cmd
    assert "--port=8877" in cmd and "--no-browser" in cmd and cmd[-1] == "--Voila.ip=0"
    plain = voila_command(Path("x.ipynb"))
    assert not any(a.startswith("--port") for a in plain) and "--no-browser" not in plain


def _hidden_selectors(template: str) -> list[str]:
    """Every selector the template's CSS hides with ``display: none``."""
    css = "\n".join(re.findall(r"<style>(.*?)</style>", template, flags=re.S))
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    hidden = []
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        if re.search(r"display:\s*none", body):
            hidden += [s.strip() for s in selectors.split(",")]
    return hidden


def test_the_template_hides_code_but_never_the_prose():
    template = TEMPLATE_HTML.read_text(encoding="utf-8")
    assert json.loads((TEMPLATE_HTML.parent / "conf.json").read_text())["base_template"] == "lab"
    hidden = _hidden_selectors(template)
    assert "body .jp-CodeCell .jp-Cell-inputWrapper" in hidden and "body .jp-InputPrompt" in hidden
    # With strip_sources a Markdown cell's rendered text sits inside its input area.
    prose = re.compile(r"InputArea|inputWrapper|Markdown|RenderedHTML")
    leaks = [s for s in hidden if prose.search(s) and "jp-CodeCell" not in s]
    assert leaks == [], f"these would hide notebook prose: {leaks}"
    assert "--mlw-text: max(28px," in template  # the floor for every piece of text
    for key in ("ArrowRight", "ArrowLeft", "PageDown", "PageUp"):
        assert f"{key}: 'mlw-" in template
    assert isinstance(voila_installed(), bool)


def test_present_shows_the_slides_by_default_and_a_course_notebook_on_request(tmp_path, monkeypatch, capsys):
    seen = {}

    class Replaced(Exception):
        """os.execve never returns: the process becomes Voila."""

    def fake_execve(exe, cmd, env):
        seen.update(cmd=cmd, env=env)
        raise Replaced

    monkeypatch.setattr(os, "execve", fake_execve)
    monkeypatch.setattr(presenter, "voila_installed", lambda: True)
    with pytest.raises(Replaced):
        cli_main(["present", "--port", "8877", "--no-browser", "--", "--Voila.ip=127.0.0.1"])
    assert seen["cmd"][3] == str(slideshow_notebook()) and seen["cmd"][-1] == "--Voila.ip=127.0.0.1"
    assert seen["env"]["JUPYTER_PATH"].split(os.pathsep)[0] == str(template_root())
    assert "Presenting the course slides" in capsys.readouterr().out

    (tmp_path / "00_course_map.ipynb").write_text("{}", encoding="utf-8")
    (tmp_path / "04_model_evaluation.ipynb").write_text("{}", encoding="utf-8")
    with pytest.raises(Replaced):
        cli_main(["present", "--dir", str(tmp_path)])
    assert seen["cmd"][3] == str(tmp_path / "00_course_map.ipynb")
    with pytest.raises(Replaced):
        cli_main(["present", "--dir", str(tmp_path), "--notebook", "04_model_evaluation.ipynb"])
    assert seen["cmd"][3] == str(tmp_path / "04_model_evaluation.ipynb")
    assert "Presenting 04_model_evaluation.ipynb" in capsys.readouterr().out
    assert cli_main(["present", "--dir", str(tmp_path), "--notebook", "nope.ipynb"]) == 1
    assert "there is no notebook" in capsys.readouterr().err

"""``mlworkflow present`` in Chromium: readable from the back of the room, one stage per screen.

The real command is started (Voila, a free port, ``--no-browser``) and every visible piece of
text is measured at 1920×1080: prose, the stage's text, button labels, and the diagram's labels
(the smallest SVG ``font-size`` times the scale the ``<img>`` is drawn at). All must be ≥ 28 px.
"""

from __future__ import annotations

from jupyter_ui import open_slides, wait_for, wait_slide, wait_widgets_rendered

from mlworkflow import load_course

MIN_PX = 28
FULL_HD = {"width": 1920, "height": 1080}
LAPTOP = {"width": 1366, "height": 768}


# Every element that holds text of its own and is drawn, with its font size; SVG diagrams
# drawn as <img> report their smallest label as drawn (font-size × drawn width / viewBox width).
_MEASURE = """async () => {
  const root = document.querySelector('#rendered_cells') || document.body;
  const drawn = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
  const texts = [];
  for (const e of root.querySelectorAll('*')) {
    if (['SCRIPT', 'STYLE', 'TEMPLATE', 'NOSCRIPT'].includes(e.tagName) || !drawn(e)) continue;
    const own = [...e.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
    if (own) texts.push({text: own.slice(0, 60), px: parseFloat(getComputedStyle(e).fontSize),
                         tag: e.tagName, cls: String(e.className).slice(0, 60)});
  }
  const diagrams = [];
  for (const img of root.querySelectorAll('img')) {
    if (!drawn(img) || !img.src.includes('svg')) continue;
    const svg = new DOMParser().parseFromString(await (await fetch(img.src)).text(), 'image/svg+xml');
    const box = svg.documentElement.getAttribute('viewBox').split(/[ ,]+/).map(Number);
    const sizes = [...svg.querySelectorAll('text')].map(t => parseFloat(t.getAttribute('font-size')));
    const title = svg.querySelector('title');
    diagrams.push({px: Math.min(...sizes) * img.getBoundingClientRect().width / box[2],
                   labels: sizes.length, title: title ? title.textContent : null});
  }
  const code = [...document.querySelectorAll(
      '.jp-CodeCell .jp-Cell-inputWrapper, .jp-InputPrompt, .jp-OutputPrompt, .jp-Editor, .cm-editor, .highlight')]
    .filter(drawn).length;
  const stages = [...document.querySelectorAll('[data-stage]')].filter(drawn).map(e => e.dataset.stage);
  const cut = [...root.querySelectorAll('button')].filter(b => drawn(b) && b.scrollWidth > b.clientWidth + 1)
    .map(b => b.innerText);
  const slide = document.querySelector('.mlw-slide');
  return {texts, diagrams, code, stages, cut, bodyText: document.body.innerText,
          slideBottom: slide && drawn(slide) ? slide.getBoundingClientRect().bottom : null,
          viewport: [window.innerWidth, window.innerHeight]};
}"""

# The widest thing drawn, against the window: anything wider means sideways scrolling.
_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('#rendered_cells *')]
    .filter(e => e.getClientRects().length > 0)
    .filter(e => e.getBoundingClientRect().right > width + 1 || e.scrollWidth > e.clientWidth + 1 &&
                 ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
    .map(e => `${e.tagName}.${String(e.className).slice(0, 50)} right=${Math.round(e.getBoundingClientRect().right)}`);
  return {width, wide: wide.slice(0, 5), count: wide.length};
}"""

_SIZED = """() => {
  const imgs = [...document.querySelectorAll('.jp-RenderedSVG img')];
  return {svgs: imgs.length, sized: imgs.filter(i => i.dataset.mlwSized && i.style.width).length};
}"""

def _small_text(look: dict, diagram_px: float = MIN_PX) -> list:
    """Text drawn under the floor, and button labels cut short (which no font size makes readable)."""
    small = [t for t in look["texts"] if t["px"] < MIN_PX - 0.01]
    small += [d for d in look["diagrams"] if d["px"] < diagram_px - 0.01]
    return small + [{"cut button": label} for label in look["cut"]]


def test_present_shows_one_stage_per_screen_in_projector_type(page, slides_server):
    open_slides(page, slides_server, FULL_HD)
    course = load_course()
    title = wait_slide(page, None, "mlw-slide-title")
    look = page.evaluate(_MEASURE)
    assert course.title in look["bodyText"] and course.tagline in look["bodyText"]
    assert look["code"] == 0, "code or prompts are visible"
    assert "Slideshow" not in look["bodyText"], "the notebook's code shows"
    assert not _small_text(look), f"text under {MIN_PX}px: {_small_text(look)}"

    page.keyboard.press("ArrowRight")  # a leader clicks through with the arrow keys ...
    shown = wait_slide(page, "problem", "mlw-slide-stage", title["img"])
    for i, stage in enumerate(course.stages):
        look = page.evaluate(_MEASURE)
        assert look["stages"] == [stage.key], f"stage content shown: {look['stages']}, expected {stage.key}"
        others = [s.title for s in course.stages if s.summary in look["bodyText"] and s is not stage]
        assert stage.summary in look["bodyText"] and not others, f"on {stage.key}, other stages show: {others}"
        assert stage.why_it_matters in look["bodyText"] and stage.questions_to_ask[-1] in look["bodyText"]
        assert look["code"] == 0, "code or prompts are visible"
        assert not _small_text(look), f"on {stage.key}, text under {MIN_PX}px: {_small_text(look)}"
        texts = {t["text"] for t in look["texts"]}
        assert {"Previous", "Next", stage.title} <= texts, "the buttons and the stage title were not measured"
        assert len(look["diagrams"]) == 1 and look["diagrams"][0]["labels"] >= 6
        assert look["diagrams"][0]["title"].endswith(f"current stage: {stage.title}"), look["diagrams"]
        assert look["slideBottom"] <= FULL_HD["height"], f"{stage.key} does not fit on one 1920×1080 screen"
        if i + 1 < len(course.stages):
            if i % 2:
                page.keyboard.press("ArrowRight")
            else:
                page.locator(".mlw-slideshow button.mlw-next").click()  # ... or the Next button
            shown = wait_slide(page, course.stages[i + 1].key, "mlw-slide-stage", shown["img"])

    page.keyboard.press("ArrowLeft")
    shown = wait_slide(page, course.stages[-2].key, "mlw-slide-stage", shown["img"])
    page.keyboard.press("PageDown")  # what a presenter's clicker sends
    shown = wait_slide(page, course.stages[-1].key, "mlw-slide-stage", shown["img"])
    page.keyboard.press("ArrowRight")
    wait_slide(page, None, "mlw-slide-loops", shown["img"])
    look = page.evaluate(_MEASURE)
    assert all(loop.why in look["bodyText"] for loop in course.loops)
    assert not _small_text(look), f"on the loops slide, text under {MIN_PX}px: {_small_text(look)}"
    assert page.locator(".mlw-slideshow button.mlw-next").is_disabled()


def test_present_fits_a_laptop_screen_without_sideways_scrolling(page, slides_server):
    open_slides(page, slides_server, FULL_HD)
    page.set_viewport_size(LAPTOP)
    previous = wait_slide(page, None, "mlw-slide-title")
    for stage in load_course().stages:
        page.keyboard.press("ArrowRight")
        previous = wait_slide(page, stage.key, "mlw-slide-stage", previous["img"])
        overflow = page.evaluate(_OVERFLOW)
        assert overflow["count"] == 0, f"at 1366×768, {stage.key} is wider than the screen: {overflow['wide']}"
        assert not _small_text(page.evaluate(_MEASURE)), f"at 1366×768, {stage.key} has text under {MIN_PX}px"


def test_present_a_notebook_shows_its_prose_large_and_no_code(page, present_server):
    """``mlworkflow present --dir FOLDER`` shows the course map: its prose, large; its code, hidden."""
    page.mlw_server = present_server
    page.set_viewport_size(FULL_HD)
    page.goto(f"{present_server.url}/", wait_until="domcontentloaded", timeout=120_000)
    wait_widgets_rendered(page, timeout=120)
    wait_for(page, _SIZED, None, lambda s: s["svgs"] >= 3 and s["sized"] == s["svgs"], 30,
             "the diagrams to be enlarged")
    look = page.evaluate(_MEASURE)
    assert "you are the one who" in look["bodyText"], "the notebook's prose is hidden"
    prose = [t for t in look["texts"] if t["tag"] in ("P", "LI")]
    assert len(prose) >= 10, "too few prose paragraphs were measured"
    assert look["code"] == 0, "code or prompts are visible"
    assert "StageStepper(" not in look["bodyText"], "the notebook's code shows"
    assert look["stages"] == ["problem"], look["stages"]  # the stepper's card: one stage at a time
    # A left-to-right diagram as wide as the screen can't have 28 px labels; the template still
    # draws every diagram as large as the screen allows (24 px at 1920 for the stepper's).
    small = _small_text(look, diagram_px=0.8 * MIN_PX)
    assert not small, f"text under {MIN_PX}px: {small}"
    page.keyboard.press("ArrowRight")  # the arrow keys drive the stepper too
    wait_for(page, "() => [...document.querySelectorAll('[data-stage]')].map(e => e.dataset.stage)", None,
             lambda s: s == ["data"], 30, "the stepper to show stage 2")

"""``mlworkflow present``: the course map as a Voila app on a projector, in Chromium."""

from __future__ import annotations

from jupyter_ui import stepper_button, wait_for_stage, wait_widgets_rendered

_LOOK = """() => {
  const cell = document.querySelector('.jp-RenderedHTMLCommon');
  const visibleCode = [...document.querySelectorAll('.jp-InputArea, .jp-InputPrompt')]
    .filter(e => e.offsetParent !== null).length;
  return {fontPx: cell ? parseFloat(getComputedStyle(cell).fontSize) : null, visibleCode,
          title: document.title};
}"""


def test_present_serves_the_stepper_with_large_type_and_no_code(page, present_server):
    page.mlw_server = present_server
    page.goto(f"{present_server.url}/", wait_until="domcontentloaded", timeout=120_000)
    wait_widgets_rendered(page, timeout=120)
    first = wait_for_stage(page, 1, "Problem Definition")
    look = page.evaluate(_LOOK)
    assert look["visibleCode"] == 0, "code cells are visible in the presenter view"
    assert look["fontPx"] and look["fontPx"] >= 20, f"text is {look['fontPx']}px, not projector-sized"
    stepper_button(page, "Next").click()
    second = wait_for_stage(page, 2, "Data Collection and Preparation")
    assert second["imgSrc"] != first["imgSrc"], "the diagram did not follow the stepper"

"""Every notebook as a product manager sees it at 1366 px: no garbled maths, nothing cut, no raw dicts.

Two passes over notebooks 00-08 in one JupyterLab: first as opened (stored outputs, before the
learner runs anything), then after Run All.
"""

from __future__ import annotations

from pathlib import Path

from jupyter_ui import open_notebook, run_notebook

NOTEBOOKS = sorted(p.name for p in (Path(__file__).resolve().parents[2] / "notebooks").glob("0*.ipynb"))

_LOOK = """() => {
  const panel = [...document.querySelectorAll('.jp-NotebookPanel')]
    .filter(p => !p.classList.contains('lm-mod-hidden')).pop();
  const found = {maths: [], overflow: [], dicts: [], midword: [], cut: [], errors: 0};
  panel.querySelectorAll('mjx-container').forEach(m =>
    found.maths.push((m.parentElement.textContent || '').slice(0, 80)));
  panel.querySelectorAll('.jp-OutputArea-output').forEach(o => {
    const text = o.textContent || '';
    if (text.includes('Error displaying widget')) found.errors += 1;
    const cut = [o, ...o.querySelectorAll('*')].filter(e =>
      e.scrollWidth > e.clientWidth + 2 && getComputedStyle(e).overflowX !== 'visible');
    if (cut.length) found.overflow.push(text.trim().slice(0, 80));
    o.querySelectorAll('td, th').forEach(c => {  // pandas cuts long cells to "..." on display
      if (/(\\.\\.\\.|\u2026)$/.test((c.textContent || '').trim())) found.cut.push(c.textContent.trim().slice(-60));
    });
    o.querySelectorAll('pre').forEach(pre => {
      if (/^\\s*[{\\[]'/.test(pre.textContent || '')) found.dicts.push(pre.textContent.slice(0, 80));
      const style = getComputedStyle(pre);
      const lines = (pre.textContent || '').replace(/\\n$/, '').split('\\n').length;
      const wrapped = pre.clientHeight > lines * parseFloat(style.lineHeight || '16') + 4;
      if (wrapped && style.wordBreak === 'break-all') found.midword.push(pre.textContent.slice(0, 60));
    });
  });
  return found;
}"""


def _check(found: dict, name: str, when: str) -> list[str]:
    problems = []
    for key, what in (("maths", "money typeset as maths"), ("overflow", "output wider than the notebook"),
                      ("dicts", "a raw Python dict or list"), ("midword", "monospace text that breaks mid-word"),
                      ("cut", "a table cell cut short")):
        if key == "midword" and when == "as opened":
            continue  # an untrusted notebook's stored outputs lose the course's styles until it is run
        if found[key]:
            problems.append(f"{name} ({when}): {what}: {found[key][:3]}")
    if found["errors"]:
        problems.append(f"{name} ({when}): 'Error displaying widget' x{found['errors']}")
    return problems


def test_every_notebook_reads_cleanly_before_and_after_running(lab_page):
    page = lab_page
    page.set_viewport_size({"width": 1366, "height": 900})
    problems: list[str] = []
    for name in NOTEBOOKS:
        open_notebook(page, name)
        page.wait_for_timeout(1500)  # MathJax typesets after the outputs are attached
        problems += _check(page.evaluate(_LOOK), name, "as opened")
    for name in NOTEBOOKS:
        run_notebook(page, name)
        page.wait_for_timeout(1000)
        problems += _check(page.evaluate(_LOOK), name, "after Run All")
    assert not problems, "\n".join(problems)

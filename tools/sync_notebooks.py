"""Keep the cells every notebook shares up to date, and refresh stored outputs. Safe to re-run.

    python tools/sync_notebooks.py            # rewrite the course map table and navigation footers
    python tools/sync_notebooks.py --check    # exit 1 if any generated cell is out of date (a test runs this)
    python tools/sync_notebooks.py --execute [NAME ...]   # also run notebooks and store their outputs
    python tools/sync_notebooks.py --execute class_pulse.ipynb   # the leader's notebook (in the package)

Generated cells carry a tag (``mlw-map``, ``mlw-nav``, ``mlw-time``) and are replaced whole;
everything else is left as written. The time line under each notebook's title and the course map's
times come from ``content/notebooks.json``, whose minutes ``tools/reading_time.py`` measures. The
navigation footer is every notebook's closing cell, and it also tells the learner to shut the
kernel down before moving on (``SHUT_DOWN``). Executed outputs are stored
without live-widget references, so a notebook that has not been run yet shows each widget's
static HTML instead of "Error displaying widget".
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
LEADER_NOTEBOOKS = ROOT / "mlworkflow" / "leader" / "notebooks"  # not in notebooks/: nbgitpuller gives that to learners
sys.path.insert(0, str(ROOT))

from mlworkflow.core.course import load_notebooks  # noqa: E402

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# Every notebook's closing cell: a kernel left running holds 50-240 MiB, so ten of them fill a hub.
SHUT_DOWN = (
    "Done here? Shut this notebook's kernel down before you open the next one: **Kernel > Shut Down Kernel**, "
    "or the **Running Terminals and Kernels** panel in the left sidebar."
)


def _existing():
    return [e for e in load_notebooks() if (NOTEBOOKS / e.file).exists()]


def _optional_minutes() -> dict[str, int]:
    """Minutes of each notebook's "If you have time" sections (read here: the course loader does not need them)."""
    data = json.loads((ROOT / "mlworkflow" / "content" / "notebooks.json").read_text(encoding="utf-8"))
    return {e["file"]: int(e.get("optional_minutes", 0)) for e in data["notebooks"]}


def map_markdown() -> str:
    rows = ["## Your route through the course", "", "| | Notebook | Time | What you will do |", "|---|---|---|---|"]
    extra = _optional_minutes()
    for i, e in enumerate(_existing()):
        more = f" (+{extra[e.file]})" if extra.get(e.file) else ""
        rows.append(f"| {i} | [{e.title}]({e.file}) | {e.minutes} min{more} | {e.what} |")
    total, optional = sum(e.minutes for e in _existing()), sum(extra.get(e.file, 0) for e in _existing())
    rows += ["", f"Altogether about {total} minutes, plus {optional} for the sections marked *If you have time* "
             "(the (+N) minutes above). Open the notebooks in this order, or jump to the one your project needs today."]
    return "\n".join(rows)


def time_markdown(file: str) -> str:
    """The line under a notebook's title: how long its core path takes, and its optional sections."""
    minutes = next(e.minutes for e in _existing() if e.file == file)
    optional = _optional_minutes().get(file, 0)
    more = f", plus {optional} for the sections marked *If you have time*" if optional else ""
    return f"**About {minutes} minutes**{more}."


def nav_markdown(file: str) -> str:
    entries = _existing()
    names = [e.file for e in entries]
    i = names.index(file)
    parts = []
    if i > 0:
        parts.append(f"← Previous: [{entries[i - 1].title}]({entries[i - 1].file})")
    if file != "00_course_map.ipynb" and (i == 0 or entries[i - 1].file != "00_course_map.ipynb"):
        parts.append("[Course map](00_course_map.ipynb)")
    if i + 1 < len(entries):
        parts.append(f"Next: [{entries[i + 1].title}]({entries[i + 1].file}) →")
    return "---\n" + SHUT_DOWN + "\n\n" + " · ".join(parts)


def _set_tagged(nb, tag: str, source: str, *, at_end: bool = False, after_title: bool = False) -> bool:
    """Replace the cell tagged ``tag`` (or add it at the end, after the title cell, or before the footer)."""
    for cell in nb.cells:
        if tag in cell.get("metadata", {}).get("tags", []):
            if cell.source == source:
                return False
            cell.source = source
            return True
    cell = nbformat.v4.new_markdown_cell(source, metadata={"tags": [tag]})
    if at_end:
        nb.cells.append(cell)
    elif after_title:
        nb.cells.insert(1, cell)
    else:  # the map goes just before the navigation footer
        before_nav = nb.cells and "mlw-nav" in nb.cells[-1].metadata.get("tags", [])
        nb.cells.insert(len(nb.cells) - 1 if before_nav else len(nb.cells), cell)
    return True


def sync(check: bool = False) -> list[str]:
    """Update generated cells; return the notebooks that were (or, with check, would be) changed."""
    changed = []
    for e in _existing():
        path = NOTEBOOKS / e.file
        nb = nbformat.read(path, as_version=4)
        dirty = _set_tagged(nb, "mlw-nav", nav_markdown(e.file), at_end=True)
        dirty |= _set_tagged(nb, "mlw-time", time_markdown(e.file), after_title=True)
        if e.file == "00_course_map.ipynb":
            dirty |= _set_tagged(nb, "mlw-map", map_markdown())
        if dirty:
            changed.append(e.file)
            if not check:
                nbformat.write(nb, path)
    return changed


def strip_widget_views(nb) -> None:
    """Drop live-widget references and widget state: they are meaningless until the notebook runs."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_MIME in data and len(data) > 1:
                del data[WIDGET_MIME]


def _notebook(name: str) -> Path:
    """A course notebook by name, or the leader's (``class_pulse.ipynb``, also as ``facilitator/...``)."""
    leader = LEADER_NOTEBOOKS / Path(name).name
    return leader if not (NOTEBOOKS / name).exists() and leader.exists() else NOTEBOOKS / name


def execute(names: list[str]) -> None:
    from nbclient import NotebookClient

    targets = [_notebook(n) for n in names] if names else [NOTEBOOKS / e.file for e in _existing()]
    with tempfile.TemporaryDirectory(prefix="mlworkflow-exec-home-") as home:
        os.environ["MLWORKFLOW_HOME"] = home  # never touch a real learner's answers
        for path in targets:
            nb = nbformat.read(path, as_version=4)
            NotebookClient(
                nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
            ).execute()
            strip_widget_views(nb)
            nbformat.write(nb, path)
            print(f"executed {path.relative_to(ROOT)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report out-of-date generated cells")
    parser.add_argument(
        "--execute", nargs="*", metavar="NAME", help="run these notebooks (all if none named) and store outputs"
    )
    args = parser.parse_args()
    changed = sync(check=args.check)
    if args.check:
        for name in changed:
            print(f"out of date: notebooks/{name} (run: python tools/sync_notebooks.py)")
        return 1 if changed else 0
    for name in changed:
        print(f"updated generated cells in notebooks/{name}")
    if args.execute is not None:
        execute(args.execute)
    return 0


if __name__ == "__main__":
    sys.exit(main())

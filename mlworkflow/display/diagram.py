"""The workflow diagram: the six stages as a Graphviz graph, with the current stage highlighted.

    >>> WorkflowDiagram(current="training", completed=["problem", "data"], show_loops=True)

In a notebook it displays itself as SVG (drawn by the real Graphviz layout engine), with a
readable text version for places that cannot show images. Where no Graphviz can run, the
learner sees a short message and the text version instead of an error.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from mlworkflow.core.course import Course, load_course
from mlworkflow.core.text import html_escape
from mlworkflow.display.backends import RenderFailed, RenderUnavailable, render_svg
from mlworkflow.display.mermaid import Flowchart, MermaidSyntaxError, parse_flowchart

if TYPE_CHECKING:
    import graphviz

__all__ = [
    "FlowchartDiagram",
    "MermaidSyntaxError",
    "RenderFailed",
    "RenderUnavailable",
    "WorkflowDiagram",
    "from_mermaid",
]

# Colours chosen for contrast on white and for colour-blind readers (blue / green / grey).
_CURRENT = {
    "style": "rounded,filled,bold", "fillcolor": "#1d4ed8", "fontcolor": "white", "color": "#1e3a8a", "penwidth": "2.5",
}
_DONE = {"style": "rounded,filled", "fillcolor": "#dcfce7", "fontcolor": "#14532d", "color": "#15803d"}
_TODO = {"style": "rounded,filled", "fillcolor": "white", "fontcolor": "#1f2937", "color": "#6b7280"}
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")


def _wrap(text: str, width: int = 18) -> str:
    """Break a label over lines of about ``width`` characters (Graphviz does not wrap)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


def _accessible(svg: str, title: str, description: str) -> str:
    """Give the SVG an accessible name and description (role=img, <title>, <desc>)."""
    m = _SVG_OPEN.search(svg)
    if not m:
        return svg
    tag = m.group(0)[:-1].rstrip("/") + ' role="img" aria-labelledby="mlw-title mlw-desc">'
    inner = f'<title id="mlw-title">{html_escape(title)}</title><desc id="mlw-desc">{html_escape(description)}</desc>'
    return svg[: m.start()] + tag + inner + svg[m.end():]


def _img_html(svg: str, alt: str) -> str:
    """The SVG as an ``<img>`` with ``alt`` text.

    JupyterLab draws ``image/svg+xml`` as an ``<img>`` with no ``alt``; front ends prefer this
    HTML, the same picture with one, inside the wrapper class JupyterLab's SVG renderer uses so
    that styles and scripts that look for diagrams (the presenter's enlarger) still find it.
    """
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f'<div class="jp-RenderedSVG mlw-svg"><img alt="{html_escape(alt)}" '
            f'src="data:image/svg+xml;base64,{data}"/></div>')


class _Diagram:
    """A Graphviz diagram that renders to SVG, falls back to text, and displays in notebooks."""

    def build(self) -> graphviz.Digraph:  # pragma: no cover - subclasses override
        raise NotImplementedError

    def to_text(self) -> str:  # pragma: no cover - subclasses override
        raise NotImplementedError

    def title(self) -> str:
        return "Diagram"

    def alt_text(self) -> str:
        """What the picture shows, in words: the ``alt`` text of the drawn diagram."""
        return "; ".join(line.strip() for line in self.to_text().splitlines() if line.strip())

    @property
    def graph(self) -> graphviz.Digraph:
        """The ``graphviz.Digraph`` (a new one each time; change it freely)."""
        return self.build()

    @property
    def source(self) -> str:
        """The DOT text Graphviz lays out."""
        return self.build().source

    def to_svg(self, backend: str | None = None) -> str:
        """SVG text; raises ``RenderUnavailable`` when no Graphviz can run here."""
        return _accessible(render_svg(self.source, backend), self.title(), self.to_text())

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict[str, str]:
        text = self.to_text()
        try:
            svg = self.to_svg()
        except (RenderUnavailable, RenderFailed) as exc:
            message = f"The diagram can't be drawn here: {exc}. Here is the same workflow as text."
            return {
                "text/plain": f"{message}\n\n{text}",
                "text/html": f'<div class="mlw-diagram-fallback"><p>{html_escape(message)}</p>'
                f"<pre>{html_escape(text)}</pre></div>",
            }
        return {"text/html": _img_html(svg, self.alt_text()), "image/svg+xml": svg, "text/plain": text}

    def __repr__(self) -> str:
        return self.to_text()


class WorkflowDiagram(_Diagram):
    """The course's workflow: ``current`` stage highlighted, ``completed`` ones ticked, loops optional."""

    def __init__(
        self,
        current: str | int | None = None,
        completed: Iterable[str | int] = (),
        show_loops: bool = False,
        *,
        direction: str = "LR",
        course: Course | None = None,
    ):
        self.course = course or load_course()
        self.current = None if current is None else self.course.stage(current).key
        self.completed = frozenset(self.course.stage(c).key for c in completed)
        self.show_loops = bool(show_loops)
        if direction not in ("LR", "TB"):
            raise ValueError("direction must be 'LR' (left to right) or 'TB' (top to bottom)")
        self.direction = direction

    def _status(self, key: str) -> str:
        if key == self.current:
            return "current"
        return "completed" if key in self.completed else "todo"

    def title(self) -> str:
        if self.current is None:
            return "ML project workflow"
        return f"ML project workflow — current stage: {self.course.stage(self.current).title}"

    def build(self) -> graphviz.Digraph:
        import graphviz

        g = graphviz.Digraph(name="workflow", comment=self.title())
        g.attr(rankdir=self.direction, bgcolor="transparent", nodesep="0.3", ranksep="0.35", pad="0.1")
        g.attr("node", shape="box", style="rounded,filled", fontname="Helvetica", fontsize="12", margin="0.15,0.08")
        g.attr("edge", color="#4b5563", arrowsize="0.8", fontname="Helvetica")
        for stage in self.course.stages:
            status = self._status(stage.key)
            mark = "✓ " if status == "completed" else ""
            attrs = {"current": _CURRENT, "completed": _DONE, "todo": _TODO}[status]
            g.node(stage.key, label=f"{mark}{stage.number}. {_wrap(stage.title)}", tooltip=stage.summary, **attrs)
        for a, b in zip(self.course.stages, self.course.stages[1:], strict=False):
            g.edge(a.key, b.key)
        if self.show_loops:
            for loop in self.course.loops:
                g.edge(
                    loop.source, loop.target, label=_wrap(loop.label, 16), tooltip=loop.why,
                    style="dashed", color="#b45309", fontcolor="#92400e", fontsize="10", constraint="false",
                )
        return g

    def to_text(self) -> str:
        lines = [self.title()]
        for stage in self.course.stages:
            status = self._status(stage.key)
            mark = {"current": "▶", "completed": "✓", "todo": " "}[status]
            note = "   ← you are here" if status == "current" else ""
            lines.append(f"  {mark} {stage.number}. {stage.title}{note}")
        if self.show_loops and self.course.loops:
            lines.append("Loops back:")
            for loop in self.course.loops:
                src, dst = self.course.stage(loop.source).title, self.course.stage(loop.target).title
                lines.append(f"  {src} → {dst}: {loop.label}")
        return "\n".join(lines)

    def alt_text(self) -> str:
        """The diagram in one sentence a screen reader reads well (no arrows or tick symbols)."""
        words = {"current": " (current stage)", "completed": " (done)", "todo": ""}
        stages = ", ".join(f"{s.number}. {s.title}{words[self._status(s.key)]}" for s in self.course.stages)
        text = f"{self.title()}. The six stages in order: {stages}."
        if self.show_loops and self.course.loops:
            loops = "; ".join(f"from {self.course.stage(loop.source).title} back to "
                              f"{self.course.stage(loop.target).title}: {loop.label}" for loop in self.course.loops)
            text += f" Loops back: {loops}."
        return text


class FlowchartDiagram(_Diagram):
    """A diagram read from Mermaid text (see :func:`from_mermaid`)."""

    def __init__(self, chart: Flowchart):
        self.chart = chart
        # Short generated ids; the Mermaid ids and labels only ever appear as label values.
        self._ids = {node: f"n{i}" for i, node in enumerate(chart.nodes)}

    def title(self) -> str:
        return "Flowchart: " + ", ".join(self.chart.nodes.values())

    def build(self) -> graphviz.Digraph:
        import graphviz

        g = graphviz.Digraph(name="flowchart")
        g.attr(rankdir={"TD": "TB"}.get(self.chart.direction, self.chart.direction), bgcolor="transparent")
        g.attr("node", shape="box", style="rounded,filled", fillcolor="white", fontname="Helvetica", fontsize="12")
        for node, label in self.chart.nodes.items():
            g.node(self._ids[node], label=graphviz.escape(_wrap(label, 24)))
        for a, b, label in self.chart.edges:
            g.edge(self._ids[a], self._ids[b], label=graphviz.escape(label) if label else None)
        return g

    def to_text(self) -> str:
        """Each edge on a line, then the nodes no edge touches; linear in the size of the chart."""
        lines = [self.title()]
        linked: set[str] = set()
        for a, b, label in self.chart.edges:
            arrow = f" --{label}--> " if label else " → "
            lines.append(f"  {self.chart.nodes[a]}{arrow}{self.chart.nodes[b]}")
            linked.update((a, b))
        lines += [f"  {label}" for node, label in self.chart.nodes.items() if node not in linked]
        return "\n".join(lines)


def from_mermaid(text: str) -> FlowchartDiagram:
    """A diagram from a Mermaid flowchart (``graph TD; A[Label] --> B[Label]``).

    Raises :class:`MermaidSyntaxError` (a ``ValueError``) naming the line and what was expected.
    """
    return FlowchartDiagram(parse_flowchart(text))

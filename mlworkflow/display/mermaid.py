"""Parse the small Mermaid flowchart subset the lesson uses into plain data.

Supported::

    graph TD;                      (or LR, TB, BT, RL; 'flowchart' works too)
    A[Problem Definition] --> B[Data Collection];
    B --> C --> D                  (chains)
    C -->|not good enough| B       (edge labels)
    %% a comment

Statements are separated by ``;`` or new lines. Anything else raises
:class:`MermaidSyntaxError` naming the line and what was expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Flowchart", "MermaidSyntaxError", "parse_flowchart"]

_HEADER = re.compile(r"^(graph|flowchart)\s+(TD|TB|BT|LR|RL)\s*$", re.IGNORECASE)
_NODE = re.compile(r"\s*([A-Za-z0-9_]+)\s*(?:\[([^\[\]]*)\])?\s*")
_ARROW = re.compile(r"\s*-->\s*(?:\|([^|]*)\|\s*)?")


class MermaidSyntaxError(ValueError):
    """The text is outside the supported Mermaid subset; ``line`` is 1-based."""

    def __init__(self, line: int, message: str):
        self.line = line
        super().__init__(f"line {line}: {message}")


@dataclass
class Flowchart:
    """Nodes (id -> label, in order of first appearance) and labelled edges."""

    direction: str = "TD"
    nodes: dict[str, str] = field(default_factory=dict)
    edges: list[tuple[str, str, str]] = field(default_factory=list)


def _split_statements(text: str) -> list[tuple[int, str]]:
    """(line number, statement) pairs; ``;`` inside ``[...]`` or ``|...|`` does not split."""
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith("%%"):
            continue
        depth, in_pipe, start = 0, False, 0
        for i, ch in enumerate(line):
            if ch == "[" and not in_pipe:
                depth += 1
            elif ch == "]" and not in_pipe:
                depth = max(0, depth - 1)
            elif ch == "|" and depth == 0:
                in_pipe = not in_pipe
            elif ch == ";" and depth == 0 and not in_pipe:
                out.append((number, line[start:i]))
                start = i + 1
        out.append((number, line[start:]))
    return [(n, s.strip()) for n, s in out if s.strip()]


def _clean_label(raw: str) -> str:
    label = raw.strip()
    if len(label) >= 2 and label[0] == label[-1] == '"':
        label = label[1:-1].strip()
    return label


def _parse_statement(chart: Flowchart, number: int, stmt: str) -> None:
    pos, previous, edge_label = 0, None, None
    while True:
        m = _NODE.match(stmt, pos)
        if not m or m.end() == pos:
            found = stmt[pos:pos + 12] or "end of line"
            expected = "a node like A[Label]" if previous is None else "a node after '-->'"
            raise MermaidSyntaxError(number, f"expected {expected}, found {found!r}")
        node_id, label = m.group(1), m.group(2)
        if label is not None:
            label = _clean_label(label)
            if not label:
                raise MermaidSyntaxError(number, f"node {node_id} has an empty label '[]'")
            chart.nodes[node_id] = label
        else:
            chart.nodes.setdefault(node_id, node_id)
        if previous is not None:
            chart.edges.append((previous, node_id, edge_label or ""))
        pos, previous = m.end(), node_id
        if pos >= len(stmt):
            return
        a = _ARROW.match(stmt, pos)
        if not a:
            rest = stmt[pos:pos + 12]
            hint = " (only '-->' arrows are supported)" if rest.lstrip().startswith(("-", "=", ".")) else ""
            raise MermaidSyntaxError(number, f"expected '-->' or the end of the statement, found {rest!r}{hint}")
        edge_label = _clean_label(a.group(1)) if a.group(1) is not None else None
        pos = a.end()


def parse_flowchart(text: str) -> Flowchart:
    """Parse Mermaid flowchart ``text`` (see the module docstring for the subset)."""
    if not isinstance(text, str):
        raise TypeError("Mermaid text must be a string")
    statements = _split_statements(text)
    if not statements:
        raise MermaidSyntaxError(1, "expected 'graph TD' or 'graph LR', found an empty diagram")
    number, head = statements[0]
    m = _HEADER.match(head)
    if not m:
        raise MermaidSyntaxError(number, f"expected 'graph TD' or 'graph LR' first, found {head[:20]!r}")
    chart = Flowchart(direction=m.group(2).upper())
    for number, stmt in statements[1:]:
        _parse_statement(chart, number, stmt)
    if not chart.nodes:
        raise MermaidSyntaxError(number, "the diagram has no nodes")
    return chart

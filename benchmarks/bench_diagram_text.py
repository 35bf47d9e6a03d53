"""Time ``FlowchartDiagram.to_text()`` on big Mermaid charts: it should grow linearly.

    python benchmarks/bench_diagram_text.py

Issue 13 found it quadratic (7.8 s at 300k characters). For charts of about 30k and 300k
characters (a chain of steps plus some nodes no edge touches) this prints the median time of
``to_text()`` and the ratio between the two: about 10 for linear work, about 100 for
quadratic. The test suite counts the work instead (tests/display/test_diagram.py); this is a
benchmark to read, not a test that fails on a slow machine.
"""

from __future__ import annotations

import statistics
import sys
import time

from mlworkflow.display.diagram import FlowchartDiagram, from_mermaid

REPEATS = 5


def chart(chars: int) -> FlowchartDiagram:
    """A chain of steps, with every tenth node on its own, about ``chars`` characters of Mermaid."""
    lines, i = ["graph TD"], 0
    while sum(map(len, lines)) < chars:
        lines.append(f"N{i}[Step {i}]" if i % 10 == 0 else f"N{i - 1} --> N{i}[Step {i}]")
        i += 1
    return from_mermaid("\n".join(lines))


def median_time(diagram: FlowchartDiagram) -> float:
    samples = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        diagram.to_text()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main(small: int = 30_000, big: int = 300_000) -> dict[str, float]:
    times = {chars: median_time(chart(chars)) for chars in (small, big)}
    for chars, seconds in times.items():
        print(f"to_text, {chars:,} characters of Mermaid: median {seconds * 1000:.1f} ms over {REPEATS} runs")
    ratio = times[big] / times[small]
    print(f"ratio {big // small}x input: {ratio:.1f}x time (about {big // small} is linear)")
    return {"small": times[small], "big": times[big], "ratio": ratio}


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))

"""Time ``mlworkflow.leader.collect.collect`` on a folder of 500 made-up submissions.

    python benchmarks/bench_collect.py [N]

Writes N (default 500) seeded submissions, about 1 in 25 broken or duplicated, into a temporary
folder, then prints the median time of several ``collect`` runs and of rendering the HTML and
Markdown pages. The target (issue 7) is a few seconds for 500; this is a benchmark to read, not
a test that fails on a slow machine.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time

from mlworkflow.exercise.assess import assess
from mlworkflow.leader.collect import collect
from mlworkflow.leader.demo import random_class
from mlworkflow.leader.report import render_summary_html, render_summary_markdown

REPEATS = 5


def main(n: int = 500) -> None:
    assess("warm up", "the rubric", "is read once")  # first call reads the content files
    with tempfile.TemporaryDirectory(prefix="mlworkflow-bench-") as folder:
        random_class(folder, n, seed=0)
        times, summary = [], None
        for _ in range(REPEATS):
            start = time.perf_counter()
            summary = collect(folder)
            times.append(time.perf_counter() - start)
        start = time.perf_counter()
        render_summary_html(summary), render_summary_markdown(summary)
        render = time.perf_counter() - start
    print(f"collect, {n} files ({summary.submitted} usable, {len(summary.skipped)} skipped): "
          f"median {statistics.median(times):.2f} s over {REPEATS} runs "
          f"(min {min(times):.2f} s, max {max(times):.2f} s); rendering HTML + Markdown {render * 1000:.0f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)

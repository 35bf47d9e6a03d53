"""Time ``mlworkflow.exercise.assess.assess`` on typical and very long statements.

    python benchmarks/bench_feedback.py

Prints the median time per call. The target (issue 4) is well under 10 ms for one statement;
this is a benchmark to read, not a test that fails on a slow machine.
"""

from __future__ import annotations

import statistics
import time

from mlworkflow.exercise.assess import assess, load_exercise, load_rubric

STATEMENT = {
    "problem": "About 18% of outpatients at our clinics miss their appointment without cancelling. Schedulers "
               "currently send the same reminder to every patient, and each no-show costs a clinician slot.",
    "outcome": "Cut the no-show rate from 18% to 13% within six months, freeing roughly 400 clinician hours a month.",
    "data_sources": "Appointment history since 2021 from the scheduling system, reminder logs from the SMS tool, "
                    "and patient age band from the EHR. Patient data is covered by HIPAA.",
}


def median_ms(fields: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        assess(**fields)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    load_rubric(), load_exercise()
    assess(**STATEMENT)  # first call reads the content files; not what a learner waits for twice
    big = {k: (v + " ") * 600 for k, v in STATEMENT.items()}  # ~100 KB per box
    for name, fields, runs in (("typical statement", STATEMENT, 2000),
                               ("all seven boxes", {**STATEMENT, "baseline": STATEMENT["problem"],
                                                    "prediction": STATEMENT["outcome"],
                                                    "labels": STATEMENT["data_sources"],
                                                    "constraints": STATEMENT["data_sources"]}, 1000),
                               ("100 KB in each required box", big, 200)):
        print(f"assess, {name}: median {median_ms(fields, runs):.3f} ms over {runs} runs")


if __name__ == "__main__":
    main()

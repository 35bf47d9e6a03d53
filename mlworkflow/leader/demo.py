"""Made-up submissions for trying the class summary before a workshop (and for its benchmark).

``demo_class(folder)`` writes a small class with the awkward cases a real room produces: a
learner who hands in twice, a broken file, an empty one and one with HTML in it. Each file's
modification time is the time it says it was handed in, so the summary reads the same every
run. ``random_class(folder, n)`` writes ``n`` varied, seeded submissions. Every statement here
is invented.

    >>> demo_class(tmp)                     # 8 files: 5 usable, 3 skipped when collected
    >>> folder = demo_folder()              # the same, in a new temporary folder
    >>> random_class(tmp, 500, seed=0)
"""

from __future__ import annotations

import json
import os
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

from mlworkflow.exercise.submit import submission_record

__all__ = ["DEMO_STATEMENTS", "demo_class", "demo_folder", "random_class"]

_T0 = datetime(2024, 5, 14, 9, 30, tzinfo=timezone.utc)

# (name, problem, outcome, data_sources): strong, middling and weak statements
DEMO_STATEMENTS: tuple[tuple[str, str, str, str], ...] = (
    ("Ana", "Today our support agents answer every chat in arrival order, so customers with a blocked "
            "card wait 20 minutes on average and some of them close their account.",
     "Cut the average wait for blocked-card chats from 20 to 5 minutes within one quarter, and reduce "
     "account closures after a card block, by predicting the topic of each new chat so urgent ones go "
     "to the front of the queue.",
     "Two years of chat transcripts in Zendesk with the topic agents tagged at the end, and card status "
     "from the core banking system. Transcripts hold personal data, so we need the privacy team's approval."),
    ("Ben", "Planners at our grocery chain order fresh produce by hand from last week's sales, and about 9% "
            "of it is thrown away each week while popular items still run out.",
     "Reduce fresh-produce waste from 9% to 6% within six months without more stock-outs, by forecasting "
     "demand per store and item for the next seven days.",
     "Daily sales per store and item from the POS database since 2021, waste logs from the stores, "
     "the promotions calendar and local weather history."),
    ("Chloé", "Recruiters read every application by hand and take 12 days on average to reply, so strong "
              "candidates accept other offers first.",
     "Halve the time to first reply, from 12 to 6 days, by the end of the year, by ranking new "
     "applications so recruiters read the most promising first.",
     "Applications and hiring outcomes from our applicant tracking system since 2020."),
    ("Dev", "Our customers complain that the mobile app is slow at checkout, and about 15% of them abandon "
            "their basket there.",
     "Reduce checkout abandonment in the app from 15% to 10% by the end of the year.",
     "Checkout events from Firebase Analytics and the orders table in our shop database."),
    ("Eli", "We want to use AI to get ahead of competitors.", "Better results across the business.",
     "Our data."),
)


def _write(folder: Path, name: str, data: object, when: datetime | None = None) -> Path:
    path = folder / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=1, ensure_ascii=False),
                    encoding="utf-8")
    if when is not None:  # "came in" at the time the record says
        os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def _record(name: str, problem: str, outcome: str, data: str, minute: int, learner_id: str) -> dict:
    fields = {"problem": problem, "outcome": outcome, "data_sources": data}
    return submission_record(fields, name, learner_id, _T0 + timedelta(minutes=minute))


def demo_class(folder: str | os.PathLike[str]) -> list[Path]:
    """Write 8 files: 4 good and weak statements, 1 with HTML in it, a resubmission, a broken and an empty file."""
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    paths = [_write(root, f"{name.lower()}.json", _record(name, p, o, d, i, f"demo{i:04d}"), _T0 + timedelta(minutes=i))
             for i, (name, p, o, d) in enumerate(DEMO_STATEMENTS[:4])]
    hostile = _record('<b onmouseover="alert(1)">Mallory</b>',
                      "<script>alert('hi')</script> Our sales reps lose hours every week on manual quotes.",
                      "<img src=x onerror=alert(2)> Quote faster.", "Our CRM & <i>spreadsheets</i>.", 9, "demo0009")
    paths.append(_write(root, "mallory.json", hostile, _T0 + timedelta(minutes=9)))
    ben = DEMO_STATEMENTS[1]  # Ben hands in again (same learner id), with the same words: the later file counts
    paths.append(_write(root, "ben-again.json", _record(ben[0], *ben[1:], 12, "demo0001"), _T0 + timedelta(minutes=12)))
    paths.append(_write(root, "broken.json", '{"name": "Fay", "statement": {"problem": "unfinished',
                        _T0 + timedelta(minutes=14)))
    paths.append(_write(root, "empty.json", _record("Gus", "", " ", "", 15, "demo0015"), _T0 + timedelta(minutes=15)))
    return paths


def demo_folder() -> Path:
    """A new temporary folder holding :func:`demo_class`'s files (the system cleans it up)."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="mlworkflow-demo-class-"))
    demo_class(folder)
    return folder


_WHO = ("support agents", "store managers", "claims handlers", "dispatchers", "nurses", "account managers")
_PAIN = ("spend hours on manual checks", "miss urgent cases in the backlog", "lose customers to slow replies")
_GOAL = ("Reduce handling time from {a} to {b} minutes within {m} months",
         "Cut churn from {a}% to {b}% by the end of the year", "Increase on-time delivery from {a}% to {b}%")
_HOW = ("by predicting which cases need attention first", "by forecasting demand for the next week",
        "by scoring each new request so the team can prioritise")
_DATA = ("Ticket history since {y} from Zendesk with the outcome of each case",
         "Order and delivery logs in the data warehouse since {y}", "CRM records and billing history since {y}")


def random_class(folder: str | os.PathLike[str], n: int = 500, *, seed: int = 0) -> list[Path]:
    """Write ``n`` seeded submissions: mostly varied statements, about 1 in 25 broken or a duplicate."""
    rng = random.Random(seed)
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.02:
            paths.append(_write(root, f"learner-{i:04d}.json", '{"statement": ' + "[" * rng.randint(1, 50)))
            continue
        if roll < 0.04 and paths:
            paths.append(_write(root, f"learner-{i:04d}.json", paths[-1].read_text(encoding="utf-8")))
            continue
        if roll < 0.25:
            _, p, o, d = DEMO_STATEMENTS[rng.randrange(len(DEMO_STATEMENTS))]
            p = f"{p} (team {i})"
        else:
            a = rng.randint(20, 60)
            p = (f"Our {rng.choice(_WHO)} {rng.choice(_PAIN)}, which costs about {rng.randint(5, 90)} hours "
                 f"a week in team {i}.")
            o = f"{rng.choice(_GOAL).format(a=a, b=a - rng.randint(5, 15), m=rng.randint(3, 12))} {rng.choice(_HOW)}."
            d = rng.choice(_DATA).format(y=rng.randint(2015, 2023)) + "."
        record = _record(f"Learner {i}", p, o, d, i, f"bench{i:06d}")
        paths.append(_write(root, f"learner-{i:04d}.json", record))
    return paths

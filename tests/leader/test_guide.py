"""The facilitator guide's answer keys match the shipped quiz content."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from mlworkflow.checks.quiz import load_quiz, quiz_stages

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "facilitator-guide.md"
TOOL = ROOT / "tools" / "answer_keys.py"


def _keys_section() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    return text.split("<!-- answer-keys:start -->", 1)[1].split("<!-- answer-keys:end -->", 1)[0]


def test_every_quiz_has_its_answers_in_the_guide():
    """Read the guide the way a leader does: stage heading, then one "Answer:" line per question."""
    found: dict[str, list[str]] = {}
    stage = None
    for line in _keys_section().splitlines():
        heading = re.match(r"^### .*\(`(\w+)`\)$", line)
        if heading:
            stage = heading.group(1)
            found[stage] = []
        answer = re.match(r"^\s+\*\*Answer: ([A-Z](?:, [A-Z])*)\*\*$", line)
        if answer:
            assert stage is not None
            found[stage].append(answer.group(1))
    assert set(found) == set(quiz_stages())
    for key in quiz_stages():
        quiz = load_quiz(key)
        expected = [", ".join(q.label(i) for i in q.correct_ids) for q in quiz.questions]
        assert found[key] == expected, key


def test_each_option_is_marked_right_or_wrong_as_in_the_quiz():
    section = _keys_section()
    for key in quiz_stages():
        for q in load_quiz(key).questions:
            for o in q.options:
                mark = "✔" if o.correct else "✘"
                assert f"   - {mark} {q.label(o.id)}. " in section
            assert " ".join(q.options[0].explanation.split())[:40] in section.replace("\\", "")


def test_the_generator_is_up_to_date_and_safe_to_rerun():
    result = subprocess.run([sys.executable, str(TOOL), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_guide_covers_what_the_issue_asks_for():
    text = GUIDE.read_text(encoding="utf-8")
    for needle in ("### 60 minutes", "### 90 minutes", "### 120 minutes", "mlworkflow doctor",
                   "Warm up the Binder link", "When the Wi-Fi fails", "mlworkflow link --hub",
                   "progress store", "mlworkflow collect", "class pulse", "mlworkflow present",
                   "Common misconceptions", "Discussion prompts"):
        assert needle.lower() in text.lower(), needle


def test_agenda_minutes_add_up():
    text = GUIDE.read_text(encoding="utf-8")
    for total in (60, 90, 120):
        table = text.split(f"### {total} minutes", 1)[1].split("###", 1)[0]
        rows = re.findall(r"^\| (\d+):(\d\d) \| (\d+) \|", table, flags=re.M)
        clock = 0
        for hours, mins, length in rows:  # each block starts when the one before it ends
            assert int(hours) * 60 + int(mins) == clock, (total, hours, mins)
            clock += int(length)
        assert clock == total, (total, rows)

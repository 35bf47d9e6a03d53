"""Write the knowledge checks' answer keys into the facilitator guide, from the quiz content. Safe to re-run.

    python tools/answer_keys.py            # rewrite the section between the markers in docs/facilitator-guide.md
    python tools/answer_keys.py --check    # exit 1 if the guide's keys differ from the quizzes (a test runs this)

Only the text between ``<!-- answer-keys:start -->`` and ``<!-- answer-keys:end -->`` is replaced;
the rest of the guide is left as written. The keys come from
``mlworkflow/content/quizzes/<stage>.json``, in course order, with letters for the files' order
of options (what static exports show); each learner's notebook shows its own order.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "facilitator-guide.md"
START, END = "<!-- answer-keys:start -->", "<!-- answer-keys:end -->"
sys.path.insert(0, str(ROOT))

from mlworkflow.checks.quiz import load_quiz, quiz_stages  # noqa: E402
from mlworkflow.core.course import load_course  # noqa: E402

_MD = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    return _MD.sub(r"\\\1", " ".join(text.split()))


def answer_keys() -> str:
    """The answer-key section as Markdown: each stage's questions, the right letters and why."""
    shipped = set(quiz_stages())
    order = [s.key for s in load_course().stages if s.key in shipped]
    order += sorted(shipped - set(order))
    lines = ["_Generated from the quiz content by `python tools/answer_keys.py`; do not edit by hand._", "",
             "The letters below follow the order of the quiz files, which is what an HTML export or GitHub "
             "shows. In a running notebook each learner sees the options in their own order, so their "
             "letters differ: discuss answers by their text, not by letter.", ""]
    for stage in order:
        quiz = load_quiz(stage)
        lines += [f"### {_md(quiz.title)} (`{stage}`)", ""]
        for n, q in enumerate(quiz.questions, 1):
            right = ", ".join(q.label(i) for i in q.correct_ids)
            kind = f" ({q.instruction.rstrip('.').lower()})" if q.instruction else ""
            lines.append(f"{n}. {_md(q.prompt)}{kind}  ")
            lines.append(f"   **Answer: {right}**")
            for o in q.options:
                mark = "✔" if o.correct else "✘"
                lines.append(f"   - {mark} {q.label(o.id)}. {_md(o.text)} *{_md(o.explanation)}*")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def replaced(text: str) -> str:
    """``text`` with the section between the markers set to :func:`answer_keys`."""
    if text.count(START) != 1 or text.count(END) != 1 or text.index(START) > text.index(END):
        raise SystemExit(f"{GUIDE}: needs exactly one {START} ... {END} pair")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{answer_keys()}{END}{tail}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report whether the guide is up to date")
    args = parser.parse_args()
    text = GUIDE.read_text(encoding="utf-8")
    new = replaced(text)
    if args.check:
        if new != text:
            print(f"out of date: {GUIDE.relative_to(ROOT)} (run: python tools/answer_keys.py)")
            return 1
        return 0
    if new != text:
        GUIDE.write_text(new, encoding="utf-8")
        print(f"updated the answer keys in {GUIDE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

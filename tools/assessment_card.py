"""Measure the exercise's automatic feedback against the graded statement corpus; write its model card.

    python tools/assessment_card.py            # print the figures and rewrite docs/assessment-model-card.md
    python tools/assessment_card.py --check    # exit 1 if the card is out of date (a test runs this)
    python tools/assessment_card.py --errors   # list every statement where a criterion disagrees

The corpus is ``tests/data/statements/*.json``, graded by people against
``tests/data/statements/GRADING.md``. Statements marked ``"split": "holdout"`` were set aside
before the checks were tuned; their figures are reported separately and are the honest ones.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "statements"
CARD = ROOT / "docs" / "assessment-model-card.md"
SECOND = CORPUS / "agreement" / "second_grader.json"  # a second person's blind grades of a sample
sys.path.insert(0, str(ROOT))

from mlworkflow.exercise.assess import Assessment, assess  # noqa: E402
from mlworkflow.exercise.rubric import load_rubric  # noqa: E402

TARGET = 0.85  # each criterion's credited precision and recall on the held-out set should reach this
LEVEL_FOR_GRADE = {0: 0, 1: 0, 2: 1, 3: 2}  # grade -> index of the expected level (Early draft, Getting there, Strong)
GRADE_NAMES = {0: "0 unusable", 1: "1 weak", 2: "2 decent", 3: "3 strong"}


@dataclass(frozen=True)
class Graded:
    item: dict
    result: Assessment

    @property
    def grade(self) -> int:
        return int(self.item["grade"])

    @property
    def share(self) -> float:
        return self.result.score / self.result.max_score

    @property
    def level_index(self) -> int:
        levels = [title for _, title, _ in sorted(load_rubric().levels)]
        return levels.index(self.result.level)


def load_corpus() -> list[dict]:
    items = []
    for path in sorted(CORPUS.glob("*.json")):
        items += json.loads(path.read_text(encoding="utf-8"))
    return items


def run(items: list[dict]) -> list[Graded]:
    out = []
    for item in items:
        f = item["fields"]
        optional = {k: v for k, v in f.items() if k not in ("problem", "outcome", "data_sources")}
        out.append(Graded(item, assess(f.get("problem", ""), f.get("outcome", ""), f.get("data_sources", ""),
                                       **optional)))
    return out


def spearman(xs: list[float], ys: list[float]) -> float:
    """Spearman's rank correlation, ties given their average rank."""
    def ranks(v: list[float]) -> list[float]:
        order = sorted(range(len(v)), key=lambda i: v[i])
        r = [0.0] * len(v)
        i = 0
        while i < len(order):
            j = i
            while j + 1 < len(order) and v[order[j + 1]] == v[order[i]]:
                j += 1
            for k in range(i, j + 1):
                r[order[k]] = (i + j) / 2 + 1
            i = j + 1
        return r

    rx, ry = ranks(xs), ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx) ** 0.5
    vy = sum((b - my) ** 2 for b in ry) ** 0.5
    return cov / (vx * vy) if vx and vy else 0.0


def _pr(pairs: list[tuple[bool, bool]]) -> tuple[float, float, int]:
    tp = sum(p and h for p, h in pairs)
    predicted = sum(p for p, _ in pairs)
    actual = sum(h for _, h in pairs)
    precision = tp / predicted if predicted else 1.0
    recall = tp / actual if actual else 1.0
    return precision, recall, actual


def figures(graded: list[Graded]) -> dict:
    """Everything the card reports, for one set of statements."""
    keys = [c.key for c in load_rubric().criteria]
    per_criterion = {}
    for key in keys:
        rows = [(g.result.criterion(key).status, g.item["criteria"][key]) for g in graded]
        credit = _pr([(a != "missing", h != "missing") for a, h in rows])
        met = _pr([(a == "met", h == "met") for a, h in rows])
        exact = sum(a == h for a, h in rows) / len(rows)
        per_criterion[key] = {"credit": credit, "met": met, "exact": exact}
    strong = [g.share for g in graded if g.grade == 3]
    weak = [g.share for g in graded if g.grade <= 1]
    confusion = Counter((g.grade, g.level_index) for g in graded)
    return {
        "n": len(graded),
        "spearman": spearman([g.share for g in graded], [float(g.grade) for g in graded]),
        "strong_above_weak": (min(strong) > max(weak)) if strong and weak else None,
        "strong_min": min(strong) if strong else None, "weak_max": max(weak) if weak else None,
        "level_agreement": sum(LEVEL_FOR_GRADE[g.grade] == g.level_index for g in graded) / len(graded),
        "confusion": confusion, "per_criterion": per_criterion,
        "families": Counter((g.item["family"], g.level_index) for g in graded),
    }


def kappa(pairs: list[tuple[str, str]]) -> float:
    """Cohen's kappa: agreement beyond what the two raters' own label frequencies give by chance."""
    n = len(pairs)
    if not n:
        return 0.0
    observed = sum(a == b for a, b in pairs) / n
    left, right = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    chance = sum(left[k] * right[k] for k in left) / (n * n)
    return (observed - chance) / (1 - chance) if chance < 1 else 1.0


def load_second() -> list[dict]:
    """The second grader's blind grades (same schema as the corpus, without the fields), or [] if absent."""
    return json.loads(SECOND.read_text(encoding="utf-8"))["grades"] if SECOND.exists() else []


def agreement(graded: list[Graded], second: list[dict]) -> dict:
    """How the second grader, and the checks, compare with the first grader on the second grader's sample."""
    by_id = {g.item["id"]: g for g in graded}
    rows = [(by_id[s["id"]], s) for s in second]
    keys = [c.key for c in load_rubric().criteria]
    per_criterion = {}
    for key in keys:
        first = [g.item["criteria"][key] for g, _ in rows]
        other = [s["criteria"][key] for _, s in rows]
        code = [g.result.criterion(key).status for g, _ in rows]
        per_criterion[key] = {
            "second": _pr([(b != "missing", a != "missing") for a, b in zip(first, other, strict=True)]),
            "second_kappa": kappa(list(zip(first, other, strict=True))),
            "checks": _pr([(c != "missing", a != "missing") for a, c in zip(first, code, strict=True)]),
            "checks_kappa": kappa(list(zip(first, code, strict=True))),
        }
    firsts = [float(g.grade) for g, _ in rows]
    return {
        "n": len(rows), "holdout": sum(g.item["split"] == "holdout" for g, _ in rows),
        "grade_spearman": spearman(firsts, [float(s["grade"]) for _, s in rows]),
        "grade_exact": sum(g.grade == s["grade"] for g, s in rows) / len(rows) if rows else 0.0,
        "checks_spearman": spearman(firsts, [g.share for g, _ in rows]),
        "per_criterion": per_criterion,
    }


def _table(rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    return out + ["| " + " | ".join(r) + " |" for r in rows[1:]]


def card(graded: list[Graded]) -> str:
    rubric = load_rubric()
    levels = [title for _, title, _ in sorted(rubric.levels)]
    titles = {c.key: c.title for c in rubric.criteria}
    dev = [g for g in graded if g.item["split"] == "dev"]
    hold = [g for g in graded if g.item["split"] == "holdout"]
    fd, fh = figures(dev), figures(hold)
    industries = len({g.item["industry"] for g in graded})
    lines = [
        "# Model card: the exercise's automatic feedback",
        "",
        "_Generated by `python tools/assessment_card.py` from the graded corpus in "
        "`tests/data/statements/`; do not edit by hand._",
        "",
        "## What it is",
        "",
        "The feedback on notebook 08's problem statement (`mlworkflow/exercise/`) splits each box into "
        "sentences and recognises what each sentence does: names who has the problem and what goes wrong, "
        "states a direction of change, a business quantity, a number, a time frame, how it is done today, "
        "what would be predicted and the action that follows, named data sources, where past outcomes are "
        "recorded, and practical limits. A data sentence that names the very thing predicted (\"every "
        "cancellation since 2021\" when cancelling is predicted) counts as where past outcomes are recorded. "
        "Roles in questions, or negated in their own clause, are not credited; a sentence in the constraints box "
        "counts as one practical limit even in words the checks do not know, unless it denies or plays one down "
        "(\"no privacy issues\", \"should be fine\"); "
        "a box of keywords without sentences is set aside. Each criterion is met or partly met by combinations "
        "of roles written in `mlworkflow/content/rubric.json`, and quotes the one sentence that earned it. It "
        "is offline and deterministic: the same words always get the same feedback.",
        "",
        "## How it was measured",
        "",
        f"{len(graded)} statements from {industries} industries, written in varied styles (plain, terse, long, "
        "bulleted, jargon, non-native English) and including adversarial families (keyword lists, buzzword "
        "visions, solution-first, a metric with no goal, a goal with no measure, negations, questions, copied "
        "text, money and data with no prediction). Each was graded by a person, overall (0 unusable, 1 weak, "
        "2 decent, 3 strong) and per criterion (met, partial, missing), by the definitions in "
        "`tests/data/statements/GRADING.md`, not by running the code. "
        f"{len(hold)} statements (about a quarter of each family) were held out: they were never used to "
        f"choose cue words, rules or thresholds. The other {len(dev)} were used to develop them. The corpus "
        "was written in fourteen rounds, each from industries the earlier rounds did not cover; each later round was "
        "written without looking at the code's rules, measured first as it came (the honest test of those rules "
        "on new wording), and only then was its development part used to widen them; its held-out part joined "
        "the held-out set unseen. The third to fourteenth rounds concentrate on the criteria the earlier rounds "
        "showed were read too narrowly: recorded outcomes, practical limits and today's way of working. On the "
        "fifth round, as it came, the rule that reads what is predicted and looks for it in the data boxes "
        "(written before the round was seen) raised the recall of recorded outcomes from 0.74 to 0.81, and of "
        "fully met ones from 0.50 to 0.73. The sixth round (80 statements), as it came: Spearman 0.89; today's "
        "way of working credited with precision 0.78 and recall 0.80, practical limits recall 0.76, data sources "
        "recall 0.83, recorded outcomes precision 0.71. After its development part was used, the seventh round "
        "(80 statements), as it came: Spearman 0.91; today's way of working 0.90 / 0.94, practical limits recall "
        "0.78, data sources recall 0.86, recorded outcomes precision 0.72, business metric recall 0.72. After "
        "its development part was used, the eighth round (80 statements), as it came: Spearman 0.95; recorded "
        "outcomes 0.90 / 0.92, practical limits 0.90 / 0.90, what is predicted 0.79 / 0.84. After its development "
        "part was used, the ninth round (80 statements), as it came: Spearman 0.92; recorded outcomes 0.86 / 0.82, "
        "practical limits 0.86 / 0.83, today's way of working precision 0.75, what is predicted 0.90 / 0.90. After "
        "its development part was used, the tenth round (80 statements), as it came: Spearman 0.90; recorded "
        "outcomes 0.91 / 0.80, practical limits 0.86 / 0.96, what is predicted 0.75 / 0.90. After its development "
        "part was used, the eleventh round (80 statements), as it came: Spearman 0.94; recorded outcomes 0.92 / "
        "0.80, practical limits 0.90 / 0.95, what is predicted 0.81 / 0.79, data sources 0.95 / 0.88. After its "
        "development part was used, the twelfth round (80 statements), as it came: Spearman 0.93; recorded "
        "outcomes 0.97 / 0.71, practical limits 0.84 / 0.91, today's way of working precision 0.76, what is "
        "predicted 0.85 / 0.85. After its development part was used, the thirteenth round (80 statements), as it "
        "came: Spearman 0.95; recorded outcomes 0.89 / 0.84, practical limits 0.95 / 0.87, what is predicted "
        "0.77 / 1.00, today's way of working precision 0.79. After its development part was used, the fourteenth "
        "round (80 statements), as it came: Spearman 0.95; recorded outcomes 0.86 / 0.90, practical limits 0.84 / "
        "0.88, what is predicted 0.93 / 0.84, data sources 0.92 / 0.87. The held-out figures below include the "
        "held-out parts of every round.",
        "",
        "## Headline figures",
        "",
    ]
    rows = [["", "Development set", "Held-out set"],
            ["Statements", str(fd["n"]), str(fh["n"])],
            ["Spearman correlation of score with the human grade", f"{fd['spearman']:.2f}", f"{fh['spearman']:.2f}"],
            ["Every strong statement scores above every weak one",
             "yes" if fd["strong_above_weak"] else "no", "yes" if fh["strong_above_weak"] else "no"],
            ["Lowest strong / highest weak score (share of points)",
             f"{fd['strong_min']:.2f} / {fd['weak_max']:.2f}", f"{fh['strong_min']:.2f} / {fh['weak_max']:.2f}"],
            ["Level matches the grade (0–1 early draft, 2 getting there, 3 strong)",
             f"{fd['level_agreement']:.0%}", f"{fh['level_agreement']:.0%}"]]
    lines += _table(rows)
    lines += ["", "## Per criterion (held-out set)", "",
              "*Credited* means met or partly met; *met* counts only full credit. Exact is the share of statements "
              "where met / partial / missing is exactly the human's.", ""]
    rows = [["Criterion", "Credited: precision", "Credited: recall", "Met: precision", "Met: recall", "Exact",
             "Dev exact"]]
    for key, fig in fh["per_criterion"].items():
        c, m = fig["credit"], fig["met"]
        rows.append([titles[key], f"{c[0]:.2f}", f"{c[1]:.2f}", f"{m[0]:.2f}", f"{m[1]:.2f}", f"{fig['exact']:.2f}",
                     f"{fd['per_criterion'][key]['exact']:.2f}"])
    lines += _table(rows)
    lines += ["", "## Levels against grades (all statements)", ""]
    everything = figures(graded)
    rows = [["Human grade", *levels]]
    for grade in range(4):
        rows.append([GRADE_NAMES[grade], *[str(everything["confusion"][(grade, i)]) for i in range(len(levels))]])
    lines += _table(rows)
    lines += ["", "## Adversarial families (all statements): level given", ""]
    families = sorted({g.item["family"] for g in graded})
    rows = [["Family", *levels]]
    for fam in families:
        rows.append([fam, *[str(everything["families"][(fam, i)]) for i in range(len(levels))]])
    lines += _table(rows)
    second = load_second()
    if second:
        fa = agreement(graded, second)
        lines += [
            "", "## Two graders", "",
            f"A second grader from the course team graded {fa['n']} statements drawn at random ({fa['holdout']} of "
            "them held out) by the same definitions, blind: without the first grades, the notes, the families, "
            "the styles or the code (`tests/data/statements/agreement/`). Taking the first grader as the "
            "reference, the table shows how the second grader and the checks compare on the same statements. "
            "Cohen's κ is the agreement on met / partial / missing beyond chance (1 is perfect, 0 is chance). "
            "Where two careful graders disagree, no checker can match both: recorded outcomes and today's way of "
            "working are where the graders differ most. Both graders read the same definitions document, so "
            "outside graders would likely agree less.",
            "",
            f"Overall grade: the two graders give the same grade to {fa['grade_exact']:.0%} of the statements; "
            f"Spearman {fa['grade_spearman']:.2f} between them, {fa['checks_spearman']:.2f} between the first "
            "grader and the checks' score.",
            "",
        ]
        rows = [["Criterion", "Second grader: credited precision / recall", "Second grader: κ",
                 "Checks: credited precision / recall", "Checks: κ"]]
        for key, fig in fa["per_criterion"].items():
            p2, r2, _ = fig["second"]
            pc, rc, _ = fig["checks"]
            rows.append([titles[key], f"{p2:.2f} / {r2:.2f}", f"{fig['second_kappa']:.2f}", f"{pc:.2f} / {rc:.2f}",
                         f"{fig['checks_kappa']:.2f}"])
        lines += _table(rows)
    lines += [
        "",
        "## Known limits",
        "",
        "- It reads English and recognises roles by cue words and sentence patterns; an unusual way of saying "
        "something can be missed (the learner then sees advice they have already followed), and a fluent text "
        "can use the right words about the wrong thing.",
        "- It cannot tell whether facts are true, numbers realistic, the data usable, or whether the problem "
        "is worth solving; the feedback says so and lists those questions for a person.",
        "- Negation is read only within a clause (\"we have no labels yet\"); a negation far from what it "
        "negates, or irony, is not understood.",
        "- The corpus was written and graded by the course's team; the held-out figures are the honest "
        "estimate, and a corpus graded by other people would be a stronger test.",
    ]
    short = [(titles[key], name, value) for key, fig in fh["per_criterion"].items()
             for name, value in (("precision", fig["credit"][0]), ("recall", fig["credit"][1])) if value < TARGET]
    if short:
        said = "; ".join(f"{title}: credited {name} {value:.3f}" for title, name, value in short)
        lines.append(f"- Below the {TARGET:.2f} target on the held-out set: {said}. A recall gap means the "
                     "feedback misses what a person would credit (usually an outcome record or today's method "
                     "described in words it does not know), so the learner is asked for something already there.")
    for key, fig in fh["per_criterion"].items():
        recall, n = fig["credit"][1], fig["credit"][2]
        found = round(recall * n)
        if recall >= TARGET > (found - 1) / n:
            lines.append(f"- {titles[key]}: held-out credited recall {recall:.3f} ({found} of {n}) clears the "
                         f"{TARGET:.2f} target by a single statement. The held-out figures were computed after each "
                         "round to report them, never to choose a rule; read this one as at the target, not above it.")
    for split, name in (("dev", "development"), ("holdout", "held-out")):
        terse = [g for g in graded if g.item["style"] == "terse" and g.grade >= 2 and g.item["split"] == split]
        early = [g for g in terse if g.result.level == levels[0]]
        if early:
            lines.append(f"- Terse statements graded decent or strong ({name} set): {len(early)} of {len(terse)} "
                         f"still get \"{levels[0]}\"; short text gives the cue words little to hold on to.")
    lines.append("")
    return "\n".join(lines)


def errors(graded: list[Graded]) -> str:
    out = []
    for g in graded:
        diffs = [f"{k}: human {h}, checks {g.result.criterion(k).status}"
                 for k, h in g.item["criteria"].items() if g.result.criterion(k).status != h]
        if diffs:
            out.append(f"{g.item['id']} ({g.item['split']}, grade {g.grade}, share {g.share:.2f}, "
                       f"{g.result.level}): " + "; ".join(diffs))
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the card is out of date")
    parser.add_argument("--errors", action="store_true", help="list the disagreements")
    args = parser.parse_args()
    graded = run(load_corpus())
    text = card(graded)
    if args.errors:
        print(errors(graded))
        return 0
    if args.check:
        current = CARD.read_text(encoding="utf-8") if CARD.exists() else ""
        if current != text:
            print(f"out of date: {CARD.relative_to(ROOT)} (run: python tools/assessment_card.py)")
            return 1
        return 0
    CARD.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

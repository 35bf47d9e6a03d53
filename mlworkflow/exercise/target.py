"""What would be predicted, in the learner's words, and where the data boxes say it was recorded.

A statement that predicts "which members will cancel" and lists "the billing system, with every
cancellation since 2021" has named where the past outcomes (the labels) live, whatever words it
used for the record. :func:`target_words` reads the thing predicted from the sentences that
state a prediction; :func:`mark_outcome_records` credits the ``label`` role to a data sentence
that names that thing (``label_vague`` when it names no place to find it), and ``outcome_named``,
which makes it the sentence quoted as evidence.

    >>> from mlworkflow.exercise.clauses import read_sentences
    >>> from mlworkflow.exercise.rubric import load_rubric
    >>> r = load_rubric()
    >>> said = read_sentences("problem", "We want to predict which members will cancel.", r)
    >>> sorted(target_words(said, r))
    ['cancel']
"""

from __future__ import annotations

import re
from dataclasses import replace

from mlworkflow.exercise.clauses import Sentence, negated_at
from mlworkflow.exercise.rubric import Rubric

__all__ = ["mark_outcome_records", "no_labels_said", "stem", "target_words"]

_PREDICTING_BOXES = ("problem", "prediction", "outcome")
_RECORD_BOXES = ("data_sources", "labels")
_SOURCE_ROLES = frozenset({"source_named", "source_kind", "label_vague", "label"})

# the thing predicted follows these: "which orders will arrive late", "risk of default", "likely to churn",
# "predict churn", "flag fraudulent claims"
_AFTER_UNIT = re.compile(
    r"\b(?:which|whether|if|what|how\s+many|how\s+much|how\s+long|when)\s+(?:(?:the|a|an|each|every|our|their)\s+)?"
    r"(?:[\w-]+\s+){0,2}?(?:will|would|are|is|might|may|could|can|get|gets|go|goes)\s+"
    r"(?:(?:be|get|go|have|likely|probably|soon|actually|still|end\s+up)\s+){0,2}((?:[\w-]+\s*){1,3})",
    re.I,
)
_AFTER_CHANCE = re.compile(
    r"(?<![\w-])(?:risk|chance|chances|likelihood|probability|odds|propensity)\s+"
    r"(?:(?:of|that|to|for)\s+|(?=(?:they|it|he|she|the|each|every)\s))"
    r"(?:(?:a|an|the|each|every|it|them|they|he|she|being|getting|be|will|would)\s+)*((?:[\w-]+\s*){1,2})",
    re.I,
)
_HOW_MUCH = re.compile(r"\bhow\s+(?:much|many)\s+([\w-]+)", re.I)  # "how much cash each ATM will need"
_AFTER_LIKELY = re.compile(r"\blikely\s+to\s+(?:(?:be|get|go)\s+)?((?:[\w-]+\s*){1,2})", re.I)
# the first content word after the verb: "predict churn", "catch more fraud", "flag fraudulent claims"
_AFTER_VERB = re.compile(
    r"\b(?:predict|predicts|predicting|forecast|forecasts|forecasting|estimate|estimates|estimating|anticipate|"
    r"detect|detects|detecting|spot|spots|spotting|flag|flags|flagging|catch|catches|catching)\s+"
    r"(?!(?:which|whether|if|what|how|when|who|where)\b)((?:[\w-]+\s*){1,3})",
    re.I,
)
# the word before: "churn probabilities", "PPE detection", "scam risk score", "demand forecast", "P(churn)"
_BEFORE_NOUN = re.compile(
    r"\b([\w-]+)\s+(?:probabilit(?:y|ies)|predictions?|detection|forecasts?|risk|propensity|likelihood)\b"
    r"|\bP\(\s*([\w-]+)",
    re.I,
)
# words that say nothing about what is predicted
_GENERIC = frozenset("""
actual ahead also amount any be been being best better can case cases chance classifier classify come comes
could customer customers daily day days detect detection develop do does done each early every expected field
final first forecast forecasts future get gets go goes going got had happen happens has have high higher
hourly incoming instead it item items its just last later least less level levels leverage leveraging likely
low lower make makes many matter matters may might model models month monthly months more most much need
needs negative never next no nobody none not number numbers one only other others people person positive
predict predicted prediction predictions predictive prepare probabilities probability probably propose
proposes rate rates real really recommend recommendation reduce risk score scores scoring segment
segmentation should some soon still take takes team that their them there these they thing things this those
three time times total true two unit units user users value values very week weekly weeks what when whether
which who will would year years mape rmse mae auc accuracy precision recall
""".split())  # noqa: SIM905 (a word list reads best as text)
_SUFFIXES = ("ations", "ation", "ings", "ing", "ions", "ion", "ments", "ment", "ness", "ers", "ed", "es", "s", "er",
             "ly", "y")


def stem(word: str) -> str:
    """A crude, deterministic stem: "cancelled", "cancellation", "cancels" -> "cance"; "late" -> "late"."""
    w = word.lower().strip("-'")
    for suffix in _SUFFIXES:
        if len(w) - len(suffix) >= 4 and w.endswith(suffix):
            w = w[: -len(suffix)]
            break
    return w[:5]


_ARTICLES = frozenset({"the", "a", "an", "their", "its", "his", "her"})


def _words(chunk: str, rubric: Rubric) -> list[str]:
    out: list[str] = []
    for w in re.findall(r"[a-z][\w-]*", chunk.lower()):
        if out and w in _ARTICLES:  # "fail the haemoglobin test": the object is part of what is predicted
            continue
        if w in rubric.common_words or w in _GENERIC:
            if out:  # stop at the first small word after a content word: "cancel within a month"
                break
            continue
        out.append(w)
    actor = rubric.roles["actor"].regex  # "which donors will lapse": the donors are who, not what
    out += [part for w in out if "-" in w for part in w.split("-") if len(part) >= 4]  # "lane-occupancy"
    return [w for w in out if len(w) >= 3 and not actor.fullmatch(w) and w not in _GENERIC]


def target_words(sentences: list[Sentence], rubric: Rubric) -> set[str]:
    """The content words naming what is predicted, from sentences credited with ``predict``."""
    found: set[str] = set()
    for s in sentences:
        if s.field not in _PREDICTING_BOXES or "predict" not in s.roles or s.question or s.negated:
            continue
        for pattern in (_AFTER_UNIT, _AFTER_CHANCE, _AFTER_LIKELY):
            for m in pattern.finditer(s.text):
                found.update(_words(m.group(1), rubric))
        for m in _HOW_MUCH.finditer(s.text):
            found.update(_words(m.group(1), rubric))
        for m in _AFTER_VERB.finditer(s.text):
            found.update(_words(m.group(1), rubric)[:1])
        for m in _BEFORE_NOUN.finditer(s.text):
            found.update(_words(m.group(1) or m.group(2), rubric))
    return found


def mark_outcome_records(sentences: list[Sentence], rubric: Rubric) -> list[Sentence]:
    """``sentences`` with ``label`` added where a data sentence names the thing predicted (see module doc)."""
    targets = {stem(w): w for w in target_words(sentences, rubric)}
    if not targets:
        return sentences
    out: list[Sentence] = []
    for s in sentences:
        if s.field not in _RECORD_BOXES or s.question or s.negated:
            out.append(s)
            continue
        hit = next((m for m in re.finditer(r"[a-z][a-z0-9]*", s.text, re.I)  # "cash-out" holds "cash"
                    if stem(m.group(0)) in targets and not negated_at(s.text, m.start(), rubric)), None)
        if hit is None:
            out.append(s)
            continue
        role = "label" if _SOURCE_ROLES & s.roles else "label_vague"  # a place to look, or only that it is known
        out.append(replace(s, roles=s.roles | {role, "outcome_named"},
                           matches=(*s.matches, (role, hit.group(0)), ("outcome_named", hit.group(0)))))
    return out


# "so there are no labels", "No labels for now", "we have no ground truth yet"
_NO_LABELS = re.compile(
    r"\b(?:no|not\s+any|zero)\s+(?:labels?|labell?ed\s+\w+|ground\s+truth|known\s+outcomes?|outcome\s+labels?)\b"
    r"|\b(?:nothing|none\s+of\s+it|not)\s+(?:is\s+)?(?:labell?ed)\b|\bunlabell?ed\b",
    re.I,
)
_TURN = re.compile(r"\b(?:but|although|though|however|except|apart\s+from)\b", re.I)
_RECORD_CREDIT = frozenset({"label", "label_vague", "outcome_named"})


def no_labels_said(sentences: list[Sentence]) -> list[Sentence]:
    """``sentences`` with no recorded-outcome credit when a data box says there are no labels.

    The writer knows their data: "Till sales from Epos Now ... so there are no labels" locates no past
    outcomes, whatever else the box names. A turn after the denial ("no labels for the new plan, but
    three years of cancellations for the old one") keeps the credit.
    """
    said = any(s.field in _RECORD_BOXES and (m := _NO_LABELS.search(s.text)) and not _TURN.search(s.text, m.end())
               for s in sentences)
    if not said:
        return sentences
    out: list[Sentence] = []
    for s in sentences:
        if s.field in _RECORD_BOXES:
            drop = _RECORD_CREDIT | (_SOURCE_ROLES if s.field == "labels" else frozenset())
            s = replace(s, roles=s.roles - drop, matches=tuple(m for m in s.matches if m[0] not in drop))
        out.append(s)
    return out

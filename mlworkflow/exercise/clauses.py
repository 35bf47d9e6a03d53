"""Read a problem statement sentence by sentence: what each sentence does, in roles.

A sentence can name who has the problem (``actor``), say what goes wrong (``pain``), state a
number, a time frame, what is predicted, and so on; the roles and their cue words live in
``content/rubric.json``. A role is not credited in a question, or when a negation comes before
it in the same clause ("we have **no** labels yet"), or, for the action after a prediction,
when nothing marks it as a consequence.

    >>> from mlworkflow.exercise.rubric import load_rubric
    >>> s = read_sentences("problem", "Agents spend two hours a day sorting tickets.", load_rubric())[0]
    >>> sorted(s.roles)[:3]
    ['actor', 'method_weak', 'number']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlworkflow.exercise.rubric import Rubric

__all__ = ["Sentence", "negated_at", "read_sentences"]

# sentence ends: . ! ? ; followed by space or end, a newline, or a bullet at a line start
_SENTENCE = re.compile(
    r"(?<=[.!?;])(?<!\bincl\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\betc\.)(?<!\bvs\.)(?<!\bapprox\.)(?<!\bca\.)"
    r"(?<!\bno\.)(?<!\bappt\.)(?<!\bdept\.)(?<!\besp\.)(?<!\bcf\.)(?<!\bmin\.)(?<!\bmax\.)\s+(?=\S)"
    r"|\n+|(?:^|\s)[-•*]\s+(?=\w)",
    re.I,
)
# clause breaks inside a sentence: a negation does not reach past these, except into "... and which ..."
_CLAUSE = re.compile(
    r"(?:[,:()]|\b(?:but|and|so|because|while|although|though|whereas)\b)"
    r"(?!\s*(?:(?:and|or)\s+)?(?:which|who|whether|what)\b)",
    re.I,
)
_SOLUTION = re.compile(
    r"^\W*(?:(?:we|i)\s+(?:want|need|plan|would like|should|will|intend|aim|hope)\s+to\s+|let'?s\s+|to\s+)?"
    r"(?:train|build|develop|deploy|implement|use|apply|create|leverage|adopt|introduce|fine-tune|set up|"
    r"roll out|integrate|harness|utili[sz]e|install|buy|add|put|bring|embed|launch)\b",
    re.I,
)
_ACTION_ROLES = ("action",)
# a sentence that opens by saying the writer does not know
_UNKNOWN = re.compile(
    r"^\W*(?:(?:i|we)(?:'m|'re|\s+am|\s+are)?\s+(?:really\s+|honestly\s+)?(?:don'?t|do\s+not|did\s+not|didn'?t|not)\s+"
    r"(?:really\s+|yet\s+)?(?:know|sure)|no\s+idea|not\s+(?:sure|clear|known)|unclear|unknown|nobody\s+knows|"
    r"no\s+one\s+knows|hard\s+to\s+say|(?:don'?t|do\s+not|not\s+sure)\s+(?:really\s+)?(?:know|sure))\b",
    re.I,
)
_SO = re.compile(r"\bso\s+(?:that\s+)?|(?:→|->|=>)\s*", re.I)  # "so nurses ...", "→ nurse redraws ..."


@dataclass(frozen=True)
class Sentence:
    """One sentence of one box, with the roles it was credited for and the words that earned them."""

    field: str
    text: str
    roles: frozenset[str]
    matches: tuple[tuple[str, str], ...]  # (role, the learner's words), in order, for distinct counts and cautions
    question: bool
    solution: bool  # starts from a technology ("Train a random forest ..."), not from a problem
    negated: bool = False  # every clause holds a negation ("There is no record of past repairs")
    clause_roles: tuple[frozenset[str], ...] = ()  # the roles of each clause, in order ("GDPR applies, and ...")
    unknown: bool = False  # opens by saying the writer does not know ("Don't know how it is done today")


def _split(text: str) -> list[str]:
    parts = [" ".join(p.split()).lstrip("-•* ") for p in _SENTENCE.split(text)]
    return [p for p in parts if p and re.search(r"\w", p)]


def negated_at(sentence: str, start: int, rubric: Rubric) -> bool:
    """A negation between the start of the clause holding ``start`` and ``start``, or undone after it."""
    clause_start = 0
    for m in _CLAUSE.finditer(sentence):  # the whole sentence: the break's lookahead may reach past the match
        if m.end() > start:
            break
        clause_start = m.end()
    if rubric.negation.search(sentence, clause_start, start) is not None:
        return True
    clause_end = next((m.start() for m in _CLAUSE.finditer(sentence) if m.start() > start), len(sentence))
    return _UNDONE.search(sentence, start, clause_end) is not None  # "the old forms were thrown away"


# a negation that comes after what it negates, in the same clause
_UNDONE = re.compile(
    r"\b(?:(?:was|were|are|is|got|get|gets|been)\s+(?:\w+\s+)?(?:thrown\s+away|deleted|discarded|destroyed|lost|"
    r"overwritten|never\s+\w+|not\s+(?:kept|recorded|stored|saved|logged|tracked|available|digiti[sz]ed))|"
    r"\boverwr(?:ote|ites|itten)\b|"
    r"no\s+longer\s+(?:kept|recorded|stored|available|exists?)|"
    r"not\s+(?:yet\s+)?(?:captured|collected|recorded|kept|stored|tracked|logged|written\s+down))\b",
    re.I,
)


def _by_clause(sentence: str, found: list[tuple[int, str, str]]) -> tuple[frozenset[str], ...]:
    """The roles found in each clause of the sentence (clauses with none left out)."""
    ends = [m.start() for m in _CLAUSE.finditer(sentence)] + [len(sentence)]
    groups: dict[int, set[str]] = {}
    for pos, name, _ in found:
        groups.setdefault(next(i for i, end in enumerate(ends) if pos <= end), set()).add(name)
    return tuple(frozenset(groups[i]) for i in sorted(groups))


def _all_negated(sentence: str, rubric: Rubric) -> bool:
    """Every clause of the sentence says what is not there ("There is no record of past repairs")."""
    clauses = [c for c in _CLAUSE.split(sentence) if len(c.split()) >= 2]
    negated = [bool(rubric.negation.search(c)) for c in clauses]
    for i in range(1, len(clauses)):  # "we don't record what is used, only what we order": "only" carries it on
        negated[i] = negated[i] or (negated[i - 1] and clauses[i].split()[0].lower() == "only")
    return bool(clauses) and all(negated)


def read_sentences(field: str, text: str, rubric: Rubric) -> list[Sentence]:
    """The sentences of one box, each with the roles it earns."""
    out: list[Sentence] = []
    for sentence in _split(text):
        question = sentence.rstrip().endswith("?")
        found: list[tuple[int, str, str]] = []
        for role in rubric.roles.values():
            if field not in rubric.role_boxes[role.name]:
                continue
            for m in role.regex.finditer(sentence):
                if not m.group(0).strip():
                    continue
                if role.negatable and negated_at(sentence, m.start(), rubric):
                    continue
                if role.credited.startswith("c_") and _quoted(sentence, m.start()):
                    continue  # reason code 'missing item' names a code, not a gap in the data
                found.append((m.start(), role.credited, " ".join(m.group(0).split())))
        found = _one_source_each(sentence, sorted(found))
        # "approval records", "consent forms": an access or privacy word inside a source's name names the source
        spans = [(pos, pos + len(words)) for pos, name, words in found if name in _SOURCE_ROLES]
        found = [f for f in found if not (f[1] in ("c_access", "c_privacy") and _inside(f, spans))]
        unknown = bool(_UNKNOWN.match(sentence))
        if unknown:  # "No idea how they handle it today": the first clause asserts nothing
            first = next((m.start() for m in _CLAUSE.finditer(sentence)), len(sentence))
            found = [f for f in found if f[0] >= first]
        # "..., so we write off expired stock": a cost right after "so" is a consequence, not a purpose
        pains = [pos for pos, name, _ in found if name == "pain"]
        found = [f for f in found if not (f[1] == "purpose" and any(
            f[0] + len(f[2]) <= pos <= f[0] + len(f[2]) + 12 for pos in pains))]
        names = {name for _, name, _ in found}
        # "so crews survey the top 20 first": "so" with someone after it is a purpose, and what follows an action
        if "purpose" not in names or "action" not in names:
            actors = [pos for pos, name, _ in found if name == "actor"]
            for m in _SO.finditer(sentence):
                if any(m.end() <= pos <= m.end() + 25 for pos in actors):
                    if "purpose" not in names:
                        found.append((m.start(), "purpose", m.group(0)))
                        names.add("purpose")
                    if "action" not in names and ("predict" in names or field == "prediction"):
                        found.append((m.start(), "action", sentence[m.start():]))  # "so recruiters read the best first"
                        names.add("action")
                    break
        # an action counts as the consequence of a prediction: said with one, or after "so that"
        if "action" in names and not ({"predict", "purpose"} & names or field == "prediction"):
            found = [f for f in found if f[1] not in _ACTION_ROLES]
            names.discard("action")
        # "customer table", "patient records": a data noun right after a person is not a person
        if "actor" in names:
            keep = []
            for pos, name, words in found:
                if name == "actor" and _DATA_AFTER.match(sentence, pos + len(words)):
                    continue
                keep.append((pos, name, words))
            found = keep
            names = {name for _, name, _ in found}
        solution = bool(_SOLUTION.match(sentence)) and "tech" in names
        # "put AI at the heart of our strategy so that we can delight audiences": no action without a prediction
        if solution and "predict" not in names and "action" in names:
            found = [f for f in found if f[1] not in _ACTION_ROLES]
            names.discard("action")
        # a source not built yet ("sensors we'd install") is nothing to open; "whatever we have" locates no outcome
        if field in ("data_sources", "labels"):
            drop = (_RECORD_ROLES if _NOT_YET.search(sentence)
                    else _RECORD_ROLES - _SOURCE_ROLES if _VAGUE_HOLDING.match(sentence) else frozenset())
            found = [f for f in found if f[1] not in drop]
            names = {name for _, name, _ in found}
        # what little there is, after a sentence saying what is not there ("...; the system only logs when the
        # label was printed"), and in the labels box a sentence that ends by denying the record ("..., so the
        # job status does not show it"), locate no past outcomes; a known gap may still be a constraint
        follows_gap = bool(out and out[-1].negated and _ONLY.search(sentence))
        denies = field == "labels" and _denies_record(sentence)
        negated = _all_negated(sentence, rubric) or follows_gap or denies
        if follows_gap or denies:
            found = [f for f in found if f[1] not in _RECORD_ROLES]
            names = {name for _, name, _ in found}
        out.append(Sentence(field, sentence, frozenset(names), tuple((n, w) for _, n, w in found),
                            question, solution, negated, _by_clause(sentence, found), unknown))
    return out


def _one_source_each(sentence: str, found: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    """Source matches that overlap are one source: "check-in records from Mindbody" names Mindbody once."""
    out: list[tuple[int, str, str]] = []
    last = -1  # index in ``out`` of the previous source match
    for pos, name, words in found:
        if name in _SOURCE_ROLES and last >= 0:
            start, kept, said = out[last]
            end = start + len(said)
            if pos < end:
                out[last] = (start, kept, " ".join(sentence[start:max(end, pos + len(words))].split()))
                continue
        if name in _SOURCE_ROLES:
            last = len(out)
        out.append((pos, name, words))
    return out


def _inside(match: tuple[int, str, str], spans: list[tuple[int, int]]) -> bool:
    """Whether a match lies within, and is shorter than, one of ``spans``."""
    start, end = match[0], match[0] + len(match[2])
    return any(a <= start and end <= b and (a, b) != (start, end) for a, b in spans)


def _denies_record(sentence: str) -> bool:
    """The sentence ends up denying a record ("..., but it's always blank"), not "No reason is kept, but
    inspection writes OK or NOK per batch", where what follows the "but" is the record."""
    denials = list(_DENIES_RECORD.finditer(sentence))
    return bool(denials) and _TURN.search(sentence, denials[-1].end()) is None


_TURN = re.compile(r"\b(?:but|although|though|however|yet|still|whereas)\b", re.I)


def _quoted(sentence: str, start: int) -> bool:
    """Whether ``start`` falls inside quotation marks ('missing item', "late", “no show”)."""
    return any(m.start() < start < m.end() for m in _QUOTE.finditer(sentence))


_QUOTE = re.compile(r"(?<!\w)'[^'\n]{1,40}'(?!\w)|\"[^\"\n]{1,40}\"|“[^”\n]{1,40}”|‘[^’\n]{1,40}’")
_SOURCE_ROLES = frozenset({"source_named", "source_kind"})
_RECORD_ROLES = _SOURCE_ROLES | {"label", "label_vague"}
_NOT_YET = re.compile(
    r"\b(?:we'?d|we\s+would|we\s+will|we'?ll|we\s+plan\s+to|we\s+could|we\s+want\s+to)\s+(?:\w+\s+)?"
    r"(?:install|collect|build|buy|add|start\s+collecting|set\s+up|create|gather|fit)\b"
    r"|\bto\s+be\s+(?:built|installed|collected|set\s+up|bought|created)\b|\(\s*planned\s*\)"
    r"|\bnot\s+yet\s+(?:built|installed|live|in\s+place)\b",
    re.I,
)
_VAGUE_HOLDING = re.compile(  # "Whatever we have on past visits.", "We have some records of the water."
    r"^\W*(?:whatever\b|(?:we\s+have\s+|there\s+(?:is|are)\s+)?(?:some|any)\s+(?:old\s+)?(?:records?|data|info\w*)\b)",
    re.I,
)
_ONLY = re.compile(r"\bonly\b|\bjust\b(?!\s+(?:as|in\s+time)\b)", re.I)
_DENIES_RECORD = re.compile(
    r"(?:\b(?:no|not|never|nobody|nowhere)\b|n't|n’t)(?:\s+\w+){0,4}?\s+(?:show|shows|record|recorded|records|track|"
    r"tracked|log|logged|capture|captured|kept|keep|keeps|flag|flagged|mark|marked|tell|tells|say|says|store|stored|"
    r"write|writes|written|wrote|note|notes|noted|enter|enters|entered|save|saves|saved)\b"
    r"|\b(?:always|usually|often|mostly|left|is|are|stays?)\s+(?:blank|empty)\b"  # "the field is always blank"
    r"|\bonly\s+(?:started|began|begun|go(?:es)?\s+back)\b",  # "we only started logging it last month"
    re.I,
)


_DATA_AFTER = re.compile(
    r"\w*\s+(?:data|table|tables|database|databases|records?|list|lists|files?|ids?|information|info|details|"
    r"profiles?|histor(?:y|ies)|logs?|exports?|dataset|emails?|addresses|accounts?\s+table|feedback\s+forms?)\b",
    re.I,
)

"""Load and validate the exercise's content files (``rubric.json``, ``exercise.json``).

The files are read once through :mod:`mlworkflow.core.content`, so a typo is reported as
``rubric.json: roles.actor.cues: expected a list of non-empty texts``. Cue words are compiled
here into one regular expression per role: ``"predict*"`` matches any word starting with
"predict", spaces match any whitespace, and ``patterns`` are taken as regular expressions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from mlworkflow.core.content import Fields, read_content

__all__ = [
    "FIELD_KEYS",
    "OPTIONAL_FIELDS",
    "REQUIRED_FIELDS",
    "CriterionSpec",
    "ExamplePair",
    "Exercise",
    "FieldSpec",
    "Need",
    "Role",
    "Rubric",
    "load_exercise",
    "load_rubric",
]

REQUIRED_FIELDS = ("problem", "outcome", "data_sources")
OPTIONAL_FIELDS = ("baseline", "prediction", "labels", "constraints")
FIELD_KEYS = REQUIRED_FIELDS + OPTIONAL_FIELDS
# roles the sentence reader itself looks at, in any box: a solution opener, a purpose and action after a
# prediction, the people in a sentence, and the sources and records that locate past outcomes
READER_ROLES = frozenset({"actor", "predict", "action", "purpose", "tech", "source_named", "source_kind", "label",
                          "label_vague"})
_STATUSES = ("met", "partial", "missing")


@dataclass(frozen=True)
class Role:
    """One thing a sentence can do (name who has the problem, state a number, ...); ``regex`` finds it."""

    name: str
    regex: re.Pattern[str]
    negatable: bool  # a negation earlier in the same clause cancels it ("we have no labels yet")
    about: str
    boxes: tuple[str, ...] = ()  # only read in these boxes ("daily" is a limit in Constraints, not in Data sources)
    counts_as: str = ""  # credited as this role (a narrower cue list of a broader role); empty: as itself

    @property
    def credited(self) -> str:
        return self.counts_as or self.name


@dataclass(frozen=True)
class Need:
    """A role a criterion needs, optionally only in one box (``"method_weak@baseline"``)."""

    role: str
    field: str | None = None
    absent: bool = False  # "!model_metric": the sentence must not have this role

    def __str__(self) -> str:
        text = f"{self.role}@{self.field}" if self.field else self.role
        return "!" + text if self.absent else text


@dataclass(frozen=True)
class CriterionSpec:
    """A rubric point: the boxes it reads, and which combinations of roles meet or partly meet it."""

    key: str
    title: str
    reads: tuple[str, ...]
    met: tuple[tuple[Need, ...], ...]  # any one combination, all of its roles found
    partial: tuple[tuple[Need, ...], ...]
    same_sentence: bool  # the roles of a combination must be found in one sentence
    distinct_roles: tuple[str, ...]  # count distinct matches of these roles instead ...
    distinct_kinds: tuple[str, ...]  # ... or count how many of these roles are found
    met_distinct: int
    partial_distinct: int
    quote: tuple[str, ...]  # roles that make a sentence the best evidence, most telling first
    weight: int
    advice: dict[str, str]
    caution: str | None  # a role whose words earn a caution (e.g. "use AI")
    caution_advice: str
    fallback: str | None = None  # with distinct kinds: a role that earns "partial" when no kind is found


@dataclass(frozen=True)
class Rubric:
    criteria: tuple[CriterionSpec, ...]
    roles: dict[str, Role]
    negation: re.Pattern[str]
    points: dict[str, int]
    max_chars: int
    evidence_chars: int
    levels: tuple[tuple[float, str, str], ...]
    fix_first_max: int
    checks: Fields
    common_words: frozenset[str]
    messages: dict[str, str]
    human_judgement: tuple[str, ...]
    scope_note: str
    # the boxes each role is looked for in: its own boxes, narrowed to those its criteria read (the sentence
    # reader's own roles are looked for in all of their boxes)
    role_boxes: dict[str, frozenset[str]]


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    required: bool
    placeholder: str
    help: str


@dataclass(frozen=True)
class ExamplePair:
    aspect: str
    weak: str
    strong: str
    why: str


@dataclass(frozen=True)
class Exercise:
    title: str
    difficulty: str
    minutes: int
    instructions: str
    expected_outcome: str
    success_criteria: tuple[str, ...]
    hints: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    worked_example: dict[str, str]
    example_industry: str
    example_note: str
    pairs: tuple[ExamplePair, ...]

    def field(self, key: str) -> FieldSpec:
        return next(f for f in self.fields if f.key == key)


def _trie_regex(cues: tuple[str, ...]) -> str:
    """One regex for many cues, sharing common prefixes (much faster than a flat alternation).

    ``*`` matches the rest of a word, a space matches any whitespace; where one cue is a prefix
    of another the longer is tried first.
    """
    trie: dict[str, dict] = {}
    for cue in cues:
        node = trie
        for ch in " ".join(cue.lower().split()):
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        ends = "" in node
        branches = [
            (r"\w*" if ch == "*" else r"\s+" if ch == " " else re.escape(ch)) + emit(child)
            for ch, child in node.items() if ch
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            body = (f"(?:{body})?" if len(branches) == 1 else body + "?")
        return body

    return emit(trie)


def _cue_regex(f: Fields, key: str = "cues", patterns_key: str = "patterns") -> re.Pattern[str]:
    cues = f.texts(key, min_items=0) if key in f.data else ()
    patterns = f.texts(patterns_key, min_items=0) if patterns_key in f.data else ()
    if not cues and not patterns:
        raise f.fail(key, "needs cues or patterns")
    for i, pattern in enumerate(patterns):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise f.fail(f"{patterns_key}[{i}]", f"not a valid regular expression ({exc})") from exc
    parts = [rf"(?<!\w){_trie_regex(cues)}(?!\w)"] if cues else []
    return re.compile("|".join(parts + [f"(?:{p})" for p in patterns]), re.IGNORECASE)


def _role(name: str, f: Fields) -> Role:
    boxes = f.texts("boxes", min_items=1) if "boxes" in f.data else ()
    for box in boxes:
        if box not in FIELD_KEYS:
            raise f.fail("boxes", f"unknown box {box!r}; known: {', '.join(FIELD_KEYS)}")
    return Role(name, _cue_regex(f), f.flag("negatable", False), f.text("about", ""), boxes,
                f.text("counts_as") if "counts_as" in f.data else "")


def _needs(f: Fields, key: str, roles: dict[str, Role]) -> tuple[tuple[Need, ...], ...]:
    if key not in f.data:
        return ()
    value = f.data[key]
    if not isinstance(value, list) or not all(isinstance(c, list) and c for c in value):
        raise f.fail(key, "expected a list of role lists, e.g. [[\"actor\", \"pain\"]]")
    combos = []
    for i, combo in enumerate(value):
        needs = []
        for item in combo:
            text = str(item)
            absent = text.startswith("!")
            if absent and not f.flag("same_sentence", False):
                raise f.fail(f"{key}[{i}]", "a '!role' needs \"same_sentence\": true")
            role, _, field = text.lstrip("!").partition("@")
            if role != "text" and role not in roles:
                raise f.fail(f"{key}[{i}]", f"unknown role {role!r}")
            if field and field not in FIELD_KEYS:
                raise f.fail(f"{key}[{i}]", f"unknown field {field!r} (known: {', '.join(FIELD_KEYS)})")
            needs.append(Need(role, field or None, absent))
        combos.append(tuple(needs))
    return tuple(combos)


def _criterion(f: Fields, roles: dict[str, Role], weights: Fields) -> CriterionSpec:
    key = f.text("key")
    reads = f.texts("reads")
    for field in reads:
        if field not in FIELD_KEYS:
            raise f.fail("reads", f"unknown field {field!r} (known: {', '.join(FIELD_KEYS)})")
    advice_f = f.object("advice")
    advice = {"partial": advice_f.text("partial"), "missing": advice_f.text("missing")}
    met, partial = _needs(f, "met", roles), _needs(f, "partial", roles)
    distinct_roles: tuple[str, ...] = ()
    distinct_kinds: tuple[str, ...] = ()
    met_distinct = partial_distinct = 0
    fallback: str | None = None
    if "distinct" in f.data:
        d = f.object("distinct")
        distinct_roles = d.texts("roles", min_items=0) if "roles" in d.data else ()
        distinct_kinds = d.texts("kinds", min_items=0) if "kinds" in d.data else ()
        if bool(distinct_roles) == bool(distinct_kinds):
            raise d.fail("roles", "give either roles (count distinct matches) or kinds (count roles found)")
        for name in distinct_roles + distinct_kinds:
            if name not in roles:
                raise d.fail("roles", f"unknown role {name!r}")
        met_distinct, partial_distinct = int(d.number("met")), int(d.number("partial"))
        if "fallback" in d.data:
            fallback = d.text("fallback")
            if fallback not in roles or not distinct_kinds:
                raise d.fail("fallback", f"a fallback needs kinds and a known role, not {fallback!r}")
    elif not met:
        raise f.fail("met", "a criterion needs 'met' role combinations or 'distinct'")
    quote = f.texts("quote", min_items=0) if "quote" in f.data else ()
    for name in quote:
        if name not in roles:
            raise f.fail("quote", f"unknown role {name!r}")
    caution, caution_advice = None, ""
    if "caution" in f.data:
        c = f.object("caution")
        caution = c.text("role")
        if caution not in roles:
            raise c.fail("role", f"unknown role {caution!r}")
        caution_advice = c.text("advice")
    return CriterionSpec(
        key=key, title=f.text("title"), reads=reads, met=met, partial=partial,
        same_sentence=f.flag("same_sentence", False), distinct_roles=distinct_roles,
        distinct_kinds=distinct_kinds, met_distinct=met_distinct, partial_distinct=partial_distinct,
        quote=quote, weight=int(weights.number(key, 1)), advice=advice, caution=caution,
        caution_advice=caution_advice, fallback=fallback,
    )


_MESSAGES = ("all_empty", "field_empty", "field_short", "truncated", "copied", "copied_statement", "not_prose",
             "no_letters", "no_sentences", "questions")


def _parse_rubric(data: object, label: str) -> Rubric:
    f = Fields(data, label)
    roles_f = f.object("roles")
    roles = {name: _role(name, roles_f.object(name)) for name in roles_f.data}
    for role in roles.values():
        if role.counts_as and role.counts_as not in roles:
            raise roles_f.object(role.name).fail("counts_as", f"unknown role {role.counts_as!r}")
    weights = f.object("weights")
    criteria = tuple(_criterion(c, roles, weights) for c in f.objects("criteria"))
    keys = [c.key for c in criteria]
    if len(set(keys)) != len(keys):
        raise f.fail("criteria", "criterion keys must be unique")
    pts = f.object("points")
    points = {s: int(pts.number(s)) for s in _STATUSES}
    levels = tuple(
        (lv.number("min_share"), lv.text("title"), lv.text("message")) for lv in f.objects("levels")
    )
    if min(share for share, _, _ in levels) != 0:
        raise f.fail("levels", "one level needs min_share 0")
    checks = f.object("checks")
    msgs = f.object("messages")
    negation = f.texts("negation")
    read_by: dict[str, set[str]] = {}
    for c in criteria:
        named = {n.role for combo in c.met + c.partial for n in combo}
        named |= {*c.distinct_roles, *c.distinct_kinds, *c.quote} | {r for r in (c.caution, c.fallback) if r}
        for name in named:
            read_by.setdefault(name, set()).update(c.reads)
    role_boxes = {name: frozenset(role.boxes or FIELD_KEYS) & (frozenset(FIELD_KEYS) if name in READER_ROLES
                                                                else frozenset(read_by.get(role.credited, ())))
                  for name, role in roles.items()}
    return Rubric(
        criteria=criteria, roles=roles,
        negation=re.compile(rf"(?<!\w){_trie_regex(negation)}(?!\w)", re.IGNORECASE),
        points=points,
        max_chars=int(f.number("max_chars_checked")), evidence_chars=int(f.number("evidence_chars")),
        levels=tuple(sorted(levels, reverse=True)), fix_first_max=int(f.number("fix_first_max", 3)),
        checks=checks,
        common_words=frozenset(w.lower() for w in checks.texts("common_words")),
        messages={k: msgs.text(k) for k in _MESSAGES},
        human_judgement=f.texts("human_judgement"), scope_note=f.text("scope_note"), role_boxes=role_boxes,
    )


def _parse_exercise(data: object, label: str) -> Exercise:
    f = Fields(data, label)
    fields = tuple(
        FieldSpec(x.text("key"), x.text("label"), x.flag("required"), x.text("placeholder"), x.text("help"))
        for x in f.objects("fields")
    )
    if tuple(x.key for x in fields) != FIELD_KEYS:
        raise f.fail("fields", f"expected the fields {', '.join(FIELD_KEYS)} in this order")
    ex = f.object("worked_example")
    example = {key: ex.text(key) for key in FIELD_KEYS}
    pairs = tuple(
        ExamplePair(p.text("aspect"), p.text("weak"), p.text("strong"), p.text("why"))
        for p in f.objects("pairs")
    )
    return Exercise(
        title=f.text("title"), difficulty=f.text("difficulty"), minutes=int(f.number("minutes")),
        instructions=f.text("instructions"), expected_outcome=f.text("expected_outcome"),
        success_criteria=f.texts("success_criteria"), hints=f.texts("hints"), fields=fields,
        worked_example=example, example_industry=ex.text("industry"), example_note=ex.text("note"),
        pairs=pairs,
    )


@lru_cache(maxsize=4)
def _load_rubric(path: str | None) -> Rubric:
    return _parse_rubric(*read_content("rubric.json", path))


@lru_cache(maxsize=4)
def _load_exercise(path: str | None) -> Exercise:
    return _parse_exercise(*read_content("exercise.json", path))


def load_rubric(path: str | Path | None = None) -> Rubric:
    """The shipped rubric (or the one at ``path``), validated; raises ``ContentError``."""
    return _load_rubric(None if path is None else str(path))


def load_exercise(path: str | Path | None = None) -> Exercise:
    """The shipped exercise text (or the one at ``path``), validated; raises ``ContentError``."""
    return _load_exercise(None if path is None else str(path))


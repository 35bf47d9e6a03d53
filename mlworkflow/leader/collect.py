"""Read a folder of exercise submissions and sum them up for the workshop leader.

Every ``.json`` (the exercise's "Export JSON", or a "Submit to the workshop" file) and ``.md``
(the exercise's "Export Markdown") in the folder is read; each statement is re-checked with
:func:`mlworkflow.exercise.assess.assess`, so a submitted score counts for nothing. Files that are not
usable submissions are skipped and listed with the reason, never raised: invalid JSON, wrong
types, empty boxes, earlier submissions and copies, huge or binary files, links and sub-folders.
Files that cannot be read at all (another user's file without read permission, say) are listed
apart, as ``unreadable``, with the owner and permissions, because a statement is missing.

Each submission is matched to a learner by the file's owner (the account that wrote it) and the
learner id inside it, never by what the file says alone (see :mod:`mlworkflow.leader.identity`),
and keeps when it came in as the file system says (its modification time).

    >>> summary = collect("/srv/shared/workshop")
    >>> print(summary.text())                      # counts, per-check bars, gaps, skipped files
    >>> render_summary_html(summary)               # from mlworkflow.leader.report
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from mlworkflow.core.text import clean_text
from mlworkflow.exercise.assess import Assessment, assess
from mlworkflow.exercise.rubric import FIELD_KEYS, REQUIRED_FIELDS, load_exercise, load_rubric
from mlworkflow.exercise.submit import SUBMISSION_FORMAT, SUBMISSION_VERSION
from mlworkflow.leader.identity import match_submissions

__all__ = [
    "MAX_BYTES",
    "ClassSummary",
    "CollectError",
    "CriterionCount",
    "Example",
    "Gap",
    "Skipped",
    "Submission",
    "collect",
    "parse_submission",
]

MAX_BYTES = 1_000_000  # a statement is a few KB; anything this big is not one
EXCERPT_CHARS = 220
# core.text.md_escape backslash-escapes ASCII punctuation; CommonMark lets any of it be escaped
_MD_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class CollectError(Exception):
    """The folder itself cannot be read; the message says why."""


class _Skip(Exception):
    """This file is not a usable submission; the message is the reason shown to the leader."""


class _Unreadable(_Skip):
    """This file could not be read at all, so whatever it holds is missing from the summary."""


@dataclass(frozen=True)
class Submission:
    """One learner's statement, re-checked, with who wrote the file and when it came in."""

    file: str
    name: str | None
    learner_id: str | None
    when: float  # what the file says (submitted_at), else its modification time; POSIX seconds
    statement: dict[str, str]
    assessment: Assessment
    modified: float = 0.0  # when it came in, as the file system says (the file's modification time)
    owner: int | None = None  # the account (uid) that owns the file; None where there are none
    digest: str = ""  # SHA-256 of the file's bytes
    notes: tuple[str, ...] = ()  # flags for the leader: "same text as ...", a shared learner id

    @property
    def claimed(self) -> bool:
        """The file gives a time of its own (``submitted_at``) that differs from when it came in."""
        return abs(self.when - self.modified) >= 60


@dataclass(frozen=True)
class Skipped:
    """A file that is not counted, and why; ``unreadable`` when it could not be read at all."""

    file: str
    reason: str
    unreadable: bool = False


@dataclass(frozen=True)
class CriterionCount:
    key: str
    title: str
    met: int
    partial: int
    missing: int


@dataclass(frozen=True)
class Example:
    """Words from one submission; ``name`` is shown only when the leader asks for names."""

    text: str
    name: str | None
    field: str = ""  # the box they came from (a label), if any


@dataclass(frozen=True)
class Gap:
    """A rubric check many statements miss, with the rubric's advice and one example each way."""

    key: str
    title: str
    missing: int
    partial: int
    advice: str
    example: Example | None  # what a statement with this gap said
    good_example: Example | None  # what a statement that met it said


@dataclass(frozen=True)
class ClassSummary:
    """What :func:`collect` found; render it with :mod:`mlworkflow.leader.report`."""

    folder: str
    submissions: tuple[Submission, ...]
    skipped: tuple[Skipped, ...]
    criteria: tuple[CriterionCount, ...]
    levels: tuple[tuple[str, int], ...]
    gaps: tuple[Gap, ...]
    strong: tuple[Submission, ...]
    unreadable: tuple[Skipped, ...] = ()  # files that could not be read: their statements are missing

    @property
    def submitted(self) -> int:
        return len(self.submissions)

    @property
    def complete(self) -> bool:
        """At least one statement was read, and every file in the folder could be read."""
        return bool(self.submissions) and not self.unreadable

    def text(self, *, show_names: bool = False) -> str:
        """Plain text: counts, each check's met / partly / missing, the gaps and skipped files."""
        from mlworkflow.leader.report import render_summary_text

        return render_summary_text(self, show_names=show_names)


# ------------------------------------------------------------------------- reading files


def _type_name(value: object) -> str:
    return {bool: "true/false", int: "a number", float: "a number", list: "a list", dict: "an object",
            type(None): "null"}.get(type(value), type(value).__name__)


def _when(value: object) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        stamp = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)).timestamp()


def _from_json(text: str) -> tuple[dict[str, Any], str | None, str | None, float | None]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Skip(f"not valid JSON (line {exc.lineno}, column {exc.colno})") from None
    except (ValueError, RecursionError):
        raise _Skip("not valid JSON (too deeply nested or an impossible number)") from None
    if not isinstance(data, dict):
        raise _Skip(f"not an exercise submission: the file holds {_type_name(data)}, not an object")
    fmt = data.get("format")
    if fmt is not None and fmt != SUBMISSION_FORMAT:
        raise _Skip("not an exercise submission (another kind of mlworkflow file)")
    version = data.get("version")
    if fmt is not None and isinstance(version, int) and version > SUBMISSION_VERSION:
        raise _Skip("written by a newer version of the course: update mlworkflow to read it")
    boxes = data.get("statement", data.get("fields"))
    if boxes is None:
        raise _Skip("not an exercise submission: no “statement” in it")
    if not isinstance(boxes, dict):
        raise _Skip(f"“statement” should be an object of texts, but is {_type_name(boxes)}")
    statement: dict[str, Any] = {}
    for key in FIELD_KEYS:
        value = boxes.get(key)
        if value is not None and not isinstance(value, str):
            raise _Skip(f"the “{key}” box should be text, but is {_type_name(value)}")
        statement[key] = value or ""
    name = data.get("name")
    name = (" ".join(clean_text(name).split())[:80] or None) if isinstance(name, str) else None
    learner = data.get("learner_id")
    learner = learner if isinstance(learner, str) and _ID.match(learner) else None
    return statement, name, learner, _when(data.get("submitted_at"))


def _from_markdown(text: str) -> dict[str, Any]:
    """The boxes of an "Export Markdown" file: ``## <label>`` then ``> `` quoted paragraphs."""
    labels = {load_exercise().field(k).label: k for k in FIELD_KEYS}
    statement = dict.fromkeys(FIELD_KEYS, "")
    current: str | None = None
    found = False
    for line in text.splitlines():
        if line.startswith("## "):
            heading = _MD_ESCAPED.sub(r"\1", line[3:].strip())
            if heading == "Feedback":
                break
            current = labels.get(heading)
            found |= current is not None
        elif current and line.startswith("> "):
            para = _MD_ESCAPED.sub(r"\1", line[2:])
            statement[current] = f"{statement[current]}\n{para}" if statement[current] else para
    if not found:
        raise _Skip("not an exercise export: no statement boxes found in this Markdown")
    return statement


def _owner_name(uid: int) -> str:
    try:
        import pwd
    except ImportError:  # pragma: no cover - Windows has no Unix accounts
        return str(uid)
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"user {uid}"


def _unreadable(path: Path, exc: OSError) -> _Unreadable:
    """The reason a file could not be read, with its owner and permissions when they can be seen."""
    reason = f"could not be read ({exc.strerror or exc})"
    try:
        info = os.lstat(path)
    except OSError:
        return _Unreadable(reason)
    who = f"owned by {_owner_name(info.st_uid)}, " if hasattr(os, "getuid") else ""
    hint = ""
    if isinstance(exc, PermissionError):
        hint = ": its owner has not let you read it"
    return _Unreadable(f"{reason}{hint} ({who}permissions {stat.filemode(info.st_mode)})")


def _read_bytes(path: Path) -> tuple[bytes, os.stat_result]:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _unreadable(path, exc) from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise _Skip("not a regular file")
        if info.st_size > MAX_BYTES:
            raise _Skip(f"too large to be a statement ({info.st_size:,} bytes)")
        try:
            data = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise _unreadable(path, exc) from None
    if len(data) > MAX_BYTES:
        raise _Skip("too large to be a statement")
    return data, info


def parse_submission(path: str | os.PathLike[str]) -> Submission:
    """Read and re-check one submission file; ``ValueError`` with the reason if it is not usable."""
    try:
        return _parse(Path(path))
    except _Skip as exc:
        raise ValueError(str(exc)) from None


def _parse(path: Path) -> Submission:
    suffix = path.suffix.lower()
    if suffix not in (".json", ".md"):
        raise _Skip("not a submission: only .json and .md exercise exports are read")
    data, info = _read_bytes(path)
    if not data.strip():
        raise _Skip("empty file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _Skip("not text (binary data, or not UTF-8)") from None
    if suffix == ".json":
        raw, name, learner, when = _from_json(text)
    else:
        raw, name, learner, when = _from_markdown(text), None, None, None
    statement = {k: clean_text(v) for k, v in raw.items()}
    if not any(statement[k].strip() for k in REQUIRED_FIELDS):
        raise _Skip("empty: the problem, outcome and data boxes are all blank")
    result = assess(statement["problem"], statement["outcome"], statement["data_sources"],
                    **{k: statement[k] for k in FIELD_KEYS if k not in REQUIRED_FIELDS})
    owner = info.st_uid if hasattr(os, "getuid") else None
    return Submission(path.name, name, learner, info.st_mtime if when is None else when, statement, result,
                      modified=info.st_mtime, owner=owner, digest=hashlib.sha256(data).hexdigest())


def _read_folder(folder: Path) -> tuple[list[Submission], list[Skipped]]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        raise CollectError(f"the folder {folder} does not exist") from None
    except NotADirectoryError:
        raise CollectError(f"{folder} is a file, not a folder") from None
    except OSError as exc:
        raise CollectError(f"cannot read the folder {folder}: {exc.strerror or exc}") from None
    found, skipped = [], []
    for entry in entries:
        if entry.name.startswith("."):
            continue  # hidden files, checkpoints, half-written temporary files
        try:
            if entry.is_symlink():
                raise _Skip("a link, not a file (links are not followed)")
            if entry.is_dir(follow_symlinks=False):
                raise _Skip("a folder (sub-folders are not read)")
            found.append(_parse(Path(entry.path)))
        except _Skip as exc:
            skipped.append(Skipped(entry.name, str(exc), unreadable=isinstance(exc, _Unreadable)))
        except OSError as exc:
            skipped.append(Skipped(entry.name, str(_unreadable(Path(entry.path), exc)), unreadable=True))
    return found, skipped


def _match(found: list[Submission]) -> tuple[list[Submission], list[Skipped]]:
    """Each learner's latest submission, with notes; earlier ones and same-owner copies as skipped."""
    kept, dropped, notes = match_submissions(found)
    kept = [dataclasses.replace(s, notes=s.notes + notes[s.file]) if s.file in notes else s for s in kept]
    return kept, [Skipped(file, reason) for file, reason in dropped]


# ------------------------------------------------------------------------- summing up

def _excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _gap(spec: Any, subs: list[Submission], labels: dict[str, str]) -> Gap:
    judged = [(s, s.assessment.criterion(spec.key)) for s in subs]
    short = [(s, c) for s, c in judged if c.status != "met"]
    advice = next((c.advice for _, c in short if c.status == "missing"), short[0][1].advice)
    example = None
    # a flagged phrase ("use AI", "accuracy") is the most instructive example of a gap
    for s, _judged in sorted(short, key=lambda sc: not sc[1].flagged):
        key = next((k for k in spec.reads if s.statement[k].strip()), None)
        if key is not None:
            example = Example(_excerpt(s.statement[key]), s.name, labels[key])
            break
    good = next((Example(_excerpt(c.evidence[0]), s.name) for s, c in judged
                 if c.status == "met" and c.evidence), None)
    return Gap(spec.key, spec.title, sum(c.status == "missing" for _, c in short),
               sum(c.status == "partial" for _, c in short), advice, example, good)


def collect(folder: str | os.PathLike[str], *, gaps: int = 5, strong: int = 5) -> ClassSummary:
    """Read every submission in ``folder`` and sum them up; only an unreadable folder raises.

    Files that could not be read are in ``summary.unreadable`` (by name, with the reason), and
    ``summary.complete`` is false when any were, or when no statement was read at all.
    ``gaps`` and ``strong`` cap how many common gaps and strong statements are listed.
    """
    root = Path(folder).expanduser()
    found, skipped = _read_folder(root)
    subs, dupes = _match(found)
    rubric, exercise = load_rubric(), load_exercise()
    labels = {f.key: f.label for f in exercise.fields}
    counts = []
    for spec in rubric.criteria:
        statuses = [s.assessment.criterion(spec.key).status for s in subs]
        counts.append(CriterionCount(spec.key, spec.title, statuses.count("met"),
                                     statuses.count("partial"), statuses.count("missing")))
    order = {spec.key: i for i, spec in enumerate(rubric.criteria)}
    ranked = sorted((c for c in counts if c.missing + c.partial),
                    key=lambda c: (-(c.missing + c.partial), -c.missing, order[c.key]))
    specs = {spec.key: spec for spec in rubric.criteria}
    top_level = rubric.levels[0][1]
    best = sorted((s for s in subs if s.assessment.level == top_level),
                  key=lambda s: (-s.assessment.score, s.when, s.file))
    return ClassSummary(
        folder=str(root), submissions=tuple(subs),
        skipped=tuple(sorted((k for k in skipped + dupes if not k.unreadable), key=lambda k: k.file)),
        unreadable=tuple(sorted((k for k in skipped if k.unreadable), key=lambda k: k.file)),
        criteria=tuple(counts),
        levels=tuple((title, sum(s.assessment.level == title for s in subs)) for _, title, _ in rubric.levels),
        gaps=tuple(_gap(specs[c.key], subs, labels) for c in ranked[:gaps]),
        strong=tuple(best[:strong]),
    )

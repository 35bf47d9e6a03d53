"""Who handed in what: match submissions to learners in a way a classmate cannot forge.

A submission file says who wrote it (a name and a ``learner_id``) and when, but a classmate can
type anything into a file. What they cannot forge on a shared hub is which account owns the
file they wrote, and the file's bytes. So a learner is the file's **owner** plus the
``learner_id`` inside it (or, for an export without an id, the file itself):

* a resubmission by the same owner with the same id replaces the earlier one;
* an exact copy, or the same statement without an id, from the same owner counts once;
* the same id from another account is kept and flagged on both (one may be a copy);
* the same text from different learners (pairs) counts for each, flagged "same text as ...".

Nothing a classmate writes can make another learner's statement disappear from the summary.
Where every file has one owner (files copied into a folder by hand), the id inside each file
is all there is to go on.

    >>> kept, dropped, notes = match_submissions(found)
    >>> dropped      # [(file, reason), ...]; notes: {file: ("same text as ana.json",), ...}
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import Protocol, TypeVar

__all__ = ["match_submissions", "same_text_key"]


class _Sub(Protocol):
    """What matching reads from a :class:`~mlworkflow.leader.collect.Submission`."""

    @property
    def file(self) -> str: ...
    @property
    def learner_id(self) -> str | None: ...
    @property
    def owner(self) -> int | None: ...
    @property
    def when(self) -> float: ...
    @property
    def modified(self) -> float: ...
    @property
    def digest(self) -> str: ...
    @property
    def statement(self) -> dict[str, str]: ...


S = TypeVar("S", bound=_Sub)


def same_text_key(statement: dict[str, str]) -> tuple[str, ...]:
    """The statement with case and spacing ignored: two statements with one key say the same."""
    return tuple(" ".join(statement[k].casefold().split()) for k in sorted(statement))


def _files(subs: Sequence[_Sub]) -> str:
    return ", ".join(s.file for s in subs)


def match_submissions(
    found: Sequence[S],
) -> tuple[list[S], list[tuple[str, str]], dict[str, tuple[str, ...]]]:
    """The submissions to count (in order of submission), the rest, and notes for the leader.

    The rest are ``(file, reason)`` pairs: earlier submissions and copies by the same owner.
    The notes flag a learner id used by two accounts and the same text from different learners.
    """
    order = sorted(found, key=lambda s: (s.when, s.modified, s.file))
    dropped: list[tuple[str, str]] = []

    # 1. One owner, one learner id: the latest submission replaces the earlier ones (of exact
    #    copies of it, the first one is kept).
    groups: dict[Hashable, list[S]] = defaultdict(list)
    for s in order:
        groups[(s.owner, "id", s.learner_id) if s.learner_id else (s.owner, "file", s.file)].append(s)
    kept = []
    for group in groups.values():
        last = next(s for s in group if s.digest == group[-1].digest)
        kept.append(last)
        for s in group:
            if s is not last:
                dropped.append((s.file, f"an exact copy of {last.file}" if s.digest == last.digest
                                else f"an earlier submission from the same learner (kept {last.file})"))
    kept.sort(key=lambda s: (s.when, s.modified, s.file))

    # 2. A file without a learner id (an export) that says the same as another file of the same
    #    owner is that learner's second copy; with an id to tell them apart, they are two learners.
    first: dict[Hashable, S] = {}
    for s in sorted(kept, key=lambda s: (s.learner_id is None, s.modified, s.file)):
        key = (s.owner, same_text_key(s.statement))
        if key not in first:
            first[key] = s
            continue
        other = first[key]
        if s.learner_id is None:
            why = "an exact copy" if s.digest == other.digest else "the same statement"
            dropped.append((s.file, f"{why} as {other.file}, from the same account and with no learner id"))
    gone = {file for file, _ in dropped}
    kept = [s for s in kept if s.file not in gone]

    # 3. Flags: the same learner id from different accounts; the same text from different learners.
    notes: dict[str, list[str]] = defaultdict(list)
    by_id: dict[str, list[S]] = defaultdict(list)
    by_text: dict[tuple[str, ...], list[S]] = defaultdict(list)
    for s in kept:
        if s.learner_id:
            by_id[s.learner_id].append(s)
        by_text[same_text_key(s.statement)].append(s)
    for group in by_id.values():
        if len({s.owner for s in group}) > 1:
            for s in group:
                notes[s.file].append(f"the same learner id as {_files([o for o in group if o is not s])}, "
                                     "but written by another account: one of them may be a copy")
    for group in by_text.values():
        if len(group) > 1:
            for s in group:
                notes[s.file].append(f"same text as {_files([o for o in group if o is not s])}")
    return kept, dropped, {file: tuple(said) for file, said in notes.items()}

"""Tests for mlworkflow.core.progress: atomic, merged, versioned saves that survive damage and races."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time

import pytest

from mlworkflow.core import progress
from mlworkflow.core.progress import FILE_NAME, ProgressError, ProgressStore, ProgressWarning


@pytest.fixture
def store(tmp_path):
    return ProgressStore(home=tmp_path / "home")


def test_nothing_saved_loads_empty_without_creating_anything(store):
    assert store.load("exercise") == {}
    assert not store.home.exists()


def test_home_defaults_to_environment_then_user_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("MLWORKFLOW_HOME", str(tmp_path))
    assert ProgressStore().home == tmp_path
    monkeypatch.delenv("MLWORKFLOW_HOME")
    assert ProgressStore().home.name == ".mlworkflow"


def test_save_creates_home_and_round_trips_any_text(store):
    value = {"problem": "Clients 😀 顧客 عملاء <script>", "rtl": "pay\u202eyas", "n": 3, "nested": {"a": [1]}}
    store.save("exercise", value)
    assert store.load("exercise") == value  # kept as typed: direction marks are dropped only where shown
    on_disk = json.loads(store.path.read_text(encoding="utf-8"))
    assert on_disk["version"] == progress.VERSION and on_disk["format"] == "mlworkflow-progress"


def test_sections_merge_across_store_instances(store):
    other = ProgressStore(home=store.home)
    store.save("exercise", {"problem": "mine"})
    other.save("quiz/problem", {"answers": [1, 2]})
    store.save("exercise", {"problem": "mine, edited"})
    assert store.load("quiz/problem") == {"answers": [1, 2]}
    assert other.load("exercise") == {"problem": "mine, edited"}
    assert store.sections() == ["exercise", "quiz/problem"]


def test_failed_write_leaves_old_file_whole_and_no_temp_files(store, monkeypatch):
    store.save("exercise", {"problem": "kept"})
    before = store.path.read_bytes()

    def crash(src, dst):
        raise OSError(errno.EIO, "disk went away")

    monkeypatch.setattr(progress.os, "replace", crash)
    with pytest.raises(ProgressError, match="Could not save"):
        store.save("exercise", {"problem": "new"})
    monkeypatch.undo()
    assert store.path.read_bytes() == before
    assert sorted(p.name for p in store.home.iterdir()) == [FILE_NAME, f"{FILE_NAME}.lock"]


@pytest.mark.parametrize("garbage", [b"{not json", b"\xff\xfe\x00", b"[1, 2]", b'{"sections": []}'])
def test_corrupt_file_is_moved_aside_on_save_and_new_answer_kept(store, garbage):
    store.home.mkdir()
    store.path.write_bytes(garbage)
    with pytest.warns(ProgressWarning, match="damaged") as record:
        store.save("exercise", {"problem": "new"})
    moved = [p for p in store.home.iterdir() if ".damaged-" in p.name]
    assert len(moved) == 1 and moved[0].read_bytes() == garbage
    assert str(moved[0]) in str(record[0].message)
    assert store.load("exercise") == {"problem": "new"}


def test_corrupt_file_is_moved_aside_on_load(store):
    store.home.mkdir()
    store.path.write_text("{oops", encoding="utf-8")
    with pytest.warns(ProgressWarning, match="moved to"):
        assert store.load("exercise") == {}
    assert not store.path.exists()
    assert any(".damaged-" in p.name for p in store.home.iterdir())


def test_file_from_newer_version_is_never_overwritten(store):
    store.home.mkdir()
    newer = json.dumps({"format": "mlworkflow-progress", "version": 99, "sections": {}})
    store.path.write_text(newer, encoding="utf-8")
    with pytest.raises(ProgressError, match="newer version"):
        store.load("exercise")
    with pytest.raises(ProgressError, match="newer version"):
        store.save("exercise", {"x": 1})
    assert store.path.read_text(encoding="utf-8") == newer


def test_home_that_is_a_file_gives_a_plain_error(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    for home in (blocker, blocker / "inside"):
        with pytest.raises(ProgressError, match="MLWORKFLOW_HOME") as info:
            ProgressStore(home=home).save("exercise", {"a": 1})
        assert "Traceback" not in str(info.value)
        assert ProgressStore(home=home).load("exercise") == {}


def test_read_only_folder_gives_a_plain_error(store, monkeypatch):
    store.save("exercise", {"a": 1})

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(progress.tempfile, "mkstemp", read_only)
    with pytest.raises(ProgressError, match="read-only"):
        store.save("exercise", {"a": 2})
    monkeypatch.undo()
    assert store.load("exercise") == {"a": 1}


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs POSIX permissions, not root")
def test_really_read_only_home(store):  # pragma: no cover - CI often runs as root
    store.save("exercise", {"a": 1})
    os.chmod(store.home, 0o500)
    try:
        with pytest.raises(ProgressError, match="read-only"):
            store.save("exercise", {"a": 2})
        assert store.load("exercise") == {"a": 1}
    finally:
        os.chmod(store.home, 0o700)


def test_bad_arguments_are_programming_errors(store):
    with pytest.raises(ValueError):
        store.save("", {})
    with pytest.raises(TypeError):
        store.save("exercise", ["not", "a", "dict"])  # type: ignore[arg-type]


def test_export_writes_atomically_into_exports(store, tmp_path):
    path = store.export("statement.md", "# Hi 🚀\n")
    assert path == store.home / "exports" / "statement.md"
    assert path.read_text(encoding="utf-8") == "# Hi 🚀\n"
    absolute = store.export(tmp_path / "out" / "s.json", "{}")
    assert absolute.read_text() == "{}"
    (tmp_path / "file").write_text("x")
    with pytest.raises(ProgressError, match="Could not write"):
        store.export(tmp_path / "file" / "s.md", "x")


_WORKER = textwrap.dedent("""
    import sys
    from mlworkflow.core.progress import ProgressStore
    home, section, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = ProgressStore(home=home)
    for i in range(rounds):
        store.save(section, {"round": i, "text": section * 50})
""")


def test_two_processes_saving_different_sections_both_survive(tmp_path):
    home, rounds = tmp_path / "shared", 40
    procs = [
        subprocess.Popen([sys.executable, "-c", _WORKER, str(home), section, str(rounds)],
                         stderr=subprocess.PIPE, text=True)
        for section in ("exercise", "quiz/problem")
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    store = ProgressStore(home=home)
    assert store.load("exercise")["round"] == rounds - 1
    assert store.load("quiz/problem")["round"] == rounds - 1
    assert not [p for p in home.iterdir() if p.suffix == ".tmp" or ".damaged-" in p.name]


def test_conftest_keeps_tests_out_of_the_real_home():
    assert os.environ["MLWORKFLOW_HOME"].startswith(tempfile.gettempdir())


def test_files_written_for_someone_else_honour_the_umask(tmp_path):
    from mlworkflow.core.progress import atomic_write

    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "private.json", "{}")
        atomic_write(tmp_path / "shared.json", "{}", shared=True)
        os.umask(0o027)
        atomic_write(tmp_path / "group.json", "{}", shared=True)
    finally:
        os.umask(old)
    assert (tmp_path / "private.json").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "shared.json").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "group.json").stat().st_mode & 0o777 == 0o640


# -- safe text, odd files, links, temporary files (issue 13) ------------------------------------
def _write_raw(store, data) -> None:
    store.home.mkdir(parents=True, exist_ok=True)
    store.path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")


def _beside(store, kind):
    return sorted(p for p in store.home.iterdir() if f".{kind}-" in p.name)


def test_lone_surrogates_and_nuls_are_replaced_on_save_and_on_load(store):
    store.save("apply/data", {"answer": "a\ud800b\x00c", "pair": "\ud83d\ude00", "k\udfff": ["\ud800"]})
    assert store.load("apply/data") == {"answer": "a\ufffdb\ufffdc", "pair": "😀", "k\ufffd": ["\ufffd"]}
    # a file written before this fix (JSON escapes of a lone surrogate) loads safely too
    _write_raw(store, '{"format": "mlworkflow-progress", "version": 1, '
                      '"sections": {"apply/data": {"answer": "x\\ud800y\\u0000"}}}')
    assert store.load("apply/data") == {"answer": "x\ufffdy\ufffd"}
    store.load("apply/data")["answer"].encode("utf-8")


def test_nested_too_deeply_is_a_programming_error_on_save(store):
    deep: dict = {}
    for _ in range(progress.MAX_DEPTH + 1):
        deep = {"d": deep}
    with pytest.raises(ValueError, match="nested"):
        store.save("exercise", deep)


@pytest.mark.parametrize("version", [None, "1", 1.0, True, 0, -3, [1]])
def test_a_missing_or_odd_version_is_copied_aside_not_called_newer(store, version):
    data = {"format": "mlworkflow-progress", "sections": {"exercise": {"problem": "kept"}}}
    if version is not None:
        data["version"] = version
    _write_raw(store, data)
    original = store.path.read_bytes()
    with pytest.warns(ProgressWarning, match="version") as record:
        assert store.load("exercise") == {"problem": "kept"}
    (copy,) = _beside(store, "set-aside")
    assert copy.read_bytes() == original and str(copy) in str(record[0].message)
    store.save("quiz/problem", {"answers": {}})  # saving works at once
    on_disk = json.loads(store.path.read_text(encoding="utf-8"))
    assert on_disk["version"] == progress.VERSION and set(on_disk["sections"]) == {"exercise", "quiz/problem"}


def test_a_section_that_is_not_an_object_is_copied_aside_on_the_next_save(store):
    _write_raw(store, {"format": "mlworkflow-progress", "version": 1,
                       "sections": {"exercise": ["typed", "once"], "apply/data": {"answer": "ok"}}})
    with pytest.warns(ProgressWarning, match="'exercise' was a list") as record:
        store.save("apply/data", {"answer": "new"})
    (copy,) = _beside(store, "set-aside")
    assert json.loads(copy.read_text())["sections"]["exercise"] == ["typed", "once"]
    assert str(copy) in str(record[0].message)
    assert store.load("apply/data") == {"answer": "new"} and store.sections() == ["apply/data"]


def test_deeply_nested_json_is_moved_aside_not_a_recursion_error(store):
    _write_raw(store, '{"format": "mlworkflow-progress", "version": 1, "sections": {"a": '
                      + "[" * 200_000 + "]" * 200_000 + "}}")
    with pytest.warns(ProgressWarning, match="nested too deeply"):
        store.save("exercise", {"problem": "new"})
    assert len(_beside(store, "damaged")) == 1 and store.load("exercise") == {"problem": "new"}


def test_load_never_takes_the_lock_for_a_sound_file(store, monkeypatch):
    store.save("exercise", {"problem": "mine"})

    def no_lock(*args, **kwargs):
        raise AssertionError("load took the lock")

    monkeypatch.setattr(progress, "_locked", no_lock)
    assert store.load("exercise") == {"problem": "mine"}


def test_a_short_wait_gives_up_quickly_and_changes_nothing(store):
    store.save("exercise", {"problem": "mine"})
    with progress._locked(store.home / f"{FILE_NAME}.lock"):
        start = time.monotonic()
        with pytest.raises(progress.ProgressBusy, match="Another notebook"):
            store.save("exercise", {"problem": "new"}, wait=0.1)
        assert time.monotonic() - start < 1
        assert store.load("exercise") == {"problem": "mine"}  # a load does not wait at all


def test_keep_copy_keeps_the_old_file_and_names_it(store):
    store.save("exercise", {"problem": "old"})
    with pytest.warns(ProgressWarning, match="chose to start fresh") as record:
        store.save("exercise", {"problem": "new"}, keep_copy="you chose to start fresh")
    (copy,) = _beside(store, "set-aside")
    assert json.loads(copy.read_text())["sections"]["exercise"] == {"problem": "old"}
    assert str(copy) in str(record[0].message) and store.load("exercise") == {"problem": "new"}


def test_stale_temp_files_are_removed_by_the_next_save(store):
    store.save("exercise", {"problem": "one"})
    stale = [store.home / f".{FILE_NAME}.crash{i}.tmp" for i in range(3)]
    for p in stale:
        p.write_text('{"half": ')
    other = store.home / ".export.md.x.tmp"  # another file's temporary file is not the store's business
    other.write_text("x")
    store.save("exercise", {"problem": "two"})
    assert not any(p.exists() for p in stale) and other.exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_store_lock_and_copies_are_private(store):
    old = os.umask(0o000)
    try:
        store.save("exercise", {"a": 1})
        with pytest.warns(ProgressWarning, match="copy"):
            store.save("exercise", {"a": 2}, keep_copy="a test")
    finally:
        os.umask(old)
    for p in [store.path, store.home / f"{FILE_NAME}.lock", *_beside(store, "set-aside")]:
        assert p.stat().st_mode & 0o777 == 0o600, p


def test_a_linked_store_is_written_through_atomically(store, tmp_path):
    synced = tmp_path / "synced"
    synced.mkdir()
    target = synced / "answers.json"
    ProgressStore(home=synced).save("quiz/problem", {"answers": {}})
    os.replace(synced / FILE_NAME, target)
    store.home.mkdir()
    store.path.symlink_to(target)
    store.save("exercise", {"problem": "through the link"})
    assert store.path.is_symlink() and os.readlink(store.path) == str(target)
    assert json.loads(target.read_text())["sections"]["exercise"] == {"problem": "through the link"}
    assert store.load("quiz/problem") == {"answers": {}}
    assert (synced / "answers.json.lock").exists() and not (store.home / f"{FILE_NAME}.lock").exists()
    assert not list(synced.glob("*.tmp")) and not list(store.home.glob("*.tmp"))


def test_a_dangling_link_is_refused_and_nothing_is_created(store, tmp_path):
    store.home.mkdir()
    store.path.symlink_to(tmp_path / "gone" / "progress.json")
    for call in (lambda: store.load("exercise"), lambda: store.save("exercise", {"a": 1})):
        with pytest.raises(ProgressError, match="does not exist"):
            call()
    assert not (tmp_path / "gone").exists() and store.path.is_symlink()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to make another user's link")
def test_a_link_made_by_another_user_is_refused(store, tmp_path):
    target = tmp_path / "victim.txt"
    target.write_text("not answers")
    store.home.mkdir()
    store.path.symlink_to(target)
    os.lchown(store.path, 65534, 65534)
    with pytest.raises(ProgressError, match="another user"):
        store.save("exercise", {"a": 1})
    assert target.read_text() == "not answers"


def test_a_linked_lock_file_is_refused_and_its_target_never_created(store, tmp_path):
    store.home.mkdir()
    planted = tmp_path / "planted"
    (store.home / f"{FILE_NAME}.lock").symlink_to(planted)
    with pytest.raises(ProgressError, match="is a link"):
        store.save("exercise", {"a": 1})
    assert not planted.exists() and not store.path.exists()


def test_progress_store_is_public():
    import mlworkflow

    assert mlworkflow.ProgressStore is ProgressStore
    for word in ("Atomic", "Locked", "damaged", "Temporary", "Links", "0600"):
        assert word in ProgressStore.__doc__


def test_names_that_clash_once_made_safe_are_set_aside_not_merged(store):
    _write_raw(store, '{"format": "mlworkflow-progress", "version": 1, "sections": {'
                      '"apply/data": {"a\\ud800": 1, "a\\udfff": 2}, "x\\ud800": {"n": 1}, "x\\udfff": {"n": 2}}}')
    with pytest.warns(ProgressWarning, match="same once made safe") as record:
        store.save("exercise", {"problem": "new"})
    assert "named 'x\ufffd' once made safe" in str(record[0].message)
    (copy,) = _beside(store, "set-aside")
    assert "a\\ud800" in copy.read_text() and store.sections() == ["exercise", "x\ufffd"]
    with pytest.raises(ValueError, match="same once made safe"):
        store.save("apply/data", {"a" + chr(0xD800): 1, "a" + chr(0xDFFF): 2})

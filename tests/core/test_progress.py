"""Tests for mlworkflow.core.progress: atomic, merged, versioned saves that survive damage and races."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import tempfile
import textwrap

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
    value = {"problem": "Clients 😀 顧客 عملاء <script>", "odd": "\ud800", "n": 3, "nested": {"a": [1]}}
    store.save("exercise", value)
    assert store.load("exercise") == value
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

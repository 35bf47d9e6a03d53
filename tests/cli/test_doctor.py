"""``mlworkflow doctor``'s checks, one by one."""

from __future__ import annotations

import sys

from mlworkflow.cli import doctor


def test_doctor_reports_missing_package_and_unwritable_home(tmp_path, monkeypatch):
    monkeypatch.setitem(doctor.REQUIRED_PACKAGES, "surely-not-installed-pkg", "testing")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("MLWORKFLOW_HOME", str(blocker / "home"))
    checks = {c.what: c for c in doctor.run_checks(tmp_path / "c")}
    assert checks["surely-not-installed-pkg"].status == "fail"
    assert checks["Saved answers"].status == "fail" and "not writable" in checks["Saved answers"].detail


def test_doctor_warns_when_no_graphviz(monkeypatch):
    monkeypatch.setenv("MLWORKFLOW_GRAPHVIZ", "none")
    check = doctor.check_graphviz()
    assert check.status == "warn" and "shown as text" in check.detail


def test_python_and_notebooks_are_found_here():
    assert doctor.check_python().detail == "Python " + ".".join(map(str, sys.version_info[:3]))
    notebooks = doctor.check_notebooks()
    assert notebooks.status == "ok" and notebooks.detail.endswith("notebooks found")


def test_a_folder_check_changes_nothing(tmp_path):
    missing = tmp_path / "not" / "yet"
    assert doctor.check_folder("Course folder", missing, "fix").status == "ok"
    assert not (tmp_path / "not").exists()
    assert doctor.check_folder("Course folder", tmp_path, "fix").status == "ok"
    assert list(tmp_path.iterdir()) == []  # the probe file is gone
    blocker = tmp_path / "file"
    blocker.write_text("x")
    check = doctor.check_folder("Course folder", blocker / "c", "choose another")
    assert check.status == "fail" and check.fix == "choose another" and "is not a folder" in check.detail

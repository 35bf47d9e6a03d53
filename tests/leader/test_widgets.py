"""``ClassPulse``: the class summary live in the room; every callback goes through the guard."""

from __future__ import annotations

import base64
import logging
import re

from statements import STRONG
from widget_checks import own_callbacks, unguarded

from mlworkflow.leader import widgets as pulse_widgets
from mlworkflow.leader.widgets import ClassPulse


def test_class_pulse_widget_refreshes_and_hides_names(room, tmp_path, put, submit):
    folder = tmp_path / "live"
    folder.mkdir()
    pulse = ClassPulse(folder)
    assert (pulse.submitted, pulse.skipped) == (0, 0) and "0 submitted" in pulse.status
    put(folder, "ana.json", submit("Ana", STRONG, "ana00001"))
    pulse._refresh_button.click()
    assert pulse.submitted == 1 and "Statement A" in pulse._body.value and "Ana" not in pulse._body.value
    pulse._names_box.value = True
    assert "Ana" in pulse._body.value and "Ana" in pulse.text()
    pulse.folder = str(room)  # typing a folder refreshes
    assert (pulse.submitted, pulse.skipped) == (4, 14)
    bundle = pulse._repr_mimebundle_()
    static = (bundle[0] if isinstance(bundle, tuple) else bundle)["text/html"]
    assert "&lt;script&gt;" in static and "<script" not in static
    pulse.folder = str(tmp_path / "missing")
    assert "Could not read the submissions" in pulse.status and pulse.submitted == 4  # last good view kept


def test_class_pulse_folder_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("MLWORKFLOW_SUBMIT_DIR", raising=False)
    assert "Type the folder" in ClassPulse().status
    monkeypatch.setenv("MLWORKFLOW_SUBMIT_DIR", str(tmp_path))
    pulse = ClassPulse()
    assert pulse.folder == str(tmp_path) and pulse._folder_box.value == str(tmp_path)


def test_every_button_and_observer_is_guarded(tmp_path):
    pulse = ClassPulse(tmp_path)
    callbacks = own_callbacks(pulse)
    names = sorted(cb.__name__ for cb in callbacks)
    assert names == ["_folder_changed", "_names_changed", "_on_refresh"]
    assert unguarded(pulse) == []


def test_a_failing_refresh_is_said_in_the_status_line(tmp_path, monkeypatch, caplog):
    pulse = ClassPulse(tmp_path)

    def broken(folder):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(pulse_widgets, "collect", broken)
    with caplog.at_level(logging.ERROR, logger="mlworkflow"):
        pulse._refresh_button.click()  # no exception escapes
    assert "Something went wrong while reading the submissions (RuntimeError)." in pulse.status
    assert 'role="alert"' in pulse._status.value and "disk on fire" not in pulse._status.value
    assert "disk on fire" in caplog.text


def test_class_pulse_says_when_files_could_not_be_read(tmp_path, put, submit, monkeypatch):
    import mlworkflow.leader.collect as collect_module

    put(tmp_path, "ana.json", submit("Ana", STRONG, "ana00001"))
    real_open = collect_module.os.open

    def refuse(path, flags, *args, **kwargs):
        if str(path).endswith("ana.json"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(collect_module.os, "open", refuse)
    pulse = ClassPulse(tmp_path)
    assert "0 submitted, 0 skipped, 1 could not be read" in pulse.status
    assert 'role="alert"' in pulse._status.value and "ana.json" in pulse._body.value


def test_the_summary_is_offered_as_a_download_that_hides_names_unless_shown(tmp_path, put, submit):
    folder = tmp_path / "live"
    folder.mkdir()
    put(folder, "ana.json", submit("Ana", STRONG, "ana00001"))
    pulse = ClassPulse(folder)
    link = re.search(r'download="class-summary.html" href="data:text/html;charset=utf-8;base64,([^"]+)"',
                     pulse._download.value)
    assert link
    page = base64.b64decode(link.group(1)).decode("utf-8")
    assert page.startswith("<!doctype html>") and "Statement A" in page and "Ana" not in page
    pulse._names_box.value = True
    page = base64.b64decode(re.search(r"base64,([^\"]+)", pulse._download.value).group(1)).decode("utf-8")
    assert "Ana" in page

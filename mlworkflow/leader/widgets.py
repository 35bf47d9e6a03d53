"""``ClassPulse``: the class summary live in the room, refreshed with one click.

A thin view over :func:`mlworkflow.leader.collect.collect` and
:func:`mlworkflow.leader.report.summary_fragment_html`: a folder box, a Refresh button, a
"show names" switch (off by default, for the projector) and the summary.

    >>> pulse = ClassPulse("/srv/shared/workshop")   # or $MLWORKFLOW_SUBMIT_DIR
    >>> pulse                                        # in a notebook; click Refresh as work comes in
    >>> print(pulse.text())
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

import ipywidgets as widgets
from traitlets import Bool, Int, Unicode, link, observe

from mlworkflow.core.text import html_escape
from mlworkflow.display.download import download_link
from mlworkflow.exercise.submit import submit_folder
from mlworkflow.leader.collect import ClassSummary, CollectError, collect
from mlworkflow.leader.report import render_summary_html, render_summary_text, summary_fragment_html
from mlworkflow.ui import StaticFallback, guard

__all__ = ["ClassPulse"]


class ClassPulse(StaticFallback, widgets.VBox):
    """How the class is doing on the exercise, from the submissions in ``folder``."""

    folder = Unicode("")
    show_names = Bool(False)
    submitted = Int(0)
    skipped = Int(0)
    status = Unicode("")

    def __init__(self, folder: str | os.PathLike[str] | None = None, *, show_names: bool = False) -> None:
        super().__init__()
        self.summary: ClassSummary | None = None
        self.add_class("mlw-class-pulse")
        self._folder_box = widgets.Text(placeholder="Folder learners submit to", continuous_update=False,
                                        description="Folder:", layout=widgets.Layout(width="32em"))
        self._folder_box.add_class("mlw-pulse-folder")
        self._refresh_button = widgets.Button(description="Refresh", icon="refresh", button_style="primary")
        self._refresh_button.add_class("mlw-pulse-refresh")
        self._names_box = widgets.Checkbox(description="Show names", indent=False).add_class("mlw-pulse-names")
        self._status = widgets.HTML().add_class("mlw-pulse-status")
        self._body = widgets.HTML().add_class("mlw-pulse-summary")
        self._download = widgets.HTML().add_class("mlw-downloads")  # the summary as a page for this computer
        link((self._folder_box, "value"), (self, "folder"))
        link((self._names_box, "value"), (self, "show_names"))
        self._refresh_button.on_click(self._on_refresh)
        bar = widgets.HBox([self._folder_box, self._refresh_button, self._names_box]).add_class("mlw-pulse-bar")
        self.children = (bar, self._status, self._download, self._body)
        chosen = submit_folder(folder)
        self.show_names = show_names
        self.folder = str(chosen) if chosen else ""  # the observer below reads it once
        if not self.folder:
            self._say("Type the folder learners submit to, then click Refresh.")

    def refresh(self) -> ClassSummary | None:
        """Read the folder again and show the summary; a folder that cannot be read is said in the status line."""
        if not self.folder.strip():
            self._say("Type the folder learners submit to, then click Refresh.")
            return None
        try:
            summary = collect(self.folder.strip())
        except CollectError as exc:
            self._say(f"Could not read the submissions: {exc}.", error=True)
            return None
        self.summary = summary
        self.submitted, self.skipped = summary.submitted, len(summary.skipped)
        self._render()
        unread = f", {len(summary.unreadable)} could not be read" if summary.unreadable else ""
        self._say(f"{summary.submitted} submitted, {len(summary.skipped)} skipped{unread} · "
                  f"refreshed at {datetime.now():%H:%M:%S}", error=bool(summary.unreadable))
        return summary

    def text(self) -> str:
        """The summary as plain text (names only if ``show_names``)."""
        if self.summary is None:
            return self.status
        return render_summary_text(self.summary, show_names=self.show_names)

    def _say(self, message: str, *, error: bool = False) -> None:
        self.status = message
        role = ' role="alert" style="color:#cf222e"' if error else ' style="color:#57606a"'
        self._status.value = f"<div{role}>{html_escape(message)}</div>"

    def _say_error(self, message: str) -> None:
        self._say(message, error=True)

    def _render(self) -> None:
        if self.summary is None:
            self._body.value = self._download.value = ""
            return
        self._body.value = summary_fragment_html(self.summary, show_names=self.show_names)
        page = render_summary_html(self.summary, show_names=self.show_names)  # names only if they are shown
        self._download.value = download_link("class-summary.html", page,
                                             label="Download this summary as a web page (class-summary.html)")

    @guard("reading the submissions")
    def _on_refresh(self, _button: widgets.Button) -> None:
        self.refresh()

    @observe("folder")
    @guard("reading the submissions")
    def _folder_changed(self, change: dict[str, Any]) -> None:
        self.refresh()

    @observe("show_names")
    @guard("showing or hiding the names")
    def _names_changed(self, change: dict[str, Any]) -> None:
        self._render()

    def _static_html(self) -> str:
        if self.summary is None:
            return f'<div class="mlw-class-pulse-static">{html_escape(self.status)}</div>'
        return summary_fragment_html(self.summary, show_names=self.show_names)

    def _static_text(self) -> str:
        return f"ClassPulse: {self.text()}"

"""``ProblemStatementForm``: the "Define an ML problem" exercise as a widget.

A thin view: the checks are :func:`mlworkflow.exercise.assess.assess`, the saving is
:class:`mlworkflow.core.progress.ProgressStore`. The form autosaves a moment after each change and
refills itself when the notebook is re-run or the kernel restarted.

    >>> form = ProblemStatementForm()                 # the learner's own, saved answers
    >>> demo = ProblemStatementForm(problem="...", outcome="...", data_sources="...")
    >>> print(demo.feedback_text())                   # prefilled: not saved, runs headless
    >>> form.submit("/srv/shared/workshop")           # hand it in to the leader's folder
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ipywidgets as widgets
from traitlets import Bool, Int, Unicode, link, observe, validate

from mlworkflow.core.autosave import WAIT, Debouncer, SectionAutosave, merge_typed
from mlworkflow.core.content import stylesheet
from mlworkflow.core.progress import ProgressError, ProgressStore
from mlworkflow.core.saving import store_call
from mlworkflow.core.text import html_escape, kind_of, safe_text
from mlworkflow.display.download import download_link, where_saved
from mlworkflow.exercise.assess import Assessment, assess, render_html, render_markdown, render_text
from mlworkflow.exercise.rubric import FIELD_KEYS, REQUIRED_FIELDS, load_exercise
from mlworkflow.exercise.submit import SubmitError, learner_name, new_learner_id, submit_folder, write_submission
from mlworkflow.ui import StaticFallback, guard, show_html

__all__ = ["ProblemStatementForm"]

_AUTO = object()  # "section not given": saved for an empty form, not saved for a prefilled one
EXPORT_STEM = "my_ml_problem_statement"
_LASTING = ("Handed in", "Saved ")  # confirmations an autosave must not replace at once
LASTING_SECONDS = 15.0
_SAVED_VERSION = 1


def _saved_answers(saved: Mapping[str, Any]) -> tuple[dict[str, str], int | None, list[str]]:
    """From a saved ``exercise`` section: the text of each box, the hints shown, and what could not be used."""
    problems, fields = [], {}
    raw = saved.get("fields", {})
    if not isinstance(raw, Mapping):
        problems.append(f"the boxes were saved as {kind_of(raw)}")
        raw = {}
    for key, value in raw.items():
        if key not in FIELD_KEYS:
            problems.append(f"a box the exercise no longer has ({key!r})")
        elif not isinstance(value, str):
            problems.append(f"the {key!r} box held {kind_of(value)}, not text")
        else:
            fields[key] = value
    hints = saved.get("hints_shown")
    if hints is not None and (not isinstance(hints, int) or isinstance(hints, bool)):
        problems.append(f"the number of hints shown was {kind_of(hints)}")
        hints = None
    version = saved.get("version", _SAVED_VERSION)
    if version != _SAVED_VERSION or isinstance(version, bool):
        problems.append(f"its version was {version!r}")
    unknown = sorted(set(saved) - {"version", "fields", "hints_shown"})
    if unknown:
        problems.append(f"entries the course does not know ({', '.join(map(repr, unknown))})")
    return fields, hints, problems


def _replace(output: widgets.Output, html: str | None) -> None:
    """Show ``html`` (or nothing) in ``output``.

    ``clear_output`` only clears in a front end, so the kept ``outputs`` are reset too; without
    that, feedback would pile up in headless runs and saved notebooks.
    """
    output.outputs = ()
    if html is None:
        output.clear_output()
    else:
        show_html(output, html)


class ProblemStatementForm(StaticFallback, widgets.VBox):
    """Write a problem statement, get explainable feedback, keep and export your answers.

    The answers autosave to the progress store a moment after each change. If saved answers
    exist but cannot be loaded, nothing is saved over them: the form says so and tries again,
    and "Start fresh anyway" saves the form instead (keeping a copy of the old file).
    """

    problem = Unicode("")
    outcome = Unicode("")
    data_sources = Unicode("")
    baseline = Unicode("")
    prediction = Unicode("")
    labels = Unicode("")
    constraints = Unicode("")
    hints_shown = Int(0)
    example_visible = Bool(False)
    status = Unicode("")  # the last message shown under the buttons, as plain text
    status_kind = Unicode("info")  # "info" | "ok" | "error"
    learner = Unicode("")  # the name handed in with a submission
    submit_dir = Unicode("")  # the workshop folder; empty: $MLWORKFLOW_SUBMIT_DIR

    def __init__(
        self,
        problem: str | None = None,
        outcome: str | None = None,
        data_sources: str | None = None,
        *,
        section: Any = _AUTO,
        store: ProgressStore | None = None,
        autosave_delay: float = 1.0,
        export_dir: str | Path | None = None,
        submit_dir: str | Path | None = None,
        **optional: str,
    ) -> None:
        unknown = sorted(set(optional) - set(FIELD_KEYS))
        if unknown:
            raise TypeError(f"unknown field(s) {', '.join(unknown)}; known: {', '.join(FIELD_KEYS)}")
        prefill = {k: v for k, v in
                   {"problem": problem, "outcome": outcome, "data_sources": data_sources, **optional}.items()
                   if v is not None}
        super().__init__()
        self._lasting_until = 0.0  # until then, a hand-in or export confirmation stays in the status line
        self._exercise = load_exercise()
        self._section: str | None = (None if prefill else "exercise") if section is _AUTO else section
        self._store = store if store is not None else ProgressStore()
        self._export_dir = Path(export_dir) if export_dir is not None else Path.cwd()
        self._keeper = (None if self._section is None else SectionAutosave(
            self._store, self._section, value=self._saved_value, restore=self._restore_saved, say=self._say,
            saved=self._said_saved, delay=autosave_delay))
        self._debouncer = (self._keeper.autosave if self._keeper is not None
                           else Debouncer(autosave_delay, self.save_now))
        self._loading = True
        self.assessment: Assessment | None = None
        self._learner_id = new_learner_id()
        self._submit_known = True  # could the saved workshop details be read (if not, never saved over)
        self._submit_copy = ""  # why their next save keeps a copy of the old file first
        self._build()
        self._refill()
        self._refill_learner(submit_dir)
        for key, value in prefill.items():
            setattr(self, key, str(value))
        self._loading = False
        self._render_hints()
        if self._section is None and prefill:
            self._say("This form is prefilled as an example and is not saved. "
                      "Run ProblemStatementForm() for your own answer.", "info")

    # -- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        ex = self._exercise
        self.add_class("mlw-problem-form")
        # the course's output styles (printed feedback wraps between words), as every stage card brings them
        self._header = widgets.HTML(stylesheet("card", tag=True) + self._header_html()).add_class("mlw-exercise-header")
        self._hint_button = widgets.Button(icon="lightbulb-o").add_class("mlw-hint-button")
        self._hint_button.on_click(self._on_hint)
        self._hints_html = widgets.HTML()
        hints = widgets.VBox([self._hints_html, self._hint_button]).add_class("mlw-hints")
        self._areas: dict[str, widgets.Textarea] = {}
        boxes: dict[str, widgets.VBox] = {}
        for spec in ex.fields:
            area = widgets.Textarea(placeholder=spec.placeholder,
                                    layout=widgets.Layout(width="auto", height="6em"))
            area.add_class("mlw-field").add_class(f"mlw-field-{spec.key}")
            link((area, "value"), (self, spec.key))
            self._areas[spec.key] = area
            title = widgets.HTML(f"<b>{html_escape(spec.label)}</b><br><small>{html_escape(spec.help)}</small>")
            boxes[spec.key] = widgets.VBox([title, area])
        required = widgets.VBox([boxes[k] for k in REQUIRED_FIELDS]).add_class("mlw-required")
        self._optional = widgets.Accordion(
            children=[widgets.VBox([b for k, b in boxes.items() if k not in REQUIRED_FIELDS])],
            titles=("Go further (optional): baseline, prediction, labels, constraints",),
            selected_index=None,
        ).add_class("mlw-optional")
        self._feedback_button = widgets.Button(description="Get feedback", button_style="primary",
                                               icon="check").add_class("mlw-feedback-button")
        self._example_button = widgets.Button(description="Show a worked example").add_class("mlw-example-button")
        self._md_button = widgets.Button(description="Export Markdown", icon="download")
        self._md_button.add_class("mlw-export-md-button")
        self._json_button = widgets.Button(description="Export JSON", icon="download")
        self._json_button.add_class("mlw-export-json-button")
        self._feedback_button.on_click(self._on_feedback)
        self._example_button.on_click(self._on_example)
        self._md_button.on_click(self._on_export_markdown)
        self._json_button.on_click(self._on_export_json)
        actions = widgets.HBox([self._feedback_button, self._example_button, self._md_button,
                                self._json_button]).add_class("mlw-actions")
        self._name_box = widgets.Text(placeholder="Your name (for the workshop leader)")
        self._name_box.add_class("mlw-submit-name")
        self._folder_box = widgets.Text(placeholder="Workshop folder (your leader names it)")
        self._folder_box.add_class("mlw-submit-folder")
        self._submit_button = widgets.Button(description="Submit to the workshop", icon="paper-plane")
        self._submit_button.add_class("mlw-submit-button")
        link((self._name_box, "value"), (self, "learner"))
        link((self._folder_box, "value"), (self, "submit_dir"))
        self._submit_button.on_click(self._on_submit)
        self._fresh_button = widgets.Button(
            description="Start fresh anyway", icon="file-o", layout=widgets.Layout(display="none"),
            tooltip="Save this form although your saved answers could not be loaded (a copy of the old file is kept)",
        ).add_class("mlw-fresh-button")
        self._fresh_button.on_click(self._on_fresh)
        for button in (self._hint_button, self._feedback_button, self._example_button, self._md_button,
                       self._json_button, self._submit_button, self._fresh_button):
            button.layout.width = "auto"  # the default width cuts labels such as "Show a worked example"
        self._hint_button.layout.align_self = "flex-start"  # in a column, "auto" would stretch it
        submit_row = widgets.HBox([self._name_box, self._folder_box, self._submit_button]).add_class("mlw-submit")
        self._status = widgets.HTML().add_class("mlw-status")
        self._download = widgets.HTML().add_class("mlw-downloads")  # the last export, to save on this computer
        self._feedback_out = widgets.Output().add_class("mlw-feedback")
        self._example_out = widgets.Output().add_class("mlw-example")
        self.children = (self._header, hints, required, self._optional, actions, submit_row,
                         widgets.HBox([self._fresh_button, self._status]), self._download, self._feedback_out,
                         self._example_out)

    def _header_html(self) -> str:
        ex = self._exercise
        criteria = "".join(f"<li>{html_escape(c)}</li>" for c in ex.success_criteria)
        return (f"<h3>Exercise: {html_escape(ex.title)} <small>· {html_escape(ex.difficulty)} · about "
                f"{ex.minutes} minutes</small></h3><p>{html_escape(ex.instructions)}</p>"
                f"<p><b>Expected outcome:</b> {html_escape(ex.expected_outcome)}</p>"
                f"<p><b>A good answer:</b></p><ul>{criteria}</ul>")

    def _example_html(self) -> str:
        ex = self._exercise
        rows = "".join(
            f"<dt><b>{html_escape(ex.field(k).label)}</b></dt><dd>{html_escape(v)}</dd>"
            for k, v in ex.worked_example.items()
        )
        return (f'<div class="mlw-worked-example"><p><b>Worked example</b> '
                f"({html_escape(ex.example_industry)})</p><dl>{rows}</dl><p><i>{html_escape(ex.example_note)}</i></p></div>")

    # -- public API -----------------------------------------------------------------------
    @property
    def values(self) -> dict[str, str]:
        """The learner's text in every box, by field key."""
        return {key: getattr(self, key) for key in FIELD_KEYS}

    def set_values(self, **fields: str) -> None:
        """Fill boxes by field key, e.g. ``form.set_values(problem="...")``."""
        unknown = sorted(set(fields) - set(FIELD_KEYS))
        if unknown:
            raise TypeError(f"unknown field(s) {', '.join(unknown)}; known: {', '.join(FIELD_KEYS)}")
        for key, value in fields.items():
            setattr(self, key, "" if value is None else str(value))

    @guard("checking your statement")
    def get_feedback(self) -> Assessment | None:
        """Check the current text, show the feedback in the form, and return it (None if that failed)."""
        self.assessment = assess(**self.values)
        _replace(self._feedback_out, render_html(self.assessment))
        # the text the feedback is for is saved now, not a moment later, and the line says so
        saved = self._keeper is not None and not self._loading and self.save_now()
        note = self.status if saved and self.status not in ("", "All changes saved.") else ""
        said = "Feedback below is for your current text" + (", which is saved." if saved else ".")
        self._say(f"{said} {note}".strip(), "ok")
        return self.assessment

    def feedback_text(self) -> str:
        """Plain-text feedback for the current text (also shown in the form)."""
        result = self.get_feedback()
        return render_text(result) if result is not None else self.status

    def reveal_hint(self) -> None:
        """Show the next hint, if any are left."""
        self.hints_shown += 1

    def markdown(self) -> str:
        """The statement and its feedback as a Markdown document."""
        return render_markdown(assess(**self.values))

    @guard("exporting your statement")
    def export_markdown(self, path: str | Path | None = None) -> Path | None:
        """Write the statement and feedback to a Markdown file (default: next to the notebook)."""
        return self._export(path or self._export_dir / f"{EXPORT_STEM}.md", self.markdown())

    @guard("exporting your statement")
    def export_json(self, path: str | Path | None = None) -> Path | None:
        """Write the statement and feedback to a JSON file (default: next to the notebook)."""
        import json

        text = json.dumps(assess(**self.values).to_dict(), indent=2, ensure_ascii=False)
        return self._export(path or self._export_dir / f"{EXPORT_STEM}.json", text)

    @guard("handing in your statement")
    def submit(self, folder: str | Path | None = None) -> Path | None:
        """Hand the statement in to the workshop folder: ``folder``, the folder box or $MLWORKFLOW_SUBMIT_DIR."""
        if folder is not None:
            self.submit_dir = str(folder)
        try:
            path = write_submission(self.submit_dir or None, self.values, name=self.learner,
                                    learner_id=self._learner_id)
        except SubmitError as exc:
            self._say(str(exc), "error")
            return None
        if self._section is not None and self._submit_known:  # remember who and where, for a resubmission
            value = {"name": self.learner, "id": self._learner_id, "folder": self.submit_dir}
            why = self._submit_copy
            if store_call(lambda: self._store.save("submit", value, wait=WAIT, keep_copy=why),
                          "remembering your workshop folder").ok:
                self._submit_copy = ""
        self._say(f"Handed in to the workshop as {path.name}. Submitting again replaces it.", "ok")
        return path

    def save_now(self) -> bool:
        """Save the answers now (autosave does this a moment after each change); True if saved."""
        self._debouncer.cancel()
        return self._keeper.save_now() if self._keeper is not None else False

    def start_fresh(self) -> bool:
        """Save the form although the saved answers could not be loaded; a copy of the old file is kept first."""
        return self._keeper.start_fresh() if self._keeper is not None else False

    def close(self) -> None:
        keeper = getattr(self, "_keeper", None)  # absent if __init__ failed
        if keeper is not None:
            keeper.stop()
        super().close()

    # -- internals ------------------------------------------------------------------------
    def _export(self, path: str | Path, text: str) -> Path | None:
        try:
            written = self._store.export(Path(path).resolve(), text)
        except ProgressError as exc:
            self._say(str(exc), "error")
            return None
        self._download.value = download_link(written.name, text)
        self._say(f"Saved {where_saved(written)}. To keep a copy on your own computer, "
                  f"click \"Download {written.name}\" below.", "ok")
        return written

    def _refill(self) -> None:
        if self._keeper is not None:
            self._keeper.load()

    def _saved_value(self) -> dict[str, Any]:
        return {"version": _SAVED_VERSION, "fields": self.values, "hints_shown": self.hints_shown}

    def _restore_saved(self, saved: dict[str, Any], notes: list[str]) -> list[str]:
        """Fill the boxes from a loaded section (keeping anything typed while it loaded); what could not be used."""
        fields, hints, problems = _saved_answers(saved)
        loading, self._loading = self._loading, True
        try:
            for key, text in fields.items():
                setattr(self, key, merge_typed(text, getattr(self, key)))
            if hints is not None:
                self.hints_shown = max(hints, self.hints_shown)
        finally:
            self._loading = loading
        if any(getattr(self, k).strip() for k in FIELD_KEYS if k not in REQUIRED_FIELDS):
            self._optional.selected_index = 0
        if notes:
            self._say(" ".join(notes), "info")
        elif fields or hints:
            self._say("Your saved answers were restored.", "ok")
        elif self.status_kind == "error":
            self._say("", "info")
        return problems

    def _said_saved(self, notes: list[str]) -> None:
        if not notes and self.status_kind == "ok" and time.monotonic() < self._lasting_until:
            return  # "Handed in ..." or "Saved ..." stays in view a while: an autosave a moment later adds nothing
        self._say(" ".join(notes) or "All changes saved.", "info" if notes else "ok")

    def _refill_learner(self, folder: str | Path | None) -> None:
        saved: dict[str, str] = {}
        if self._section is not None:
            outcome = store_call(lambda: self._store.load("submit"), "reading your workshop folder")
            value = outcome.value if outcome.ok and isinstance(outcome.value, dict) else {}
            saved = {k: v for k, v in value.items() if k in ("name", "id", "folder") and isinstance(v, str)}
            self._submit_known = outcome.ok
            if len(saved) != len(value):
                self._submit_copy = "some of your saved workshop details could not be used"
        self._learner_id = saved.get("id") or self._learner_id
        self.learner = learner_name(saved.get("name"))
        chosen = submit_folder(folder)  # the leader's current folder wins over last workshop's
        self.submit_dir = str(chosen) if chosen else saved.get("folder", "")

    def _say(self, message: str, kind: str = "info") -> None:
        if kind == "ok" and message.startswith(_LASTING):
            self._lasting_until = time.monotonic() + LASTING_SECONDS
        self.status_kind = kind
        self.status = message
        keeper = getattr(self, "_keeper", None)
        self._fresh_button.layout.display = "none" if keeper is None or keeper.loaded else ""

    def _say_error(self, message: str) -> None:
        """An unexpected error in a callback, said in the form's status line."""
        self._say(message, "error")

    def _render_hints(self) -> None:
        hints = self._exercise.hints
        shown = "".join(f"<li>{html_escape(h)}</li>" for h in hints[: self.hints_shown])
        self._hints_html.value = f"<ol>{shown}</ol>" if shown else ""
        left = len(hints) - self.hints_shown
        self._hint_button.disabled = left == 0
        self._hint_button.description = (
            "All hints shown" if left == 0
            else f"Show a hint (1 of {len(hints)})" if self.hints_shown == 0
            else f"Show the next hint ({self.hints_shown + 1} of {len(hints)})"
        )

    @guard("checking your statement")
    def _on_feedback(self, _button: Any = None) -> None:
        self.get_feedback()

    @guard("exporting your statement")
    def _on_export_markdown(self, _button: Any = None) -> None:
        self.export_markdown()

    @guard("exporting your statement")
    def _on_export_json(self, _button: Any = None) -> None:
        self.export_json()

    @guard("handing in your statement")
    def _on_submit(self, _button: Any = None) -> None:
        self.submit()

    @guard("saving your answers")
    def _on_fresh(self, _button: Any = None) -> None:
        self.start_fresh()

    @guard("showing a hint")
    def _on_hint(self, _button: Any = None) -> None:
        self.reveal_hint()

    @guard("showing the worked example")
    def _on_example(self, _button: Any = None) -> None:
        self.example_visible = not self.example_visible

    @validate(*FIELD_KEYS)
    def _safe_field(self, proposal: Any) -> str:
        return safe_text(proposal["value"])

    @validate("hints_shown")
    def _clamp_hints(self, proposal: Any) -> int:
        return max(0, min(int(proposal["value"]), len(self._exercise.hints)))

    @observe("hints_shown")
    @guard("showing the hints")
    def _hints_changed(self, change: dict[str, Any]) -> None:
        self._render_hints()
        if not self._loading and self._keeper is not None:
            self._keeper.changed()

    @observe(*FIELD_KEYS)
    @guard("saving your answers")
    def _text_changed(self, change: dict[str, Any]) -> None:
        if self._loading:
            return
        if self.assessment is not None:
            self._say("You changed your text since the last feedback; click “Get feedback” again.", "info")
        if self._keeper is not None:
            self._keeper.changed()

    @observe("example_visible")
    @guard("showing the worked example")
    def _example_changed(self, change: dict[str, Any]) -> None:
        if change["new"]:
            _replace(self._example_out, self._example_html())
            self._example_button.description = "Hide the worked example"
        else:
            _replace(self._example_out, None)
            self._example_button.description = "Show a worked example"

    @observe("status", "status_kind")
    @guard("showing a message")
    def _status_changed(self, change: dict[str, Any]) -> None:
        color = {"error": "#cf222e", "ok": "#1a7f37"}.get(self.status_kind, "#57606a")
        role = ' role="alert"' if self.status_kind == "error" else ""
        self._status.value = f'<div style="color:{color}"{role}>{html_escape(self.status)}</div>' if self.status else ""

    # -- where widgets cannot run ---------------------------------------------------------
    def _static_html(self) -> str:
        answers = "".join(
            f"<p><b>{html_escape(self._exercise.field(k).label)}</b><br>{html_escape(v)}</p>"
            for k, v in self.values.items() if v.strip()
        )
        feedback = render_html(self.assessment) if self.assessment is not None else ""
        return f'<div class="mlw-problem-form-static">{self._header_html()}{answers}{feedback}</div>'

    def _static_text(self) -> str:
        filled = sum(bool(v.strip()) for v in self.values.values())
        text = f"ProblemStatementForm: {self._exercise.title} ({filled} of {len(FIELD_KEYS)} boxes filled)"
        return text + (f"\n{self.assessment.level}: {self.assessment.summary}" if self.assessment is not None else "")

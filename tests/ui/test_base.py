"""The shared widget base: the error guard, stable outputs, the static fallback."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import ipywidgets as widgets
from traitlets import Int, observe

import mlworkflow
from mlworkflow.ui import StaticFallback, guard, is_guarded, no_maths, show, show_html

PKG = Path(mlworkflow.__file__).resolve().parent


class _Box(StaticFallback, widgets.VBox):
    value = Int(0)

    def __init__(self) -> None:
        self._button = widgets.Button(description="Go")
        self._button.on_click(self._clicked)
        super().__init__(children=[self._button])
        self.fail = True

    def _static_html(self) -> str:
        return "<p>static</p>"

    @guard("counting your click")
    def _clicked(self, _button: object) -> None:
        if self.fail:
            raise RuntimeError("boom <script>")
        self.value += 1

    @observe("value")
    @guard("redrawing the box")
    def _changed(self, change: dict) -> None:
        if change["new"] == 2:
            raise ValueError("two")


def test_a_failing_click_becomes_a_sentence_in_the_widget(caplog):
    box = _Box()
    with caplog.at_level(logging.ERROR, logger="mlworkflow"):
        box._button.click()
    alert = box.children[-1]
    assert isinstance(alert, widgets.HTML)
    assert 'role="alert"' in alert.value
    assert "Something went wrong while counting your click (RuntimeError)" in alert.value
    assert "<script>" not in alert.value
    assert "boom" in caplog.text  # the traceback goes to the log, not the learner


def test_a_second_error_replaces_the_first_and_observers_are_guarded():
    box = _Box()
    box._button.click()
    box.fail = False
    box._button.click()
    box._button.click()  # value becomes 2: the observer raises
    assert box.value == 2
    assert len(box.children) == 2  # one alert line, reused
    assert "redrawing the box (ValueError)" in box.children[-1].value


def test_is_guarded_sees_functions_and_bound_methods():
    box = _Box()
    assert is_guarded(box._clicked)
    assert is_guarded(_Box._changed)
    assert not is_guarded(box._static_html)
    assert all(is_guarded(cb) for cb in box._button._click_handlers.callbacks)


def test_show_and_show_html_replace_outputs_in_one_step():
    out = widgets.Output()
    show_html(out, "<b>a</b>", "a")
    show(out, "plain")
    assert out.outputs == ({"output_type": "display_data", "data": {"text/plain": "plain"}, "metadata": {}},)


def test_static_fallback_adds_html_to_the_widget_bundle():
    data = _Box()._repr_mimebundle_()
    data = data[0] if isinstance(data, tuple) else data
    assert data["text/html"] == "<p>static</p>" == no_maths("<p>static</p>")  # wrapped only with money in it
    assert "application/vnd.jupyter.widget-view+json" in data


def _decorator_names(fn: ast.FunctionDef) -> list[str]:
    return [ast.unparse(d.func if isinstance(d, ast.Call) else d) for d in fn.decorator_list]


def test_every_callback_in_every_widgets_module_is_guarded():
    """Static check over all ``widgets.py``: on_click targets and @observe methods carry @guard."""
    modules = sorted(PKG.rglob("widgets.py"))
    assert len(modules) >= 10, modules
    unguarded = []
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            methods = {f.name: f for f in cls.body if isinstance(f, ast.FunctionDef)}
            for fn in methods.values():
                names = _decorator_names(fn)
                if "observe" in names and "guard" not in names:
                    unguarded.append(f"{path.parent.name}/{path.name}:{cls.name}.{fn.name} (@observe)")
            for call in (n for n in ast.walk(cls) if isinstance(n, ast.Call)):
                func = call.func
                registers = isinstance(func, ast.Attribute) and func.attr in {"on_click", "observe", "on_submit"}
                if registers and call.args:
                    target = call.args[0]
                    if isinstance(target, ast.Attribute) and ast.unparse(target.value) == "self":
                        fn = methods.get(target.attr)
                        if fn is None or "guard" not in _decorator_names(fn):
                            unguarded.append(f"{path.parent.name}/{path.name}:{cls.name}.{target.attr} ({func.attr})")
                    else:
                        where = f"{path.parent.name}/{path.name}:{cls.name}"
                        unguarded.append(f"{where}: {func.attr}({ast.unparse(target)})")
    assert not unguarded, unguarded

"""The widget base every course widget shares: the error guard, stable output updates, a static fallback.

``@guard("doing X")`` wraps every button and observer callback: an unexpected error is logged and
said to the learner in one sentence inside the widget, never a traceback in the browser console
(where ipywidgets otherwise sends callback errors) and never silence.

Widgets put rendered output into ``Output`` widgets by replacing their ``outputs`` (what
``clear_output`` + ``append_display_data`` do, in one step; never ``with out: display(...)``),
so what nbval records is stable and nothing leaks into the wrong cell. Each composite widget
also carries a ``text/html`` rendering of itself, which is what GitHub, nbviewer and HTML
exports show where widgets cannot run.
"""

from __future__ import annotations

import functools
import html
import logging
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["GUARD_MARK", "NO_MATHS", "StaticFallback", "guard", "is_guarded", "no_maths", "show", "show_html"]

log = logging.getLogger("mlworkflow")

F = TypeVar("F", bound=Callable[..., Any])
GUARD_MARK = "_mlw_guarded"  # set on every guarded callback, so a test can find an unguarded one


def guard(action: str) -> Callable[[F], F]:
    """Decorate a widget method used as a callback: errors become a sentence shown in the widget.

    ``action`` completes "Something went wrong while ...", e.g. ``"updating the chart"``. The
    widget shows the sentence with :meth:`StaticFallback._say_error` (or its own ``_say``).
    """

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def run(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return fn(self, *args, **kwargs)
            except Exception as exc:
                log.exception("%s: %s failed", type(self).__name__, action)
                message = (f"Something went wrong while {action} ({type(exc).__name__}). "
                           "Nothing you typed is lost; try again, or restart the kernel if it keeps happening.")
                say = getattr(self, "_say_error", None)
                if callable(say):
                    try:
                        say(message)
                    except Exception:
                        log.exception("%s: could not show an error", type(self).__name__)
                return None

        setattr(run, GUARD_MARK, action)
        return run  # type: ignore[return-value]

    return wrap


def is_guarded(callback: Callable[..., Any]) -> bool:
    """Whether ``callback`` (a function, bound method or ``@observe`` handler) went through :func:`guard`."""
    fn = getattr(callback, "__func__", callback)
    fn = getattr(fn, "func", fn)  # a traitlets ObserveHandler wraps the method
    return hasattr(fn, GUARD_MARK)


def _bundle(obj: Any) -> dict[str, Any]:
    """The mime bundle ``obj`` would display as (without needing a running IPython)."""
    if isinstance(obj, str):
        return {"text/plain": obj}
    if hasattr(obj, "_repr_mimebundle_"):
        data = obj._repr_mimebundle_()
        return dict(data[0] if isinstance(data, tuple) else data)
    from IPython.core.interactiveshell import InteractiveShell

    formatter = InteractiveShell.instance().display_formatter
    if formatter is None:  # no IPython display machinery: plain text is all there is
        return {"text/plain": repr(obj)}
    data, _ = formatter.format(obj)
    return dict(data)


def show(output: Any, obj: Any) -> None:
    """Make ``output`` (an ``ipywidgets.Output``) show just ``obj``, in one update."""
    output.outputs = ({"output_type": "display_data", "data": _bundle(obj), "metadata": {}},)


# JupyterLab typesets $...$ in HTML outputs as maths ("costs $14.17 and keeps a $82.81 ..."); MathJax 3 skips
# elements with these classes (the first is MathJax 3's default, the second the name older setups use)
NO_MATHS = "mathjax_ignore tex2jax_ignore"


def no_maths(html: str) -> str:
    """``html`` in a block MathJax leaves alone (when it holds a dollar sign), so money amounts stay money."""
    return f'<div class="{NO_MATHS}">{html}</div>' if "$" in html else html


def show_html(output: Any, html: str, text: str | None = None) -> None:
    """Make ``output`` show an HTML fragment (already escaped by the caller); dollar signs stay text."""
    data = {"text/html": no_maths(html)}
    if text is not None:
        data["text/plain"] = text
    output.outputs = ({"output_type": "display_data", "data": data, "metadata": {}},)


class StaticFallback:
    """Mixin for a widget class: adds ``text/html`` from ``_static_html()`` to its display.

    Front ends that run widgets prefer the widget view; the rest show the HTML. A subclass
    may also define ``_static_text()`` for a readable ``text/plain``.
    """

    def _static_html(self) -> str:  # pragma: no cover - subclasses override
        raise NotImplementedError

    def _say_error(self, message: str) -> None:
        """Show ``message`` in the widget: an alert line at its end, replaced on the next error."""
        import ipywidgets as widgets

        box = getattr(self, "_mlw_error_box", None)
        text = f'<div role="alert" style="color:#b91c1c">{html.escape(message)}</div>'
        if box is None:
            box = widgets.HTML(text)
            self._mlw_error_box = box
            children = getattr(self, "children", None)
            if children is not None:
                self.children = (*children, box)
        else:
            box.value = text

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)  # type: ignore[misc]
        if isinstance(bundle, tuple):  # (data, metadata)
            data, meta = bundle
        else:
            data, meta = bundle, None
        if data is None:
            data = {}
        data = dict(data)
        data["text/html"] = no_maths(self._static_html())
        static_text = getattr(self, "_static_text", None)
        if static_text is not None:
            data["text/plain"] = static_text()
        return (data, meta) if meta is not None else data

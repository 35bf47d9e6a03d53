"""Small pieces every course widget shares: stable output updates and a static fallback.

Widgets put rendered output into ``Output`` widgets by replacing their ``outputs`` (what
``clear_output`` + ``append_display_data`` do, in one step; never ``with out: display(...)``),
so what nbval records is stable and nothing leaks into the wrong cell. Each composite widget also carries a ``text/html``
rendering of itself, which is what GitHub, nbviewer and HTML exports show where widgets
cannot run.
"""

from __future__ import annotations

from typing import Any

__all__ = ["StaticFallback", "show_html", "show"]


def _bundle(obj: Any) -> dict[str, Any]:
    """The mime bundle ``obj`` would display as (without needing a running IPython)."""
    if isinstance(obj, str):
        return {"text/plain": obj}
    if hasattr(obj, "_repr_mimebundle_"):
        data = obj._repr_mimebundle_()
        return dict(data[0] if isinstance(data, tuple) else data)
    from IPython.core.interactiveshell import InteractiveShell

    data, _ = InteractiveShell.instance().display_formatter.format(obj)
    return data


def show(output: Any, obj: Any) -> None:
    """Make ``output`` (an ``ipywidgets.Output``) show just ``obj``, in one update."""
    output.outputs = ({"output_type": "display_data", "data": _bundle(obj), "metadata": {}},)


def show_html(output: Any, html: str, text: str | None = None) -> None:
    """Make ``output`` show an HTML fragment (already escaped by the caller)."""
    data = {"text/html": html}
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

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)  # type: ignore[misc]
        if isinstance(bundle, tuple):  # (data, metadata)
            data, meta = bundle
        else:
            data, meta = bundle, None
        if data is None:
            data = {}
        data = dict(data)
        data["text/html"] = self._static_html()
        static_text = getattr(self, "_static_text", None)
        if static_text is not None:
            data["text/plain"] = static_text()
        return (data, meta) if meta is not None else data

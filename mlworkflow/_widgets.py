"""Small pieces every course widget shares: stable output updates and a static fallback.

Widgets put rendered output into ``Output`` widgets with ``clear_output`` +
``append_display_data`` (never ``with out: display(...)``), so what nbval records is stable
and nothing leaks into the wrong cell. Each composite widget also carries a ``text/html``
rendering of itself, which is what GitHub, nbviewer and HTML exports show where widgets
cannot run.
"""

from __future__ import annotations

from typing import Any

__all__ = ["StaticFallback", "show_html", "show"]


def show(output: Any, obj: Any) -> None:
    """Replace what ``output`` (an ``ipywidgets.Output``) shows with ``obj``."""
    output.clear_output(wait=False)
    output.append_display_data(obj)


def show_html(output: Any, html: str) -> None:
    """Replace what ``output`` shows with an HTML fragment (already escaped by the caller)."""
    from IPython.display import HTML

    show(output, HTML(html))


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

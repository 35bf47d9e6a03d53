"""Find a widget's callbacks, for the tests that check every one of them went through ``mlworkflow.ui.guard``.

Import as ``from widget_checks import own_callbacks, unguarded`` (``tests`` is on pytest's pythonpath).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from traitlets.traitlets import EventHandler

from mlworkflow.ui import is_guarded


def walk(widget: Any) -> Iterator[Any]:
    """The widget and everything inside it, depth first."""
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def _ours(obj: Any) -> bool:
    return (getattr(obj, "__module__", None) or "").startswith("mlworkflow")


def callback_sites(widget: Any) -> list[tuple[str, Callable[..., Any]]]:
    """``(where, callback)`` for every callback :func:`own_callbacks` finds.

    ``where`` is ``"'<description>' click"`` for a button's click handler, and ``"<Class>.<trait> observer"``
    for a change observer, naming the widget it is registered on and the trait it watches.
    """
    found: list[tuple[str, Callable[..., Any]]] = []
    for w in walk(widget):
        if hasattr(w, "_click_handlers"):  # every Button (and anything else that takes clicks)
            found += [(f"{getattr(w, 'description', '')!r} click", cb) for cb in w._click_handlers.callbacks]
        for name, kinds in w._trait_notifiers.items():
            for cb in kinds.get("change", []):
                if isinstance(cb, EventHandler):  # an @observe handler, registered unbound
                    if not (_ours(getattr(cb, "this_class", None)) or _ours(getattr(cb, "func", None))):
                        continue  # ipywidgets' or traitlets' own
                    if cb.name is not None:
                        cb = getattr(w, cb.name)  # the bound method
                elif getattr(cb, "__self__", None) is not widget:
                    continue  # not a method of the widget under test
                found.append((f"{type(w).__name__}.{name} observer", cb))
    return found


def own_callbacks(widget: Any) -> list[Callable[..., Any]]:
    """The widget's callbacks: the click handlers of every button anywhere inside it, and its change observers.

    The observers are those, on the widget or anything inside it, that are bound methods of the widget, and
    the ``@observe`` handlers that mlworkflow classes declare (as bound methods).
    """
    return [cb for _, cb in callback_sites(widget)]


def unguarded(widget: Any) -> list[Callable[..., Any]]:
    """Those of :func:`own_callbacks` that did not go through ``mlworkflow.ui.guard``."""
    return [cb for cb in own_callbacks(widget) if not is_guarded(cb)]

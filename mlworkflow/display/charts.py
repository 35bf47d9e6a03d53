"""Charts for notebooks and widgets: matplotlib figures as PNG, without pyplot or a display backend.

    >>> chart = Chart(figure, "Churn per month")     # a cell's result: PNG in notebooks, text elsewhere
    >>> png_html(figure_png(figure), "Churn per month")   # an <img> for HTML / static fallbacks
    >>> MarkerChart(figure).png(0.4)                  # the same figure with a marker at x = 0.4, fast
"""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING

from mlworkflow.core.text import html_escape

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["NO_MATH", "Chart", "MarkerChart", "figure_png", "png_bundle", "png_html"]

# JupyterLab typesets $...$ in HTML outputs as maths; money amounts need this class around them.
NO_MATH = "tex2jax_ignore mathjax_ignore"


def figure_png(figure: Figure) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


class MarkerChart:
    """A figure whose only moving part is a vertical marker on each of its axes (a slider's position).

    The figure is drawn once; each :meth:`png` restores that drawing, draws the markers and encodes
    the pixels, so a new marker position costs about a tenth of drawing the whole figure again.
    """

    def __init__(self, figure: Figure, *, color: str = "#dc2626", linewidth: float = 1.5):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self._canvas = FigureCanvasAgg(figure)
        # placed inside each axes' current range, so adding it never rescales the axes
        self._lines = [(ax, ax.axvline(ax.get_xlim()[0], color=color, lw=linewidth, animated=True))
                       for ax in figure.axes]
        self._canvas.draw()
        self._background = self._canvas.copy_from_bbox(figure.bbox)

    def png(self, x: float) -> bytes:
        """The figure with the markers at ``x``, as PNG bytes."""
        import numpy as np
        from PIL import Image  # matplotlib's own dependency

        self._canvas.restore_region(self._background)
        for ax, line in self._lines:
            line.set_xdata([x, x])
            ax.draw_artist(line)
        buffer = io.BytesIO()
        Image.fromarray(np.asarray(self._canvas.buffer_rgba())).save(buffer, format="png", compress_level=1)
        return buffer.getvalue()


def png_html(png: bytes, alt: str, css_class: str = "") -> str:
    """An ``<img>`` carrying the PNG inline, with escaped alternative text."""
    data = base64.b64encode(png).decode("ascii")
    cls = f' class="{html_escape(css_class)}"' if css_class else ""
    return f'<img{cls} alt="{html_escape(alt)}" src="data:image/png;base64,{data}"/>'


def png_bundle(png: bytes, alt: str, css_class: str = "") -> dict[str, str]:
    """A display bundle for a chart: an ``<img>`` with ``alt`` (what front ends draw), the PNG, the text.

    JupyterLab draws a bare ``image/png`` with no text alternative, so the HTML comes first.
    """
    return {"text/html": png_html(png, alt, css_class), "image/png": base64.b64encode(png).decode("ascii"),
            "text/plain": f"[Chart] {alt}"}


class Chart:
    """A matplotlib figure that shows as a PNG wherever the notebook is opened, with a text description.

    Front ends that show HTML get an ``<img>`` whose ``alt`` is the description (JupyterLab draws a
    bare ``image/png`` with no text alternative). A bare ``Figure`` only displays once pyplot has
    set up the notebook; this needs no pyplot.
    """

    def __init__(self, figure: Figure, description: str):
        self.figure, self.description = figure, description
        self._png: bytes | None = None

    def _repr_png_(self) -> bytes:
        if self._png is None:
            self._png = figure_png(self.figure)
        return self._png

    def _repr_mimebundle_(self, include: object = None, exclude: object = None, **kwargs: object) -> dict[str, str]:
        return png_bundle(self._repr_png_(), self.description, "mlw-chart-img")

    def __repr__(self) -> str:
        return f"[Chart] {self.description}"

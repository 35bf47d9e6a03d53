import base64
import subprocess
import sys

from mlworkflow.display.charts import NO_MATH, Chart, figure_png, png_html

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _figure():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1.5), dpi=50)
    fig.add_subplot().plot([1, 2, 3], [3, 1, 2])
    return fig


def test_figure_png_is_a_png_without_pyplot():
    png = figure_png(_figure())
    assert png.startswith(PNG_MAGIC) and len(png) > 100


def test_png_html_embeds_the_bytes_and_escapes_alt_and_class():
    html = png_html(b"\x89PNG-bytes", 'Net "value" <by> threshold', 'a"b')
    assert html.startswith('<img class="a&quot;b" alt="Net &quot;value&quot; &lt;by&gt; threshold" ')
    encoded = html.split("base64,")[1].split('"')[0]
    assert base64.b64decode(encoded) == b"\x89PNG-bytes"
    assert " class=" not in png_html(b"x", "alt")


def test_chart_displays_as_png_and_describes_itself():
    chart = Chart(_figure(), "Churn per month")
    assert chart._repr_png_().startswith(PNG_MAGIC)
    assert repr(chart) == "[Chart] Churn per month"


def test_no_math_names_both_mathjax_opt_outs():
    assert NO_MATH.split() == ["tex2jax_ignore", "mathjax_ignore"]


def test_importing_charts_does_not_import_matplotlib():
    code = "import sys, mlworkflow.display.charts; assert 'matplotlib' not in sys.modules, 'matplotlib loaded'"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def _two_axes(marker=None):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 2.5), dpi=80, layout="constrained")
    for ax in fig.subplots(1, 2):
        ax.plot([0, 0.5, 1], [0, 1, 0.2])
        if marker is not None:
            ax.axvline(marker, color="#dc2626", lw=1.5)
    return fig


def test_a_marker_chart_looks_like_the_figure_drawn_with_its_marker():
    import io

    import numpy as np
    from PIL import Image

    from mlworkflow.display.charts import MarkerChart, figure_png

    fig = _two_axes()
    limits = [ax.get_xlim() for ax in fig.axes]
    chart = MarkerChart(fig)
    assert [ax.get_xlim() for ax in fig.axes] == limits  # the markers never rescale the axes

    def pixels(png: bytes):
        return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)

    fast, full = pixels(chart.png(0.3)), pixels(figure_png(_two_axes(marker=0.3)))
    assert fast.shape == full.shape
    assert (np.abs(fast - full).sum(axis=2) > 30).mean() < 0.001  # antialiasing aside, the same picture
    moved = pixels(chart.png(0.7))
    assert (np.abs(moved - fast).sum(axis=2) > 30).sum() > 100  # the marker moved: old place cleared, new drawn
    assert (np.abs(pixels(chart.png(0.3)) - fast).sum() == 0)  # and drawing 0.3 again gives 0.3's picture

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

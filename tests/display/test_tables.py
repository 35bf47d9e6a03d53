"""Tests for mlworkflow.display.tables: a wide table in a named scroll box a keyboard can reach."""

from __future__ import annotations

import pandas as pd

from mlworkflow.display.tables import TableView, table_view


def test_the_box_is_a_named_tab_stop_and_escapes_everything():
    frame = pd.DataFrame({"plan": ["<b>Basic</b>", "basic "], "price": ["$9.99", 9.99]})
    view = table_view(frame, 'First rows of "raw" <export>')
    html = view._repr_html_()
    assert isinstance(view, TableView)
    assert html.startswith('<div class="mlw-table-scroll" role="region" tabindex="0" '
                           'aria-label="First rows of &quot;raw&quot; &lt;export&gt;"')
    assert "overflow-x:auto" in html and "<table" in html and "&lt;b&gt;Basic&lt;/b&gt;" in html
    assert repr(view).splitlines()[0] == 'First rows of "raw" <export>' and "9.99" in repr(view)


def test_column_names_may_wrap_after_underscores_but_cells_are_untouched():
    frame = pd.DataFrame({"payment_failures": ["a_b"]})
    html = table_view(frame, "t")._repr_html_()
    assert "payment_<wbr>failures" in html and ">a_b<" in html

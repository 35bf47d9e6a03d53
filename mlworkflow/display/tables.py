"""A wide table a keyboard can scroll: a named, focusable scroll box around a pandas table.

JupyterLab scrolls a wide DataFrame inside its output area, which a keyboard cannot reach (no
tab stop), so a learner without a mouse cannot see its last columns. This box can be tabbed to
and scrolled with the arrow keys, and a screen reader announces its name.

    >>> table_view(raw.head(8), "The first 8 rows of the raw export")
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlworkflow.core.text import html_escape

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TableView", "table_view"]

_HEADER = re.compile(r"(<th[^>]*>)([^<]*)(</th>)")
# compact enough for 11 columns in a 1366-px notebook; headers wrap instead of widening the table
_CSS = (".mlw-table-scroll .mlw-table{font-size:12px}"
        ".mlw-table-scroll .mlw-table th,.mlw-table-scroll .mlw-table td{padding:2px 6px}"
        ".mlw-table-scroll .mlw-table thead th{white-space:normal;vertical-align:bottom}")


@dataclass(frozen=True)
class TableView:
    """A table with a name; displays as a scroll box a keyboard can reach, or as text."""

    frame: pd.DataFrame
    name: str

    def _repr_html_(self) -> str:
        table = self.frame.to_html(border=0, classes="dataframe mlw-table")
        # column names may break after an underscore ("payment_<wbr>failures"), so the table fits 1366 px
        table = _HEADER.sub(lambda m: m.group(1) + m.group(2).replace("_", "_<wbr>") + m.group(3), table)
        return (f'<div class="mlw-table-scroll" role="region" tabindex="0" aria-label="{html_escape(self.name)}" '
                f'style="overflow-x:auto;max-width:100%"><p class="mlw-table-name">{html_escape(self.name)}</p>'
                f"<style>{_CSS}</style>{table}</div>")

    def __repr__(self) -> str:
        return f"{self.name}\n{self.frame.to_string()}"


def table_view(frame: pd.DataFrame, name: str) -> TableView:
    """``frame`` in a named scroll box a keyboard can reach (Tab to it, then the arrow keys)."""
    return TableView(frame, name)

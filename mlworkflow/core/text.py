"""Every formatter the course shares: money, percentages, counts, escaping and HTML tables.

One helper per job, so the same number never prints two ways ("-$456", never "$-456") and
learner text is made inert the same way everywhere.

    >>> money(-456.2), percent(0.1234), count(3000)
    ('-$456', '12.3%', '3,000')
    >>> md_escape("**not bold** [link](x)")
    '\\\\*\\\\*not bold\\\\*\\\\* \\\\[link\\\\]\\\\(x\\\\)'
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Sequence

__all__ = [
    "EM_DASH",
    "clean_text",
    "count",
    "html_escape",
    "html_table",
    "kind_of",
    "md_escape",
    "md_quote",
    "money",
    "percent",
    "safe_text",
    "signed_money",
]

EM_DASH = "—"  # what a missing number prints as

# control characters (except tab and newline), zero-width and direction-changing characters that
# make a page read differently from what was typed, and lone surrogates that cannot be encoded
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
_PAIR = re.compile(r"[\ud800-\udbff][\udc00-\udfff]")  # a surrogate pair split in two code points
_UNSAFE = re.compile(r"[\x00\ud800-\udfff]")  # NUL, and surrogates left alone once pairs are joined
_DIRECTION = re.compile(r"[\u202a-\u202e\u2066-\u2069]")  # embeddings, overrides and isolates
_MD_ANYWHERE = re.compile(r"([\\`*_\[\]{}()<>#+!|~&$])")
_MD_LINE_START = re.compile(r"^([-=]|\d+(?=[.)]))")


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def money(value: float | None, *, cents: bool = False) -> str:
    """Dollars with thousands separators and the sign in front: ``$1,234``, ``-$88``, ``$0.05``.

    ``None`` or NaN prints as an em dash; ``cents=True`` keeps two decimals.
    """
    if _missing(value):
        return EM_DASH
    assert value is not None
    digits = 2 if cents else 0
    text = f"{abs(value):,.{digits}f}"
    negative = value < 0 and text.strip("0.,") != ""  # -0.4 rounds to "$0", not "-$0"
    return f"{'-' if negative else ''}${text}"


def signed_money(value: float | None, *, cents: bool = False) -> str:
    """Money with an explicit ``+`` for gains: ``+$120``, ``-$45``, ``$0`` (for differences)."""
    text = money(value, cents=cents)
    if text[0] == "$" and text.strip("$0.,") != "":
        return "+" + text
    return text


def percent(value: float | None, digits: int = 1) -> str:
    """A share (0.123) as a percentage (``12.3%``); ``None`` or NaN prints as an em dash."""
    if _missing(value):
        return EM_DASH
    assert value is not None
    return f"{value:.{digits}%}"


def count(value: int | float) -> str:
    """A whole number with thousands separators: ``3,000``."""
    return f"{value:,.0f}"


def _join_pairs(text: str) -> str:
    return _PAIR.sub(lambda m: m.group().encode("utf-16-le", "surrogatepass").decode("utf-16-le"), text)


def safe_text(text: object, *, shown: bool = False) -> str:
    r"""Text that can always be stored, encoded and sent to a browser: lone surrogates and NULs become U+FFFD.

    A surrogate pair split in two (from some editors' clipboards) is joined back into its character.
    ``shown=True`` (text shown back as plain text) also drops right-to-left embeddings, overrides and
    isolates, which would make the text read differently from what was typed. Anything else is kept.

        >>> safe_text("caf\u00e9\ud800\x00"), safe_text("pay\u202eyas", shown=True)
        ('café��', 'payyas')
    """
    text = str(text)
    if _UNSAFE.search(text):
        text = _UNSAFE.sub("\ufffd", _join_pairs(text))
    return _DIRECTION.sub("", text) if shown else text


def kind_of(value: object) -> str:
    """What a JSON value is, in plain words ("a list", "a number"), for messages about saved answers."""
    kinds = {list: "a list", str: "a piece of text", bool: "true or false", int: "a number", float: "a number",
             type(None): "empty (null)", dict: "a group of entries"}
    return kinds.get(type(value), f"a {type(value).__name__}")


def clean_text(text: str) -> str:
    """Learner text without control or direction-changing characters, newlines normalised (for HTML and Markdown)."""
    return _CONTROL.sub("", _join_pairs(str(text)).replace("\r\n", "\n").replace("\r", "\n"))


def html_escape(text: object) -> str:
    """Any text made safe inside HTML elements and attribute values."""
    return html.escape(clean_text(str(text)), quote=True)


def md_escape(text: object) -> str:
    """One line of text made inert in Markdown: no links, HTML, emphasis, maths, lists or headings."""
    line = _MD_ANYWHERE.sub(r"\\\1", " ".join(clean_text(str(text)).split()))
    m = _MD_LINE_START.match(line)
    if m and m.group(1).isdigit():  # "1. " would start a numbered list
        return line[: m.end()] + "\\" + line[m.end() :]
    return "\\" + line if m else line


def md_quote(text: str) -> list[str]:
    """Text as Markdown block-quote lines, one escaped line per paragraph."""
    return ["> " + md_escape(p) for p in clean_text(text).splitlines() if p.strip()] or ["> "]


def html_table(headers: Sequence[object], rows: Iterable[Sequence[object]], css_class: str = "") -> str:
    """An HTML table, every cell escaped and left-aligned (prose reads badly right-aligned)."""
    cls = f' class="{html_escape(css_class)}"' if css_class else ""
    head = "".join(f'<th style="text-align:left">{html_escape(h)}</th>' for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td style="text-align:left;vertical-align:top">{html_escape(c)}</td>' for c in row) + "</tr>"
        for row in rows
    )
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


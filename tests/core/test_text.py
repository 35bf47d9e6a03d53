import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlworkflow.core.text import (
    EM_DASH,
    clean_text,
    count,
    html_escape,
    html_table,
    kind_of,
    md_escape,
    md_quote,
    money,
    percent,
    safe_text,
    signed_money,
)

MD_SPECIAL = set("\\`*_[]{}()<>#+!|~&$")


@pytest.mark.parametrize(
    "value, kwargs, expected",
    [
        (1234, {}, "$1,234"),
        (1234567.8, {}, "$1,234,568"),
        (-88, {}, "-$88"),
        (-456.2, {}, "-$456"),
        (0, {}, "$0"),
        (-0.4, {}, "$0"),
        (0.05, {"cents": True}, "$0.05"),
        (-1234.5, {"cents": True}, "-$1,234.50"),
        (-0.004, {"cents": True}, "$0.00"),
        (None, {}, EM_DASH),
        (math.nan, {}, EM_DASH),
    ],
)
def test_money(value, kwargs, expected):
    assert money(value, **kwargs) == expected


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_money_sign_is_always_in_front_and_never_minus_zero(value):
    text = money(value)
    assert "$-" not in text and text != "-$0"
    assert re.fullmatch(r"-?\$\d{1,3}(,\d{3})*", text)


@pytest.mark.parametrize(
    "value, expected",
    [(120, "+$120"), (-45, "-$45"), (0, "$0"), (0.3, "$0"), (-0.3, "$0"), (None, EM_DASH), (math.nan, EM_DASH)],
)
def test_signed_money(value, expected):
    assert signed_money(value) == expected


def test_signed_money_with_cents():
    assert signed_money(0.05, cents=True) == "+$0.05" and signed_money(-2, cents=True) == "-$2.00"


def test_percent():
    assert percent(0.1234) == "12.3%"
    assert percent(0.5, 0) == "50%" and percent(1) == "100.0%" and percent(-0.02) == "-2.0%"
    assert percent(0.12345, digits=2) == "12.35%"
    assert percent(None) == EM_DASH and percent(math.nan) == EM_DASH


def test_count():
    assert count(3000) == "3,000" and count(0) == "0" and count(1234567) == "1,234,567" and count(2.6) == "3"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("a\x00b\x07c\x1bd\x7fe", "abcde"),  # control characters
        ("tab\tand\nnewline", "tab\tand\nnewline"),  # kept
        ("one\r\ntwo\rthree", "one\ntwo\nthree"),  # newlines normalised
        ("pay\u202eyas\u202c", "payyas"),  # direction overrides
        ("\u2066iso\u2069", "iso"),  # isolates
        ("zero\u200bwidth\u200d", "zerowidth"),  # zero-width
        ("lone\ud800surrogate\udfff", "lonesurrogate"),
        ("caf\u00e9 \u2014 ok", "caf\u00e9 \u2014 ok"),  # ordinary Unicode untouched
    ],
)
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


@given(st.text())
def test_clean_text_output_can_always_be_encoded(text):
    cleaned = clean_text(text)
    cleaned.encode("utf-8")
    assert "\r" not in cleaned and clean_text(cleaned) == cleaned


def test_html_escape_escapes_markup_and_quotes():
    assert html_escape('<a href="x">Tom\'s & co</a>') == "&lt;a href=&quot;x&quot;&gt;Tom&#x27;s &amp; co&lt;/a&gt;"
    assert html_escape(12.5) == "12.5"
    assert html_escape("a\u202eb") == "ab"


@given(st.text())
def test_html_escape_output_is_inert(text):
    out = html_escape(text)
    assert not set(out) & set("<>\"'")
    assert re.sub(r"&(amp|lt|gt|quot|#x27);", "", out).count("&") == 0


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("*bold* and _it_", r"\*bold\* and \_it\_"),
        ("[link](http://x)", r"\[link\]\(http://x\)"),
        ("costs $5 <b>", r"costs \$5 \<b\>"),
        ("# heading", r"\# heading"),
        ("1. first", r"1\. first"),
        ("12) twelfth", r"12\) twelfth"),
        ("- item", r"\- item"),
        ("= underline", r"\= underline"),
        ("a\nb   c", "a b c"),  # one line
        ("x-y 3.5", "x-y 3.5"),  # only a leading dash or number starts a list
    ],
)
def test_md_escape(raw, expected):
    assert md_escape(raw) == expected


@given(st.text())
def test_md_escape_leaves_no_special_character_unescaped(text):
    out = md_escape(text)
    assert "\n" not in out
    bare = re.sub(r"\\.", "", out)  # drop every escaped pair
    assert not set(bare) & MD_SPECIAL
    assert not re.match(r"[-=#>+*]|\d+[.)]", out)  # cannot start a list, heading or quote


def test_md_quote():
    assert md_quote("First *point*\n\n  \nSecond") == [r"> First \*point\*", "> Second"]
    assert md_quote("") == ["> "] and md_quote(" \n ") == ["> "]


def test_html_table_escapes_every_cell_and_left_aligns():
    out = html_table(["Name", "<b>Note</b>"], [["Ann & Bo", '"quoted"'], [3, None]], css_class='t"x')
    assert out.startswith('<table class="t&quot;x"><thead><tr><th style="text-align:left">Name</th>')
    assert "&lt;b&gt;Note&lt;/b&gt;" in out and "Ann &amp; Bo" in out and "&quot;quoted&quot;" in out
    assert out.count('<td style="text-align:left;vertical-align:top">') == 4
    assert "<b>" not in out and out.count("<tr>") == 3
    assert "<table>" in html_table(["a"], [])


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("lone\ud800and\udfff", "lone\ufffdand\ufffd"),
        ("nul\x00", "nul\ufffd"),
        ("split pair \ud83d\ude00", "split pair 😀"),
        ("pay\u202eyas", "pay\u202eyas"),  # kept when stored ...
        ("tab\tnewline\n<b>", "tab\tnewline\n<b>"),
    ],
)
def test_safe_text(raw, expected):
    assert safe_text(raw) == expected


def test_safe_text_shown_drops_direction_overrides_and_isolates():
    assert safe_text("pay\u202eyas \u2066x\u2069 \u202ay\u202c", shown=True) == "payyas x y"  # ... not when shown
    assert safe_text("clients \u0639\u0645\u0644\u0627\u0621", shown=True) == "clients \u0639\u0645\u0644\u0627\u0621"


@given(st.lists(st.integers(0, 0x10FFFF), max_size=40).map(lambda codes: "".join(map(chr, codes))))
def test_safe_text_can_always_be_encoded_and_is_stable(text):  # any code points, lone surrogates included
    for shown in (False, True):
        out = safe_text(text, shown=shown)
        out.encode("utf-8")
        assert "\x00" not in out and safe_text(out, shown=shown) == out


def test_kind_of():
    assert [kind_of(v) for v in ([], "x", True, 3, 1.5, None, {})] == [
        "a list", "a piece of text", "true or false", "a number", "a number", "empty (null)", "a group of entries"]

"""Files offered to the learner's own computer, and where the server copy is, in words."""

import base64
import re

import pytest

from mlworkflow.display.download import download_link, where_saved


def _payload(html: str) -> tuple[str, str, bytes]:
    m = re.fullmatch(r'<a class="mlw-download" download="([^"]*)" href="data:([^;]+);charset=utf-8;base64,'
                     r'([A-Za-z0-9+/=]*)">[^<]*</a>', html)
    assert m, html
    return m.group(1), m.group(2), base64.b64decode(m.group(3))


@pytest.mark.parametrize(("name", "mime"), [("brief.md", "text/markdown"), ("page.html", "text/html"),
                                            ("answers.json", "application/json"), ("notes", "text/plain")])
def test_the_link_carries_the_whole_file_with_its_type(name, mime):
    text = "Ünïcode ✓ and <b>tags</b>\n" * 50
    assert _payload(download_link(name, text)) == (name, mime, text.encode("utf-8"))


def test_hostile_names_and_text_cannot_break_out_of_the_link():
    html = download_link('../../etc/"><script>alert(1)</script>.md', "x\ud800y\x00")
    name, _, data = _payload(html)
    assert "<script" not in html and "/" not in name and data.decode("utf-8") == "x\ufffdy\ufffd"


def test_the_label_says_what_is_downloaded():
    assert ">Download my.md</a>" in download_link("my.md", "")
    assert ">Save the &lt;summary&gt;</a>" in download_link("s.html", "", label="Save the <summary>")


def test_where_saved_names_a_place_in_the_file_browser(tmp_path):
    inside = tmp_path / "exports" / "brief.md"
    assert where_saved(inside, tmp_path) == "exports/brief.md, next to this notebook (in the file browser on the left)"
    elsewhere = tmp_path.parent / "other.md"
    assert where_saved(elsewhere, tmp_path) == f"{elsewhere} on the server running this notebook"

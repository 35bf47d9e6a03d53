"""Shared by the store's reliability tests: a lock held by another process, and "could a kernel send this?".

Import as ``from reliability.store_helpers import ...`` (``tests`` is on pytest's pythonpath).
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HOSTILE = [
    "lone \ud800 surrogate and a low one \udfff",
    "a NUL \x00 in the middle",
    "pay\u202eyas.exe and \u2066isolated\u2069 text",
    "<script>alert(1)</script><img src=x onerror=alert(2)>",
    "\"'><svg onload=alert(3)>",
    "**bold** [link](javascript:alert(4)) # heading\n1. list\n> quote",
    "Clients 😀 顧客 عملاء \ud83d\ude00 (a split pair)",
]

_HOLDER = """
import sys, time
from pathlib import Path
from mlworkflow.core.progress import _locked
with _locked(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


@contextlib.contextmanager
def lock_held(lock_path: Path, seconds: float = 60.0) -> Iterator[subprocess.Popen[str]]:
    """Another process (a stuck kernel) holds the store's lock until the block ends (it is then killed)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(lock_path), str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        holder.kill()
        holder.wait(timeout=30)


def sendable(widget: Any) -> None:
    """Raise if anything the widget would send to the browser could not be encoded as a kernel message.

    A real kernel packs messages with ``jupyter_client.session.json_packer`` (UTF-8); a lone surrogate
    in any widget state or in the display bundle raises ``UnicodeEncodeError`` there.
    """
    from jupyter_client.session import json_packer

    stack = [widget]
    while stack:
        w = stack.pop()
        json_packer(w.get_state())
        stack.extend(getattr(w, "children", ()))
    json_packer(widget._repr_mimebundle_())

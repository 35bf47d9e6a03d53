"""The workshop leader's tools: collect submissions, the class summary, nbgitpuller links, the presenter view."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # ``from mlworkflow.leader import ClassPulse``: what the flat module of that name gave, in
    # facilitator notebooks copied by older versions
    if name == "ClassPulse":
        from mlworkflow.leader.widgets import ClassPulse

        return ClassPulse
    raise AttributeError(f"module 'mlworkflow.leader' has no attribute {name!r}")

"""How ML Projects Actually Work: an interactive Jupyter course for product managers.

Importing the package is cheap: widgets, Graphviz and the data libraries are imported only
when the object that needs them is first used.

    >>> from mlworkflow import StageStepper
    >>> StageStepper(start=0)        # in a notebook: the six stages, one at a time
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it; resolved on first access (PEP 562)
_EXPORTS = {
    "load_course": "mlworkflow.course",
    "Course": "mlworkflow.course",
    "Stage": "mlworkflow.course",
    "ContentError": "mlworkflow._content",
    "WorkflowDiagram": "mlworkflow.diagram",
    "StageStepper": "mlworkflow.stepper",
    "ProblemStatementForm": "mlworkflow.form",
    "Quiz": "mlworkflow.quiz",
    "ApplyToProject": "mlworkflow.apply",
    "stage_notes": "mlworkflow.cards",
    "RequestSorter": "mlworkflow.sorting",
    "ProblemFramer": "mlworkflow.framing",
    "CleaningLab": "mlworkflow.cleaning_lab",
    "OverfittingExplorer": "mlworkflow.training",
    "ThresholdExplorer": "mlworkflow.threshold",
    "RolloutSimulator": "mlworkflow.rollout",
    "ChurnService": "mlworkflow.deployment",
    "DriftMonitor": "mlworkflow.monitoring",
    "RecommendationExplorer": "mlworkflow.recommend_widget",
    "ProjectBrief": "mlworkflow.brief",
}
_SUBMODULES = {
    "apply", "cards", "cleaning", "cleaning_lab", "cli", "collect", "deployment", "rollout", "framing", "monitoring",
    "sorting", "task_types", "threshold", "training", "streaming", "recommend", "recommend_widget", "brief", "course", "datasets", "diagram", "doctor", "evaluation",
    "feedback", "form", "models", "progress", "quiz", "stepper", "workspace",
}

__all__ = sorted(_EXPORTS) + ["__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from mlworkflow._content import ContentError
    from mlworkflow.course import Course, Stage, load_course
    from mlworkflow.diagram import WorkflowDiagram
    from mlworkflow.stepper import StageStepper


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"mlworkflow.{name}")
    raise AttributeError(f"module 'mlworkflow' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS) | _SUBMODULES)

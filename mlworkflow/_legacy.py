"""Old module paths keep working, so notebooks copied by an older ``mlworkflow start`` still run.

Before the package was grouped by stage and role, notebooks imported from flat modules
(``from mlworkflow.threshold import ThresholdExplorer``). A learner's edited copy is never
overwritten, so those lines must keep working: each old name becomes a module whose attributes
are looked up, on first use, in the modules that hold them now.

    >>> from mlworkflow.cleaning_lab import CleaningLab     # still works; new code: from mlworkflow import CleaningLab
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
import types
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # pragma: no cover
    from importlib.abc import Loader

__all__ = ["LEGACY", "install", "legacy_module"]

# old flat module -> the modules that hold its public names now, searched in order
LEGACY: dict[str, tuple[str, ...]] = {
    "apply": ("checks.apply", "checks.widgets"),
    "brief": ("checks.brief", "checks.widgets"),
    "quiz": ("checks.quiz", "checks.widgets"),
    "cards": ("display.cards",),
    "stepper": ("display.navigation", "display.widgets"),
    "diagram": ("display.diagram", "display.mermaid"),
    "course": ("core.course",),
    "progress": ("core.progress",),
    "datasets": ("stages.data.datasets",),
    "cleaning": ("stages.data.cleaning",),
    "cleaning_lab": ("stages.data.lab", "stages.data.widgets"),
    "sorting": ("stages.problem.sorting", "stages.problem.widgets"),
    "framing": ("stages.problem.framing", "stages.problem.widgets"),
    "models": ("stages.training.models",),
    "task_types": ("stages.training.task_types",),
    "training": ("stages.training.experiments", "stages.training.task_types", "stages.training.widgets"),
    "evaluation": ("stages.evaluation.metrics",),
    "threshold": ("stages.evaluation.threshold", "stages.evaluation.widgets"),
    "deployment": ("stages.deployment.service",),
    "rollout": ("stages.deployment.rollout", "stages.deployment.widgets"),
    "monitoring": ("stages.monitoring.drift", "stages.monitoring.widgets"),
    "streaming": ("stages.case_study.streaming",),
    "recommend": ("stages.case_study.recommend",),
    "recommend_widget": ("stages.case_study.views", "stages.case_study.widgets"),
    "feedback": ("exercise.assess", "exercise.render", "exercise.rubric"),
    "form": ("exercise.widgets",),
    "leader_submit": ("exercise.submit",),
    "collect": ("leader.collect",),
    "leader_demo": ("leader.demo",),
    "leader_link": ("leader.link",),
    "leader_report": ("leader.report",),
    "presenter": ("leader.presenter",),
    "doctor": ("cli.doctor",),
    "workspace": ("cli.workspace",),
}


def _module_getattr(old: str) -> Any:
    def __getattr__(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        for where in LEGACY[old]:
            module = importlib.import_module(f"mlworkflow.{where}")
            if hasattr(module, name):
                return getattr(module, name)
        raise AttributeError(f"mlworkflow.{old} (now in {', '.join(LEGACY[old])}) has no attribute {name!r}")

    return __getattr__


class _LegacyLoader:  # duck-typed: importlib.abc would pull in importlib.resources on every import
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        old = spec.name.rpartition(".")[2]
        module = types.ModuleType(spec.name, f"Old name of {', '.join('mlworkflow.' + w for w in LEGACY[old])}.")
        module.__getattr__ = _module_getattr(old)  # type: ignore[method-assign]
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        return None


class _LegacyFinder:
    def find_spec(self, fullname: str, path: Any, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        package, _, old = fullname.rpartition(".")
        if package != "mlworkflow" or old not in LEGACY:
            return None
        return importlib.machinery.ModuleSpec(fullname, cast("Loader", _LegacyLoader()))


_FINDER = _LegacyFinder()


def install() -> None:
    """Let ``import mlworkflow.<old name>`` find its new home (idempotent, cheap)."""
    if not any(isinstance(f, _LegacyFinder) for f in sys.meta_path):
        sys.meta_path.append(_FINDER)


def legacy_module(name: str) -> types.ModuleType | None:
    """``mlworkflow.<name>`` for an old module name (``from mlworkflow import feedback``), else None."""
    if name not in LEGACY:
        return None
    return importlib.import_module(f"mlworkflow.{name}")

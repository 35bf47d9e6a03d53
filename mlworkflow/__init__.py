"""How ML Projects Actually Work: an interactive Jupyter course for product managers.

Importing the package is cheap: widgets, Graphviz and the data libraries are imported only
when the object that needs them is first used. Notebooks import what they show from here:

    >>> from mlworkflow import StageStepper
    >>> StageStepper(start=0)        # in a notebook: the six stages, one at a time

Where things live (the folder tells you the room): ``core`` (content, course, progress, text),
``display`` (diagram, cards, charts, the stepper), ``stages/<stage>`` (one package per stage of
an ML project, pure modules beside one ``widgets.py``), ``exercise``, ``checks`` (quizzes,
apply-it, the brief), ``leader`` (the workshop leader's tools), ``cli``, ``ui`` (the widget base).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from mlworkflow._legacy import install as _install_legacy

__version__ = "0.1.0"

# public name -> "module:attribute"; resolved on first access (PEP 562)
_EXPORTS: dict[str, str] = {
    # the course and its diagram
    "ContentError": "mlworkflow.core.content:ContentError",
    "Course": "mlworkflow.core.course:Course",
    "Stage": "mlworkflow.core.course:Stage",
    "load_course": "mlworkflow.core.course:load_course",
    "ProgressStore": "mlworkflow.core.progress:ProgressStore",
    "WorkflowDiagram": "mlworkflow.display.diagram:WorkflowDiagram",
    "MermaidSyntaxError": "mlworkflow.display.mermaid:MermaidSyntaxError",
    "from_mermaid": "mlworkflow.display.diagram:from_mermaid",
    "stage_notes": "mlworkflow.display.cards:stage_notes",
    "StageStepper": "mlworkflow.display.widgets:StageStepper",
    "table_view": "mlworkflow.display.tables:table_view",
    # what every stage notebook ends with
    "Quiz": "mlworkflow.checks.widgets:Quiz",
    "ApplyToProject": "mlworkflow.checks.widgets:ApplyToProject",
    "ProjectBrief": "mlworkflow.checks.widgets:ProjectBrief",
    # 01 problem definition
    "RequestSorter": "mlworkflow.stages.problem.widgets:RequestSorter",
    "ProblemFramer": "mlworkflow.stages.problem.widgets:ProblemFramer",
    # 02 data
    "churn_raw": "mlworkflow.stages.data.datasets:churn_raw",
    "churn_customers": "mlworkflow.stages.data.datasets:churn_customers",
    "churn_months": "mlworkflow.stages.data.datasets:churn_months",
    "data_dictionary": "mlworkflow.stages.data.datasets:data_dictionary",
    "DRIFT_EVENTS": "mlworkflow.stages.data.datasets:DRIFT_EVENTS",
    "quality_report": "mlworkflow.stages.data.cleaning:quality_report",
    "summarise": "mlworkflow.stages.data.lab:summarise",
    "compare_cleaning": "mlworkflow.stages.data.lab:compare",
    "CleaningLab": "mlworkflow.stages.data.widgets:CleaningLab",
    # 03 training
    "split": "mlworkflow.stages.training.models:split",
    "fit_churn_model": "mlworkflow.stages.training.models:fit_churn_model",
    "churn_scores": "mlworkflow.stages.training.models:churn_scores",
    "load_task_types": "mlworkflow.stages.training.task_types:load_task_types",
    "compare_with_baseline": "mlworkflow.stages.training.experiments:compare_with_baseline",
    "verdict": "mlworkflow.stages.training.experiments:verdict",
    "ranking_difference": "mlworkflow.stages.training.uncertainty:ranking_difference",
    "OverfittingExplorer": "mlworkflow.stages.training.widgets:OverfittingExplorer",
    # 04 evaluation
    "evaluate": "mlworkflow.stages.evaluation.metrics:evaluate",
    "case_economics": "mlworkflow.stages.evaluation.economics:case_economics",
    "at_scale": "mlworkflow.stages.evaluation.economics:at_scale",
    "best_threshold": "mlworkflow.stages.evaluation.metrics:best_threshold",
    "THRESHOLDS": "mlworkflow.stages.evaluation.threshold:THRESHOLDS",
    "GoNoGoBar": "mlworkflow.stages.evaluation.threshold:GoNoGoBar",
    "go_no_go": "mlworkflow.stages.evaluation.threshold:go_no_go",
    "confusion_matrix_text": "mlworkflow.stages.evaluation.threshold:confusion_matrix_text",
    "segment_results": "mlworkflow.stages.evaluation.threshold:segment_results",
    "segment_text": "mlworkflow.stages.evaluation.threshold:segment_text",
    "ThresholdExplorer": "mlworkflow.stages.evaluation.widgets:ThresholdExplorer",
    "threshold_optimism": "mlworkflow.stages.evaluation.holdout:threshold_optimism",
    "holdout_customers": "mlworkflow.stages.evaluation.holdout:holdout_customers",
    "holdout_text": "mlworkflow.stages.evaluation.holdout:holdout_text",
    "holdout_report": "mlworkflow.stages.evaluation.holdout:holdout_report",
    "calibration_check": "mlworkflow.stages.evaluation.calibration:calibration_check",
    "expected_value_rule": "mlworkflow.stages.evaluation.calibration:expected_value_rule",
    "harm_by_group": "mlworkflow.stages.evaluation.harm:harm_by_group",
    # 05 deployment
    "ChurnService": "mlworkflow.stages.deployment.service:ChurnService",
    "compare_modes": "mlworkflow.stages.deployment.service:compare_modes",
    "current_rule": "mlworkflow.stages.deployment.service:current_rule",
    "integration_checklist": "mlworkflow.stages.deployment.service:integration_checklist",
    "load_deployment": "mlworkflow.stages.deployment.service:load_deployment",
    "measure_latency": "mlworkflow.stages.deployment.service:measure_latency",
    "simulate_rollout": "mlworkflow.stages.deployment.rollout:simulate_rollout",
    "RolloutSimulator": "mlworkflow.stages.deployment.widgets:RolloutSimulator",
    "check_health": "mlworkflow.stages.deployment.health:check_health",
    "plan_value_test": "mlworkflow.stages.deployment.experiment:plan_value_test",
    "model_card": "mlworkflow.stages.deployment.governance:model_card",
    "running_cost": "mlworkflow.stages.deployment.cost:running_cost",
    "cost_vs_gain": "mlworkflow.stages.deployment.cost:cost_vs_gain",
    # 06 monitoring
    "psi": "mlworkflow.stages.monitoring.drift:psi",
    "drift_scores": "mlworkflow.stages.monitoring.drift:drift_scores",
    "alert_months": "mlworkflow.stages.monitoring.drift:alert_months",
    "alert_summary": "mlworkflow.stages.monitoring.drift:alert_summary",
    "monthly_metrics": "mlworkflow.stages.monitoring.drift:monthly_metrics",
    "metrics_text": "mlworkflow.stages.monitoring.drift:metrics_text",
    "compare_models": "mlworkflow.stages.monitoring.drift:compare_models",
    "plot_metrics": "mlworkflow.stages.monitoring.drift:plot_metrics",
    "plot_inputs": "mlworkflow.stages.monitoring.drift:plot_inputs",
    "plot_drift": "mlworkflow.stages.monitoring.drift:plot_drift",
    "DriftMonitor": "mlworkflow.stages.monitoring.widgets:DriftMonitor",
    "holdout_mask": "mlworkflow.stages.monitoring.holdout:holdout_mask",
    "observed_outcomes": "mlworkflow.stages.monitoring.holdout:observed_outcomes",
    "holdout_reading": "mlworkflow.stages.monitoring.holdout:holdout_reading",
    "holdout_sizes": "mlworkflow.stages.monitoring.holdout:holdout_sizes",
    "outcome_gap": "mlworkflow.stages.monitoring.holdout:outcome_gap",
    "new_categories": "mlworkflow.stages.monitoring.drift:new_categories",
    "new_category_text": "mlworkflow.stages.monitoring.drift:new_category_text",
    "equal_budget": "mlworkflow.stages.monitoring.budget:equal_budget",
    "upkeep": "mlworkflow.stages.monitoring.budget:upkeep",
    # 07 case study
    "streaming_service": "mlworkflow.stages.case_study.streaming:streaming_service",
    "popularity_table": "mlworkflow.stages.case_study.streaming:popularity_table",
    "plot_popularity": "mlworkflow.stages.case_study.streaming:plot_popularity",
    "simulate_feedback_loop": "mlworkflow.stages.case_study.streaming:simulate_feedback_loop",
    "split_views": "mlworkflow.stages.case_study.recommend:split_views",
    "fit_most_popular": "mlworkflow.stages.case_study.recommend:fit_most_popular",
    "fit_item_similarity": "mlworkflow.stages.case_study.recommend:fit_item_similarity",
    "compare_recommenders": "mlworkflow.stages.case_study.recommend:compare",
    "explain": "mlworkflow.stages.case_study.recommend:explain",
    "new_title_share": "mlworkflow.stages.case_study.recommend:new_title_share",
    "recommender_difference": "mlworkflow.stages.case_study.recommend:recommender_difference",
    "RecommendationExplorer": "mlworkflow.stages.case_study.widgets:RecommendationExplorer",
    # 08 exercise
    "assess": "mlworkflow.exercise.assess:assess",
    "statement_examples": "mlworkflow.exercise.assess:examples",
    "ProblemStatementForm": "mlworkflow.exercise.widgets:ProblemStatementForm",
    "write_submission": "mlworkflow.exercise.submit:write_submission",
    "SubmitError": "mlworkflow.exercise.submit:SubmitError",
    # workshop leader
    "ClassPulse": "mlworkflow.leader.widgets:ClassPulse",
    "demo_folder": "mlworkflow.leader.demo:demo_folder",
}

__all__ = [
    "DRIFT_EVENTS",
    "THRESHOLDS",
    "ApplyToProject",
    "ChurnService",
    "ClassPulse",
    "CleaningLab",
    "ContentError",
    "Course",
    "DriftMonitor",
    "GoNoGoBar",
    "MermaidSyntaxError",
    "OverfittingExplorer",
    "ProblemFramer",
    "ProblemStatementForm",
    "ProgressStore",
    "ProjectBrief",
    "Quiz",
    "RecommendationExplorer",
    "RequestSorter",
    "RolloutSimulator",
    "Stage",
    "StageStepper",
    "SubmitError",
    "ThresholdExplorer",
    "WorkflowDiagram",
    "__version__",
    "alert_months",
    "alert_summary",
    "assess",
    "at_scale",
    "best_threshold",
    "calibration_check",
    "case_economics",
    "check_health",
    "churn_customers",
    "churn_months",
    "churn_raw",
    "churn_scores",
    "compare_cleaning",
    "compare_models",
    "compare_modes",
    "compare_recommenders",
    "compare_with_baseline",
    "confusion_matrix_text",
    "cost_vs_gain",
    "current_rule",
    "data_dictionary",
    "demo_folder",
    "drift_scores",
    "equal_budget",
    "evaluate",
    "expected_value_rule",
    "explain",
    "fit_churn_model",
    "fit_item_similarity",
    "fit_most_popular",
    "from_mermaid",
    "go_no_go",
    "harm_by_group",
    "holdout_customers",
    "holdout_mask",
    "holdout_reading",
    "holdout_report",
    "holdout_sizes",
    "holdout_text",
    "integration_checklist",
    "load_course",
    "load_deployment",
    "load_task_types",
    "measure_latency",
    "metrics_text",
    "model_card",
    "monthly_metrics",
    "new_categories",
    "new_category_text",
    "new_title_share",
    "observed_outcomes",
    "outcome_gap",
    "plan_value_test",
    "plot_drift",
    "plot_inputs",
    "plot_metrics",
    "plot_popularity",
    "popularity_table",
    "psi",
    "quality_report",
    "ranking_difference",
    "recommender_difference",
    "running_cost",
    "segment_results",
    "segment_text",
    "simulate_feedback_loop",
    "simulate_rollout",
    "split",
    "split_views",
    "stage_notes",
    "statement_examples",
    "streaming_service",
    "summarise",
    "table_view",
    "threshold_optimism",
    "upkeep",
    "verdict",
    "write_submission",
]

if TYPE_CHECKING:  # pragma: no cover - what type checkers see; at run time each name loads lazily
    from mlworkflow.checks.widgets import ApplyToProject, ProjectBrief, Quiz
    from mlworkflow.core.content import ContentError
    from mlworkflow.core.course import Course, Stage, load_course
    from mlworkflow.core.progress import ProgressStore
    from mlworkflow.display.cards import stage_notes
    from mlworkflow.display.diagram import WorkflowDiagram, from_mermaid
    from mlworkflow.display.mermaid import MermaidSyntaxError
    from mlworkflow.display.tables import table_view
    from mlworkflow.display.widgets import StageStepper
    from mlworkflow.exercise.assess import assess
    from mlworkflow.exercise.assess import examples as statement_examples
    from mlworkflow.exercise.submit import SubmitError, write_submission
    from mlworkflow.exercise.widgets import ProblemStatementForm
    from mlworkflow.leader.demo import demo_folder
    from mlworkflow.leader.widgets import ClassPulse
    from mlworkflow.stages.case_study.recommend import compare as compare_recommenders
    from mlworkflow.stages.case_study.recommend import (
        explain,
        fit_item_similarity,
        fit_most_popular,
        new_title_share,
        recommender_difference,
        split_views,
    )
    from mlworkflow.stages.case_study.streaming import (
        plot_popularity,
        popularity_table,
        simulate_feedback_loop,
        streaming_service,
    )
    from mlworkflow.stages.case_study.widgets import RecommendationExplorer
    from mlworkflow.stages.data.cleaning import quality_report
    from mlworkflow.stages.data.datasets import DRIFT_EVENTS, churn_customers, churn_months, churn_raw, data_dictionary
    from mlworkflow.stages.data.lab import compare as compare_cleaning
    from mlworkflow.stages.data.lab import summarise
    from mlworkflow.stages.data.widgets import CleaningLab
    from mlworkflow.stages.deployment.cost import cost_vs_gain, running_cost
    from mlworkflow.stages.deployment.experiment import plan_value_test
    from mlworkflow.stages.deployment.governance import model_card
    from mlworkflow.stages.deployment.health import check_health
    from mlworkflow.stages.deployment.rollout import simulate_rollout
    from mlworkflow.stages.deployment.service import (
        ChurnService,
        compare_modes,
        current_rule,
        integration_checklist,
        load_deployment,
        measure_latency,
    )
    from mlworkflow.stages.deployment.widgets import RolloutSimulator
    from mlworkflow.stages.evaluation.calibration import calibration_check, expected_value_rule
    from mlworkflow.stages.evaluation.economics import at_scale, case_economics
    from mlworkflow.stages.evaluation.harm import harm_by_group
    from mlworkflow.stages.evaluation.holdout import (
        holdout_customers,
        holdout_report,
        holdout_text,
        threshold_optimism,
    )
    from mlworkflow.stages.evaluation.metrics import best_threshold, evaluate
    from mlworkflow.stages.evaluation.threshold import (
        THRESHOLDS,
        GoNoGoBar,
        confusion_matrix_text,
        go_no_go,
        segment_results,
        segment_text,
    )
    from mlworkflow.stages.evaluation.widgets import ThresholdExplorer
    from mlworkflow.stages.monitoring.budget import equal_budget, upkeep
    from mlworkflow.stages.monitoring.drift import (
        alert_months,
        alert_summary,
        compare_models,
        drift_scores,
        metrics_text,
        monthly_metrics,
        new_categories,
        new_category_text,
        plot_drift,
        plot_inputs,
        plot_metrics,
        psi,
    )
    from mlworkflow.stages.monitoring.holdout import (
        holdout_mask,
        holdout_reading,
        holdout_sizes,
        observed_outcomes,
        outcome_gap,
    )
    from mlworkflow.stages.monitoring.widgets import DriftMonitor
    from mlworkflow.stages.problem.widgets import ProblemFramer, RequestSorter
    from mlworkflow.stages.training.experiments import compare_with_baseline, verdict
    from mlworkflow.stages.training.models import churn_scores, fit_churn_model, split
    from mlworkflow.stages.training.task_types import load_task_types
    from mlworkflow.stages.training.uncertainty import ranking_difference
    from mlworkflow.stages.training.widgets import OverfittingExplorer


def __getattr__(name: str) -> Any:
    target = _EXPORTS.get(name)
    if target is not None:
        module, _, attr = target.partition(":")
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    from mlworkflow._legacy import legacy_module

    old = legacy_module(name)
    if old is not None:
        return old
    raise AttributeError(f"module 'mlworkflow' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


_install_legacy()

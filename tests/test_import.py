import json
import subprocess
import sys

HEAVY = ["pandas", "sklearn", "matplotlib", "nbformat", "ipywidgets", "graphviz", "numpy", "wasmtime"]


def _modules_after(statement: str) -> set[str]:
    code = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return {m.split(".")[0] for m in json.loads(out)}


def test_import_mlworkflow_stays_light():
    loaded = _modules_after("import mlworkflow")
    assert not loaded & set(HEAVY), f"import mlworkflow pulled in {sorted(loaded & set(HEAVY))}"


def test_lazy_exports_resolve():
    import mlworkflow

    assert mlworkflow.load_course().stages[0].key == "problem"
    assert mlworkflow.WorkflowDiagram.__module__ == "mlworkflow.display.diagram"
    assert "StageStepper" in dir(mlworkflow)


def test_loading_course_content_stays_light():
    loaded = _modules_after("import mlworkflow; mlworkflow.load_course()")
    assert not loaded & {"pandas", "sklearn", "matplotlib", "ipywidgets", "numpy"}

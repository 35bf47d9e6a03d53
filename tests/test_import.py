"""The package's shape: light imports, widgets only in widgets modules, no cycles, no private reach-ins."""

from __future__ import annotations

import ast
import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest

import mlworkflow

PKG = Path(mlworkflow.__file__).resolve().parent
HEAVY = ["pandas", "sklearn", "matplotlib", "nbformat", "ipywidgets", "graphviz", "numpy", "wasmtime"]


def _modules_after(statement: str) -> set[str]:
    code = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out))


def _top(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def _package_modules() -> list[str]:
    names = []
    for path in sorted(PKG.rglob("*.py")):
        if "course_notebooks" in path.parts:
            continue
        rel = path.relative_to(PKG.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        if parts[-1] == "__main__":
            continue
        names.append(".".join(parts))
    return names


def _is_widget_module(name: str) -> bool:
    return name.endswith(".widgets") or name == "mlworkflow.ui" or name.startswith("mlworkflow.ui.")


MODULES = _package_modules()
PURE = [m for m in MODULES if not _is_widget_module(m)]


def test_import_mlworkflow_stays_light():
    loaded = _top(_modules_after("import mlworkflow"))
    assert not loaded & set(HEAVY), f"import mlworkflow pulled in {sorted(loaded & set(HEAVY))}"


def test_every_module_but_the_widgets_imports_without_ipywidgets():
    """One fresh interpreter per module, so one module's imports cannot hide another's."""
    assert len(PURE) > 30, PURE
    loaders = {}
    for name in PURE:
        loaded = _top(_modules_after(f"import {name}"))
        if "ipywidgets" in loaded:
            loaders[name] = sorted(loaded & {"ipywidgets", "traitlets"})
    assert not loaders, f"these modules load ipywidgets on import (move widgets to a widgets.py): {loaders}"


def test_widget_classes_live_only_in_widgets_modules():
    """A class that subclasses an ipywidgets Box/Widget is defined only in a ``widgets.py``."""
    offenders = []
    for path in PKG.rglob("*.py"):
        name = ".".join(path.relative_to(PKG.parent).with_suffix("").parts)
        if _is_widget_module(name.removesuffix(".__init__")):
            continue
        text = path.read_text(encoding="utf-8")
        if "import ipywidgets" in text or "from ipywidgets" in text:
            tree = ast.parse(text)
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and any("widgets." in ast.unparse(b) for b in node.bases):
                    offenders.append(f"{name}.{node.name}")
    assert not offenders


def test_at_most_ten_modules_directly_in_the_package():
    top_level = [p.name for p in PKG.glob("*.py")]
    assert len(top_level) <= 10, top_level
    stages = {p.name for p in (PKG / "stages").iterdir() if p.is_dir() and not p.name.startswith("__")}
    course_stages = {s.key for s in mlworkflow.load_course().stages}
    assert stages == course_stages | {"case_study"}


def _imports(path: Path) -> list[tuple[str, list[str], bool]]:
    """(module, names, at import time) for every ``from mlworkflow... import`` in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, list[str], bool]] = []

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue  # seen by type checkers only
            if isinstance(child, ast.ImportFrom) and child.module and child.module.startswith("mlworkflow"):
                found.append((child.module, [a.name for a in child.names], top))
            elif isinstance(child, ast.Import):
                found.extend((a.name, [], top) for a in child.names if a.name.startswith("mlworkflow"))
            inner = top and not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            visit(child, inner)

    visit(tree, True)
    return found


def _module_path(name: str) -> Path:
    base = PKG.parent.joinpath(*name.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def test_no_module_imports_another_modules_private_names():
    offenders = []
    for name in MODULES:
        for module, names, _top_level in _imports(_module_path(name)):
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if module.split(".")[-1].startswith("_") and module != "mlworkflow._legacy":
                private.append(module)
            if private and module != name:
                offenders.append(f"{name} imports {private} from {module}")
    assert not offenders, offenders


def test_no_import_cycles_at_import_time():
    graph: dict[str, set[str]] = {}
    for name in MODULES:
        deps = set()
        for module, names, top_level in _imports(_module_path(name)):
            if not top_level:
                continue
            for target in [f"{module}.{n}" for n in names] + [module]:
                if target in MODULES and target != name:
                    deps.add(target)
                    break
        graph[name] = deps
    # a package's __init__ may name its children; a child importing its package's __init__ is fine
    seen: dict[str, int] = {}
    stack: list[str] = []

    def dfs(node: str) -> None:
        seen[node] = 1
        stack.append(node)
        for dep in graph.get(node, ()):
            if seen.get(dep) == 1:
                cycle = [*stack[stack.index(dep):], dep]
                nested = (b.startswith(a + ".") or a.startswith(b + ".") for a, b in itertools.pairwise(cycle))
                if not all(nested):
                    pytest.fail(f"import cycle: {' -> '.join(cycle)}")
            elif dep not in seen:
                dfs(dep)
        stack.pop()
        seen[node] = 2

    for node in graph:
        if node not in seen:
            dfs(node)


def test_every_public_name_resolves_and_is_declared():
    missing = [n for n in mlworkflow._EXPORTS if not hasattr(mlworkflow, n)]
    assert not missing
    assert sorted(mlworkflow.__all__) == sorted([*mlworkflow._EXPORTS, "__version__"])
    assert mlworkflow.WorkflowDiagram.__module__ == "mlworkflow.display.diagram"
    assert mlworkflow.load_course().stages[0].key == "problem"
    assert "StageStepper" in dir(mlworkflow)
    # every name is also declared for type checkers (the TYPE_CHECKING block of __init__)
    source = (PKG / "__init__.py").read_text(encoding="utf-8")
    block = source[source.index("if TYPE_CHECKING:"): source.index("def __getattr__")]
    undeclared = [n for n in mlworkflow._EXPORTS if f" {n}" not in block and f"{n}," not in block]
    assert not undeclared, undeclared


def test_exported_names_point_at_their_home():
    for name, target in mlworkflow._EXPORTS.items():
        module, _, attr = target.partition(":")
        value = getattr(mlworkflow, name)
        home = getattr(value, "__module__", None)
        if home is not None and isinstance(value, type | type(len) | type(_top)):
            assert home == module, f"{name} is defined in {home}, exported from {module}"
        assert attr


def test_notebooks_import_only_top_level_names():
    root = PKG.parent / "notebooks"
    if not root.is_dir():
        pytest.skip("no notebooks folder next to the package (installed wheel)")
    deep = []
    for path in sorted(root.rglob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "code" and "mlworkflow." in source and "import" in source:
                deep += [f"{path.name}: {line}" for line in source.splitlines() if line.startswith("from mlworkflow.")]
    assert not deep, deep


def test_loading_course_content_stays_light():
    loaded = _top(_modules_after("import mlworkflow; mlworkflow.load_course()"))
    assert not loaded & {"pandas", "sklearn", "matplotlib", "ipywidgets", "numpy"}

"""Test-wide setup: learner progress goes to a throwaway folder, never the developer's home."""

import os
import tempfile

# Set before any kernel starts (nbval kernels inherit the environment), so notebooks under
# test never read or write a real learner's saved answers.
os.environ.setdefault("MLWORKFLOW_HOME", tempfile.mkdtemp(prefix="mlworkflow-test-home-"))


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (``-n 2 --dist loadgroup``), keep what must share one process together.

    A notebook's cells run in order in one kernel (nbval), and the hub tests share one hub and
    its Unix users: each of those goes to one worker whole. Every other test is spread singly.
    """
    import pytest

    for item in items:
        path = str(item.fspath)
        if path.endswith(".ipynb") or f"{os.sep}tests{os.sep}hub{os.sep}" in path:
            item.add_marker(pytest.mark.xdist_group(name=os.path.basename(path)))

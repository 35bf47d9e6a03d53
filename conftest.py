"""Test-wide setup: learner progress goes to a throwaway folder, never the developer's home."""

import os
import tempfile

# Set before any kernel starts (nbval kernels inherit the environment), so notebooks under
# test never read or write a real learner's saved answers.
os.environ.setdefault("MLWORKFLOW_HOME", tempfile.mkdtemp(prefix="mlworkflow-test-home-"))


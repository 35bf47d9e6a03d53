"""``python -m mlworkflow`` is the same as the ``mlworkflow`` command."""

import sys

from mlworkflow.cli import main

sys.exit(main())

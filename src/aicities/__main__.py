"""``python -m aicities``: the ``aicities`` command."""

import sys

from aicities.cli import console

sys.exit(console())

"""``python -m sparsestat`` is the ``sparsestat`` console script."""

import sys

from sparsestat.cli import main

sys.exit(main())

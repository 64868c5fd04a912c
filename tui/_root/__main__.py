"""``python -m sitmon``: the same as the ``sitmon`` command."""

import sys

from sitmon.tui.cli import main

sys.exit(main())

"""``python -m sitmon.tui.cli``: the same as ``sitmon`` (and ``python -m sitmon``)."""

import sys

from sitmon.tui.cli import main

sys.exit(main())

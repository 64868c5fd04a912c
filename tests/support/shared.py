"""Where the shared reference folder is: ``$SITMON_SHARED``, else ``../shared`` beside the repo.

``examples/feeds/build_followup.py`` and ``tools/build_bundled.py`` read the same
variable, so a checkout that is not beside ``shared/`` (a git worktree, say) can
point every data check at it.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("SITMON_SHARED") or REPO.parent / "shared")

"""Build the briefing site; see --help."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from briefing.cli import main

if __name__ == "__main__":
    sys.exit(main())

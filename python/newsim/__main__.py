"""``python -m newsim``: the newsim command line (see newsim.cli)."""

import sys

from newsim.cli import main

sys.exit(main())

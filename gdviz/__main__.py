"""``python -m gdviz``: same as the ``gdviz`` command."""

import sys

from gdviz.cli import main

if __name__ == "__main__":
    sys.exit(main())

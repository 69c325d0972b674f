"""`python -m release COMMAND`."""

import sys

from release.cli import main

if __name__ == "__main__":
    sys.exit(main())

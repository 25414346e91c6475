"""`python3 -m bench [--quick]`: the same as `python3 -m bot bench` (installs into .venv first if needed)."""

import sys

from bot.__main__ import main

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))

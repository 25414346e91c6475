"""tests/backend's helpers (the real backend as a subprocess) for the privacy tests."""

import sys
from pathlib import Path

BACKEND_TESTS = Path(__file__).resolve().parents[1] / "backend"
if str(BACKEND_TESTS) not in sys.path:
    sys.path.insert(0, str(BACKEND_TESTS))

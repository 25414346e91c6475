"""The corpus scripts (bot/triage/corpus/generate.py, validate.py) share one list of labels (labels.py): the
committed JSONL files are what generate.py makes from the sources, and validate.py accepts every row."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from bot.triage.corpus import CORPUS_DIR


def test_the_committed_corpus_is_what_the_sources_generate_and_it_validates(tmp_path: Path) -> None:
    copy = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, copy)
    for script in ("generate.py", "validate.py"):
        done = subprocess.run([sys.executable, str(copy / script)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    for generated in sorted(CORPUS_DIR.glob("*.jsonl")):
        assert (copy / generated.name).read_bytes() == generated.read_bytes(), generated.name

"""The console's writes to files staff also edit by hand (knowledge, notices, NLU data, domain).

One YAML round-trip setting (quotes, comments, order and wide lines kept) and one atomic write (temp file +
rename: a reader — the action server, a retrain — sees the old file or the new one, never half of it).
"""

from __future__ import annotations

import os
from pathlib import Path

from ruamel.yaml import YAML


def round_trip_yaml(sequence_indent: int = 4, offset: int = 2) -> YAML:
    y = YAML()
    y.preserve_quotes = True  # type: ignore[assignment]  # ruamel.yaml leaves these two typed as None
    y.width = 4096  # type: ignore[assignment]
    y.indent(mapping=2, sequence=sequence_indent, offset=offset)
    return y


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)

"""Labelled messages the triage learns from: `bot/triage/corpus/*.jsonl`, the staff's examples and the
department keywords of knowledge/ticket_rules.yml.

One JSON object per line (schema: bot/triage/corpus/README.md). Staff examples (a dispatcher's choice
of department and type for a real ticket) are exported by the backend to a JSONL file of the same shape;
only `text` and the labels they carry are required.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.common.paths import var_dir as default_var_dir

ROOT = Path(__file__).resolve().parents[2]
CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
CATEGORIES = ("咨询", "求助", "投诉", "举报", "建议", "表扬")
URGENCIES = ("now", "mentioned", "none")


STAFF_EXAMPLES = Path("triage") / "staff_examples.jsonl"


def staff_examples_path(var_dir: Path | None = None) -> Path:
    """Where the backend exports the dispatchers' labelled examples: <HAIYUAN_VAR_DIR>/triage/…"""
    explicit = os.environ.get("TRIAGE_STAFF_EXAMPLES")
    if explicit and var_dir is None:
        return Path(explicit)
    return Path(var_dir or default_var_dir()) / STAFF_EXAMPLES


@dataclass(frozen=True)
class Example:
    text: str
    category: str | None
    department: str | None
    urgency: str | None
    kb_question: bool | None
    source: str


def _from_row(row: dict, source: str) -> Example | None:
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        return None
    category = row.get("type") if row.get("type") in CATEGORIES else None
    urgency = row.get("urgency") if row.get("urgency") in URGENCIES else None
    department = row.get("department") if isinstance(row.get("department"), str) and row["department"] else None
    kb = row.get("kb_question")
    if kb is None and "kb_question" not in row and source.startswith("corpus"):
        kb = False  # the corpus schema: absent means no
    return Example(text, category, department, urgency, kb if isinstance(kb, bool) else None, source)


def read_jsonl(path: Path, source: str) -> Iterator[Example]:
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue  # a broken line is skipped; the corpus validator reports it
        example = _from_row(row, source) if isinstance(row, dict) else None
        if example:
            yield example


def ticket_rules_path() -> Path:
    """knowledge/ticket_rules.yml ($KNOWLEDGE_DIR): its department keywords are short examples too."""
    return Path(os.environ.get("KNOWLEDGE_DIR") or ROOT / "knowledge") / "ticket_rules.yml"


# The two independent development sets (bench/triage/dev*, written by two other writers) join the training
# once the choices they served are made: more ways of putting things. `python3 -m bot.triage dev --file`
# leaves a set's own texts out again. The held-out split is never among these.
DEV_SETS = (ROOT / "bench" / "triage" / "dev" / "dev.jsonl", ROOT / "bench" / "triage" / "dev2" / "dev2.jsonl")


def training_files(corpus_dir: Path | None = None, staff_file: Path | None = None) -> list[Path]:
    files = sorted((corpus_dir or CORPUS_DIR).glob("*.jsonl"))
    if corpus_dir is None:
        files += [path for path in DEV_SETS if path.is_file()]
    staff = staff_file or staff_examples_path()
    rules = ticket_rules_path()
    return files + ([staff] if staff.is_file() else []) + ([rules] if rules.is_file() else [])


def keyword_examples(path: Path) -> Iterator[Example]:
    """Each department keyword of ticket_rules.yml as a department-only example (路灯 → 综合执法局)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return
    for department, entry in (data.get("departments") or {}).items():
        for keyword in (entry or {}).get("keywords") or []:
            if isinstance(keyword, str) and keyword.strip():
                yield Example(keyword.strip(), None, str(department), None, None, "keywords")


def load_examples(files: Iterable[Path], staff_file: Path | None = None) -> list[Example]:
    staff = (staff_file or staff_examples_path()).resolve()
    examples: list[Example] = []
    for path in files:
        if path.suffix in {".yml", ".yaml"}:
            examples.extend(keyword_examples(path))
            continue
        source = "staff" if path.resolve() == staff else f"corpus:{path.name}"
        examples.extend(read_jsonl(path, source))
    return examples

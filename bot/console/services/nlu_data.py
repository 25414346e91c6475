"""Labelled examples as Rasa training data: data/nlu/staff/labelled.yml, and new intents in domain.yml.

Both files are edited with ruamel.yaml round-trip, so comments, order and formatting stay as they were;
the console only appends. An example keeps the citizen's (masked) wording; entity spans are written in
Rasa's `[text](entity)` form, and brackets elsewhere in the text become full-width so they cannot be read
as annotations (the TextNormalizer folds them back at run time).
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterable
from pathlib import Path

import yaml
from ruamel.yaml.scalarstring import LiteralScalarString

from bot.console.services.yaml_files import round_trip_yaml, write_atomic

LABELLED_FILE = Path("data") / "nlu" / "staff" / "labelled.yml"
DOMAIN_FILE = Path("domain.yml")
INTENT_NAME = re.compile(r"^[a-z][a-z0-9_]{1,60}$")
# Intents the model never learns from examples (set by components or payloads only).
NOT_LABELLABLE = frozenset({"nlu_fallback", "long_message", "bad_input"})
_ANNOTATION_CHARS = str.maketrans({"[": "【", "]": "】", "(": "（", ")": "）", "{": "｛", "}": "｝"})

HEADER = """\
# 工作人员在控制台（未解决问题 → 标注）写入的训练例句，重新训练后生效。
# Written by the staff console (bot/console): it only appends; tidy by hand if you like.
# 新意图同时加在 domain.yml 的 intents 里；还要为它写规则或故事，助手才知道怎么回答。
version: "3.1"
nlu: []
"""

_lock = threading.Lock()


class LabelError(ValueError):
    """Shown to staff as it is."""


def annotate(text: str, spans: Iterable[tuple[int, int, str]]) -> str:
    """Example text with `[span](entity)` for each (start, end, entity), spans in character offsets."""
    ordered = sorted(spans)
    out, position = [], 0
    for start, end, entity in ordered:
        if start < position or start >= end or end > len(text):
            raise LabelError("实体范围重叠或超出了句子")
        out.append(text[position:start].translate(_ANNOTATION_CHARS))
        out.append(f"[{text[start:end].translate(_ANNOTATION_CHARS)}]({entity})")
        position = end
    out.append(text[position:].translate(_ANNOTATION_CHARS))
    return "".join(out).replace("\n", " ").strip()


class NluData:
    def __init__(self, project_dir: Path):
        self.project_dir = project_dir

    @property
    def labelled_path(self) -> Path:
        return self.project_dir / LABELLED_FILE

    @property
    def domain_path(self) -> Path:
        return self.project_dir / DOMAIN_FILE

    # ------------------------------------------------------------ domain
    def _domain(self) -> dict:
        try:
            return yaml.safe_load(self.domain_path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            return {}

    def intents(self) -> list[str]:
        names = []
        for entry in self._domain().get("intents") or []:
            name = next(iter(entry)) if isinstance(entry, dict) else entry
            if isinstance(name, str) and name not in NOT_LABELLABLE:
                names.append(name)
        return names

    def entities(self) -> list[str]:
        names = []
        for entry in self._domain().get("entities") or []:
            name = next(iter(entry)) if isinstance(entry, dict) else entry
            if isinstance(name, str):
                names.append(name)
        return names

    def check_intent(self, intent: str, new: bool) -> None:
        if not INTENT_NAME.match(intent or ""):
            raise LabelError("意图名称应为小写英文字母开头，只含小写字母、数字和下划线（如 ask_parking）")
        if intent in NOT_LABELLABLE:
            raise LabelError(f"意图 {intent} 由系统设定，不能用来标注")
        known = intent in self.intents()
        if new and known:
            raise LabelError(f"意图 {intent} 已经存在，请直接从列表中选择")
        if not new and not known:
            raise LabelError(f"意图 {intent} 不在 domain.yml 中；新意图请填在“新意图”一栏")

    def add_intent_to_domain(self, intent: str) -> None:
        """Append to domain.yml's intents, keeping its comments and layout (the blank line stays last)."""
        y = round_trip_yaml(4, 2)
        with _lock:
            text = self.domain_path.read_text(encoding="utf-8")
            data = y.load(text)
            intents = data.get("intents")
            if intents is None:
                raise LabelError("domain.yml 中没有 intents 列表")
            if any((next(iter(e)) if isinstance(e, dict) else e) == intent for e in intents):
                return
            last = len(intents) - 1
            intents.append(intent)
            if last in intents.ca.items:  # the comment/blank line after the old last item moves down
                intents.ca.items[last + 1] = intents.ca.items.pop(last)
            buffer = io.StringIO()
            y.dump(data, buffer)
            write_atomic(self.domain_path, buffer.getvalue())

    # ------------------------------------------------------------ examples
    def existing_examples(self) -> dict[str, str]:
        """example text → intent, over every NLU file in data/ (to warn about contradictions)."""
        found: dict[str, str] = {}
        for path in sorted((self.project_dir / "data").rglob("*.yml")):
            try:
                content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            except (OSError, yaml.YAMLError):
                continue
            for entry in content.get("nlu") or [] if isinstance(content, dict) else []:
                if isinstance(entry, dict) and entry.get("intent") and isinstance(entry.get("examples"), str):
                    for line in entry["examples"].splitlines():
                        line = line.strip()
                        if line.startswith("- "):
                            found.setdefault(plain_text(line[2:].strip()), entry["intent"])
        return found

    def add_examples(self, intent: str, examples: list[str]) -> list[str]:
        """Append examples under `intent` in labelled.yml; returns those actually added (no duplicates)."""
        y = round_trip_yaml(2, 0)
        with _lock:
            path = self.labelled_path
            text = path.read_text(encoding="utf-8") if path.exists() else HEADER
            data = y.load(text)
            if data.get("nlu") is None:
                data["nlu"] = []
            entries = data["nlu"]
            if hasattr(entries, "fa") and not entries:
                entries.fa.set_block_style()
            entry = next((e for e in entries if isinstance(e, dict) and e.get("intent") == intent), None)
            present = set()
            for e in entries:
                if isinstance(e, dict) and isinstance(e.get("examples"), str):
                    present |= {
                        line.strip()[2:].strip() for line in e["examples"].splitlines() if line.strip().startswith("- ")
                    }
            added = []
            for example in examples:
                example = example.strip()
                if example and example not in present:
                    added.append(example)
                    present.add(example)
            if not added:
                return []
            old = str(entry["examples"]) if entry is not None else ""
            block = LiteralScalarString(old + "".join(f"- {example}\n" for example in added))
            if entry is None:
                entries.append({"intent": intent, "examples": block})
            else:
                entry["examples"] = block
            buffer = io.StringIO()
            y.dump(data, buffer)
            write_atomic(path, buffer.getvalue())
        return added

    def remove_example(self, intent: str, example: str) -> bool:
        """Take one example out of `intent` in labelled.yml (an undone label); True if it was there."""
        y = round_trip_yaml(2, 0)
        with _lock:
            path = self.labelled_path
            if not path.exists():
                return False
            data = y.load(path.read_text(encoding="utf-8"))
            entries = data.get("nlu") or []
            entry = next((e for e in entries if isinstance(e, dict) and e.get("intent") == intent), None)
            if entry is None or not isinstance(entry.get("examples"), str):
                return False
            lines = str(entry["examples"]).splitlines(keepends=True)
            kept = [line for line in lines if line.strip() != f"- {example.strip()}"]
            if len(kept) == len(lines):
                return False
            if any(line.strip() for line in kept):
                entry["examples"] = LiteralScalarString("".join(kept))
            else:
                entries.remove(entry)
            buffer = io.StringIO()
            y.dump(data, buffer)
            write_atomic(path, buffer.getvalue())
        return True


_ENTITY = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def plain_text(example: str) -> str:
    """Example text without entity annotations."""
    return _ENTITY.sub(lambda m: m.group(1), example)

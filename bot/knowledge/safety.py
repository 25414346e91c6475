"""Safety words and emergency numbers from knowledge/safety.yml (pure: yaml and the standard library).

    rules = SafetyRules.load()                   # knowledge/safety.yml, or $KNOWLEDGE_DIR/safety.yml
    rules.detect("我家着火了")                    # Detection(kind="emergency", kinds=["fire"])
    rules.detect("活着没意思")                    # Detection(kind="self_harm", kinds=[])
    rules.numbers_for(["fire", "medical"])       # ["119", "120"]

Used twice: in NLU as a keyword safety net (so a low model confidence can never hide an emergency)
and by the action server for the numbers it gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.knowledge.loader import default_root

SAFETY_FILE = "safety.yml"
EMERGENCY = "emergency"
SELF_HARM = "self_harm"


@dataclass(frozen=True)
class Detection:
    kind: str  # EMERGENCY | SELF_HARM
    kinds: list[str] = field(default_factory=list)  # emergency kinds (fire, crime, …), in file order


@dataclass
class SafetyRules:
    emergencies: list[dict[str, Any]]
    not_emergencies: list[str]
    self_harm_words: list[str]
    self_harm_numbers: list[str]
    number_labels: dict[str, str]

    @classmethod
    def load(cls, root: Path | str | None = None) -> SafetyRules:
        data = yaml.safe_load((Path(root or default_root()) / SAFETY_FILE).read_text(encoding="utf-8")) or {}
        self_harm = data.get("self_harm") or {}
        return cls(
            emergencies=list(data.get("emergencies") or []),
            not_emergencies=[str(p) for p in data.get("not_emergencies") or []],
            self_harm_words=[str(w) for w in self_harm.get("words") or []],
            self_harm_numbers=[str(n) for n in self_harm.get("numbers") or []],
            number_labels={str(k): str(v) for k, v in (data.get("numbers") or {}).items()},
        )

    def detect(self, text: str) -> Detection | None:
        """Self-harm first (it needs the gentlest answer), then any emergency kind the text names."""
        compact = re.sub(r"\s+", "", text or "")
        if any(word in compact for word in self.self_harm_words):
            return Detection(SELF_HARM)
        for phrase in self.not_emergencies:
            compact = compact.replace(phrase, "")
        kinds = [e["kind"] for e in self.emergencies if any(str(w) in compact for w in e.get("words") or [])]
        return Detection(EMERGENCY, kinds) if kinds else None

    def numbers_for(self, kinds: list[str]) -> list[str]:
        numbers: list[str] = []
        for emergency in self.emergencies:
            if emergency["kind"] in kinds:
                numbers += [str(n) for n in emergency.get("numbers") or [] if str(n) not in numbers]
        return numbers or ["110", "119", "120", "122"]

    def label(self, number: str) -> str:
        return self.number_labels.get(number, "")


def check_safety(root: Path | str | None = None) -> list[str]:
    """Problems of safety.yml as `file: field: problem` lines (the knowledge check prints them)."""
    try:
        rules = SafetyRules.load(root)
    except (OSError, yaml.YAMLError, AttributeError, TypeError) as error:
        return [f"{SAFETY_FILE}: (整个文件): 无法读取（{error}）"]
    issues = []
    for i, emergency in enumerate(rules.emergencies):
        where = f"{SAFETY_FILE}: emergencies[{i}]"
        if not isinstance(emergency, dict) or not emergency.get("kind"):
            issues.append(f"{where}: 缺少 kind")
            continue
        if not emergency.get("words"):
            issues.append(f"{where}.words: 至少要有一个词")
        for number in emergency.get("numbers") or []:
            if not rules.label(str(number)):
                issues.append(f"{where}.numbers: 号码 {number} 在 numbers 里没有称呼")
    if not rules.self_harm_words or not rules.self_harm_numbers:
        issues.append(f"{SAFETY_FILE}: self_harm: 需要 words 和 numbers")
    return issues

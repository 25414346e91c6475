"""Safety words and emergency numbers from knowledge/safety.yml (pure: yaml and the standard library).

    rules = SafetyRules.load()                   # knowledge/safety.yml, or $KNOWLEDGE_DIR/safety.yml
    rules.detect("我家着火了")                    # Detection(kind="emergency", kinds=["fire"])
    rules.detect("活着没意思")                    # Detection(kind="self_harm", kinds=[])
    rules.numbers_for(["fire", "medical"])       # ["119", "120"]
    rules.reads_as_account("去年冬天楼道里着过火，至今……")   # True: a past or chronic hazard, told at length

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
ACCOUNT_CHARS = 50  # shorter messages with a hazard word are cries for help, whatever their tense
# "到现在也没人管", "现在还没修": since then, not now; removed before looking for present cues.
_NOT_NOW = re.compile(r"[到至]现在|现在[还也都仍身]")
_SENTENCE_BREAK = re.compile(r"[，。！？；,.!?;：:\n ]+")
# 现在 says "at present" in most letters (现在有针对骑手的保障): it makes a danger present in the clause that names
# it, or in a short clause beside it unless that clause tells the danger as past (现在，厨房着火了 / 着火了！现在火越来
# 越大, but not 前些年就塌了一半，现在一直空着); the other cues count in the clauses around it.
WEAK_PRESENT = {"现在"}


def _present_near(clauses: list[str], i: int, present: list[str], past: list[str]) -> bool:
    """A present cue in the clause naming a hazard (clauses[i]) or next to it: the danger is told as happening."""
    told_as_past = any(cue in clauses[i] for cue in past)  # 前些年就塌了一半，现在一直空着
    for j in range(max(i - 1, 0), min(i + 2, len(clauses))):
        clause = _NOT_NOW.sub("", clauses[j])
        if any(cue in clause for cue in present if cue not in WEAK_PRESENT):
            return True
        short_beside = len(clause) <= 8 and not told_as_past  # 着火了！现在火越来越大
        if (j == i or short_beside) and any(cue in clause for cue in WEAK_PRESENT):
            return True
    return False


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
    account_cues: dict[str, list[str]] = field(default_factory=dict)  # past / chronic / present

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
            account_cues={str(k): [str(w) for w in v or []] for k, v in (data.get("account_cues") or {}).items()},
        )

    def _emergency_words(self) -> list[str]:
        return [str(w) for e in self.emergencies for w in e.get("words") or []]

    def reads_as_account(self, text: str) -> bool:
        """A long message that mentions a hazard only as something past or chronic ("去年楼道着过火至今没人修",
        "隐患很大 万一着火"): every sentence naming a hazard carries a past or chronic cue (in it or the two
        before), none says it is happening now, and the message is at least ACCOUNT_CHARS long.

        Meant to be conservative: a sentence with a hazard and no cue counts as happening now."""
        compact = re.sub(r"\s+", " ", text or "").strip()
        if len(compact.replace(" ", "")) < ACCOUNT_CHARS:
            return False
        for phrase in self.not_emergencies:
            compact = compact.replace(phrase, "")
        past = self.account_cues.get("past", []) + self.account_cues.get("chronic", [])
        present = self.account_cues.get("present", [])
        words = self._emergency_words()
        sentences = [s for s in _SENTENCE_BREAK.split(compact) if s]
        named = [i for i, s in enumerate(sentences) if any(w in s for w in words)]
        if not named:
            return False
        for i in named:
            if _present_near(sentences, i, present, self.account_cues.get("past", [])):
                return False
            context = "".join(sentences[max(i - 2, 0) : i + 1])
            if not any(cue in context for cue in past):
                return False
        return True

    def has_account_cue(self, text: str) -> bool:
        """A past or chronic cue anywhere in the text (去年, 上个月, 落下, 经常, 隐患 …)."""
        cues = self.account_cues.get("past", []) + self.account_cues.get("chronic", [])
        return any(cue in text for cue in cues)

    def says_it_is_happening(self, text: str) -> bool:
        """A sentence naming a hazard, or the one before or after it, carries a present cue (正在, 现在, 快来 …;
        "到现在" and "现在还" do not count): the danger is told as happening now, whatever else the letter says."""
        compact = re.sub(r"\s+", " ", text or "").strip()
        for phrase in self.not_emergencies:
            compact = compact.replace(phrase, "")
        words = self._emergency_words()
        present = self.account_cues.get("present", [])
        sentences = [s for s in _SENTENCE_BREAK.split(compact) if s]
        past = self.account_cues.get("past", [])
        return any(
            _present_near(sentences, i, present, past)
            for i, sentence in enumerate(sentences)
            if any(w in sentence for w in words)
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

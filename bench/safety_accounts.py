"""Emergency pre-emption on labelled messages: false alarms on accounts of past or chronic hazards, misses of
dangers happening now — the word net alone (as before) against the word net with account reading (now).

    .venv/bin/python -m bench.safety_accounts [FILE.jsonl …]

Files are JSONL with `text` and `urgency` (now / mentioned / none), the schema of the triage corpus; by
default the triage training corpus (bot/triage/corpus/*.jsonl) and bench/unseen's emergencies. Never pass
bench/triage/heldout/ while tuning the cue words in knowledge/safety.yml.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from bot.knowledge.safety import EMERGENCY, SafetyRules
from bot.nlu.components import NOW_OVER_AN_ACCOUNT, NOW_WITHOUT_WORDS, heard_as_now
from bot.settings import ROOT


def labelled(paths: list[Path]) -> list[tuple[str, str]]:
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                urgency = item.get("urgency") or ("now" if item.get("expect") in {"emergency", "self_harm"} else "none")
                rows.append((item["text"], urgency))
    return rows


def pre_empts(rules: SafetyRules, text: str, read_accounts: bool) -> bool:
    """As bot/nlu/components.py SafetyNet decides (before: the word lists alone)."""
    found = rules.detect(text)
    if not read_accounts:
        return found is not None
    if found and found.kind != EMERGENCY:
        return True  # self-harm: always first
    if found and rules.reads_as_account(text):
        return heard_as_now(text, NOW_OVER_AN_ACCOUNT)
    return found is not None or heard_as_now(text, NOW_WITHOUT_WORDS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args()
    files = args.files or sorted((ROOT / "bot/triage/corpus").glob("*.jsonl")) + [ROOT / "bench/unseen/messages.jsonl"]
    rows = labelled([f for f in files if f.exists()])
    rules = SafetyRules.load()
    by_urgency = Counter(u for _, u in rows)
    print(f"{len(rows)} messages: " + ", ".join(f"{u} {n}" for u, n in sorted(by_urgency.items())))
    print("| | false alarms (mentioned) | false alarms (none) | misses (now) |\n|---|---|---|---|")
    for label, read_accounts in (("words only (before)", False), ("words + account reading + triage urgency", True)):
        alarms = Counter(u for text, u in rows if pre_empts(rules, text, read_accounts))
        print(
            f"| {label} | {alarms['mentioned']}/{by_urgency['mentioned']} | {alarms['none']}/{by_urgency['none']} "
            f"| {by_urgency['now'] - alarms['now']}/{by_urgency['now']} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Validate the triage training corpus: JSON shape, allowed labels, duplicates, counts.

Usage: python3 bot/triage/corpus/validate.py [--dedupe]
With --dedupe, exact duplicate texts (after whitespace normalisation) are removed in place,
keeping the first occurrence in file-name order.
"""

import json
import re
import sys
from collections import Counter
from pathlib import Path

import labels  # the same folder: the labels generate.py writes

HERE = Path(__file__).resolve().parent

TYPES = set(labels.TYPES.values())
DEPARTMENTS = {department for department, _ in labels.DEPARTMENTS.values()}
TOPICS = labels.TOPICS
URGENCIES = set(labels.URGENCY.values())
STYLES = set(labels.STYLES.values())
# Coverage targets of the corpus brief (reported, not enforced).
MINIMUMS = (
    [("type", t, 120 if t == "表扬" else 250) for t in sorted(TYPES)]
    + [("department", d, 60) for d in sorted(DEPARTMENTS)]
    + [("urgency", "now", 150), ("urgency", "mentioned", 150), ("style", "letter", 600)]
)
# Files in this directory written by others (none at present): validated and
# checked for duplicates, but not counted towards this corpus' coverage targets.
FOREIGN: set[str] = set()
REQUIRED = ("text", "type", "department", "topic", "urgency", "style")
# Full 18-digit ID numbers or 11-digit mobile numbers must never appear unmasked.
PRIVATE = re.compile(r"(?<!\d)(\d{17}[\dXx]|1[3-9]\d{9})(?!\d)")


def normalise(text: str) -> str:
    return re.sub(r"\s+", "", text)


def check_row(row: dict) -> list[str]:
    problems = [f"missing {key}" for key in REQUIRED if key not in row]
    if problems:
        return problems
    allowed = {"type": TYPES, "department": DEPARTMENTS, "topic": TOPICS, "urgency": URGENCIES, "style": STYLES}
    for key, values in allowed.items():
        if row[key] not in values:
            problems.append(f"{key}={row[key]!r} not allowed")
    if "kb_question" in row and not isinstance(row["kb_question"], bool):
        problems.append("kb_question must be a bool")
    extra = set(row) - set(REQUIRED) - {"kb_question"}
    if extra:
        problems.append(f"unknown fields {sorted(extra)}")
    if not row["text"].strip():
        problems.append("empty text")
    if PRIVATE.search(row["text"]):
        problems.append("unmasked ID or phone number")
    if row["style"] == "letter" and not 150 <= len(row["text"]) <= 600:
        problems.append(f"letter of {len(row['text'])} chars (want 150-600)")
    return problems


def main(dedupe: bool) -> int:
    seen: dict[str, str] = {}
    errors = 0
    totals: dict[str, Counter] = {k: Counter() for k in ("type", "department", "topic", "urgency", "style")}
    per_file: Counter = Counter()
    kb = 0
    for path in sorted(HERE.glob("*.jsonl")):
        kept = []
        dropped = 0
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                print(f"{path.name}:{number}: invalid JSON: {exc}")
                errors += 1
                continue
            for problem in check_row(row):
                print(f"{path.name}:{number}: {problem}")
                errors += 1
            key = normalise(row.get("text", ""))
            if key in seen:
                dropped += 1
                if not dedupe:
                    print(f"{path.name}:{number}: duplicate of {seen[key]}")
                    errors += 1
                continue
            seen[key] = f"{path.name}:{number}"
            kept.append(line)
            if path.name in FOREIGN:
                continue
            per_file[path.name] += 1
            for field, counter in totals.items():
                counter[row.get(field)] += 1
            kb += bool(row.get("kb_question"))
        if dedupe and dropped:
            path.write_text("\n".join(kept) + "\n", encoding="utf-8")
            print(f"{path.name}: removed {dropped} duplicates")
    skipped = f" (not counting {', '.join(sorted(FOREIGN))})" if FOREIGN else ""
    print(f"total {sum(per_file.values())} messages{skipped}, kb_question {kb}")
    for name, count in sorted(per_file.items()):
        print(f"  {name}: {count}")
    for field, counter in totals.items():
        print(field)
        for value, count in counter.most_common():
            print(f"  {value}: {count}")
    for field, value, minimum in MINIMUMS:
        if totals[field][value] < minimum:
            print(f"below target: {field}={value} has {totals[field][value]} (want {minimum})")
    if errors:
        print(f"{errors} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main("--dedupe" in sys.argv[1:]))

"""Generate NLU lookups/synonyms and the jieba user dictionary from knowledge/.

    python -m bot.knowledge.generate            # write the files
    python -m bot.knowledge.generate --check    # write nothing; exit 1 listing files that are out of date

Outputs (relative to --out; default: the repo, or the folder holding --root when given):
    data/nlu/generated/knowledge.yml   lookup tables `service`, `bundle` (longest first) and synonyms → id
    data/jieba/userdict.txt            names, aliases, keywords and domain words, one `word freq nz` a line
The output depends only on the content, never on time or file order, so it is reproducible.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Mapping

from bot.knowledge.loader import check_base, default_root
from bot.knowledge.schema import item_labels
from bot.knowledge.words import JIEBA_FREQ, JIEBA_TAG, knowledge_words

NLU_FILE = "data/nlu/generated/knowledge.yml"
USERDICT_FILE = "data/jieba/userdict.txt"
COMMAND = "python -m bot.knowledge.generate"
REPO = Path(__file__).resolve().parents[2]


def _stem(rel: str) -> str:
    return rel.rsplit("/", 1)[-1][:-4]


def _by_id(files: Mapping[str, object]) -> dict[str, dict]:
    return {_stem(rel): data for rel, data in sorted(files.items()) if isinstance(data, dict)}


def _longest_first(labels: set[str]) -> list[str]:
    return sorted(labels, key=lambda label: (-len(label), label))


def nlu_yaml(services: Mapping[str, dict], bundles: Mapping[str, dict]) -> str:
    """Rasa 3.x NLU data: lookup tables and synonyms (entity value = item id)."""
    lines = [
        f"# 由 {COMMAND} 从 knowledge/ 生成，请勿手工编辑。",
        f"# Generated from knowledge/ by `{COMMAND}`; do not edit.",
        'version: "3.1"',
        "nlu:",
    ]
    for table, items in (("service", services), ("bundle", bundles)):
        labels = {label for data in items.values() for _, label in item_labels(data)}
        lines += [f"- lookup: {table}", "  examples: |"] + [f"    - {label}" for label in _longest_first(labels)]
    synonyms: dict[str, set[str]] = {}
    for items in (services, bundles):
        for item_id, data in items.items():
            synonyms.setdefault(item_id, set()).update(label for _, label in item_labels(data))
    for item_id in sorted(synonyms):
        lines += [f"- synonym: {item_id}", "  examples: |"]
        lines += [f"    - {label}" for label in _longest_first(synonyms[item_id])]
    return "\n".join(lines) + "\n"


def userdict(services: Mapping[str, dict], bundles: Mapping[str, dict]) -> str:
    return "".join(f"{word} {JIEBA_FREQ} {JIEBA_TAG}\n" for word in knowledge_words(services, bundles))


def build_outputs(services: Mapping[str, dict], bundles: Mapping[str, dict]) -> dict[str, str]:
    """Relative output path → file content."""
    return {NLU_FILE: nlu_yaml(services, bundles), USERDICT_FILE: userdict(services, bundles)}


def stale_files(outputs: Mapping[str, str], out: Path) -> list[str]:
    stale = []
    for rel, content in sorted(outputs.items()):
        path = out / rel
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            stale.append(rel)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description="从知识库生成 NLU 查找表、同义词和 jieba 词典")
    parser.add_argument("--root", type=Path, help="知识库目录（默认：$KNOWLEDGE_DIR 或仓库的 knowledge/）")
    parser.add_argument("--out", type=Path, help="输出的项目目录（默认：本仓库；给了 --root 时为其上一级）")
    parser.add_argument("--check", action="store_true", help="不写文件；有过期文件时退出码为 1")
    parser.add_argument("--allow-errors", action="store_true", help="知识库有校验错误时仍然生成")
    args = parser.parse_args(argv)
    root = (args.root or default_root()).resolve()
    out = (args.out or (root.parent if args.root else REPO)).resolve()

    raw, issues = check_base(root)
    if issues:
        for issue in issues:
            print(issue, file=sys.stderr)
        if not args.allow_errors:
            print(f"知识库有 {len(issues)} 个错误，未生成（先修正，或加 --allow-errors）。", file=sys.stderr)
            return 1
    outputs = build_outputs(_by_id(raw.services), _by_id(raw.bundles))
    stale = stale_files(outputs, out)
    if args.check:
        for rel in stale:
            print(f"{rel}: 已过期，请运行 {COMMAND}")
        if not stale:
            print("生成文件已是最新。")
        return 1 if stale else 0
    for rel in stale:
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(outputs[rel], encoding="utf-8")
        print(f"已生成 {rel}")
    if not stale:
        print("生成文件已是最新。")
    return 0


if __name__ == "__main__":
    sys.exit(main())

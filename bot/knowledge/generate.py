"""Generate NLU lookups/synonyms and the jieba user dictionary from knowledge/.

    python -m bot.knowledge.generate            # write the files
    python -m bot.knowledge.generate --check    # write nothing; exit 1 listing files that are out of date

Outputs (relative to --out; default: the repo, or the folder holding --root when given):
    data/nlu/generated/knowledge.yml   lookup tables `service`, `bundle` (longest first) and synonyms → id
    data/jieba/userdict.txt            names, aliases, keywords and domain words, one `word freq nz` a line
    data/nlu/generated/service_variants.yml
                                       each hand-written service question of data/nlu/services.yml again with
                                       other services' names in the [..](service) span, so DIET learns the
                                       aspect from the question words, not from which service happened to be
                                       named (without it "办居住证在哪里办" was read as a materials question)
The output depends only on the content, never on time or file order, so it is reproducible.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import jieba
import yaml

from bot.knowledge.loader import check_base, default_root
from bot.knowledge.schema import item_labels
from bot.knowledge.words import JIEBA_BLOCK, JIEBA_FREQ, JIEBA_TAG, knowledge_words

NLU_FILE = "data/nlu/generated/knowledge.yml"
USERDICT_FILE = "data/jieba/userdict.txt"
VARIANTS_FILE = "data/nlu/generated/service_variants.yml"
HANDWRITTEN_FILE = "data/nlu/services.yml"  # input of the variants
HELD_OUT_DIR = "tests/nlu"  # never generate a held-out example
VARIANTS_PER_EXAMPLE = 2
_SERVICE_SPAN = re.compile(r"\[([^\]]+)\]\(service\)")
COMMAND = "python -m bot.knowledge.generate"
REPO = Path(__file__).resolve().parents[2]


def _stem(rel: str) -> str:
    return rel.rsplit("/", 1)[-1][:-4]


def _by_id(files: Mapping[str, object]) -> dict[str, dict[str, Any]]:
    return {_stem(rel): data for rel, data in sorted(files.items()) if isinstance(data, dict)}


def _longest_first(labels: set[str]) -> list[str]:
    return sorted(labels, key=lambda label: (-len(label), label))


def nlu_yaml(services: Mapping[str, dict[str, Any]], bundles: Mapping[str, dict[str, Any]]) -> str:
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


def userdict(services: Mapping[str, dict[str, Any]], bundles: Mapping[str, dict[str, Any]]) -> str:
    return "".join(f"{word} {JIEBA_FREQ} {JIEBA_TAG}\n" for word in knowledge_words(services, bundles))


def _examples(nlu_text: str) -> list[tuple[str, str]]:
    """(intent, example) pairs of a Rasa NLU YAML text."""
    pairs = []
    for block in (yaml.safe_load(nlu_text) or {}).get("nlu") or []:
        if "intent" in block:
            pairs += [
                (block["intent"], line.strip()[2:].strip())
                for line in str(block.get("examples") or "").splitlines()
                if line.strip().startswith("- ")
            ]
    return pairs


def _plain(example: str) -> str:
    return _SERVICE_SPAN.sub(r"\1", example)


def _replace_with(text: str) -> Callable[[re.Match[str]], str]:
    """A re.sub replacement that inserts `text` verbatim (no backslash or group processing)."""
    return lambda _match: text


def _aligned(tokenizer: jieba.Tokenizer, variant: str) -> bool:
    """The service span is whole jieba tokens in its new context (else Rasa trains it as no entity)."""
    found = _SERVICE_SPAN.search(variant)
    assert found is not None, "variants always hold one service span"
    start = found.start()
    end = start + len(found.group(1))
    cuts = {edge for _, s, e in tokenizer.tokenize(_plain(variant)) for edge in (s, e)}
    return start in cuts and end in cuts


def service_variants(
    services: Mapping[str, dict[str, Any]],
    bundles: Mapping[str, dict[str, Any]],
    handwritten: str,
    held_out: Iterable[str] = (),
) -> str:
    """Rasa NLU YAML: each example with one service span, VARIANTS_PER_EXAMPLE times with other names.

    The names are drawn, with a seed taken from the example itself, from every service's labels that
    jieba can keep as one token; a variant equal to a hand-written or held-out example, or whose span
    jieba would cut differently next to its new neighbours (能领 + 失业金 → 领失业金), is left out.
    """
    names = sorted({label for data in services.values() for _, label in item_labels(data) if JIEBA_BLOCK.match(label)})
    tokenizer = jieba.Tokenizer()
    for word in knowledge_words(services, bundles):
        tokenizer.add_word(word, JIEBA_FREQ, JIEBA_TAG)
    pairs = _examples(handwritten)
    taken = {_plain(example) for _, example in pairs} | {_plain(text) for text in held_out}
    by_intent: dict[str, list[str]] = {}
    for intent, example in pairs:
        spans = _SERVICE_SPAN.findall(example)
        if len(spans) != 1:
            continue
        rng = random.Random(hashlib.sha256(example.encode("utf-8")).hexdigest())
        candidates = rng.sample([n for n in names if n != spans[0]], 4 * VARIANTS_PER_EXAMPLE)
        kept = 0
        for name in candidates:
            variant = _SERVICE_SPAN.sub(_replace_with(f"[{name}](service)"), example)
            if kept < VARIANTS_PER_EXAMPLE and _plain(variant) not in taken and _aligned(tokenizer, variant):
                taken.add(_plain(variant))
                by_intent.setdefault(intent, []).append(variant)
                kept += 1
    lines = [
        f"# 由 {COMMAND} 从 {HANDWRITTEN_FILE} 和 knowledge/ 生成，请勿手工编辑。",
        f"# Generated by `{COMMAND}` from {HANDWRITTEN_FILE} and knowledge/; do not edit.",
        'version: "3.1"',
        "nlu:",
    ]
    for intent in sorted(by_intent):
        lines += [f"- intent: {intent}", "  examples: |"] + [f"    - {v}" for v in by_intent[intent]]
    return "\n".join(lines) + "\n"


def build_outputs(
    services: Mapping[str, dict[str, Any]],
    bundles: Mapping[str, dict[str, Any]],
    handwritten: str | None = None,
    held_out: Iterable[str] = (),
) -> dict[str, str]:
    """Relative output path → file content (the variants only when the hand-written examples are given)."""
    outputs = {NLU_FILE: nlu_yaml(services, bundles), USERDICT_FILE: userdict(services, bundles)}
    if handwritten is not None:
        outputs[VARIANTS_FILE] = service_variants(services, bundles, handwritten, held_out)
    return outputs


def held_out_texts(project: Path) -> list[str]:
    texts = []
    for path in sorted((project / HELD_OUT_DIR).glob("*.yml")):
        texts += [example for _, example in _examples(path.read_text(encoding="utf-8"))]
    return texts


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
    handwritten = out / HANDWRITTEN_FILE
    outputs = build_outputs(
        _by_id(raw.services),
        _by_id(raw.bundles),
        handwritten.read_text(encoding="utf-8") if handwritten.exists() else None,
        held_out_texts(out),
    )
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

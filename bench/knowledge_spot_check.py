"""Spot check of the knowledge base's sourced facts (issue 18).

    python -m bench.knowledge_spot_check [--seed 20261203] [--count 20]

Prints, for a reproducible random sample of facts that name an official source (services, bundles and
county.yml), the fact path, its value and the sources to re-read; then every service's `fee` with its
status (sourced / 待核实). The re-reading itself is done by hand and recorded in knowledge/SPOT_CHECK.md.
"""

from __future__ import annotations

import argparse
import random
from typing import Any

from bot.knowledge.facts import facts_of, source_ids, sources_by_id
from bot.knowledge.loader import default_root, read_raw

DEFAULT_SEED = 20261203


def sourced_facts() -> list[tuple[str, str, Any, list[dict[str, Any]]]]:
    """(file, path, value, sources) of every verified fact, in a stable order."""
    raw = read_raw(default_root())
    files: list[tuple[str, str, Any]] = [("county.yml", "county", raw.county)]
    files += [(name, "service", data) for name, data in sorted(raw.services.items())]
    files += [(name, "bundle", data) for name, data in sorted(raw.bundles.items())]
    found = []
    for name, kind, data in files:
        if not isinstance(data, dict):
            continue
        sources = sources_by_id(data)
        for fact in facts_of(kind, data):
            if fact.verified:
                named = [sources[i] for i in source_ids(fact.entry) if i in sources]
                found.append((name, fact.path, fact.value, named))
    return found


def fee_list() -> list[tuple[str, Any, str]]:
    raw = read_raw(default_root())
    rows = []
    for name, data in sorted(raw.services.items()):
        for fact in facts_of("service", data) if isinstance(data, dict) else []:
            if fact.path == "fee":
                status = "sourced" if fact.verified else ("lead" if fact.lead else "待核实")
                rows.append((name, fact.value, status))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.knowledge_spot_check", description=__doc__)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--count", type=int, default=20)
    args = parser.parse_args(argv)
    facts = sourced_facts()
    sample = random.Random(args.seed).sample(facts, min(args.count, len(facts)))
    print(f"seed {args.seed}: {len(sample)} of {len(facts)} sourced facts")
    for i, (name, path, value, sources) in enumerate(sample, 1):
        print(f"\n{i}. {name} {path}: {value}")
        for src in sources:
            print(f"   [{src.get('kind')}] {src.get('title')} {src.get('url') or src.get('doc') or ''}")
    print("\nfees:")
    for name, value, status in fee_list():
        print(f"  {status:8} {name}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

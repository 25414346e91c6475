"""python3 -m bot.triage train | dev — build the cached model, or measure on development data.

`dev` trains on 80% of the training corpus and reports on the other 20% (a fixed split by a hash of
each text); with `--file DEV.jsonl` it trains on the whole corpus less that file's texts and reports on that
labelled file instead (bench/triage/dev*/: the independent development sets, which the production model
also learns from, bot/triage/corpus.py DEV_SETS). `--set name=value` overrides a model parameter
(bot/triage/model.py Params) for the experiment. It never reads the held-out split in bench/triage/heldout/.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import json
import time
from pathlib import Path

from bot.triage import model as triage_model
from bot.triage.corpus import load_examples, read_jsonl, staff_examples_path, training_files
from bot.triage.evaluate import confusion_table, dev_split, measure

BENCH = Path(__file__).resolve().parents[2] / "bench" / "triage"
HELDOUT = (BENCH / "heldout", BENCH / "heldout2")  # the held-out splits: never development sets


def _print(result: dict, misses: int) -> None:
    shown = {k: v for k, v in result.items() if k not in {"confusion", "confusion_labels", "type_misses"}}
    for key, value in shown.items():
        print(f"{key:28} {value:.3f}" if isinstance(value, float) else f"{key:28} {value}")
    print(confusion_table(result))
    for miss in result["type_misses"][:misses]:
        print(json.dumps(miss, ensure_ascii=False))


def params(overrides: list[str]) -> triage_model.Params:
    values = {}
    for item in overrides:
        name, _, raw = item.partition("=")
        values[name] = ast.literal_eval(raw)
    return dataclasses.replace(triage_model.Params(), **values)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python3 -m bot.triage")
    parser.add_argument("command", choices=["train", "dev"])
    parser.add_argument("--misses", type=int, default=0, help="print this many misclassified dev messages")
    parser.add_argument("--file", type=Path, action="append", help="a labelled development file (JSONL)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="a Params override")
    args = parser.parse_args()
    if args.command == "train":
        started = time.monotonic()
        model = triage_model.build()
        print(f"model {model.key}: {model.trained_on} examples, {time.monotonic() - started:.1f} s")
        return
    examples = load_examples(training_files(), staff_examples_path())
    if args.file:
        if any(split in path.resolve().parents for split in HELDOUT for path in args.file):
            raise SystemExit("the held-out split is not a development set")
        dev = [e for path in args.file for e in read_jsonl(path, f"dev:{path.name}")]
        held = {e.text for e in dev}
        train = [e for e in examples if e.text not in held]  # a development set in the training is left out
    else:
        train, dev = dev_split(examples)
    started = time.monotonic()
    model = triage_model.TriageModel(params(args.set)).fit(train)
    print(f"trained on {len(train)} in {time.monotonic() - started:.1f} s; dev {len(dev)}")
    _print(measure(dev, model.predict), args.misses)


if __name__ == "__main__":
    main()

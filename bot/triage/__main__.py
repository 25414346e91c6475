"""python3 -m bot.triage train | dev — build the cached model, or measure on the dev split of the corpus.

`dev` trains on 80% of the training corpus and reports on the other 20% (a fixed split by a hash of
each text). It never reads the held-out split in bench/triage/heldout/.
"""

from __future__ import annotations

import argparse
import json
import time

from bot.triage import model as triage_model
from bot.triage.corpus import load_examples, staff_examples_path, training_files
from bot.triage.evaluate import confusion_table, dev_split, measure


def _print(result: dict, misses: int) -> None:
    shown = {k: v for k, v in result.items() if k not in {"confusion", "confusion_labels", "type_misses"}}
    for key, value in shown.items():
        print(f"{key:28} {value:.3f}" if isinstance(value, float) else f"{key:28} {value}")
    print(confusion_table(result))
    for miss in result["type_misses"][:misses]:
        print(json.dumps(miss, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python3 -m bot.triage")
    parser.add_argument("command", choices=["train", "dev"])
    parser.add_argument("--misses", type=int, default=0, help="print this many misclassified dev messages")
    args = parser.parse_args()
    if args.command == "train":
        started = time.monotonic()
        model = triage_model.build()
        print(f"model {model.key}: {model.trained_on} examples, {time.monotonic() - started:.1f} s")
        return
    examples = load_examples(training_files(), staff_examples_path())
    train, dev = dev_split(examples)
    started = time.monotonic()
    model = triage_model.TriageModel().fit(train)
    print(f"trained on {len(train)} in {time.monotonic() - started:.1f} s; dev {len(dev)}")
    _print(measure(dev, model.predict), args.misses)


if __name__ == "__main__":
    main()

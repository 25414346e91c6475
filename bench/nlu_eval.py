"""Held-out NLU quality with `rasa test nlu` on tests/nlu/: intent macro-F1, entity F1, top confusions."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.servers import quiet_env
from bot.settings import ROOT


def start(model: Path, out: Path, log_path: Path) -> subprocess.Popen:
    """`rasa test nlu` in the background (it loads its own copy of the model)."""
    out.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "ab")
    try:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rasa",
                "test",
                "nlu",
                "--nlu",
                "tests/nlu",
                "--model",
                str(model),
                "--out",
                str(out),
            ],
            cwd=ROOT,
            env=quiet_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    finally:
        log.close()


def confused_pairs(intent_report: dict, top: int = 5) -> list[dict]:
    pairs = []
    for intent, row in intent_report.items():
        if isinstance(row, dict):
            for predicted, count in (row.get("confused_with") or {}).items():
                pairs.append({"intent": intent, "predicted": predicted, "count": count})
    return sorted(pairs, key=lambda p: (-p["count"], p["intent"], p["predicted"]))[:top]


def entity_f1(out: Path) -> tuple[float | None, dict]:
    """Micro-averaged F1 over entity types of the extractors that report (DIET here)."""
    reports: dict[str, dict[str, Any]] = {}
    for path in sorted(out.glob("*Extractor_report.json")) + sorted(out.glob("DIETClassifier_report.json")):
        report = json.loads(path.read_text())
        average = report.get("micro avg") or report.get("weighted avg") or {}
        reports[path.stem.replace("_report", "")] = {
            "f1": average.get("f1-score"),
            "macro_f1": (report.get("macro avg") or {}).get("f1-score"),
            "support": average.get("support"),
        }
    main = reports.get("DIETClassifier") or next(iter(reports.values()), None) or {}
    return main.get("f1"), reports


def collect(process: subprocess.Popen, out: Path, started: float, log_path: Path) -> dict:
    code = process.wait()
    if code != 0 or not (out / "intent_report.json").exists():
        tail = log_path.read_text(errors="replace")[-2000:] if log_path.exists() else ""
        return {"error": f"rasa test nlu exited with {code}", "log_tail": tail}
    intents = json.loads((out / "intent_report.json").read_text())
    f1, extractors = entity_f1(out)
    test_examples = int(intents.get("macro avg", {}).get("support") or 0)
    return {
        "intent_macro_f1": round(intents["macro avg"]["f1-score"], 4),
        "intent_accuracy": round(intents.get("accuracy", 0.0), 4),
        "entity_f1": round(f1, 4) if f1 is not None else None,
        "entity_extractors": extractors,
        "test_examples": test_examples,
        "confused_pairs": confused_pairs(intents),
        "seconds": round(time.monotonic() - started, 1),
        "report_dir": str(out),
    }

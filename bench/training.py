"""Training time of the project's model: full (cold cache) and incremental (`rasa train --finetune`).

Both write into a temporary folder with their own Rasa cache (RASA_CACHE_DIRECTORY), so neither
touches models/ or .rasa/ of the checkout. The incremental run is what a staff edit looks like: one
NLU example added, the previous model fine-tuned with --epoch-fraction.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.servers import quiet_env
from bot.settings import ROOT

EXTRA_EXAMPLE = """version: "3.1"
nlu:
- intent: greet
  examples: |
    - 小助手你好呀
"""


def _train(args: list[str], cache: Path, log_path: Path) -> float:
    started = time.monotonic()
    with open(log_path, "ab") as log:
        code = subprocess.run(
            [sys.executable, "-m", "rasa", "train", *args],
            cwd=ROOT,
            env=quiet_env(RASA_CACHE_DIRECTORY=str(cache)),
            stdout=log,
            stderr=subprocess.STDOUT,
        ).returncode
    if code != 0:
        raise RuntimeError(f"rasa train {' '.join(args[:2])} … exited with {code}; see {log_path}")
    return time.monotonic() - started


def measure(
    work: Path,
    log_path: Path,
    config: str = "config.yml",
    domain: str = "domain.yml",
    data: Path = ROOT / "data",
    epoch_fraction: float = 0.2,
) -> dict:
    cache, out = work / "rasa-cache", work / "models"
    full = _train(
        [
            "--config",
            config,
            "--domain",
            domain,
            "--data",
            str(data),
            "--out",
            str(out),
            "--fixed-model-name",
            "full",
            "--force",
        ],
        cache,
        log_path,
    )
    changed = work / "data"
    shutil.copytree(data, changed)
    (changed / "bench_added_example.yml").write_text(EXTRA_EXAMPLE, encoding="utf-8")
    finetune = _train(
        [
            "--config",
            config,
            "--domain",
            domain,
            "--data",
            str(changed),
            "--out",
            str(out),
            "--fixed-model-name",
            "finetuned",
            "--finetune",
            str(out / "full.tar.gz"),
            "--epoch-fraction",
            str(epoch_fraction),
        ],
        cache,
        log_path,
    )
    return {
        "full_seconds": round(full, 1),
        "finetune_seconds": round(finetune, 1),
        "finetune_epoch_fraction": epoch_fraction,
        "model_mb": round((out / "full.tar.gz").stat().st_size / 1e6, 1),
    }

"""Train a model only when the training inputs changed.

The model file is named after a hash of everything that shapes it, so "is there a model for this data?"
is a file lookup. The jieba dictionary is not part of Rasa's own cache fingerprint (a dictionary-only
change would ship the old tokenizer), so a changed dictionary forces a full retrain.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path

from bot.settings import ROOT, Settings

MODELS_DIR = ROOT / "models"
CACHE_STAMP = ROOT / ".rasa" / "jieba-dictionary.sha256"
MODEL_INPUTS = [
    "config.yml",
    "domain.yml",
    "data",
    "bot/nlu",
    "bot/common/text.py",
]  # text.py: the NLU components use it


def _files(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for name in paths:
        path = ROOT / name
        found += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    return [p for p in found if "__pycache__" not in p.parts]


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def fingerprint() -> str:
    return _digest(_files(MODEL_INPUTS))[:12]


def model_path() -> Path:
    return MODELS_DIR / f"haiyuan-{fingerprint()}.tar.gz"


def ensure_model(force: bool = False) -> Path:
    """Return the model for the current data, training it first if it does not exist yet."""
    target = model_path()
    if target.exists() and not force:
        print(f"[海原政务小助手] 模型已是最新: {target.name}", flush=True)
        return target
    dictionary = _digest(_files(["data/jieba"]))
    dictionary_changed = not CACHE_STAMP.exists() or CACHE_STAMP.read_text() != dictionary
    command = [
        sys.executable,
        "-m",
        "rasa",
        "train",
        "--config",
        "config.yml",
        "--domain",
        "domain.yml",
        "--data",
        "data",
        "--out",
        str(MODELS_DIR),
        "--fixed-model-name",
        target.name.removesuffix(".tar.gz"),
    ]
    if force or dictionary_changed:
        command.append("--force")
    print(f"[海原政务小助手] 训练模型 {target.name} …（约 3–6 分钟，进度见下）", flush=True)
    started = time.monotonic()
    subprocess.run(command, cwd=ROOT, env=Settings().as_env(), check=True)
    CACHE_STAMP.parent.mkdir(exist_ok=True)
    CACHE_STAMP.write_text(dictionary)
    print(f"[海原政务小助手] 训练完成，用时 {time.monotonic() - started:.0f} 秒。", flush=True)
    _prune_old_models(keep=target)
    return target


def _prune_old_models(keep: Path, how_many: int = 2) -> None:
    models = sorted(MODELS_DIR.glob("haiyuan-*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [m for m in models if m != keep][how_many - 1 :]:
        old.unlink()


def prepare_model(force: bool = False, regenerate: bool = True):
    """The model for the current data, trained if needed; first the files generated from knowledge/
    are rewritten (`run`, `train`) or only checked to be up to date (`test`: CI must see stale files)."""
    from bot.knowledge import generate as generator

    if regenerate and generator.main([]) != 0:
        raise SystemExit("知识库生成 NLU 文件失败，请先运行 python3 -m bot check-knowledge 查看错误。")
    if not regenerate and generator.main(["--check"]) != 0:
        raise SystemExit("由 knowledge/ 生成的文件已过期：请运行 python3 -m bot generate 并提交结果。")
    model = ensure_model(force=force)
    # The triage model too (seconds; cached under models/triage/), so no server waits for it on its first ticket;
    # an existing cache file is not loaded here (the servers load it).
    from bot.triage.model import ensure_cached

    ensure_cached()
    return model

"""`--profile`: py-spy samples the servers while they are under load, to find where a missed target goes.

    with Profiler({"rasa": pid, "actions": pid}, out_dir, "haiyuan-10"):
        ...load...
    summary(out_dir / "haiyuan-10-rasa.txt")   # the frames holding the most samples

Raw collapsed stacks ("frame;frame;… count" per line) are kept in bench/results/profiles/; feed them to
any flame graph tool. The summary counts each sample once per frame it passes through (inclusive
share), for our code and for the libraries that usually matter (TensorFlow, SQLAlchemy, jieba …).
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

PY_SPY = Path(sys.executable).parent / "py-spy"
_FRAME = re.compile(r"^(?P<func>.+?) \((?P<file>[^:()]+)(?::\d+)?\)$")
FRAMEWORK = re.compile(r"\((sanic|asyncio|uvicorn|anyio|dask|starlette|threading)[/.]")
# Frames that name a component (what a reader can act on), not the web framework around it.
FOCUS = re.compile(
    r"^(\w*TrackerStore\.(save|retrieve|_retrieve)|RemoteAction\.(run|_validate_action_result)|"
    r"DaskGraphRunner\.run|\w+(Classifier|Featurizer|Tokenizer|Normalizer|Guard|Selector|Mapper)\.process|"
    r"\w+Policy\.predict_action_probabilities|\w*LockStore\.\w+|EndpointConfig\.request|"
    r"TicketService\.\w+|KnowledgeBase\.\w+|ActionExecutor\.run|TicketClient\.\w+|Outbox\.\w+|"
    r"Session\.(commit|execute|flush)|Engine\.connect|Connection\.close|DefaultDialect\.do_(commit|close|execute)|"
    r"validate|\w+\.(run|validate|submit|search|render)) "
)


def available() -> bool:
    return PY_SPY.exists() or shutil.which("py-spy") is not None


class Profiler:
    def __init__(self, pids: dict[str, int], out_dir: Path, label: str, rate: int = 50):
        self.pids, self.out_dir, self.label, self.rate = pids, out_dir, label, rate
        self.processes: list[subprocess.Popen] = []
        self.files: dict[str, Path] = {}

    def __enter__(self) -> Profiler:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        binary = str(PY_SPY) if PY_SPY.exists() else "py-spy"
        for name, pid in self.pids.items():
            path = self.out_dir / f"{self.label}-{name}.txt"
            self.files[name] = path
            self.processes.append(
                subprocess.Popen(
                    [
                        binary,
                        "record",
                        "--pid",
                        str(pid),
                        "--rate",
                        str(self.rate),
                        "--format",
                        "raw",
                        "--output",
                        str(path),
                        "--nonblocking",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        return self

    def __exit__(self, *_) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGINT)  # py-spy writes its output on Ctrl-C
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


def _label(frame: str) -> str:
    match = _FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    file = match.group("file")
    for marker in ("site-packages/", "/work/", "/main/"):
        if marker in file:
            file = file.split(marker, 1)[1]
    return f"{match.group('func')} ({file})"


def summary(path: Path, top: int = 15, keep: re.Pattern | None = None) -> dict:
    """The `top` frames with the largest inclusive share of samples (ours and key libraries), and the
    `top` leaf frames (where the samples were actually spent)."""
    if not path.exists():
        return {}
    inclusive: Counter = Counter()
    leaf: Counter = Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = [_label(f) for f in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] += samples
        leaf[frames[-1]] += samples
    keep = keep or FOCUS
    if not total:
        return {}
    rows = [
        {"frame": frame, "share": round(count / total, 3)}
        for frame, count in inclusive.most_common()
        if keep.search(frame) and not FRAMEWORK.search(frame)
    ]
    leaves = [{"frame": frame, "share": round(count / total, 3)} for frame, count in leaf.most_common(top)]
    return {"samples": total, "inclusive": rows[:top], "self": leaves}

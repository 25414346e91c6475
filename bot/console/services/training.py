"""Retraining from the console: the project's own `python -m bot train` as a subprocess, then a hot swap.

One job at a time. The command's output goes to var/console/training/job-<id>.log (the page shows its
tail). When it succeeds, the model file it names (the last `….tar.gz` in its output, looked up in
models/ when only a name is printed) is loaded into the running Rasa server with
`PUT {rasa_url}/model {"model_file": path}` on each instance (CONSOLE_RASA_URL, comma-separated), in turn.

What Rasa 3.6 does with that request (rasa/server.py `load_model`): it builds a complete new Agent from
the file and only then replaces `app.ctx.agent`, keeping the lock store. Loading runs inside Rasa's
event loop (`Agent.load_model` is synchronous), so while it loads the server answers nothing: requests
wait and are answered after the swap, none fail, and none are answered by a half-loaded model. The
old model answers right up to the swap; the pause is the load time (measured in tests/console).
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import threading
import time
from pathlib import Path

import requests
from sqlalchemy import func, select

from bot.common.privacy import mask_log_text
from bot.console.config import ROOT, ConsoleSettings
from bot.console.crud import audit
from bot.console.models import Message, TrainJob
from bot.console.services.auth import CurrentUser
from bot.core.database import Database
from bot.knowledge.generate import NLU_FILE, USERDICT_FILE, build_outputs, stale_files
from bot.knowledge.loader import check_base
from bot.tickets.models import utcnow

log = logging.getLogger(__name__)

RUNNING, LOADING, DONE, FAILED = "running", "loading", "done", "failed"
STATUS_LABELS = {RUNNING: "训练中", LOADING: "正在加载新模型", DONE: "已完成", FAILED: "失败"}
MODEL_MENTION = re.compile(r"""([^\s:：'"（(]+\.tar\.gz)""")
LOAD_TIMEOUT = 900
GENERATED_FILES = (NLU_FILE, USERDICT_FILE)


class TrainingBusy(Exception):
    pass


def model_from_log(text: str, models_dir: Path) -> Path | None:
    """The last model file the training output names, if it exists."""
    for mention in reversed(MODEL_MENTION.findall(text)):
        path = Path(mention)
        for candidate in ((path,) if path.is_absolute() else ()) + (models_dir / path.name,):
            if candidate.is_file():
                return candidate
    return None


class Trainer:
    def __init__(self, db: Database, settings: ConsoleSettings):
        self.db = db
        self.settings = settings
        self._lock = threading.Lock()
        self._stale: tuple[tuple, list[str]] = ((), [])

    # ------------------------------------------------------------ state
    def latest(self) -> TrainJob | None:
        with self.db.session() as session:
            return session.execute(select(TrainJob).order_by(TrainJob.id.desc()).limit(1)).scalar_one_or_none()

    def job(self, job_id: int) -> TrainJob | None:
        with self.db.session() as session:
            return session.get(TrainJob, job_id)

    def mark_interrupted(self) -> None:
        """At startup: jobs of a previous backend process can no longer finish."""
        with self.db.session(write=True) as session:
            for job in session.execute(select(TrainJob).where(TrainJob.status.in_([RUNNING, LOADING]))).scalars():
                job.status, job.finished_at = FAILED, utcnow()
                job.message = "后台重启，训练已中断，请重新开始。"

    def log_tail(self, job: TrainJob, lines: int = 40) -> str:
        try:
            text = Path(job.log_path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return mask_log_text("\n".join(text.splitlines()[-lines:]))

    def _inputs_signature(self) -> tuple:
        paths = sorted(self.settings.knowledge_dir.rglob("*.yml"))
        paths += [self.settings.project_dir / rel for rel in GENERATED_FILES]
        signature = []
        for path in paths:
            try:
                stat = path.stat()
                signature.append((str(path), stat.st_mtime_ns, stat.st_size))
            except OSError:
                signature.append((str(path), 0, 0))
        return tuple(signature)

    def stale_generated(self) -> list[str]:
        """Generated NLU/jieba files that no longer match knowledge/ (new names or aliases): retrain needed.

        The same comparison as `python -m bot.knowledge.generate --check`; cached until a file changes.
        """
        signature = self._inputs_signature()
        if self._stale[0] == signature:
            return list(self._stale[1])
        raw, _issues = check_base(self.settings.knowledge_dir)

        def by_id(files: dict) -> dict:
            return {rel.rsplit("/", 1)[-1][:-4]: data for rel, data in sorted(files.items()) if isinstance(data, dict)}

        outputs = build_outputs(by_id(raw.services), by_id(raw.bundles))
        stale = stale_files(outputs, self.settings.project_dir)
        self._stale = (signature, stale)
        return list(stale)

    def labelled_since_last_model(self) -> int:
        with self.db.session() as session:
            last_done = session.execute(select(func.max(TrainJob.finished_at)).where(TrainJob.status == DONE)).scalar()
            query = select(func.count()).select_from(Message).where(Message.status == "labelled")
            if last_done:
                query = query.where(Message.handled_at > last_done)
            return session.execute(query).scalar_one()

    def _auth(self) -> dict:
        """Rasa's HTTP API takes its --auth-token as the `token` query parameter."""
        return {"token": self.settings.rasa_token} if self.settings.rasa_token else {}

    def rasa_model(self) -> str | None:
        try:
            response = requests.get(f"{self.settings.rasa_urls[0]}/status", params=self._auth(), timeout=3)
            return Path(response.json().get("model_file") or "").name or None
        except (requests.RequestException, ValueError):
            return None

    # ------------------------------------------------------------ run
    def start(self, user: CurrentUser) -> TrainJob:
        with self._lock:
            with self.db.session(write=True) as session:
                busy = session.execute(select(TrainJob).where(TrainJob.status.in_([RUNNING, LOADING]))).first()
                if busy:
                    raise TrainingBusy()
                self.settings.training_log_dir.mkdir(parents=True, exist_ok=True)
                job = TrainJob(started_by=user.username, started_at=utcnow(), status=RUNNING, log_path="")
                session.add(job)
                session.flush()
                job.log_path = str(self.settings.training_log_dir / f"job-{job.id}.log")
                audit.record(
                    session,
                    user.username,
                    user.role,
                    "training.start",
                    f"train_job:{job.id}",
                    after={"command": " ".join(self.settings.train_command)},
                )
            log_file = open(job.log_path, "ab")
            try:
                process = subprocess.Popen(
                    list(self.settings.train_command),
                    cwd=ROOT,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    env={**os.environ, "PYTHONUNBUFFERED": "1"},
                )
            except OSError as error:
                self._finish(job.id, FAILED, None, f"无法启动训练命令：{error}")
                raise
            finally:
                log_file.close()
        threading.Thread(target=self._wait, args=(job.id, process), name=f"train-job-{job.id}", daemon=True).start()
        return job

    def _finish(
        self, job_id: int, status: str, return_code: int | None, message: str, model: Path | None = None
    ) -> None:
        with self.db.session(write=True) as session:
            job = session.get(TrainJob, job_id)
            job.status, job.return_code, job.message = status, return_code, message
            if model is not None:
                job.model_path = str(model)
            if status in (DONE, FAILED):
                job.finished_at = utcnow()
            audit.record(
                session,
                "系统",
                None,
                f"training.{status}",
                f"train_job:{job_id}",
                after={"status": status, "model": job.model_path, "return_code": return_code},
                note=message,
            )

    def _wait(self, job_id: int, process: subprocess.Popen) -> None:
        code = process.wait()
        job = self.job(job_id)
        assert job is not None, "a job row is written before its process starts"
        if code != 0:
            self._finish(job_id, FAILED, code, f"训练命令退出码 {code}，请查看日志。")
            return
        model = model_from_log(
            Path(job.log_path).read_text(encoding="utf-8", errors="replace"), self.settings.models_dir
        )
        if model is None:
            self._finish(job_id, FAILED, code, "训练完成，但输出中没有找到模型文件。")
            return
        self._finish(job_id, LOADING, code, f"训练完成，正在把 {model.name} 加载到对话服务 …", model)
        started = time.monotonic()
        for number, url in enumerate(self.settings.rasa_urls, 1):  # one instance at a time: the others answer
            where = f"对话服务（第 {number} 个实例）" if len(self.settings.rasa_urls) > 1 else "对话服务"
            try:
                response = requests.put(
                    f"{url}/model", params=self._auth(), json={"model_file": str(model.resolve())}, timeout=LOAD_TIMEOUT
                )
            except requests.RequestException as error:
                self._finish(
                    job_id, FAILED, code, f"{where}无法加载新模型（{error.__class__.__name__}），旧模型继续使用。"
                )
                return
            if response.status_code != 204:
                self._finish(
                    job_id, FAILED, code, f"{where}拒绝加载新模型（HTTP {response.status_code}），旧模型继续使用。"
                )
                return
        seconds = time.monotonic() - started
        self._finish(job_id, DONE, code, f"新模型 {model.name} 已上线（加载用时 {seconds:.0f} 秒）。")

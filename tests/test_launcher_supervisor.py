"""The launcher's supervisor on stand-in processes (issue 14 defect 6): a process that dies is restarted with a
growing pause, the others keep running, and a process stopped on purpose stays stopped. The real `bot run`
with its real services is tested in tests/test_run_command.py."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from bot.launcher import Assistant, Service
from bot.settings import Settings

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]


def stand_ins(tmp_path: Path) -> Assistant:
    assistant = Assistant(Settings(var_dir=tmp_path), tmp_path / "model.tar.gz", log_dir=tmp_path)
    assistant.services = [
        Service(name, SLEEPER, "http://127.0.0.1:9/", tmp_path / f"{name}.log") for name in ("backend", "actions")
    ]
    for service in assistant.services:
        service.start(dict(os.environ))
    return assistant


def wait_for(condition, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_dead_process_is_restarted_with_backoff_and_the_others_keep_running(tmp_path, capsys):
    assistant = stand_ins(tmp_path)
    backend, actions = assistant.services
    first, other = backend.started.pid, actions.started.pid
    assistant.start_supervisor()
    try:
        os.killpg(first, signal.SIGKILL)
        killed = time.monotonic()
        wait_for(lambda: backend.started.pid != first and backend.started.poll() is None)
        first_pause = time.monotonic() - killed
        second = backend.started.pid
        os.killpg(second, signal.SIGKILL)
        killed = time.monotonic()
        wait_for(lambda: backend.started.pid != second and backend.started.poll() is None)
        second_pause = time.monotonic() - killed
        assert 1 <= first_pause < second_pause and second_pause >= 2  # 1 s, then 2 s
        assert actions.started.pid == other and actions.started.poll() is None
        assert backend.restarts == 2
    finally:
        assistant.stop()
    out = capsys.readouterr().out
    assert out.count("backend 意外退出") == 2 and out.count("backend 已重新启动") == 2


def test_a_process_stopped_on_purpose_is_not_restarted_and_stop_ends_everything(tmp_path):
    assistant = stand_ins(tmp_path)
    backend, actions = assistant.services
    assistant.start_supervisor()
    backend.stop()
    time.sleep(2.5)
    assert backend.started.poll() is not None and backend.restarts == 0
    assistant.stop()
    assert actions.started.poll() is not None
    time.sleep(1.5)
    assert all(s.started.poll() is not None for s in assistant.services)

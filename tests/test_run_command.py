"""The README's run command: a second run neither reinstalls nor retrains, answers 你好, and Ctrl-C stops it all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import requests

from bot.settings import ROOT
from tests.conftest import free_port


def test_run_starts_everything_answers_and_stops_on_ctrl_c(model_path, tmp_path) -> None:
    ports = {"RASA_PORT": free_port(), "ACTION_PORT": free_port(), "BACKEND_PORT": free_port()}
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}, "HAIYUAN_VAR_DIR": str(tmp_path / "var")}
    env.pop("HAIYUAN_MODEL", None)
    # The interpreter the venv was made from, as in the README (`python3 -m bot run`): the bootstrap
    # finds .venv up to date and re-executes itself there.
    python = getattr(sys, "_base_executable", None) or "python3"
    run = subprocess.Popen(
        [python, "-m", "bot", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output = []
    try:
        deadline = time.monotonic() + 400
        while time.monotonic() < deadline:
            line = run.stdout.readline()
            output.append(line)
            if "已启动" in line or run.poll() is not None:
                break
        text = "".join(output)
        assert "已启动" in text, text[-3000:]
        assert "模型已是最新" in text and "安装 [" not in text  # nothing reinstalled or retrained
        reply = requests.post(
            f"http://127.0.0.1:{ports['RASA_PORT']}/webhooks/rest/webhook",
            json={"sender": "run-test", "message": "你好"},
            timeout=60,
        ).json()
        assert [b["title"] for b in reply[0]["buttons"]][:4] == ["办事咨询", "一件事一次办", "投诉建议", "查询工单"]
        assert requests.get(f"http://127.0.0.1:{ports['BACKEND_PORT']}/chat", timeout=10).status_code == 200
    finally:
        os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        rest, _ = run.communicate(timeout=120)
    assert run.returncode == 0 and "已停止" in rest, rest[-2000:]
    for port in ports.values():  # every child process is gone
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=2)
        except requests.ConnectionError:
            continue
        raise AssertionError(f"something still listens on port {port}")

"""The README's run command: a second run neither reinstalls nor retrains, answers 你好, restarts a service that
died while the others keep running (issue 14 defect 6), and Ctrl-C stops it all."""

from __future__ import annotations

import os
import re
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
        pids = dict(re.findall(r"启动 (\S+) .*?（进程 (\d+)", text))
        os.kill(int(pids["工单后台"]), signal.SIGKILL)  # the backend dies
        while "工单后台 (backend) 已重新启动" not in "".join(output) and run.poll() is None:
            output.append(run.stdout.readline())
        assert "工单后台 (backend) 意外退出" in "".join(output)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{ports['BACKEND_PORT']}/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.5)
        for name in ("动作服务", "Rasa"):  # the others kept running
            os.kill(int(pids[name]), 0)
        again = requests.post(
            f"http://127.0.0.1:{ports['RASA_PORT']}/webhooks/rest/webhook",
            json={"sender": "run-test-2", "message": "转人工"},  # asks the backend through the action server
            timeout=60,
        ).json()
        assert again and "暂时连不上" not in again[0]["text"], again
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

"""Retraining from the console: the command runs as a subprocess, its log is shown, the model goes live.

The retrain command is a tiny stand-in (see conftest.TRAIN_SCRIPT) that prints a model path like
`python -m bot train` does; a real training run takes 4–6 minutes on CI and is not repeated here. What
follows the command is real: the console loads that model into the running Rasa server (PUT /model).
"""

from __future__ import annotations

import json
import re
import threading
import time

import requests

from tests.conftest import ARTIFACTS, Chat, rasa_auth
from tests.console.conftest import ConsoleServer, Staff


def _status(member: Staff) -> str:
    page = member.get("/console/training").text
    found = re.search(r'<span id="job-status"[^>]*>([^<]+)</span>', page)
    return found.group(1) if found else ""


def test_retrain_runs_the_command_and_loads_the_new_model(
    assistant, console_server: ConsoleServer, staff, open_console
) -> None:
    dispatcher: Staff = staff["dispatcher"]
    rasa = assistant.settings.rasa_url
    page = open_console("dispatcher")
    page.goto("/console/training")
    page.page.on("dialog", lambda dialog: dialog.accept())
    page.page.click("form[action='/console/training/start'] button")
    page.page.wait_for_selector("#job-status")
    assert page.page.locator("#job-status").inner_text() in ("训练中", "正在加载新模型", "已完成")
    # One job at a time.
    busy = dispatcher.post("/console/training/start")
    assert busy.status_code == 303 and "busy=1" in busy.headers["location"]

    # While Rasa loads the new model, a citizen keeps talking: the answer is delayed, never lost.
    replies, timings = [], []

    def talk() -> None:
        started = time.monotonic()
        response = requests.post(
            f"{rasa}/webhooks/rest/webhook", json={"sender": "console-swap", "message": "你好"}, timeout=600
        )  # queued behind the model load, not lost
        replies.append(" ".join(r.get("text") or "" for r in response.json()))
        timings.append(time.monotonic() - started)

    talker = None
    deadline = time.monotonic() + 600
    status = _status(dispatcher)
    while status in ("训练中", "正在加载新模型") and time.monotonic() < deadline:
        if status == "正在加载新模型" and talker is None:
            talker = threading.Thread(target=talk)
            talker.start()
        time.sleep(0.5)
        status = _status(dispatcher)
    page.goto("/console/training")
    page.shot("training")
    html = dispatcher.get("/console/training").text
    assert status == "已完成", html[-3000:]
    assert "haiyuan-console-test.tar.gz" in html and "已上线" in html
    assert "138****5678" in html and "13812345678" not in html  # the log tail is masked too
    model = requests.get(f"{rasa}/status", params=rasa_auth(), timeout=30).json()["model_file"]
    assert model.endswith("haiyuan-console-test.tar.gz"), model
    if talker is not None:
        talker.join(600)
        assert replies and "海原政务小助手" in replies[0]
    assert "海原政务小助手" in Chat(rasa).text("你好")
    load = re.search(r"加载用时 (\d+) 秒", html)
    (ARTIFACTS / "console-model-swap.json").write_text(
        json.dumps(
            {
                "model_load_seconds": int(load.group(1)) if load else None,
                "reply_seconds_during_load": round(timings[0], 1) if timings else None,
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )

"""A citizen on the 公众号, end to end: the WeChat stand-in pushes signed, encrypted XML to the real Rasa server
(its wechat channel), which runs the real action server and backend; answers come back as passive replies or
through the stand-in's customer-service API."""

from __future__ import annotations

import os
import re
import signal
import threading
import time

import pytest
import requests

from tests.conftest import ARTIFACTS, rasa_auth
from tests.support.wechat_standin import Citizen, WeChatStandIn

pytestmark = pytest.mark.e2e

PHONE = "13812345678"


@pytest.fixture
def citizen(assistant, wechat_server: WeChatStandIn) -> Citizen:
    return Citizen(wechat_server, f"{assistant.settings.rasa_url}/webhooks/wechat/webhook")


def choice(reply: str, title: str) -> str:
    """The number in front of a choice (「回复数字：」 lines "2 不知道")."""
    found = re.search(rf"^(\d) {re.escape(title)}$", reply, re.MULTILINE)
    assert found, f"no choice {title!r} in {reply!r}"
    return found.group(1)


def tickets_of(assistant, sender: str) -> list[dict]:
    token = (assistant.settings.var_dir / "secrets" / "api_token").read_text().strip()
    response = requests.get(
        f"{assistant.settings.backend_url}/api/tickets",
        params={"conversation_id": sender},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["items"]


def user_texts(assistant, sender: str) -> list[str]:
    url = f"{assistant.settings.rasa_url}/conversations/{sender}/tracker"
    events = requests.get(url, params=rasa_auth(), timeout=30).json()["events"]
    return [e.get("text") for e in events if e["event"] == "user"]


def test_a_whole_complaint_on_wechat_from_subscribing_to_the_ticket_number(assistant, citizen: Citizen) -> None:
    assert citizen.standin.verify_url(citizen.url, "20261203") == (200, "20261203")
    welcome = "\n".join(citizen.send(citizen.standin.event_xml(citizen.openid, "subscribe")))
    assert "点下面" not in welcome and "回复下面的数字" in welcome
    assert "发生了什么事" in citizen.say(choice(welcome, "投诉建议"))  # 3 → /start_complaint
    assert "在哪里" in citizen.say("政务大厅窗口的工作人员态度太差了，让我来回跑了三趟")
    assert "什么时候" in citizen.say("县政务服务中心二楼")
    department = citizen.say("11月20日上午")
    assert "哪个部门" in department
    assert "称呼" in citizen.say(choice(department, "不知道"))
    assert "电话" in citizen.say("王先生")
    consent = citizen.say(PHONE)
    assert "同意" in consent
    summary = citizen.say(choice(consent, "同意"))
    assert "请核对" in summary and "138****5678" in summary and PHONE not in summary
    confirm_xml = citizen.standin.text_xml(citizen.openid, choice(summary, "确认提交"))
    citizen.transcript.append(f"市民：{choice(summary, '确认提交')}")
    done = "\n".join(citizen.send(confirm_xml))
    number = re.search(r"HY\d{12}", done)
    (ARTIFACTS / "wechat_complaint.txt").write_text("\n\n".join(citizen.transcript), encoding="utf-8")  # to read
    assert number, done
    tickets = tickets_of(assistant, citizen.openid)
    assert [t["number"] for t in tickets] == [number.group(0)]
    assert tickets[0]["channel"].endswith("wechat")  # 智能助手-wechat: the notices go back to WeChat
    # WeChat's retry of the confirmation (same MsgId) is not a second turn, nor a second ticket.
    again = citizen.standin.push(citizen.url, confirm_xml)
    assert again.usable
    assert len(tickets_of(assistant, citizen.openid)) == 1
    assert user_texts(assistant, citizen.openid).count("确认提交") == 1
    # The openid is the conversation id, yet no log of the three servers carries it (an alias instead).
    for log in (ARTIFACTS / "logs").glob("*.log"):
        assert citizen.openid not in log.read_text(errors="replace"), log.name


def test_elderly_mode_by_keyword_and_voice(assistant, citizen: Citizen) -> None:
    assert "长辈模式" in citizen.say("长辈模式")
    heard = citizen.send(citizen.standin.voice_xml(citizen.openid, recognition="身份证丢了咋补办"))
    assert heard and "身份证" in "\n".join(heard)
    events = requests.get(
        f"{assistant.settings.rasa_url}/conversations/{citizen.openid}/tracker", params=rasa_auth(), timeout=30
    ).json()
    assert events["slots"]["elderly_mode"] is True
    assert "普通模式" in citizen.say("标准模式")
    no_text = citizen.send(citizen.standin.voice_xml(citizen.openid, recognition=None))
    assert "打字" in no_text[0]


def test_an_answer_later_than_five_seconds_comes_once_through_the_customer_service_api(
    assistant, citizen: Citizen, wechat_server: WeChatStandIn
) -> None:
    """The action server stalls (SIGSTOP) for 7 s: Rasa cannot answer within the channel's 4-second budget."""
    assert "在哪里" in citizen.say("我要投诉，村里的路灯坏了一个月没人修")
    actions = next(s for s in assistant.services if "action" in s.name)
    pid = actions.process.pid
    os.kill(pid, signal.SIGSTOP)
    resume = threading.Timer(7.0, os.kill, (pid, signal.SIGCONT))
    resume.start()
    try:
        xml = wechat_server.text_xml(citizen.openid, "三河镇张家村")
        before = len(wechat_server.custom_texts(citizen.openid))
        first = wechat_server.push(citizen.url, xml)
        assert first.is_success and first.elapsed < 5.0  # "success" in time: WeChat shows nothing, no error
        retry = wechat_server.push(citizen.url, xml)  # as WeChat would retry
        assert retry.usable and not retry.text
        late = wechat_server.wait_custom(before + 1, timeout=60, touser=citizen.openid)[before:]
        time.sleep(2.0)
    finally:
        resume.join()
        os.kill(pid, signal.SIGCONT)
    texts = wechat_server.custom_texts(citizen.openid)[before:]
    assert len(texts) == len(late) == 1 and "什么时候" in texts[0]  # delivered exactly once
    assert user_texts(assistant, citizen.openid).count("三河镇张家村") == 1
    assert "哪个部门" in citizen.say("上个月")  # the conversation goes on

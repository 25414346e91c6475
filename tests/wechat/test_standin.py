"""The WeChat stand-in itself (tests/support/wechat_standin.py): its API refuses what WeChat refuses."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.support.wechat_standin import Cryptor, WeChatStandIn, new_aes_key


def call(url: str, body: dict | None = None) -> dict:
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=5) as response:
        return json.loads(response.read())


@pytest.fixture
def wechat():
    with WeChatStandIn() as standin:
        yield standin


def token_of(wechat: WeChatStandIn) -> str:
    answer = call(
        f"{wechat.api_base}/cgi-bin/token?grant_type=client_credential&appid={wechat.appid}&secret={wechat.secret}"
    )
    assert answer["expires_in"] == 7200
    return answer["access_token"]


def test_token_needs_the_right_appid_and_secret(wechat: WeChatStandIn) -> None:
    base = f"{wechat.api_base}/cgi-bin/token?grant_type=client_credential"
    assert call(f"{base}&appid=wx0&secret={wechat.secret}")["errcode"] == 40013
    assert call(f"{base}&appid={wechat.appid}&secret=wrong")["errcode"] == 40125
    assert token_of(wechat)


def test_customer_service_message_checks_token_and_window(wechat: WeChatStandIn) -> None:
    message = {"touser": "o-1", "msgtype": "text", "text": {"content": "您好"}}
    send = f"{wechat.api_base}/cgi-bin/message/custom/send?access_token="
    assert call(send + "forged", message)["errcode"] == 40001
    token = token_of(wechat)
    assert call(send + token, message)["errcode"] == 45015  # the user never wrote: outside the 48 h window
    wechat.interacted("o-1")
    assert call(send + token, message)["errcode"] == 0
    assert wechat.custom_texts("o-1") == ["您好"]
    wechat.expire_access_tokens()
    assert call(send + token, message)["errcode"] == 42001
    assert len(wechat.custom_messages) == 1


def test_template_messages_are_recorded_and_faults_injected(wechat: WeChatStandIn) -> None:
    token = token_of(wechat)
    send = f"{wechat.api_base}/cgi-bin/message/template/send?access_token={token}"
    body = {"touser": "o-2", "template_id": "T1", "data": {"keyword1": {"value": "已办结"}}}
    wechat.fail_next("/cgi-bin/message/template/send", errcode=-1)
    assert call(send, body)["errcode"] == -1
    answer = call(send, body)
    assert answer["errcode"] == 0 and answer["msgid"]
    assert wechat.template_messages == [body]
    assert call(send, {"touser": "o-2", "data": {}})["errcode"] == 40037


def test_cryptor_round_trip_and_appid_check() -> None:
    key = new_aes_key()
    assert len(key) == 43
    sealed = Cryptor(key, "wx-a").encrypt("<xml>长辈模式</xml>")
    assert Cryptor(key, "wx-a").decrypt(sealed) == "<xml>长辈模式</xml>"
    with pytest.raises(ValueError):
        Cryptor(key, "wx-b").decrypt(sealed)

"""The WeChat channel (bot/web/wechat_channel.py) against the WeChat stand-in, with a scripted bot for Rasa:
signatures, safe-mode encryption, XML, numbered choices, 长辈模式, voice, the 5-second limit, retries."""

from __future__ import annotations

import time
import urllib.parse

import pytest
import yaml
from rasa.shared.utils.common import class_from_module_path

from bot.settings import ROOT
from bot.web.wechat_channel import VOICE_UNRECOGNISED, WeChatInput, WeChatSettings
from bot.web.wechat_render import picked_payload, render, split_parts
from tests.support.wechat_standin import WeChatStandIn, new_aes_key, sha1_signature
from tests.wechat.conftest import Channel, openid

CONSENT = [
    {
        "text": "您同意把信息转给承办部门吗？",
        "buttons": [{"title": "同意", "payload": "同意"}, {"title": "不同意", "payload": "不同意"}],
    }
]


def test_credentials_name_the_channel_and_it_is_off_without_a_token(monkeypatch) -> None:
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    key = "bot.web.wechat_channel.WeChatInput"
    assert class_from_module_path(key) is WeChatInput
    for name in ("HAIYUAN_WECHAT_TOKEN", "HAIYUAN_WECHAT_APPID", "HAIYUAN_WECHAT_AES_KEY"):
        monkeypatch.delenv(name, raising=False)
    channel = WeChatInput.from_credentials(credentials[key])
    assert channel.name() == "wechat" and "HAIYUAN_WECHAT_TOKEN" in (channel.problem or "")
    assert channel.api is None and channel.get_output_channel() is None


def test_an_unconfigured_channel_refuses_clearly(request) -> None:
    import urllib.error
    import urllib.request

    from tests.wechat.conftest import ScriptedBot, serve

    bot = ScriptedBot()
    url, loop, server = serve(WeChatInput(WeChatSettings()), bot)
    try:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(urllib.request.Request(url, data=b"<xml/>"), timeout=5)
        assert refused.value.code == 503 and "HAIYUAN_WECHAT_TOKEN" in refused.value.read().decode()
        with urllib.request.urlopen(url.rsplit("/", 1)[0] + "/", timeout=5) as health:
            assert b'"configured":false' in health.read()
        assert bot.received == []
    finally:
        loop.call_soon_threadsafe(server.close)
        loop.call_soon_threadsafe(loop.stop)


def test_settings_refuse_a_malformed_aes_key() -> None:
    assert WeChatSettings(token="t", appid="wx1", encoding_aes_key="short").problem()
    assert WeChatSettings(token="t", encoding_aes_key=new_aes_key()).problem()  # safe mode needs the AppID
    assert WeChatSettings(token="t", appid="wx1", encoding_aes_key=new_aes_key()).problem() is None


def test_url_verification_echoes_only_with_a_valid_signature(wechat_channel: Channel) -> None:
    assert wechat_channel.wechat.verify_url(wechat_channel.url, "1234567890") == (200, "1234567890")
    forged = WeChatStandIn(token="another-token", encoding_aes_key=None)
    status, _ = forged.verify_url(wechat_channel.url, "1234567890")
    assert status == 403


def test_text_round_trip_in_both_modes(wechat_channel: Channel) -> None:
    user = openid()
    reply = wechat_channel.say(user, "身份证丢了咋补办")
    assert reply.status == 200 and reply.text == "收到：身份证丢了咋补办"  # decrypted and signature-checked
    message = wechat_channel.bot.received[0]
    assert (message.sender_id, message.input_channel, message.metadata) == (user, "wechat", {"channel": "wechat"})
    if wechat_channel.wechat.encoding_aes_key:
        assert "<Encrypt>" in reply.body and "身份证" not in reply.body


def test_bad_requests_get_4xx_and_never_reach_the_bot(safe_channel: Channel) -> None:
    wechat, url = safe_channel.wechat, safe_channel.url
    user = openid()
    query, body = wechat.signed_query(user, wechat.text_xml(user, "你好"))
    cases = {
        "bad signature": ({**query, "signature": "0" * 40}, body, 403),
        "no signature": ({k: v for k, v in query.items() if k != "signature"}, body, 403),
        "bad msg_signature": ({**query, "msg_signature": "0" * 40}, body, 403),
        "plaintext in safe mode": ({k: v for k, v in query.items() if k != "encrypt_type"}, body, 403),
        "not XML": (query, "{ not xml", 400),
        "empty": (query, "", 400),
        "huge": (query, "<xml>" + "啊" * 100_000 + "</xml>", 413),  # 300 KB
        "broken ciphertext": (query, "<xml><Encrypt><![CDATA[@@@]]></Encrypt></xml>", 403),
    }
    for name, (args, data, expected) in cases.items():
        status, _ = wechat._http("POST", url, args, data)
        assert status == expected, name
    # the ciphertext signed properly but not decryptable: 400, not 500
    timestamp, nonce = query["timestamp"], query["nonce"]
    junk = "QUJD" * 8
    args = {**query, "msg_signature": sha1_signature(wechat.token, timestamp, nonce, junk)}
    status, _ = wechat._http("POST", url, args, f"<xml><Encrypt><![CDATA[{junk}]]></Encrypt></xml>")
    assert status == 400
    old = {**query, "timestamp": str(int(time.time()) - 3600)}
    old["signature"] = sha1_signature(wechat.token, old["timestamp"], old["nonce"])
    assert wechat._http("POST", url, old, body)[0] == 403  # a replay an hour later
    assert safe_channel.bot.received == []


def test_empty_and_unsupported_messages_get_a_polite_reply(wechat_channel: Channel) -> None:
    wechat, user = wechat_channel.wechat, openid()
    assert "打字" in (wechat.push(wechat_channel.url, wechat.text_xml(user, "  ")).text or "")
    image = wechat.message_xml(user, "image", {"PicUrl": "http://127.0.0.1/x.jpg", "MediaId": "m1"})
    assert "文字" in (wechat.push(wechat_channel.url, image).text or "")
    location = wechat.message_xml(user, "location", {"Location_X": "36.5", "Location_Y": "105.6", "Label": "海原县"})
    assert "乡镇" in (wechat.push(wechat_channel.url, location).text or "")
    assert wechat.push(wechat_channel.url, wechat.event_xml(user, "unsubscribe")).is_success
    assert wechat.push(wechat_channel.url, wechat.event_xml(user, "TEMPLATESENDJOBFINISH")).is_success
    huge = wechat.push(wechat_channel.url, wechat.text_xml(user, "长" * 20_001))
    assert huge.status == 200 and "太长" in (huge.text or "")
    assert wechat_channel.bot.received == []


def test_voice_uses_recognition_or_asks_to_type(wechat_channel: Channel) -> None:
    wechat, user = wechat_channel.wechat, openid()
    heard = wechat.push(wechat_channel.url, wechat.voice_xml(user, recognition="社保卡丢了咋办"))
    assert heard.text == "收到：社保卡丢了咋办"
    silent = wechat.push(wechat_channel.url, wechat.voice_xml(user, recognition=None))
    assert silent.text == VOICE_UNRECOGNISED
    assert [m.text for m in wechat_channel.bot.received] == ["社保卡丢了咋办"]


def test_subscribe_gets_the_welcome(wechat_channel: Channel) -> None:
    wechat_channel.bot.answers["/greet"] = [{"text": "您好！我是海原县政务服务智能客服。"}]
    reply = wechat_channel.wechat.push(wechat_channel.url, wechat_channel.wechat.event_xml(openid(), "subscribe"))
    assert reply.text == "您好！我是海原县政务服务智能客服。"


def test_buttons_become_numbered_choices_and_a_digit_picks_the_payload(safe_channel: Channel) -> None:
    safe_channel.bot.answers["我要投诉"] = CONSENT
    user, other = openid(), openid()
    reply = safe_channel.say(user, "我要投诉")
    assert reply.text == "您同意把信息转给承办部门吗？\n回复数字：\n1 同意\n2 不同意"
    safe_channel.say(user, "2")
    assert safe_channel.bot.received[-1].text == "不同意"
    assert safe_channel.bot.received[-1].metadata == {"channel": "wechat", "choice": True}  # as a tap on the page
    safe_channel.say(user, "1")  # the last answer had no choices: the digit goes as typed
    safe_channel.say(other, "1")  # another citizen's choices are not this one's
    assert [m.text for m in safe_channel.bot.received[-2:]] == ["1", "1"]


def test_elderly_mode_keywords_switch_like_the_page(safe_channel: Channel) -> None:
    user = openid()
    for typed, payload in [
        ("长辈模式", "/elderly_mode_on"),
        ("老年模式。", "/elderly_mode_on"),
        ("标准模式", "/elderly_mode_off"),
    ]:
        safe_channel.say(user, typed)
        assert safe_channel.bot.received[-1].text == payload


def test_a_retry_with_the_same_msgid_is_one_turn(safe_channel: Channel) -> None:
    user, wechat = openid(), safe_channel.wechat
    xml = wechat.text_xml(user, "我要投诉路灯坏了", msg_id=123456789)
    first, again = wechat.push(safe_channel.url, xml), wechat.push(safe_channel.url, xml)
    assert first.text == again.text == "收到：我要投诉路灯坏了"
    assert len(safe_channel.bot.received) == 1


def test_late_answer_goes_through_the_customer_service_api_once(slow_channel: Channel) -> None:
    slow_channel.bot.delay = 1.0
    slow_channel.bot.answers["路灯坏了"] = [{"text": "已为您登记。"}, *CONSENT]
    user, wechat = openid(), slow_channel.wechat
    xml = wechat.text_xml(user, "路灯坏了")
    reply = wechat.push(slow_channel.url, xml)
    assert reply.is_success and reply.elapsed < 1.0
    retry = wechat.push(slow_channel.url, xml)  # WeChat's retry while the answer is under way
    assert retry.is_success
    sent = wechat.wait_custom(1, touser=user)
    time.sleep(1.5)
    assert wechat.custom_texts(user) == ["已为您登记。\n\n您同意把信息转给承办部门吗？\n回复数字：\n1 同意\n2 不同意"]
    assert sent[0]["msgtype"] == "text" and wechat.token_requests == 1
    assert len(slow_channel.bot.received) == 1
    slow_channel.bot.delay = 0
    slow_channel.say(user, "1")  # the choices of the late answer are the active ones
    assert slow_channel.bot.received[-1].text == "同意"


def test_when_wechat_hangs_up_first_the_answer_still_comes_once(safe_channel: Channel) -> None:
    """Rasa's CPU work can hold the event loop past the budget; WeChat then drops the connection at 5 s."""
    safe_channel.bot.delay = 1.5
    user, wechat = openid(), safe_channel.wechat
    xml = wechat.text_xml(user, "路灯坏了")
    assert wechat.push(safe_channel.url, xml, timeout=0.5).timed_out  # our stand-in for the 5 s cut
    assert wechat.push(safe_channel.url, xml).is_success  # the retry: "success", the answer comes later
    assert wechat.wait_custom(1, touser=user) and wechat.custom_texts(user) == ["收到：路灯坏了"]
    time.sleep(0.5)
    assert len(wechat.custom_messages) == 1 and len(safe_channel.bot.received) == 1


def test_token_expiry_is_handled_by_fetching_a_new_one(slow_channel: Channel) -> None:
    slow_channel.bot.delay = 0.6
    user, wechat = openid(), slow_channel.wechat
    assert slow_channel.say(user, "第一条").is_success
    wechat.wait_custom(1, touser=user)
    wechat.expire_access_tokens()
    wechat.fail_next("/cgi-bin/message/custom/send", errcode=-1)  # system busy once: sent again
    assert slow_channel.say(user, "第二条").is_success
    wechat.wait_custom(2, touser=user)
    assert wechat.custom_texts(user) == ["收到：第一条", "收到：第二条"]
    assert wechat.token_requests == 2


def test_a_long_answer_is_split_first_part_passive_rest_through_the_api(safe_channel: Channel) -> None:
    long = "\n".join(f"{i}. " + "材料说明" * 30 for i in range(1, 9))
    safe_channel.bot.answers["要带啥"] = [{"text": long}]
    user, wechat = openid(), safe_channel.wechat
    reply = safe_channel.say(user, "要带啥")
    rest = wechat.wait_custom(1, touser=user)
    time.sleep(0.5)
    texts = [reply.text or ""] + wechat.custom_texts(user)
    assert len(texts) >= 2 and all(len(t) <= 600 for t in texts)
    assert "\n".join(texts) == long and rest


def test_an_answer_too_long_for_the_quota_is_cut_with_a_note(safe_channel: Channel) -> None:
    safe_channel.bot.answers["全部材料"] = [{"text": "\n".join("条目" * 290 for _ in range(8))}]
    user, wechat = openid(), safe_channel.wechat
    reply = safe_channel.say(user, "全部材料")
    wechat.wait_custom(3, touser=user)
    time.sleep(0.5)
    texts = wechat.custom_texts(user)
    assert reply.text and len(texts) == 3 and texts[-1].endswith("拨打 12345 政务服务便民热线。")
    assert not [code for _, code in wechat.rejected]  # within WeChat's quota


def test_without_an_appsecret_a_late_answer_comes_with_the_next_reply(request) -> None:
    from tests.wechat.conftest import make_channel

    channels = make_channel(request, appsecret="", reply_budget=0.2)
    channel = next(channels)
    try:
        channel.bot.delay = 0.5
        user = openid()
        assert channel.say(user, "问题一").is_success
        time.sleep(0.8)
        channel.bot.delay = 0
        reply = channel.say(user, "问题二")
        assert "收到：问题一" in (reply.text or "") and "收到：问题二" in (reply.text or "")
        assert channel.wechat.custom_messages == []
    finally:
        next(channels, None)


def test_render_and_picking() -> None:
    rendered = render(
        [
            {
                "text": "您要改哪一项？",
                "buttons": [{"title": "1 改地点", "payload": "/a"}, {"title": "2 改电话", "payload": "/b"}],
            }
        ]
    )
    assert rendered.texts == ["您要改哪一项？\n回复数字：\n1 改地点\n2 改电话"]  # 长辈模式 numbers not doubled
    assert picked_payload("回复 2", rendered.choices) == "/b"
    assert picked_payload("选第一个", rendered.choices) == "/a"
    assert picked_payload("3", rendered.choices) is None
    greet = render(
        [{"text": "您想办什么？点下面的按钮，或直接说。", "buttons": [{"title": "投诉建议", "payload": "/x"}]}]
    )
    assert greet.texts == ["您想办什么？回复下面的数字，或直接说。\n1 投诉建议"]
    assert split_parts("甲" * 1300) == ["甲" * 600, "甲" * 600, "甲" * 100]


def test_the_query_of_a_push_is_what_wechat_sends(safe_channel: Channel) -> None:
    query, _ = safe_channel.wechat.signed_query("o-x", "<xml/>")
    assert set(query) == {"signature", "timestamp", "nonce", "openid", "encrypt_type", "msg_signature"}
    assert urllib.parse.urlencode(query)

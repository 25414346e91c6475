"""The Alibaba Cloud SMS client signs as documented; the stand-in recomputes the signature and refuses a wrong one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests

from bot.notify.config import AliyunSmsSettings
from bot.notify.providers.aliyun_signature import percent_encode, sign, string_to_sign
from bot.notify.providers.base import DeliveryError, Outgoing
from bot.notify.providers.sms_aliyun import AliyunSms
from tests.support.aliyun_sms_standin import AliyunSmsStandIn, expected_signature

MESSAGE = Outgoing(
    key="20261203-0001|已转办|citizen",
    address="13812345678",
    text="您的工单 20261203-0001 已转给承办部门办理。",
    kind="status",
    params={"number": "20261203-0001", "status": "已转办"},
)


def client_for(standin: AliyunSmsStandIn, secret: str | None = None) -> AliyunSms:
    env = standin.env()
    return AliyunSms(
        AliyunSmsSettings(
            access_key_id=env["ALIYUN_SMS_ACCESS_KEY_ID"],
            access_key_secret=secret or env["ALIYUN_SMS_ACCESS_KEY_SECRET"],
            sign_name=env["ALIYUN_SMS_SIGN_NAME"],
            templates={"status": "SMS_STATUS_1"},
            endpoint=standin.url,
        )
    )


def test_percent_encoding_follows_the_documented_rules() -> None:
    assert percent_encode("a b*c~d/e+f=") == "a%20b%2Ac~d%2Fe%2Bf%3D"
    assert percent_encode("已转办") == "%E5%B7%B2%E8%BD%AC%E5%8A%9E"


def test_the_documentation_example_signature() -> None:
    """Alibaba Cloud's published example (DescribeRegions, AccessKeySecret testsecret)."""
    params = {
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "Format": "XML",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "SignatureVersion": "1.0",
        "Timestamp": "2016-02-23T12:46:24Z",
        "Version": "2014-05-26",
    }
    assert string_to_sign("GET", params) == (
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1"
        "%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0"
        "%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
    )
    assert sign("GET", params, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_client_and_stand_in_agree_on_a_chinese_template_parameter() -> None:
    standin = AliyunSmsStandIn()
    params = client_for(standin).request_params(MESSAGE, now=datetime(2026, 12, 3, 4, 5, 6, tzinfo=UTC), nonce="n1")
    assert params["Signature"] == expected_signature("POST", params, standin.access_key_secret)
    assert params["Timestamp"] == "2026-12-03T04:05:06Z" and params["OutId"] == MESSAGE.key


def test_a_signed_request_is_accepted_and_recorded() -> None:
    standin = AliyunSmsStandIn().start()
    try:
        biz_id = client_for(standin).send(MESSAGE)
        [sent] = standin.sent_to("13812345678")
        assert sent.biz_id == biz_id and sent.template == "SMS_STATUS_1"
        assert sent.params == {"number": "20261203-0001", "status": "已转办"} and sent.out_id == MESSAGE.key
    finally:
        standin.stop()


def test_a_wrong_secret_or_a_tampered_parameter_is_refused() -> None:
    standin = AliyunSmsStandIn().start()
    try:
        with pytest.raises(DeliveryError) as refused:
            client_for(standin, secret="not-the-secret").send(MESSAGE)
        assert refused.value.permanent and "SignatureDoesNotMatch" in refused.value.reason

        params = client_for(standin).request_params(MESSAGE)
        params["PhoneNumbers"] = "13900000000"  # changed after signing
        answer = requests.post(standin.url, data=params, timeout=5)
        assert answer.status_code == 400 and answer.json()["Code"] == "SignatureDoesNotMatch"

        replay = client_for(standin).request_params(MESSAGE)
        assert requests.post(standin.url, data=replay, timeout=5).json()["Code"] == "OK"
        assert requests.post(standin.url, data=replay, timeout=5).json()["Code"] == "SignatureNonceUsed"
        assert len(standin.sent) == 1
    finally:
        standin.stop()


def test_provider_trouble_is_temporary_and_a_missing_template_is_not() -> None:
    standin = AliyunSmsStandIn().start()
    try:
        standin.fail_next(1, "500")
        standin.fail_next(1, "limit")
        for _ in range(2):
            with pytest.raises(DeliveryError) as failed:
                client_for(standin).send(MESSAGE)
            assert not failed.value.permanent
        with pytest.raises(DeliveryError) as missing:
            client_for(standin).send(Outgoing(**{**MESSAGE.__dict__, "kind": "digest"}))
        assert missing.value.permanent
        assert standin.sent == []
    finally:
        standin.stop()

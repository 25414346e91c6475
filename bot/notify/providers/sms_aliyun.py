"""SMS through Alibaba Cloud's SendSms (dysmsapi, API version 2017-05-25), signed with the RPC signature 1.0.

One POST per message, form-encoded; the answer is JSON with Code "OK" and a BizId. SendSms is not idempotent
(its documentation says so): our outbox key goes in OutId, and before a notice whose earlier attempt was cut off
(the backend died while sending) is sent again, QuerySendDetails lists that day's messages to the number and
one carrying our OutId counts as sent.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, date, datetime

import requests

from bot.notify.config import AliyunSmsSettings
from bot.notify.models import SMS
from bot.notify.providers.aliyun_signature import sign
from bot.notify.providers.base import DeliveryError, Outgoing

log = logging.getLogger(__name__)

# Codes worth another try later (flow control, the provider's own trouble); every other code is permanent.
TEMPORARY_CODES = frozenset(
    {"isv.BUSINESS_LIMIT_CONTROL", "Throttling", "Throttling.User", "ServiceUnavailable", "InternalError"}
)


class AliyunSms:
    channel = SMS

    def __init__(self, settings: AliyunSmsSettings, session: requests.Session | None = None):
        self.settings = settings
        self.http = session or requests.Session()

    def signed(self, action: dict[str, str], now: datetime | None = None, nonce: str | None = None) -> dict[str, str]:
        """An API call's parameters with the common ones and the signature."""
        params = {
            "AccessKeyId": self.settings.access_key_id,
            "Format": "JSON",
            "RegionId": self.settings.region_id,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": nonce or uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
            **action,
        }
        params["Signature"] = sign("POST", params, self.settings.access_key_secret)
        return params

    def request_params(
        self, message: Outgoing, now: datetime | None = None, nonce: str | None = None
    ) -> dict[str, str]:
        template = self.settings.templates.get(message.kind)
        if not template:
            raise DeliveryError(f"没有配置“{message.kind}”类短信模板", permanent=True)
        action = {
            "Action": "SendSms",
            "OutId": message.key[:255],
            "PhoneNumbers": message.address,
            "SignName": self.settings.sign_name,
            "TemplateCode": template,
            "TemplateParam": json.dumps(message.params, ensure_ascii=False, separators=(",", ":")),
        }
        return self.signed(action, now, nonce)

    def already_sent(self, message: Outgoing, on: date) -> str | None:
        """A note that a message to this number on this (China) day carries our OutId, or None; raises a
        temporary DeliveryError when the records cannot be read, so nothing is sent blind."""
        for page in range(1, 11):  # 50 a page: a number gets far fewer notices a day
            action = {
                "Action": "QuerySendDetails",
                "PhoneNumber": message.address,
                "SendDate": on.strftime("%Y%m%d"),
                "PageSize": "50",
                "CurrentPage": str(page),
            }
            try:
                response = self.http.post(
                    self.settings.endpoint, data=self.signed(action), timeout=self.settings.timeout_seconds
                )
                body = response.json()
            except (requests.RequestException, ValueError) as error:
                raise DeliveryError(f"短信发送记录查不到：{type(error).__name__}") from None
            if response.status_code != 200 or body.get("Code") != "OK":
                raise DeliveryError(f"短信发送记录查不到：{body.get('Code') or response.status_code}")
            details = (body.get("SmsSendDetailDTOs") or {}).get("SmsSendDetailDTO") or []
            if any(detail.get("OutId") == message.key[:255] for detail in details):
                return f"已核对发送记录（{on.isoformat()}）"
            if len(details) < 50:
                return None
        return None

    def send(self, message: Outgoing) -> str:
        try:
            response = self.http.post(
                self.settings.endpoint, data=self.request_params(message), timeout=self.settings.timeout_seconds
            )
        except requests.RequestException as error:
            raise DeliveryError(f"短信平台连不上：{type(error).__name__}") from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        code = str(body.get("Code") or "")
        if response.status_code == 200 and code == "OK":
            return str(body.get("BizId") or "")
        reason = f"短信平台拒绝：{code or response.status_code} {str(body.get('Message') or '')[:100]}".strip()
        temporary = response.status_code >= 500 or code in TEMPORARY_CODES or not code
        raise DeliveryError(reason, permanent=not temporary)

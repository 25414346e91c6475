"""Enterprise WeChat (企业微信) application messages to staff (`POST /cgi-bin/message/send`), for deadline
warnings and the digest: a text to the member id of the contacts file, through wechatpy's enterprise client
(access token from `/cgi-bin/gettoken`, cached, fetched again on 40014/42001).

The message asks Enterprise WeChat's own duplicate check (`enable_duplicate_check`, over its longest window of
4 hours): a send repeated after a crash within that time is not delivered twice.
"""

from __future__ import annotations

import requests
from wechatpy.enterprise import WeChatClient
from wechatpy.exceptions import WeChatClientException

from bot.notify.config import WeComSettings
from bot.notify.models import WECOM
from bot.notify.providers.base import DeliveryError, Outgoing

DUPLICATE_CHECK_SECONDS = 4 * 3600  # the documented maximum
TEMPORARY_ERRCODES = frozenset({-1, 45009, 45033})  # system busy, API rate limits


class _Client(WeChatClient):
    def __init__(self, settings: WeComSettings):
        self.API_BASE_URL = settings.api_base.rstrip("/") + "/cgi-bin/"
        super().__init__(settings.corp_id, settings.secret, timeout=10)

    def fetch_access_token(self) -> dict:
        return self._fetch_access_token(
            url=self.API_BASE_URL + "gettoken", params={"corpid": self.corp_id, "corpsecret": self.secret}
        )


class WeComMessages:
    channel = WECOM

    def __init__(self, settings: WeComSettings):
        self.settings = settings
        self.client = _Client(settings)

    def send(self, message: Outgoing) -> str:
        body = {
            "msgtype": "text",
            "text": {"content": message.text},
            "enable_duplicate_check": 1,
            "duplicate_check_interval": DUPLICATE_CHECK_SECONDS,
        }
        try:
            answer = self.client.message.send(self.settings.agent_id, [message.address], msg=body)
        except WeChatClientException as error:
            reason = f"企业微信拒绝：{error.errcode} {str(error.errmsg or '')[:100]}"
            raise DeliveryError(reason, permanent=error.errcode not in TEMPORARY_ERRCODES) from None
        except requests.RequestException as error:
            raise DeliveryError(f"企业微信接口连不上：{type(error).__name__}") from None
        if (answer or {}).get("invaliduser"):
            raise DeliveryError("企业微信：该成员不在应用的可见范围内", permanent=True)
        return str((answer or {}).get("msgid") or "")

"""WeChat's customer-service message API (客服消息, `/cgi-bin/message/custom/send`), for answers that miss
the 5-second passive reply and for the parts of a long answer after the first.

wechatpy's WeChatClient does the work: access_token from `/cgi-bin/token`, cached until a minute before it
expires, fetched again and the call retried once when WeChat says the token is invalid or expired (40001,
40014, 42001). The base URL is HAIYUAN_WECHAT_API_BASE (a local stand-in in the tests). wechatpy is
synchronous (requests): calls run in a worker thread, one message after the other per citizen.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence

import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

log = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.weixin.qq.com"
SYSTEM_BUSY = -1  # WeChat's "系统繁忙，请稍候再试": nothing was sent, trying again is safe
ATTEMPTS = 3


class CustomerServiceApi(WeChatClient):
    def __init__(self, appid: str, secret: str, api_base: str = DEFAULT_API_BASE, timeout: float = 10.0):
        self.API_BASE_URL = api_base.rstrip("/") + "/cgi-bin/"
        super().__init__(appid, secret, timeout=timeout)

    def fetch_access_token(self) -> dict:
        return self._fetch_access_token(
            url=self.API_BASE_URL + "token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )

    def send_text_now(self, openid: str, text: str) -> bool:
        """One text message; retried only where WeChat certainly did not send it. False when it failed."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                self.message.send_text(openid, text)
                return True
            except requests.ConnectionError:
                reason = "no connection"
            except WeChatClientException as error:
                if error.errcode != SYSTEM_BUSY:
                    log.error("WeChat customer-service message refused: %s %s", error.errcode, error.errmsg)
                    return False
                reason = "system busy"
            except requests.RequestException as error:  # a timeout: WeChat may have sent it; never twice
                log.error("WeChat customer-service message failed: %s", type(error).__name__)
                return False
            log.warning("WeChat customer-service message: %s (attempt %d of %d)", reason, attempt, ATTEMPTS)
            time.sleep(0.5 * 2 ** (attempt - 1))
        return False

    async def send_texts(self, openid: str, texts: Sequence[str]) -> int:
        """Send in order, in a worker thread; the number delivered (stops at the first failure)."""
        delivered = 0
        for text in texts:
            if not await asyncio.to_thread(self.send_text_now, openid, text):
                break
            delivered += 1
        return delivered

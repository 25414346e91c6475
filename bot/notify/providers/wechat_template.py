"""WeChat template messages (模板消息, `POST /cgi-bin/message/template/send`) to a citizen's openid — the sender
id of a conversation on the 公众号 channel — or to a staff member's openid.

The access token comes from the channel's client (bot/web/wechat_api.py, wechatpy: cached, fetched again and
the call retried once on 40001/42001). Template variables are our params (number, status, due …), renamed by
HAIYUAN_WECHAT_TEMPLATE_FIELDS to the account's template. A template message needs no 48-hour window, unlike
the customer-service API, so a notice days later still arrives.
"""

from __future__ import annotations

import requests
from wechatpy.exceptions import WeChatClientException

from bot.notify.config import WeChatTemplateSettings
from bot.notify.models import WECHAT
from bot.notify.providers.base import DeliveryError, Outgoing
from bot.web.wechat_api import SYSTEM_BUSY, CustomerServiceApi

# errcodes worth another try later: system busy, and the API's rate limits
TEMPORARY_ERRCODES = frozenset({SYSTEM_BUSY, 45009, 45047})


class WeChatTemplates:
    channel = WECHAT

    def __init__(self, settings: WeChatTemplateSettings):
        self.settings = settings
        self.api = CustomerServiceApi(settings.appid, settings.secret, settings.api_base)

    def data(self, message: Outgoing) -> dict[str, dict[str, str]]:
        names = self.settings.fields
        return {names.get(name, name): {"value": value} for name, value in message.params.items()}

    def send(self, message: Outgoing) -> str:
        template = self.settings.templates.get(message.kind)
        if not template:
            raise DeliveryError(f"没有配置“{message.kind}”类微信模板", permanent=True)
        try:
            answer = self.api.message.send_template(message.address, template, self.data(message))
        except WeChatClientException as error:
            reason = f"微信拒绝：{error.errcode} {str(error.errmsg or '')[:100]}"
            raise DeliveryError(reason, permanent=error.errcode not in TEMPORARY_ERRCODES) from None
        except requests.RequestException as error:
            raise DeliveryError(f"微信接口连不上：{type(error).__name__}") from None
        return str((answer or {}).get("msgid") or "")

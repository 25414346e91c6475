"""A WeChat openid is the Rasa sender id; staff see an alias wherever text is masked (console, audit, logs)."""

from __future__ import annotations

import logging

from bot.common.privacy import PiiLogFilter, mask_text, wechat_alias
from bot.console.services.reception import channel_label

OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"


def test_openids_in_text_become_a_stable_alias() -> None:
    masked = mask_text(f'{{"conversation": "{OPENID}", "channel": "wechat"}}')
    assert OPENID not in masked and wechat_alias(OPENID) in masked
    assert wechat_alias(OPENID) == wechat_alias(OPENID) != wechat_alias(OPENID[:-1] + "x")
    assert mask_text("web-3f2a9c1d0b") == "web-3f2a9c1d0b"  # the web page's ids stay as they are
    assert mask_text("order_reference_value_x123") == "order_reference_value_x123"


def test_logs_never_carry_an_openid() -> None:
    record = logging.LogRecord("rasa", logging.INFO, __file__, 1, "user %s said hi", (OPENID,), None)
    PiiLogFilter().filter(record)
    assert OPENID not in record.getMessage()


def test_the_console_names_the_channel() -> None:
    assert channel_label("wechat") == "微信公众号"

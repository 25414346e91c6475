"""What a citizen sees of an unconfirmed fact, in the browser: the caveat line and 12345 beside a 待核实 phone,
on a phone and on a desktop, 长辈模式 off and on (screenshots in tests/artifacts/screenshots/)."""

from __future__ import annotations

import pytest

PHONE_390 = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def chat_url(assistant) -> str:
    return f"{assistant.settings.backend_url}/chat"


@pytest.mark.parametrize("viewport, label", [(PHONE_390, "phone"), (DESKTOP, "desktop")])
def test_caveat_and_12345_in_both_modes(open_chat, chat_url, viewport, label):
    chat = open_chat(chat_url, viewport=viewport)
    fee = "\n".join(entry["text"] for entry in chat.say("结婚登记收费吗"))
    assert "免费" in fee and "说明：收费尚未和官方文件核实" in fee
    place = "\n".join(entry["text"] for entry in chat.say("临时身份证在哪里办"))
    assert "可先拨打12345政务服务便民热线" in place
    assert chat.no_horizontal_scroll()
    chat.screenshot(f"caveat-{label}")

    chat.click(chat.page.get_by_role("switch", name="长辈模式"))
    short = "\n".join(entry["text"] for entry in chat.say("结婚登记收费吗"))
    assert "收费还在核实，去前先打12345问问。" in short
    assert chat.no_horizontal_scroll()
    chat.screenshot(f"caveat-{label}-elderly")

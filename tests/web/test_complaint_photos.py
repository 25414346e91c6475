"""Photos inside the complaint form (issue 17), in a real browser against the real assistant: the summary
offers 添加照片 (optional, up to 3); a photo added there is submitted with the complaint, the ticket card says
so and still takes more, and staff see it in the workbench and as Open311 media_url. In 长辈模式 the control
has big targets and a photo can be removed again. Phone-size screenshots (390×844) land in
tests/artifacts/screenshots/complaint-photos-*.png."""

from __future__ import annotations

import pytest
import requests

from tests.a11y import serious_violations
from tests.web.conftest import SPIES, ChatPage
from tests.web.test_citizen_services import photo_file

PHONE_390 = {"width": 390, "height": 844}
COMPLAINT = "我要投诉，政务大厅窗口的工作人员态度太差了，让我来回跑了三趟"


@pytest.fixture(scope="module")
def chat_url(assistant) -> str:
    return f"{assistant.settings.backend_url}/chat"


@pytest.fixture(scope="module")
def staff(assistant):
    token = (assistant.settings.var_dir / "secrets" / "api_token").read_text().strip()

    def get(path: str) -> requests.Response:
        return requests.get(
            assistant.settings.backend_url + path, headers={"Authorization": f"Bearer {token}"}, timeout=15
        )

    return get


@pytest.fixture
def phone(browser, chat_url):
    """A ChatPage at 390×844 in its own context (CSP bypassed only so that axe can be injected)."""
    context = browser.new_context(viewport=PHONE_390, locale="zh-CN", bypass_csp=True)
    context.add_init_script(SPIES)
    yield ChatPage(context.new_page(), chat_url).open()
    context.close()


def text_of(turn: list[dict]) -> str:
    return "\n".join(entry["text"] for entry in turn)


def walk_to_summary(chat: ChatPage, turn: list[dict], limit: int = 9) -> int:
    """Answer the form's questions; returns how many were asked before the summary."""
    for asked in range(limit):
        text = text_of(turn)
        if "请核对" in text:
            return asked
        if "称呼" in text or "贵姓" in text:
            turn = chat.say("王先生")
        elif "同意" in text:
            turn = chat.say("同意")
        elif "电话" in text:
            turn = chat.say("13812345678")
        elif "部门" in text:
            turn = chat.say("不知道")
        elif "哪里" in text or "地方" in text or "地点" in text:
            turn = chat.say("县政务服务中心二楼")
        elif "什么时候" in text or "时间" in text:
            turn = chat.say("11月20日上午")
        else:
            raise AssertionError(f"unexpected question: {text}")
    raise AssertionError(f"no summary: {text_of(turn)}")


def summary_photos(chat: ChatPage):
    return chat.page.locator("section.draft-photos").last


def test_a_photo_added_at_the_summary_is_submitted_with_the_complaint(phone, staff, assistant, browser, tmp_path):
    chat = phone
    walk_to_summary(chat, chat.say(COMPLAINT))
    box = summary_photos(chat)
    add = box.get_by_role("button", name="添加照片（可选，最多 3 张）")
    assert add.is_visible() and "不加也能提交" in box.inner_text()
    box.scroll_into_view_if_needed()
    chat.screenshot("complaint-photos-summary-phone-390-empty")
    add.focus()  # keyboard: the control is a real button
    assert chat.js("() => document.activeElement.classList.contains('add-photo')")

    box.locator("input[type=file]").set_input_files([photo_file(tmp_path, "1.jpg", (40, 120, 60))])
    summary_photos(chat).locator(".photo-state", has_text="已加 1 张").wait_for(timeout=30000)
    box = summary_photos(chat)
    assert box.locator(".photo-thumbs img").count() == 1
    assert box.get_by_role("button", name="再加照片（还能加 2 张）").is_visible()
    assert box.locator("[aria-live=polite]").count() == 1
    box.scroll_into_view_if_needed()
    assert chat.no_horizontal_scroll()
    assert serious_violations(chat.page) == []
    chat.screenshot("complaint-photos-summary-phone-390")

    chat.say("确认提交")
    assert chat.count("section.draft-photos") == 0  # answered: the control leaves with the summary's buttons
    card = chat.page.locator("article.ticket").last
    number = card.locator(".ticket-number").inner_text().strip()
    assert number.startswith("HY"), number
    assert "已附上 1 张照片" in card.locator(".photo-state").inner_text()
    assert card.locator(".photo-thumbs img").count() == 1
    assert card.get_by_role("button", name="再加照片（还能加 2 张）").is_visible()
    card.scroll_into_view_if_needed()
    chat.screenshot("complaint-photos-ticket-phone-390")

    assert staff(f"/api/tickets/{number}").json()["photos"] == 1
    [request] = staff(f"/open311/v2/requests/{number}.json").json()
    assert request["media_url"] and staff(request["media_url"][len(assistant.settings.backend_url) :]).ok

    from tests.console.conftest import PASSWORD, create_admin

    create_admin(assistant.settings.var_dir, assistant.settings.database_url, "formphotos", PASSWORD)
    context = browser.new_context(viewport=PHONE_390, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{assistant.settings.backend_url}/console/login")
    page.fill("input[name=username]", "formphotos")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")
    page.goto(f"{assistant.settings.backend_url}/console/tickets/{number}")
    assert page.locator("#ticket-photos img").count() == 1
    page.wait_for_function("() => [...document.querySelectorAll('#ticket-photos img')].every(i => i.naturalWidth > 0)")
    context.close()


def test_elderly_mode_adds_and_removes_a_photo_with_big_targets(phone, staff, tmp_path):
    chat = phone
    chat.click(chat.page.get_by_role("switch", name="长辈模式"))
    walk_to_summary(chat, chat.say(COMPLAINT))
    box = summary_photos(chat)
    assert "不加也行" in box.inner_text()
    files = [photo_file(tmp_path, f"{i}.jpg", (60 * i, 90, 30)) for i in (1, 2)]
    box.locator("input[type=file]").set_input_files(files)
    summary_photos(chat).locator(".photo-state", has_text="已加 2 张").wait_for(timeout=30000)
    box = summary_photos(chat)
    buttons = box.locator("button")
    assert min(buttons.evaluate_all("els => els.map(b => b.getBoundingClientRect().height)")) >= 60
    box.get_by_role("button", name="删除第 1 张照片").click()
    summary_photos(chat).locator(".photo-state", has_text="已删除一张").wait_for(timeout=15000)
    box = summary_photos(chat)
    assert box.locator(".photo-thumbs img").count() == 1
    assert chat.js("() => document.activeElement && document.activeElement.closest('section.draft-photos') !== null")
    box.scroll_into_view_if_needed()
    assert chat.no_horizontal_scroll()
    assert serious_violations(chat.page) == []
    chat.screenshot("complaint-photos-summary-phone-390-elderly")

    chat.say("确认提交")
    card = chat.page.locator("article.ticket").last
    number = card.locator(".ticket-number").inner_text().strip()
    assert "已附上 1 张照片" in card.locator(".photo-state").inner_text()
    assert staff(f"/api/tickets/{number}").json()["photos"] == 1

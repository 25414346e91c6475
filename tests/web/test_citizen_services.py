"""What county users of provincial apps expect (issue 17), in a real browser against the real assistant:
我的工单 with its progress, 热点问题 on the welcome, 去办理 from a service answer, 办事咨询 examples as
buttons, and a checklist that can be copied, saved as an image and printed / saved as PDF.

Each view is photographed at phone (390×844) and desktop (1280×800) size, 长辈模式 off and on, into
tests/artifacts/screenshots/citizen-*.png; nothing overflows sideways and axe-core finds no serious issue.
"""

from __future__ import annotations

import io
import uuid

import pytest
import requests

from tests.a11y import serious_violations
from tests.support.backend_process import ticket_payload
from tests.web.conftest import SCREENSHOTS, SPIES, ChatPage

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


@pytest.fixture(scope="module")
def chat_url(assistant) -> str:
    return f"{assistant.settings.backend_url}/chat"


@pytest.fixture(scope="module")
def staff(assistant):
    """The backend's ticket API with the token (tickets made for a page's own conversation)."""
    token = (assistant.settings.var_dir / "secrets" / "api_token").read_text().strip()
    url = assistant.settings.backend_url

    def call(method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        return requests.request(method, url + path, headers=headers, timeout=15, **kwargs)

    return call


@pytest.fixture
def open_page(browser, chat_url):
    """open_page(size) → a ChatPage in its own context (own localStorage), CSP bypassed only for axe."""
    contexts = []

    def make(size: str = "phone") -> ChatPage:
        context = browser.new_context(viewport=VIEWPORTS[size], locale="zh-CN", bypass_csp=True)
        context.add_init_script(SPIES)
        contexts.append(context)
        return ChatPage(context.new_page(), chat_url).open()

    yield make
    for context in contexts:
        context.close()


def elderly(chat: ChatPage, on: bool) -> None:
    switch = chat.page.get_by_role("switch", name="长辈模式")
    if (switch.get_attribute("aria-checked") == "true") != on:
        chat.click(switch)


def shoot(chat: ChatPage, name: str) -> None:
    assert chat.no_horizontal_scroll(), name
    assert serious_violations(chat.page) == [], name
    chat.screenshot(f"citizen-{name}")


def file_ticket(staff, conversation_id: str, **overrides) -> str:
    key = uuid.uuid4().hex
    payload = ticket_payload(conversation_id=conversation_id, **overrides)
    response = staff("POST", "/api/tickets", json=payload, headers={"Idempotency-Key": key})
    assert response.status_code == 201, response.text
    return response.json()["number"]


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_my_tickets_card_shows_only_this_browsers_tickets(open_page, staff, size):
    chat = open_page(size)
    number = file_ticket(staff, chat.session_id)
    older = file_ticket(staff, chat.session_id, summary="村道路灯不亮", category="求助")
    for to, extra in [("已转办", {"department": "海原县住房和城乡建设局"}), ("办理中", {})]:
        assert staff("POST", f"/api/tickets/{number}/transition", json={"to": to, "actor": "派单员", **extra}).ok

    chat.click(chat.page.locator(".quick-menu").get_by_role("button", name="我的工单"))
    card = chat.page.locator("article.my-tickets").last
    assert card.is_visible()
    shown = card.locator(".ticket-no").all_inner_texts()
    assert shown == [older, number]  # newest first
    progress = card.locator(f'section[aria-label="工单 {number}"] .timeline li')
    assert progress.count() == 5
    assert [c.split()[0] for c in progress.evaluate_all("els => els.map(e => e.className)")] == [
        "done",
        "done",
        "done",
        "ahead",
        "ahead",
    ]
    assert "13812345678" not in chat.page.content()
    shoot(chat, f"my-tickets-{size}")

    # 新对话: a new conversation, the old tickets still listed (this browser's earlier session).
    chat.page.once("dialog", lambda dialog: dialog.accept())
    chat.page.get_by_role("button", name="新对话").click()
    chat.page.wait_for_function("() => !document.querySelector('li.msg[data-entry]')")
    chat.click(chat.page.locator(".quick-menu").get_by_role("button", name="我的工单"))
    assert chat.page.locator("article.my-tickets .ticket-no").all_inner_texts() == [older, number]

    elderly(chat, True)
    chat.page.get_by_role("button", name="菜单").click()  # 长辈模式 folds the menu behind 菜单
    turn = chat.click(chat.page.locator(".quick-menu").get_by_role("button", name="我的工单"))
    assert len(turn) == 1 and "我的工单（2 件）" in turn[0]["text"], turn  # one bubble, one 朗读
    progress = chat.page.locator("article.my-tickets").last.locator(".progress-line")
    assert progress.all_inner_texts() == [
        "进度：第 1 步，共 5 步。已收到，正在分派",
        "进度：第 3 步，共 5 步。部门正在办理",
    ]
    assert chat.js("() => parseFloat(getComputedStyle(document.querySelector('.progress-line')).fontSize)") >= 24
    top = chat.js("() => document.querySelector('article.my-tickets').getBoundingClientRect().top")
    assert top < 200, top  # shown from its start, not scrolled to its end
    shoot(chat, f"my-tickets-{size}-elderly")


def test_another_citizen_sees_none_of_them(open_page, staff):
    owner = open_page()
    number = file_ticket(staff, owner.session_id)
    stranger = open_page()
    turn = stranger.say("我的工单")
    text = "\n".join(e["text"] for e in turn)
    assert number not in text and "还没有" in text and "工单号" in text
    assert stranger.count("article.my-tickets") == 0


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_hot_questions_on_the_welcome_come_from_the_backend(open_page, staff, size):
    chat = open_page(size)
    expected = requests.get(chat.url.replace("/chat", "/api/hot-questions"), timeout=10).json()["items"]
    hot = chat.page.locator("li.intro .hot-choices button")
    hot.first.wait_for()
    assert hot.all_inner_texts() == [i["title"] for i in expected[:6]]
    shoot(chat, f"welcome-hot-{size}")
    turn = chat.click(hot.first)
    assert any(e["kind"] == "guide" for e in turn), turn
    elderly(chat, True)
    chat.page.locator("li.intro").scroll_into_view_if_needed()
    assert chat.page.locator("li.intro .hot-choices button").count() == min(3, len(expected))
    chat.page.locator(".log-wrap").evaluate("el => el.scrollTop = 0")
    shoot(chat, f"welcome-hot-{size}-elderly")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_service_answer_offers_go_online_only_as_the_knowledge_base_says(open_page, size):
    chat = open_page(size)
    chat.say('/ask_service{"service": "enterprise_simple_deregistration"}')
    link = chat.page.locator(".go-online a.go-link").last
    assert link.get_attribute("href") == "http://www.gsxt.gov.cn"  # county.yml's only known address
    assert link.get_attribute("rel") == "noopener noreferrer"
    hrefs = chat.page.locator(".go-online a").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    assert hrefs == ["http://www.gsxt.gov.cn"]  # 宁夏政务服务网's address is 待核实: a name, never a link
    assert "宁夏政务服务网（网址待核实）" in chat.page.locator(".go-online").last.inner_text()
    shoot(chat, f"go-online-{size}")
    chat.say("养老金资格认证怎么做")
    assert "电子社保卡小程序" in chat.page.locator(".go-online .go-entry").last.inner_text()
    elderly(chat, True)
    chat.say("养老金资格认证怎么做")
    assert chat.page.locator(".go-online").last.is_visible()
    shoot(chat, f"go-online-{size}-elderly")


def test_services_menu_examples_are_buttons(open_page):
    chat = open_page()
    turn = chat.click(chat.page.locator(".quick-menu").get_by_role("button", name="办事咨询"))
    assert turn[-1]["buttons"] == [
        "身份证丢了咋补办",
        "办低保要带啥材料",
        "社保卡在哪办、多久能拿到",
        "公积金提取网上能办吗",
    ]
    shoot(chat, "services-menu-phone")
    answer = chat.click(chat.choice("办低保要带啥材料"))
    assert any("低保" in e["text"] for e in answer), answer
    elderly(chat, True)
    chat.page.get_by_role("button", name="菜单").click()
    turn = chat.click(chat.page.locator(".quick-menu").get_by_role("button", name="办事咨询"))
    assert turn[-1]["buttons"] == ["1 补身份证", "2 办低保", "3 交医保"]
    shoot(chat, "services-menu-phone-elderly")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_checklist_copied_saved_as_image_and_printed(open_page, size):
    chat = open_page(size)
    chat.page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    chat.click(chat.page.locator(".quick-menu").get_by_role("button", name="一件事一次办"))
    turn = chat.click(chat.page.locator("li.msg.bot[data-entry] .choices button", has_text="退役").last)
    for _ in range(8):
        if any(entry["kind"] == "checklist" for entry in turn):
            break
        turn = chat.click(chat.page.locator("li.msg.bot[data-entry] .choices").last.get_by_role("button").first)
    card = chat.page.locator("article.checklist").last
    title = card.locator("h3").inner_text()

    card.get_by_role("button", name="复制这份清单的文字").click()
    card.locator(".copy-state", has_text="已复制").wait_for()
    copied = chat.js("() => navigator.clipboard.readText()")
    assert copied.startswith(title) and "一、" in copied and copied.rstrip().endswith("海原政务小助手")

    with chat.page.expect_download() as download:
        card.get_by_role("button", name="把这份清单存为图片").click()
    saved = download.value
    assert saved.suggested_filename == title.replace('"', "") + ".png"  # no characters a file name cannot hold
    with open(saved.path(), "rb") as image:
        assert image.read(8) == b"\x89PNG\r\n\x1a\n"
    saved.save_as(str(SCREENSHOTS / f"citizen-checklist-image-{size}.png"))

    card.get_by_role("button", name="打印这份清单").click()
    assert chat.js("() => window.__printed") == 1
    buttons = card.locator(".card-actions button")
    assert buttons.count() == 3
    heights = buttons.evaluate_all("els => els.map(b => b.getBoundingClientRect().height)")
    assert min(heights) >= 44
    shoot(chat, f"checklist-{size}")
    elderly(chat, True)
    card.scroll_into_view_if_needed()
    assert min(buttons.evaluate_all("els => els.map(b => b.getBoundingClientRect().height)")) >= 60
    shoot(chat, f"checklist-{size}-elderly")


def photo_file(folder, name: str, color: tuple[int, int, int]) -> str:
    """A phone-sized JPEG with a GPS position and a camera name in its EXIF."""
    from PIL import Image

    image = Image.new("RGB", (3000, 2000), color)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (36.0, 34.0, 0.0), "E", (105.0, 38.0, 0.0)
    path = folder / name
    image.save(path, format="JPEG", exif=exif, quality=95)
    return str(path)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_complaint_photos_reach_the_ticket_and_the_workbench(open_page, staff, assistant, browser, tmp_path, size):
    from PIL import Image

    from tests.console.conftest import PASSWORD, create_admin

    chat = open_page(size)
    chat.say("我要投诉，政务大厅窗口的工作人员态度太差了，让我来回跑了三趟")
    for answer in ["县政务服务中心二楼", "11月20日上午", "不知道", "王先生", "13812345678", "同意"]:
        chat.say(answer)
    chat.say("确认提交")
    card = chat.page.locator("article.ticket").last
    number = card.locator(".ticket-number").inner_text().strip()
    assert number.startswith("HY"), number
    shoot(chat, f"photos-before-{size}")

    files = [photo_file(tmp_path, f"{i}.jpg", (40 * i, 120, 60)) for i in range(1, 5)]
    card.locator("input[type=file]").set_input_files(files[:2])
    card.locator(".photo-state", has_text="已附上 2 张").wait_for(timeout=30000)
    assert card.locator(".photo-thumbs img").count() == 2
    card.locator("input[type=file]").set_input_files(files[2:])  # one more fits, the fourth does not
    card.locator(".photo-state", has_text="多出的没有上传").wait_for(timeout=30000)
    assert card.locator(".photo-thumbs img").count() == 3 and card.locator(".add-photo").count() == 0
    shoot(chat, f"photos-{size}")
    elderly(chat, True)
    card.scroll_into_view_if_needed()
    shoot(chat, f"photos-{size}-elderly")

    [request] = staff("GET", f"/open311/v2/requests/{number}.json").json()
    stored = staff("GET", request["media_url"][len(assistant.settings.backend_url) :])
    assert stored.status_code == 200 and b"PhoneMaker" not in stored.content
    assert not Image.open(io.BytesIO(stored.content)).getexif()

    # Staff see them on the ticket page of the workbench.
    create_admin(assistant.settings.var_dir, assistant.settings.database_url, f"photo{size}", PASSWORD)
    context = browser.new_context(viewport=VIEWPORTS[size], locale="zh-CN")
    page = context.new_page()
    page.goto(f"{assistant.settings.backend_url}/console/login")
    page.fill("input[name=username]", f"photo{size}")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")
    page.goto(f"{assistant.settings.backend_url}/console/tickets/{number}")
    photos = page.locator("#ticket-photos img")
    assert photos.count() == 3
    page.wait_for_function("() => [...document.querySelectorAll('#ticket-photos img')].every(i => i.naturalWidth > 0)")
    # The page already re-encoded them (no EXIF left to find); the backend removes any it still gets.
    assert "已去除照片里的拍摄信息" in page.locator("#ticket-photos").inner_text()
    page.locator("#ticket-photos").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"citizen-console-photos-{size}.png"))
    context.close()

"""好差评 of the service on the chat page (issue 17): 评价服务 offers the five grades, the grade is stored by
the backend and counted on the staff dashboard (智能客服 and 人工客服 apart)."""

from __future__ import annotations

import requests
from sqlalchemy import create_engine
from sqlalchemy import text as sql

from tests.console.conftest import ConsoleServer
from tests.web.conftest import SPIES, ChatPage

GRADES = ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]


def test_a_chat_rating_is_stored_and_counted(browser, assistant, console_server: ConsoleServer, open_console) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    context.add_init_script(SPIES)
    chat = ChatPage(context.new_page(), f"{assistant.settings.backend_url}/chat").open()
    chat.say("你好")
    chat.page.get_by_role("button", name="评价服务").click()
    card = chat.page.locator(".card.rating").last
    assert card.locator("button").all_inner_texts() == GRADES
    card.get_by_role("button", name="基本满意").click()
    chat.page.wait_for_function("() => document.querySelector('.card.rating p').textContent.includes('谢谢')")
    assert card.locator("button").first.is_disabled()
    chat.page.screenshot(path=str(console_server.project.parent / "rating.png"))
    session = chat.session_id
    context.close()

    engine = create_engine(console_server.database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            sql("SELECT kind, grade FROM console_service_ratings WHERE conversation_id = :c"), {"c": session}
        ).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("chat", "基本满意")]

    # Bad input is refused politely; a second rating of the same conversation replaces the first.
    url = f"{assistant.settings.backend_url}/api/service-ratings"
    refused = requests.post(url, json={"conversation_id": session, "kind": "chat", "grade": "还行"}, timeout=10)
    assert refused.status_code == 422 and "评价等级" in refused.text
    again = requests.post(url, json={"conversation_id": session, "kind": "chat", "grade": "满意"}, timeout=10)
    assert again.status_code == 201

    page = open_console("analyst")
    page.goto("/console/dashboard")
    ratings = page.page.locator("#service-ratings").inner_text()
    assert "智能客服" in ratings and "人工客服" in ratings
    page.shot("dashboard-service-ratings")

"""一件事一次办 through the REST channel: questions from the bundle file, checklists that follow the answers."""

from __future__ import annotations

import yaml

from bot.settings import ROOT
from tests.conftest import Chat, render

BUNDLES = {p.stem: yaml.safe_load(p.read_text()) for p in (ROOT / "knowledge/bundles").glob("*.yml")}
CHECKLIST_MARK = "您的办事清单"


def asked(bundle_id: str, reply: str) -> str | None:
    """Which of the bundle's questions the reply asks (its id), if any."""
    return next((q["id"] for q in BUNDLES[bundle_id]["questions"] if q["ask"] in reply), None)


def walk(chat: Chat, opening: str, bundle_id: str, answers: dict[str, str]) -> str:
    """Start a bundle with `opening` and answer each question it asks; returns the checklist."""
    reply = chat.text(opening)
    for _ in range(10):
        if CHECKLIST_MARK in reply:
            return reply
        question = asked(bundle_id, reply)
        assert question, f"neither a question of {bundle_id} nor the checklist:\n{reply}"
        reply = chat.text(answers[question])
    raise AssertionError("too many questions")


def test_newborn_checklists_follow_the_answers(chat: Chat, assistant) -> None:
    from tests.conftest import Chat as NewChat

    local = walk(
        chat,
        "孩子刚出生要办啥",
        "newborn",
        {"local_hukou": "是", "married": "对", "need_ssc": "要", "need_insurance": "需要"},
    )
    other = walk(
        NewChat(assistant.settings.rasa_url),
        "娃出生了要办些啥手续",
        "newborn",
        {"local_hukou": "不是，都是外地户口", "married": "嗯", "need_ssc": "不用", "need_insurance": "2"},
    )
    assert local != other
    assert "出生登记（报户口）" in local and "出生登记（报户口）" not in other
    assert "社会保障卡申领" in local and "社会保障卡申领" not in other
    assert "随迁一方的居民户口簿" in local and "随迁一方的居民户口簿" not in other
    assert local.count("父母双方居民身份证") == 1, "a document needed by several parts is listed once"


def test_why_parts_were_left_out(chat: Chat) -> None:
    walk(
        chat,
        "宝宝出生了",
        "newborn",
        {"local_hukou": "不是", "married": "是", "need_ssc": "不需要", "need_insurance": "不要"},
    )
    why = chat.text("为啥清单里少了东西")
    assert "出生登记" in why and "户籍" in why and "社会保障卡" in why


def test_after_death_opens_with_condolence_and_differs_by_answers(chat: Chat, assistant) -> None:
    from tests.conftest import Chat as NewChat

    first = chat.text("我爸去世了后事手续咋弄")
    assert "节哀" in first and asked("after_death", first) == "local_hukou"
    with_pension = walk(
        chat,
        "是",
        "after_death",
        {"local_hukou": "是", "hospital_death": "是", "pension": "有", "has_assets": "有房子"},
    )
    without = walk(
        NewChat(assistant.settings.rasa_url),
        "老人走了要办啥手续",
        "after_death",
        {"local_hukou": "是", "hospital_death": "不是，在家里走的", "pension": "没有", "has_assets": "没有"},
    )
    assert "丧葬补助金" in with_pension and "丧葬补助金" not in without
    assert "不动产继承" in with_pension and "不动产继承" not in without
    assert "死亡医学证明开具" in without and "死亡医学证明开具" not in with_pension


def test_restaurant_asks_only_the_questions_that_apply(chat: Chat, assistant) -> None:
    from tests.conftest import Chat as NewChat

    seen = []
    reply = chat.text("我要开个饭馆")
    answers = {"has_license": "没有", "entity": "个体工商户", "signboard": "要", "tobacco": "不卖"}
    while CHECKLIST_MARK not in reply:
        question = asked("open_restaurant", reply)
        seen.append(question)
        reply = chat.text(answers[question])
    assert seen == ["has_license", "entity", "signboard", "tobacco"]
    assert "个体工商户登记" in reply and "烟草专卖" not in reply

    licensed = walk(
        NewChat(assistant.settings.rasa_url),
        "想开个饭店",
        "open_restaurant",
        {"has_license": "已经办好了", "signboard": "不挂", "tobacco": "要卖"},
    )
    assert "个体工商户登记" not in licensed and "烟草专卖零售许可证新办" in licensed


def test_change_answer_in_the_middle_and_after_the_checklist(chat: Chat) -> None:
    first = chat.text("孩子刚出生要办啥")
    assert asked("newborn", first) == "local_hukou"
    assert asked("newborn", chat.text("不是")) == "married"
    assert asked("newborn", chat.text("刚才说错了")) == "local_hukou"
    chat.text("是")
    for answer in ["是", "要"]:
        chat.text(answer)
    checklist = chat.text("不要")
    assert "出生登记（报户口）" in checklist and "城乡居民医保参保登记" not in checklist

    choices = chat.say("/change_answer")
    payloads = [b["payload"] for r in choices for b in r.get("buttons") or []]
    assert any("need_insurance" in p for p in payloads)
    again = chat.text('/change_answer{"bundle_question": "need_insurance"}')
    assert asked("newborn", again) == "need_insurance"
    changed = chat.text("需要")
    assert "城乡居民医保参保登记" in changed


def test_cancel_leaves_the_bundle(chat: Chat) -> None:
    chat.say("要退休了需要办啥")
    assert "已退出" in chat.text("算了不办了")
    assert "海原政务小助手" in chat.text("你好")


def test_a_service_question_in_the_middle_then_back_to_the_bundle(chat: Chat) -> None:
    reply = chat.text("孩子刚出生要办啥")
    assert asked("newborn", chat.text("是")) == "married"
    side = chat.text("社保卡要带啥材料")
    assert "社会保障卡" in side or "社保卡" in side
    assert "接着办" in side and asked("newborn", side) == "married"
    for answer in ["是", "要", "要"]:
        reply = chat.text(answer)
    assert CHECKLIST_MARK in reply


def test_the_checklist_can_be_shown_again(chat: Chat) -> None:
    checklist = walk(
        chat, "我要开个饭馆", "open_restaurant", {"has_license": "有了", "signboard": "不要", "tobacco": "不卖"}
    )
    chat.say("你好")
    again = chat.text("把清单再发一遍")
    assert "食品经营许可" in again and "食品经营许可" in checklist


def test_bundle_menu_lists_bundles_as_buttons(chat: Chat) -> None:
    replies = chat.say("一件事一次办")
    payloads = [b["payload"] for r in replies for b in r.get("buttons") or []]
    assert len(payloads) == len(BUNDLES)
    reply = chat.text('/start_bundle{"bundle": "retirement"}')
    assert asked("retirement", reply) == "pension_type"


def test_a_life_event_in_own_words_offers_that_bundle_first(chat: Chat) -> None:
    """No bundle name in the message: the bundle the words point at is started, or offered first."""
    replies = chat.say("想在县城开家羊肉馆 都要办啥证")
    text = render(replies)
    buttons = [b for r in replies for b in r.get("buttons") or []]
    if BUNDLES["open_restaurant"]["opening"] not in text:
        assert buttons and buttons[0]["title"] == "开办餐饮店", text
        text = chat.text(buttons[0]["payload"])
    assert asked("open_restaurant", text), text

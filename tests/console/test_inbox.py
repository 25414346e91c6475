"""The unresolved-intent inbox: real messages through the REST channel, read from Rasa's tracker store."""

from __future__ import annotations

import subprocess
import sys
import uuid

import yaml
from sqlalchemy import create_engine
from sqlalchemy import text as sql

from bot.settings import ROOT, Settings
from tests.conftest import Chat
from tests.console.conftest import ACCOUNTS, ConsoleServer, Staff

ACCOUNT_DISPATCHER = ACCOUNTS["dispatcher"][0]

PHONE = "13912345678"
# Messages the assistant cannot place (no such service or fact); the first one it really misses is used.
UNCLEAR = [f"政务大厅门口能停车吗，我电话{PHONE}", f"停车场收不收钱嘛 {PHONE}", f"哎那个车停哪达嘛 {PHONE}"]
FALLBACK_MARKER = "fallback"


def missed(chat: Chat) -> bool:
    """Did the assistant fail on the last message? (from the tracker, as Rasa recorded it)"""
    events = chat.tracker()["events"]
    last_user = max(i for i, e in enumerate(events) if e["event"] == "user")
    turn = events[last_user:]
    intent = turn[0]["parse_data"]["intent"]["name"]
    ladder = any(e["event"] == "action" and e.get("name") == "action_fallback_ladder" for e in turn)
    marker = any(
        e["event"] == "bot" and ((e.get("data") or {}).get("custom") or {}).get("type") == FALLBACK_MARKER for e in turn
    )
    return intent == "nlu_fallback" or ladder or marker


def send_unclear(assistant) -> tuple[Chat, str]:
    for text in UNCLEAR:
        chat = Chat(assistant.settings.rasa_url, sender=f"console-{uuid.uuid4().hex[:8]}")
        chat.say(text)
        if missed(chat):
            return chat, text
    raise AssertionError(f"the assistant understood all of {UNCLEAR}; pick messages it cannot answer")


def masked(text: str) -> str:
    return text.replace(PHONE, "139****5678")


def stored(server: ConsoleServer, staff: Staff, text: str) -> dict:
    """The console's newest row for a message text (after the inbox page has imported it)."""
    assert staff.get("/console/inbox").status_code == 200  # imports new tracker events
    engine = create_engine(server.database_url)
    with engine.connect() as connection:
        row = (
            connection.execute(
                sql(
                    "SELECT id, group_id, reason, status FROM console_messages WHERE text = :t ORDER BY id DESC LIMIT 1"
                ),
                {"t": text},
            )
            .mappings()
            .first()
        )
    engine.dispose()
    assert row is not None, f"{text!r} was not imported"
    return dict(row)


def test_an_unclear_message_appears_in_the_inbox_masked(assistant, console_server: ConsoleServer, open_console) -> None:
    chat, text = send_unclear(assistant)
    Chat(assistant.settings.rasa_url).say("你好")  # understood: must not appear
    page = open_console("dispatcher")
    page.goto("/console/inbox")
    html = page.page.content()
    assert masked(text) in html and PHONE not in html
    assert "你好" not in page.page.locator("#groups").inner_text()
    page.shot("inbox")
    page.page.click(f"#groups a:text-is('{masked(text)}')")
    page.page.wait_for_selector("text=及相似问题")
    page.shot("inbox-group")
    page.page.click("a:text('完整对话')")
    conversation = page.page.locator("ul.chat").inner_text()
    assert masked(text) in conversation and PHONE not in page.page.content()
    assert page.page.locator("li.user.current").count() == 1
    page.shot("inbox-conversation")


def test_similar_messages_are_grouped(assistant, console_server: ConsoleServer, staff) -> None:
    texts = ["呜哩哇啦的那个证咋弄呢嘛", "呜哩哇啦的那个证到底咋弄呢"]
    for message in texts:
        chat = Chat(assistant.settings.rasa_url)
        chat.say(message)
        assert missed(chat), f"the assistant understood {message!r}; pick a message it cannot answer"
    for different in ("噼里啪啦嗡嗡嗡嘀嘀嗒", "叽叽喳喳咕咚咕咚", "乒乒乓乓稀里哗啦"):
        chat = Chat(assistant.settings.rasa_url)
        chat.say(different)
        if missed(chat):
            texts.append(different)
            break
    assert len(texts) == 3, "the assistant understood every unrelated message; pick others"
    rows = [stored(console_server, staff["dispatcher"], message) for message in texts]
    assert all(row["reason"] and row["status"] == "open" for row in rows)
    assert rows[0]["group_id"] == rows[1]["group_id"] != rows[2]["group_id"]
    group_page = staff["dispatcher"].get(f"/console/inbox/groups/{rows[0]['group_id']}").text
    assert texts[0] in group_page and texts[1] in group_page and texts[2] not in group_page


def test_an_unhelpful_answer_marks_the_question_before(assistant, console_server: ConsoleServer, staff) -> None:
    chat = Chat(assistant.settings.rasa_url)
    question = "身份证补办要多少钱"
    assert "元" in chat.text(question)
    chat.say("/answer_unhelpful")  # the web chat's 没用 button
    page = staff["dispatcher"].get("/console/inbox").text
    assert question in page and "市民说答案没用" in page


def _validate(project) -> subprocess.CompletedProcess:
    env = Settings().as_env()
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "data",
            "validate",
            "--domain",
            "domain.yml",
            "--data",
            "data",
            "--config",
            "config.yml",
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_labelling_writes_nlu_data_that_rasa_accepts(
    assistant, console_server: ConsoleServer, staff, open_console
) -> None:
    # 1. A message the bot missed, labelled in the browser with a new intent.
    _chat, text = send_unclear(assistant)
    page = open_console("dispatcher")
    page.goto(f"/console/inbox/messages/{stored(console_server, staff['dispatcher'], masked(text))['id']}")
    page.page.fill("#new-intent", "ask_parking")
    page.shot("inbox-label-new-intent")
    page.page.click("#label-form button[type=submit]")
    page.page.wait_for_selector("text=已写入训练数据")

    # 2. An answer the citizen found unhelpful, labelled with an existing intent and an entity span
    #    chosen by clicking the jieba token (身份证补办 is one token thanks to the project dictionary).
    chat = Chat(assistant.settings.rasa_url)
    chat.say("补身份证得花多少钱")
    chat.say("/answer_unhelpful")
    row = stored(console_server, staff["dispatcher"], "补身份证得花多少钱")
    assert row["reason"] == "unhelpful"
    page.goto(f"/console/inbox/messages/{row['id']}")
    tokens = page.page.locator(".token").all_inner_texts()
    index = next(i for i, t in enumerate(tokens) if t.endswith("补身份证"))
    page.page.click(f".token[data-index='{index}']")
    page.page.select_option("#span-entity", "service")
    page.page.click("#add-span")
    assert page.page.input_value("#spans") == f"{index}-{index}:service"
    page.page.select_option("#intent", "ask_fee")
    page.shot("inbox-label-entity")
    page.page.click("#label-form button[type=submit]")
    page.page.wait_for_selector("text=已写入训练数据")

    labelled = console_server.project / "data" / "nlu" / "staff" / "labelled.yml"
    content = labelled.read_text(encoding="utf-8")
    assert PHONE not in content
    data = yaml.safe_load(content)
    examples = {entry["intent"]: entry["examples"] for entry in data["nlu"]}
    assert f"- {masked(text)}" in examples["ask_parking"]
    assert "- [补身份证](service)得花多少钱" in examples["ask_fee"]
    domain_lines = (console_server.project / "domain.yml").read_text(encoding="utf-8").splitlines()
    original_lines = (ROOT / "domain.yml").read_text(encoding="utf-8").splitlines()
    assert [line for line in domain_lines if line not in original_lines] == ["  - ask_parking"]
    assert [line for line in original_lines if line not in domain_lines] == []  # comments and layout kept

    result = _validate(console_server.project)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    ours = [
        line for line in output.splitlines() if "UserWarning" in line and ("ask_parking" in line or "labelled" in line)
    ]
    assert all("not used in any story or rule" in line for line in ours), ours
    assert not (ROOT / "data" / "nlu" / "staff").exists()  # the repository's own data is untouched


def test_knowledge_gaps_are_marked_fixed_and_reported(assistant, console_server: ConsoleServer, staff) -> None:
    dispatcher: Staff = staff["dispatcher"]
    _chat, text = send_unclear(assistant)
    message_id = stored(console_server, dispatcher, masked(text))["id"]
    refused = dispatcher.post("/console/inbox/decide", {"message_ids": message_id, "status": "gap", "note": ""})
    assert refused.status_code == 400 and "缺少什么" in refused.text
    marked = dispatcher.post(
        "/console/inbox/decide",
        {"message_ids": message_id, "status": "gap", "note": "知识库没有政务大厅停车的信息", "back": "/console/inbox"},
    )
    assert marked.status_code == 303
    assert "知识库没有政务大厅停车的信息" in dispatcher.get(f"/console/inbox/messages/{message_id}").text
    fixed = dispatcher.post(
        "/console/inbox/decide",
        {"message_ids": message_id, "status": "gap_fixed", "note": "county.yml 补充了停车场信息"},
    )
    assert fixed.status_code == 303
    assert masked(text) in dispatcher.get("/console/inbox?status=gap_fixed").text
    report = dispatcher.get("/console/reports/monthly").text
    assert "知识库没有政务大厅停车的信息" in report and "county.yml 补充了停车场信息" in report


def test_dismissed_messages_leave_the_open_list(assistant, console_server: ConsoleServer, staff) -> None:
    dispatcher: Staff = staff["dispatcher"]
    tag = uuid.uuid4().hex[:6]  # a text no other test sends, so the open list cannot hold it twice
    for template in ("政务大厅门口能停车吗 {}", "停车场收不收钱嘛 {}", "哎那个车停哪达嘛 {}"):
        text = template.format(tag)
        chat = Chat(assistant.settings.rasa_url)
        chat.say(text)
        if missed(chat):
            break
    else:
        raise AssertionError("the assistant understood every test message; pick messages it cannot answer")
    row = stored(console_server, dispatcher, text)
    assert (
        dispatcher.post(
            "/console/inbox/decide", {"message_ids": row["id"], "status": "dismissed", "note": "测试消息"}
        ).status_code
        == 303
    )
    assert text not in dispatcher.get("/console/inbox").text
    assert text in dispatcher.get("/console/inbox?status=dismissed").text
    audit = staff["admin"].get(f"/console/audit?target=message:{row['id']}").text
    assert "inbox.dismissed" in audit and ACCOUNT_DISPATCHER in audit

"""Small pieces of the staff side (unit): which phone the citizen gave, what the staff member is shown."""

from __future__ import annotations

from bot.console.services.reception import phone_in, tracker_lines
from bot.console.services.tracker import Event


def event(i: int, type_name: str, **data) -> Event:
    return Event(id=i, sender_id="s", type_name=type_name, timestamp=1_764_550_000 + i, data=data)


def test_the_phone_comes_from_the_form_slot_or_from_what_the_citizen_wrote() -> None:
    assert (
        phone_in([event(1, "user", text="你好"), event(2, "bot", text="请留电话：13812345678")]) is None
    )  # the bot's words do not count
    assert phone_in([event(1, "slot", name="contact_phone", value="13912345678")]) == "13912345678"
    assert phone_in([event(1, "user", text="电话是 139-1234-5678 谢谢")]) == "13912345678"
    assert phone_in([event(1, "user", text="座机0955-4012345")]) == "0955-4012345"
    # An ID number, a ticket number or a long code is not a phone.
    assert phone_in([event(1, "user", text="身份证640102199001011234，工单HY202612010001")]) is None
    # The latest one wins.
    assert (
        phone_in([event(1, "user", text="13812345678"), event(2, "slot", name="contact_phone", value="13912345678")])
        == "13912345678"
    )


def test_staff_see_the_conversation_masked() -> None:
    lines = tracker_lines(
        [
            event(1, "user", text="我的电话13812345678，身份证640102199001011234"),
            event(2, "bot", text="好的"),
            event(3, "action", name="action_listen"),
            event(4, "user", text=""),
        ]
    )
    assert [(line.kind, line.text) for line in lines] == [
        ("user", "我的电话138****5678，身份证6401**********1234"),
        ("bot", "好的"),
    ]
    assert lines[0].cursor == "t1" and lines[0].at < lines[1].at

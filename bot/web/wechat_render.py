"""What the bot says, as WeChat text: 公众号 messages have no buttons, so choices become numbered lines.

    render([{"text": "您同意吗？", "buttons": [{"title": "同意", …}, {"title": "不同意", …}]}])
    → Rendered(texts=["您同意吗？\n回复数字：\n1 同意\n2 不同意"], choices=[<payloads>])

The choices of the last message with buttons are the ones a digit picks (the active question, as on the web
page, where only the newest buttons can be tapped). A reply is cut into parts of at most MAX_PART_CHARS at
line breaks: the first part is the passive reply, the others go out as customer-service messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.common.text import option_number

# WeChat limits a text message to 2048 bytes (待核实 for the passive reply; the customer-service API documents
# the same order); a Chinese character is 3 bytes in UTF-8, so 600 characters stay below it with room.
MAX_PART_CHARS = 600
MAX_CHOICES = 9  # a single digit picks one (bot/common/text.py option_number reads 1–9)
# The bot's words for tapping, said of choices that are numbered here.
TAP_WORDS = [
    ("点下面的按钮", "回复下面的数字"),
    ("点下面的选项", "回复下面的数字"),
    ("点下面的功能", "回复下面的数字选功能"),
    ("请点“", "请选“"),
]
_NUMBERED_TITLE = re.compile(r"^\s*(\d{1,2})\s+(?=\S)")  # 长辈模式 titles already carry "1 …"


@dataclass
class Choice:
    title: str
    payload: str


@dataclass
class Rendered:
    texts: list[str] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)

    @property
    def parts(self) -> list[str]:
        """The whole answer in WeChat-sized parts, in order."""
        return split_parts("\n\n".join(t for t in self.texts if t.strip()))


def _title(button: dict[str, Any], number: int) -> str:
    title = str(button.get("title") or button.get("payload") or "").strip()
    found = _NUMBERED_TITLE.match(title)
    if found and int(found.group(1)) == number:
        title = title[found.end() :]
    return title


def render(messages: list[dict[str, Any]]) -> Rendered:
    """Rasa's collected messages (CollectingOutputChannel) as texts and the choices a digit can pick."""
    rendered = Rendered()
    for message in messages:
        text = str(message.get("text") or "").strip()
        buttons = [b for b in (message.get("buttons") or message.get("quick_replies") or []) if isinstance(b, dict)]
        buttons = buttons[:MAX_CHOICES]
        if buttons:
            choices = [
                Choice(_title(b, i), str(b.get("payload") or b.get("title") or "")) for i, b in enumerate(buttons, 1)
            ]
            lines = [f"{i} {c.title}" for i, c in enumerate(choices, 1)]
            for tap, reply in TAP_WORDS:
                text = text.replace(tap, reply)
            header = None if "回复下面的数字" in text else "回复数字："
            text = "\n".join(filter(None, [text, header, *lines]))
            rendered.choices = choices
        if message.get("image"):
            text = "\n".join(filter(None, [text, f"图片：{message['image']}"]))
        if text:
            rendered.texts.append(text)
    return rendered


def split_parts(text: str, limit: int = MAX_PART_CHARS) -> list[str]:
    """Cut at paragraph breaks, then line breaks, then hard at `limit` characters; no empty part."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        parts.append(current)
    return [p.strip("\n") for p in parts if p.strip()]


def picked_payload(text: str, choices: list[Choice]) -> str | None:
    """The payload a numbered reply ("2", "回复 2", "选第二个") picks among the active choices, else None."""
    number = option_number(text)
    if number is None or not choices or number > len(choices):
        return None
    return choices[number - 1].payload or None

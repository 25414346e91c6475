"""What every channel checks and cleans before Rasa, the tracker store, the actions or the console see a message.

- Text: lone surrogates, NUL and the other control characters are removed (bot/common/text_hygiene.py;
  line breaks and tabs stay, as a line break and a space); a message longer than
  MAX_MESSAGE_CHARS is refused. Metadata is cleaned the same way, keys and values, and kept small.
- Sender (the conversation id): a non-empty string of at most MAX_SENDER_CHARS printable characters, never
  Rasa's shared `default`. Channel name: at most MAX_CHANNEL_CHARS.
A refused message gets a clear Chinese reason; the channels answer it with HTTP 4xx (REST) or a bot
message (socket.io), and nothing of it is stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.common.text_hygiene import clean_text, clean_value, is_clean

MAX_MESSAGE_CHARS = 20_000  # a long letter is a few thousand characters; NLU reads the first 500
MAX_SENDER_CHARS = 200  # the backend keeps a conversation id of up to 200 characters
MAX_CHANNEL_CHARS = 50
MAX_METADATA_CHARS = 4_000  # as JSON
MAX_BODY_BYTES = 256 * 1024  # a request body beyond this is refused before it is read (Sanic's limit)


class Refused(ValueError):
    """A request the channel does not pass on; `reason` is said to the caller."""

    def __init__(self, reason: str, status: int = 400):
        super().__init__(reason)
        self.reason, self.status = reason, status


def message_text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Refused("message 必须是文字（字符串）")
    if len(value) > MAX_MESSAGE_CHARS:
        raise Refused(f"消息太长了（{len(value)} 字），请分几次发送，每次不超过 {MAX_MESSAGE_CHARS} 字", 413)
    return clean_text(value)


def sender_id(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Refused("缺少会话标识 sender（每个用户一个，长期不变的字符串）")
    if len(value) > MAX_SENDER_CHARS:
        raise Refused(f"会话标识 sender 太长（最多 {MAX_SENDER_CHARS} 个字符）")
    if not is_clean(value) or not value.isprintable():
        raise Refused("会话标识 sender 含有控制字符或无法识别的字符")
    if value.strip().lower() == "default":
        raise Refused("会话标识 sender 不能是 default，请为每个用户生成自己的标识")
    return value.strip()


def channel_name(value: Any, default: str) -> str:
    if value in (None, ""):
        return default
    if not isinstance(value, str):
        raise Refused("input_channel 必须是文字")
    if len(value) > MAX_CHANNEL_CHARS:
        raise Refused(f"渠道名太长（最多 {MAX_CHANNEL_CHARS} 个字符）")
    return clean_text(value).strip() or default


def metadata(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise Refused("metadata 必须是 JSON 对象")
    cleaned = clean_value(value)
    if len(json.dumps(cleaned, ensure_ascii=False)) > MAX_METADATA_CHARS:
        raise Refused(f"metadata 太大（最多 {MAX_METADATA_CHARS} 个字符）", 413)
    channel = cleaned.get("channel")
    if isinstance(channel, str) and len(channel) > MAX_CHANNEL_CHARS:
        raise Refused(f"渠道名太长（最多 {MAX_CHANNEL_CHARS} 个字符）")
    return cleaned


@dataclass
class Incoming:
    sender: str
    text: str
    channel: str
    metadata: dict[str, Any] | None


def read_body(body: Any, default_channel: str) -> Incoming:
    """The checked and cleaned message of a REST body (already parsed JSON)."""
    if not isinstance(body, dict):
        raise Refused('请求体必须是 JSON 对象，例如 {"sender": "app-0001", "message": "你好"}')
    return Incoming(
        sender=sender_id(body.get("sender")),
        text=message_text(body.get("message")),
        channel=channel_name(body.get("input_channel"), default_channel),
        metadata=metadata(body.get("metadata")),
    )

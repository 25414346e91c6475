"""Rasa's socket.io channel, with custom JSON messages delivered as the event's data.

Rasa 3.6's own SocketIOOutput sends `json_message` as `sio.emit(event, **json_message)`, so a custom
message such as {"type": "ticket", ...} raises TypeError ("unexpected keyword argument 'type'") inside
the turn: the reply is lost and the tracker is not saved (a finished form stays open). Here the dict
itself becomes the `bot_uttered` data, the shape the web page expects; text and buttons are unchanged.

Every incoming message is checked and cleaned first (bot/web/edge.py): a message that is not an object,
a sender id that is too long or a text that is too long gets a polite bot message instead of reaching Rasa;
lone surrogates and control characters are removed from the text and the metadata.

credentials.yml names this class instead of `socketio:` (same settings, same channel name "socketio").

Binary attachments are refused: python-socketio 5.9 (the last release Rasa 3.6's channel works with, see
requirements/ADVISORIES.md) collects any number of them for one packet (CVE-2026-48804, a memory
exhaustion). The chat page and the app send JSON only.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels import socketio
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint
from socketio import packet

from bot.web import edge

log = logging.getLogger(__name__)

MAX_BINARY_ATTACHMENTS = 0
_decode = packet.Packet.decode


def _decode_without_attachments(self: packet.Packet, encoded_packet: Any) -> int:
    count = _decode(self, encoded_packet) or 0
    if count > MAX_BINARY_ATTACHMENTS:
        raise ValueError("binary attachments are not accepted")
    return count


packet.Packet.decode = _decode_without_attachments


class SocketIOOutput(socketio.SocketIOOutput):
    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, json_message)


class SocketIOInput(socketio.SocketIOInput):
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def with_fixed_output(message: UserMessage) -> None:
            if isinstance(message.output_channel, socketio.SocketIOOutput) and self.sio is not None:
                message.output_channel = SocketIOOutput(self.sio, self.bot_message_evt)
            await on_new_message(message)

        blueprint = super().blueprint(with_fixed_output)
        handlers = self.sio.handlers[self.namespace or "/"]
        stock_handler = handlers[self.user_message_evt]

        async def handle_checked_message(sid: str, data: Any) -> None:
            try:
                checked = self._checked(sid, data)
            except edge.Refused as refused:
                log.info("socket.io message refused: %s", refused.reason)
                await self.sio.emit(
                    self.bot_message_evt, {"text": f"抱歉，这条消息没有收到：{refused.reason}。"}, room=sid
                )
                return
            await stock_handler(sid, checked)

        handlers[self.user_message_evt] = handle_checked_message
        return blueprint

    def _checked(self, sid: str, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise edge.Refused("消息格式不对")
        checked = dict(data)
        checked["message"] = edge.message_text(data.get("message"))
        if self.session_persistence or data.get("session_id") is not None:
            checked["session_id"] = edge.sender_id(data.get("session_id"))
        raw = data.get(self.metadata_key)
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                raise edge.Refused("metadata 不是合法的 JSON") from None
        if raw is not None:
            checked[self.metadata_key] = edge.metadata(raw) or {}
        return checked

    def get_output_channel(self) -> SocketIOOutput | None:
        stock = super().get_output_channel()
        return SocketIOOutput(self.sio, self.bot_message_evt) if stock is not None else None

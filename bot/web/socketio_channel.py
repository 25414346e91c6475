"""Rasa's socket.io channel, with custom JSON messages delivered as the event's data.

Rasa 3.6's own SocketIOOutput sends `json_message` as `sio.emit(event, **json_message)`, so a custom
message such as {"type": "ticket", ...} raises TypeError ("unexpected keyword argument 'type'") inside
the turn: the reply is lost and the tracker is not saved (a finished form stays open). Here the dict
itself becomes the `bot_uttered` data, the shape the web page expects; text and buttons are unchanged.

credentials.yml names this class instead of `socketio:` (same settings, same channel name "socketio").

Binary attachments are refused: python-socketio 5.9 (the last release Rasa 3.6's channel works with, see
requirements/ADVISORIES.md) collects any number of them for one packet (CVE-2026-48804, a memory
exhaustion). The chat page and the app send JSON only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels import socketio
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint
from socketio import packet

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

        return super().blueprint(with_fixed_output)

    def get_output_channel(self) -> SocketIOOutput | None:
        stock = super().get_output_channel()
        return SocketIOOutput(self.sio, self.bot_message_evt) if stock is not None else None
